"""Benchmarks (``pytest -m perf``): the harness's cost over a bare PyTorch loop, as a ratio in the same process."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
import timm
import torch

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.training.loop import ModelSpec, train

pytestmark = pytest.mark.perf

STEPS, BATCH, SIZE = 40, 128, 28  # about half a Fashion-MNIST default-suite epoch


def data() -> SplitArrays:
    rng = np.random.default_rng(0)
    return SplitArrays(
        rng.integers(0, 256, (STEPS * BATCH, 1, SIZE, SIZE), dtype=np.uint8), rng.integers(0, 10, STEPS * BATCH)
    )


def bare_loop(arrays: SplitArrays) -> None:
    """The baseline: timm ResNet-18, Adam, cross-entropy, tensors built from the same arrays."""
    torch.manual_seed(0)
    model = timm.create_model("resnet18", pretrained=False, num_classes=10, in_chans=1)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.randperm(len(arrays))
    for start in range(0, len(arrays), BATCH):
        idx = order[start : start + BATCH].numpy()
        images = torch.from_numpy(arrays.images[idx].astype(np.float32) / 255)
        loss = torch.nn.functional.cross_entropy(model(images), torch.from_numpy(arrays.labels[idx]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def harness(arrays: SplitArrays, out: Path) -> None:
    # the per-step cost only: batch-norm re-estimation is an extra forward pass per epoch that the bare loop lacks
    run = RunConfig("resnet18-perf", "resnet18", "perf", seed=0, epochs=1, batch_size=BATCH, bn_recalibration=False)
    train(run, ModelSpec("resnet18", 1, 10, SIZE, {}), arrays, None, torch.device("cpu"), out, progress=False)


def test_resnet18_training_step_overhead_vs_bare_loop(benchmark, tmp_path: Path) -> None:
    """One epoch through the harness (seeding, determinism, atomic checkpoint, final save) <= 1.10x a bare loop."""
    arrays = data()
    bare_seconds = []
    for _ in range(2):
        start = time.perf_counter()
        bare_loop(arrays)
        bare_seconds.append(time.perf_counter() - start)
    counter = iter(range(100))
    benchmark.pedantic(lambda: harness(arrays, tmp_path / str(next(counter))), rounds=2, iterations=1)
    ratio = benchmark.stats.stats.min / min(bare_seconds)
    benchmark.extra_info["bare_seconds"] = min(bare_seconds)
    benchmark.extra_info["ratio_harness_over_bare"] = ratio
    print(f"harness/bare = {ratio:.3f} ({benchmark.stats.stats.min:.2f} s vs {min(bare_seconds):.2f} s)")
    assert ratio <= 1.10
