"""The CUDA path of the one training loop, over every registered model: AMP steps stay finite and a seeded run is
bitwise reproducible (deterministic cuDNN, cuBLAS' fixed workspace). Skipped where no GPU is present."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.registry import MODELS
from benchmark.training.loop import FINAL, ModelSpec, load_model, train

pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]

CUDA = torch.device("cuda")
CLASSES, IMAGES, BATCH = 3, 32, 16


def spec_for(name: str) -> ModelSpec:
    """The model at its registry defaults and smallest supported input (at least 16 px)."""
    outputs = {"regression": 1}
    size = max(MODELS.get(name).meta["min_size"], 16)
    return ModelSpec(name, 1, outputs.get(MODELS.get(name).meta["task"], CLASSES), size, {})


def tiny_split(spec: ModelSpec) -> SplitArrays:
    """Random uint8 images (clips [N, 1, T, S, S] for temporal models) with labels, masks and values, so that every
    task finds the arrays it trains on."""
    rng = np.random.default_rng(0)
    size = spec.image_size
    frames = getattr(spec.build(), "frames", None) if MODELS.get(spec.name).meta.get("temporal") else None
    shape = (IMAGES, 1, frames, size, size) if frames else (IMAGES, 1, size, size)
    return SplitArrays(
        rng.integers(0, 256, size=shape, dtype=np.uint8),
        rng.integers(0, CLASSES, size=IMAGES),
        rng.integers(0, CLASSES, size=(IMAGES, size, size)).astype(np.uint8),
        rng.random(IMAGES).astype(np.float32),
    )


@pytest.mark.parametrize("name", MODELS.names())
def test_one_amp_epoch_is_finite_and_bitwise_reproducible(name: str, tmp_path: Path) -> None:
    spec = spec_for(name)
    data = tiny_split(spec)
    run = RunConfig(key=f"{name}-tiny", model=name, dataset="tiny", seed=5, epochs=1, batch_size=BATCH)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = train(run, spec, data, data, CUDA, tmp_path / "a", progress=False)
        second = train(run, spec, data, data, CUDA, tmp_path / "b", progress=False)
    nondeterministic = sorted({str(w.message).split(".")[0] for w in caught if "deterministic" in str(w.message)})
    assert all(np.isfinite(v) for record in first for v in record.values()), first
    a, b = load_model(tmp_path / "a" / FINAL).state_dict(), load_model(tmp_path / "b" / FINAL).state_dict()
    assert all(torch.isfinite(v).all() for v in a.values() if v.is_floating_point()), "non-finite weights"
    differing = [key for key in a if not torch.equal(a[key], b[key])]
    assert first == second and not differing, f"differs: {differing[:5]}; nondeterministic ops: {nondeterministic}"
