"""Benchmarks (``pytest -m perf``): the harness's cost over a bare PyTorch loop, as a ratio in the same process."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import timm
import torch

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.training.loop import ModelSpec, train

pytestmark = pytest.mark.perf

BATCH, SIZE, EPOCHS = 128, 28, 2  # two epochs: one checkpoint and the final save, as in any multi-epoch run
#: steps per epoch: on CPU a sixth of a Fashion-MNIST default-suite epoch; on CUDA a whole 60k-image epoch, so the
#: checkpoint weighs as it does in a real run rather than against a fraction of a second of steps
STEPS = {"cpu": 20, "cuda": 469}


def data(steps: int) -> SplitArrays:
    rng = np.random.default_rng(0)
    return SplitArrays(
        rng.integers(0, 256, (steps * BATCH, 1, SIZE, SIZE), dtype=np.uint8), rng.integers(0, 10, steps * BATCH)
    )


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def bare_loop(arrays: SplitArrays, device: torch.device, deterministic: bool) -> None:
    """The baseline: timm ResNet-18, Adam, cross-entropy, tensors built from the same arrays; on CUDA with the same
    mixed precision (autocast, loss scaling) as the harness. ``deterministic`` selects the harness's kernels
    (PyTorch's deterministic algorithms, deterministic cuDNN), so that only the harness's own work differs."""
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = deterministic, False
    torch.manual_seed(0)
    model = timm.create_model("resnet18", pretrained=False, num_classes=10, in_chans=1).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    amp = device.type == "cuda"
    scaler = torch.amp.GradScaler(device.type, enabled=amp)
    order = torch.cat([torch.randperm(len(arrays)) for _ in range(EPOCHS)])
    for start in range(0, len(order), BATCH):
        idx = order[start : start + BATCH].numpy()
        images = torch.from_numpy(arrays.images[idx].astype(np.float32) / 255).to(device)
        labels = torch.from_numpy(arrays.labels[idx]).to(device)
        with torch.autocast(device.type, enabled=amp):
            loss = torch.nn.functional.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
    synchronize(device)


def harness(arrays: SplitArrays, device: torch.device, out: Path) -> None:
    # the per-step cost only: batch-norm re-estimation is an extra forward pass per epoch that the bare loop lacks
    run = RunConfig("resnet18-perf", "resnet18", "perf", 0, EPOCHS, BATCH, bn_recalibration=False)
    train(run, ModelSpec("resnet18", 1, 10, SIZE, {}), arrays, None, device, out, progress=False)
    synchronize(device)


def best_of(runs: int, work: Callable[[], None]) -> float:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return min(seconds)


def test_resnet18_training_step_overhead_vs_bare_loop(benchmark, tmp_path: Path, device: torch.device) -> None:
    """Two epochs through the harness (seeding, atomic checkpoint, logging, final save) <= 1.10x a bare loop with the
    same kernels on the same device. What deterministic kernels cost by themselves (bare loop with them against one
    without) is recorded beside it: on CUDA that is the price of bitwise-reproducible runs, not harness overhead."""
    arrays = data(STEPS[device.type])
    if device.type == "cuda":
        bare_loop(data(20), device, deterministic=False)  # warm-up: CUDA context, cuDNN handles, allocator
    free = best_of(1, lambda: bare_loop(arrays, device, deterministic=False))
    bare = best_of(2, lambda: bare_loop(arrays, device, deterministic=True))
    counter = iter(range(100))
    benchmark.pedantic(lambda: harness(arrays, device, tmp_path / str(next(counter))), rounds=2, iterations=1)
    ratio = benchmark.stats.stats.min / bare
    benchmark.extra_info.update(device=str(device), bare_seconds=bare, ratio_harness_over_bare=ratio)
    benchmark.extra_info["ratio_deterministic_over_free_kernels"] = bare / free
    benchmark.extra_info["harness_images_per_second"] = EPOCHS * len(arrays) / benchmark.stats.stats.min
    print(
        f"{device}: harness/bare = {ratio:.3f} ({benchmark.stats.stats.min:.2f} s vs {bare:.2f} s); "
        f"deterministic/free kernels (bare) = {bare / free:.3f} ({bare:.2f} s vs {free:.2f} s)"
    )
    assert ratio <= 1.10
