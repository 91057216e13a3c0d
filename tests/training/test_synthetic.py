"""GAN data augmentation: synthetic pools from a trained conditional generator, batch top-up, config validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.config import RunConfig, check_synthetic
from benchmark.datasets.base import SplitArrays
from benchmark.errors import ConfigError, DataMissingError
from benchmark.paths import model_dir
from benchmark.training.loop import ModelSpec, train
from benchmark.training.synthetic import pool_labels, synthetic_count, synthetic_pool, top_up

DEVICE = torch.device("cpu")


def tiny(n: int = 32) -> SplitArrays:
    rng = np.random.default_rng(0)
    return SplitArrays(rng.integers(0, 256, size=(n, 1, 16, 16), dtype=np.uint8), rng.integers(0, 3, size=n))


@pytest.fixture()
def trained_cgan(tmp_path: Path, monkeypatch) -> str:
    monkeypatch.chdir(tmp_path)
    run = RunConfig(key="cgan-tiny", model="cgan", dataset="tiny", seed=0, epochs=1, batch_size=16)
    spec = ModelSpec("cgan", 1, 3, 16, {"latent_dim": 4, "hidden": 8, "layers": 1})
    train(run, spec, tiny(), None, DEVICE, model_dir(run.key), progress=False)
    return run.key


def test_synthetic_count_gives_the_fraction() -> None:
    assert synthetic_count(32, 0.5) == 32
    assert synthetic_count(30, 0.25) == 10  # 10 / 40 = 0.25
    assert synthetic_count(16, 0.2) == 4


def test_pool_labels_follow_the_real_frequencies() -> None:
    real = np.array([0] * 30 + [1] * 10 + [2] * 20)
    labels = pool_labels(real, seed=0)
    assert len(labels) == len(real) and np.array_equal(np.bincount(labels), np.bincount(real))
    assert np.array_equal(labels, pool_labels(real, seed=0))


def test_pool_is_seeded_labelled_and_top_up_mixes_it_in(trained_cgan: str) -> None:
    labels = np.array([0, 1, 2, 2, 1, 0])
    pool = synthetic_pool(trained_cgan, labels, seed=3, device=DEVICE)
    again = synthetic_pool(trained_cgan, labels, seed=3, device=DEVICE)
    assert pool.images.shape == (6, 1, 16, 16) and pool.images.dtype == np.uint8
    assert np.array_equal(pool.images, again.images) and np.array_equal(pool.labels, labels)
    batch = {"image": torch.rand(8, 1, 16, 16), "label": torch.zeros(8, dtype=torch.long)}
    mixed = top_up(batch, pool, 0.5, torch.Generator().manual_seed(0))
    assert mixed["image"].shape == (16, 1, 16, 16) and torch.equal(mixed["image"][:8], batch["image"])
    pool_images = {bytes(img) for img in pool.images}
    appended = (mixed["image"][8:] * 255).round().to(torch.uint8).numpy()
    assert all(bytes(img) in pool_images for img in appended)


def test_augmented_classifier_trains_at_equal_steps(trained_cgan: str) -> None:
    spec = ModelSpec("resnet18", 1, 3, 16, {})
    base = dict(model="resnet18", dataset="tiny", seed=0, epochs=1, batch_size=16)
    plain = train(RunConfig(key="r-plain", **base), spec, tiny(), None, DEVICE, Path("plain"), progress=False)
    synthetic = {"generator_run": trained_cgan, "fraction": 0.5}
    run = RunConfig(key="r-aug", synthetic=synthetic, **base)
    augmented = train(run, spec, tiny(), None, DEVICE, Path("aug"), progress=False)
    assert len(plain) == len(augmented) == 1 and plain != augmented


def test_missing_generator_is_an_actionable_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DataMissingError, match="run `medbench train cgan-nowhere` first"):
        synthetic_pool("cgan-nowhere", np.zeros(3, dtype=int), 0, DEVICE)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"generator_run": "dcgan-mni152_slices", "fraction": 0.5}, r"'dcgan' is not class-conditional; valid.*cgan"),
        ({"generator_run": "cgan-mni152_slices", "fraction": 1.0}, r"fraction: invalid value 1.0"),
        ({"generator_run": "cgan-mni152_slices"}, r"needs both generator_run and fraction"),
        ({"generator_run": "cgan", "fraction": 0.5}, r"must read MODEL-DATASET"),
        ({"generator": "cgan-x", "fraction": 0.5}, r"unknown setting 'generator'"),
    ],
)
def test_bad_synthetic_settings_are_one_line_errors(spec: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        check_synthetic(spec, "runs.x.synthetic")
    assert "\n" not in str(err.value)
    check_synthetic({}, "runs.x.synthetic")  # empty: no augmentation
