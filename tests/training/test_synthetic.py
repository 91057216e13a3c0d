"""GAN data augmentation: a generator trained inside the run, synthetic pools, batch top-up, config validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.config import RunConfig, check_synthetic
from benchmark.datasets.base import SplitArrays
from benchmark.errors import ConfigError
from benchmark.training.loop import ModelSpec, train
from benchmark.training.synthetic import (
    GENERATOR_DIR,
    pool_labels,
    synthetic_count,
    synthetic_pool,
    top_up,
    trained_generator,
)

DEVICE = torch.device("cpu")
GENERATOR = {"model": "cgan", "epochs": 1, "batch_size": 16, "model_args": {"latent_dim": 4, "hidden": 8, "layers": 1}}
SPEC = ModelSpec("resnet18", 1, 3, 16, {})


def tiny(n: int = 32) -> SplitArrays:
    rng = np.random.default_rng(0)
    return SplitArrays(rng.integers(0, 256, size=(n, 1, 16, 16), dtype=np.uint8), rng.integers(0, 3, size=n))


def run(key: str, **kw: object) -> RunConfig:
    return RunConfig(key=key, model="resnet18", dataset="mni152_slices", seed=0, epochs=1, batch_size=16, **kw)


def test_synthetic_count_gives_the_fraction() -> None:
    assert synthetic_count(32, 0.5) == 32
    assert synthetic_count(30, 0.25) == 10  # 10 / 40 = 0.25
    assert synthetic_count(16, 0.2) == 4


def test_pool_labels_follow_the_real_frequencies() -> None:
    real = np.array([0] * 30 + [1] * 10 + [2] * 20)
    labels = pool_labels(real, seed=0)
    assert len(labels) == len(real) and np.array_equal(np.bincount(labels), np.bincount(real))
    assert np.array_equal(labels, pool_labels(real, seed=0))


def test_generator_is_trained_once_in_the_run_folder_and_pools_are_seeded(tmp_path: Path) -> None:
    augmented = run("r-aug", synthetic={"generator": GENERATOR, "fraction": 0.5})
    model = trained_generator(augmented, SPEC, tiny(), DEVICE, tmp_path, progress=False)
    weights = (tmp_path / GENERATOR_DIR / "model.pt").stat().st_mtime_ns
    trained_generator(augmented, SPEC, tiny(), DEVICE, tmp_path, progress=False)
    assert (tmp_path / GENERATOR_DIR / "model.pt").stat().st_mtime_ns == weights, "unchanged settings: reused"
    labels = np.array([0, 1, 2, 2, 1, 0])
    pool, again = synthetic_pool(model, labels, seed=3), synthetic_pool(model, labels, seed=3)
    assert pool.images.shape == (6, 1, 16, 16) and pool.images.dtype == np.uint8
    assert np.array_equal(pool.images, again.images) and np.array_equal(pool.labels, labels)
    batch = {"image": torch.rand(8, 1, 16, 16), "label": torch.zeros(8, dtype=torch.long)}
    mixed = top_up(batch, pool, 0.5, torch.Generator().manual_seed(0))
    assert mixed["image"].shape == (16, 1, 16, 16) and torch.equal(mixed["image"][:8], batch["image"])
    pool_images = {bytes(img) for img in pool.images}
    appended = (mixed["image"][8:] * 255).round().to(torch.uint8).numpy()
    assert all(bytes(img) in pool_images for img in appended)


def test_augmented_run_is_deterministic_with_a_cached_generator(tmp_path: Path) -> None:
    augmented = run("r-aug", synthetic={"generator": GENERATOR, "fraction": 0.5})
    first = train(augmented, SPEC, tiny(), None, DEVICE, tmp_path / "a", progress=False)
    second = train(augmented, SPEC, tiny(), None, DEVICE, tmp_path / "a", progress=False)  # generator reused
    plain = train(run("r-plain"), SPEC, tiny(), None, DEVICE, tmp_path / "b", progress=False)
    assert first == second and len(first) == len(plain) == 1 and first != plain


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"generator": {**GENERATOR, "model": "dcgan"}, "fraction": 0.5}, r"generator.model: invalid value 'dcgan'"),
        ({"generator": GENERATOR, "fraction": 1.0}, r"fraction: invalid value 1.0"),
        ({"generator": GENERATOR}, r"needs both generator and fraction"),
        ({"generator": {**GENERATOR, "seed": 3}, "fraction": 0.5}, r"'seed' is the augmented run's"),
        ({"generator": {**GENERATOR, "epochs": 0}, "fraction": 0.5}, r"generator.epochs: invalid value 0"),
        ({"generator_run": "cgan-x", "fraction": 0.5}, r"unknown setting 'generator_run'"),
    ],
)
def test_bad_synthetic_settings_are_one_line_errors(spec: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        check_synthetic(spec, "runs.x.synthetic", "mni152_slices", 0)
    assert "\n" not in str(err.value)
    check_synthetic({}, "runs.x.synthetic", "mni152_slices", 0)  # empty: no augmentation
