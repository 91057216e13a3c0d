"""A video generator (TGAN) is evaluated frame by frame against the cached reference of a sequence dataset, plus the
consecutive-frame difference gap to the real clips, with the protocol recorded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import benchmark
from benchmark.config import DatasetConfig, RunConfig
from benchmark.errors import ConfigError
from benchmark.evaluation import reference
from benchmark.evaluation.evaluate import EvalContext, evaluate
from benchmark.metrics import temporal

SIZE, FRAMES = 16, 4


def sequence_fixture(tmp_path: Path) -> Path:
    """30 smooth clips (brightness ramps) per split, frames along axis 2, as `medbench prepare` writes them."""
    rng = np.random.default_rng(0)
    out = tmp_path / "prepared"
    out.mkdir()
    for split in ("train", "test"):
        base = rng.integers(0, 200, size=(30, 1, 1, SIZE, SIZE))
        clips = (base + 10 * np.arange(FRAMES)[None, None, :, None, None]).astype(np.uint8)
        np.save(out / f"{split}_images.npy", clips)
        np.save(out / f"{split}_labels.npy", np.arange(30) % 3)
    meta = {
        "classes": ["a", "b", "c"],
        "mask_classes": [],
        "channels": 1,
        "image_size": SIZE,
        "splits": {"train": 30, "test": 30},
        "frames_axis": 2,
        "frames": FRAMES,
        "layout": "clips [N, C, T, H, W]",
    }
    (out / "meta.json").write_text(json.dumps(meta))
    return out


def test_tgan_is_scored_per_frame_and_temporally(tmp_path: Path, toy_fid: dict) -> None:
    prepared = sequence_fixture(tmp_path)
    config = DatasetConfig("seq", SIZE, reference_split="test", reference_n=50, classifier_epochs=1, frames=FRAMES)
    info = reference.build_reference(config, prepared, tmp_path / "ref", torch.device("cpu"), seed=0, progress=False)
    assert info["reference_n"] == 50, "the reference holds N frames (120 test frames, two disjoint halves of 50)"
    torch.manual_seed(0)
    model = benchmark.create_model("tgan", 1, 3, SIZE, frames=FRAMES, latent_dim=8, frame_latent_dim=4, width=4)
    run = RunConfig(key="tgan-seq", model="tgan", dataset="seq", seed=0, epochs=1, batch_size=4)
    ctx = EvalContext(run, config, prepared, tmp_path / "ref", torch.device("cpu"), progress=False)
    result = evaluate(model.eval(), ctx)
    assert {"fid", "kid", "inception_score", "improved_precision", "fid_real_floor"} <= set(result.metrics)
    assert np.isfinite(result.metrics["fid"]) and result.metrics["fid"] > 0
    assert result.protocol["n"] == 50 and result.protocol["n_clips"] == 13 and result.protocol["frames"] == FRAMES
    assert result.protocol["feature_extractor"]["weights"] == toy_fid["weights"] and "temporal" in result.protocol
    assert result.artifacts["samples"].shape == (50, 1, SIZE, SIZE), "frames as images"
    real = np.load(prepared / "test_images.npy").astype(np.float64) / 255
    assert result.metrics["frame_difference_real"] == pytest.approx(np.abs(np.diff(real, axis=2)).mean())
    fake = model.sample(13, torch.Generator().manual_seed(0))
    fake = (fake.clamp(0, 1) * 255).round().numpy().astype(np.float64) / 255
    assert result.metrics["frame_difference"] == pytest.approx(np.abs(np.diff(fake, axis=2)).mean(), abs=1e-9)
    expected_gap = abs(result.metrics["frame_difference"] - result.metrics["frame_difference_real"])
    assert result.metrics["frame_difference_gap"] == pytest.approx(expected_gap)


def test_frame_difference_metric_matches_numpy_and_accumulates() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.random((5, 1, 6, 4, 4)), rng.random((3, 1, 6, 4, 4))
    assert temporal.frame_difference(a) == pytest.approx(np.abs(a[:, :, 1:] - a[:, :, :-1]).mean())
    metric = benchmark.create_metric("frame_difference_gap")
    metric.update(a[:2], real=True)
    metric.update(a[2:], real=True)
    metric.update(torch.from_numpy(b), real=False)
    out = metric.compute()
    assert out["frame_difference_real"] == pytest.approx(np.abs(np.diff(a, axis=2)).mean())
    assert out["frame_difference_gap"] == pytest.approx(
        abs(np.abs(np.diff(b, axis=2)).mean() - out["frame_difference_real"])
    )
    still = np.repeat(a[:, :, :1], 6, axis=2)
    assert temporal.frame_difference(still) == 0.0
    with pytest.raises(ConfigError, match="T >= 2"):
        temporal.frame_difference(a[:, :, :1])
