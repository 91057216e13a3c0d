"""Preparers on tiny fixtures in their native formats, checked value by value; the prepared format is atomic."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import benchmark
from benchmark.config import DatasetConfig
from benchmark.datasets.base import load_split, prepare, read_meta
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_idx, resize_uint8
from benchmark.datasets.mni152 import MIN_BRAIN_FRACTION, slice_volume
from benchmark.errors import ConfigError, DataMissingError


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file written by hand from its specification (magic 0x00 0x00 type ndim, big-endian dims)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_read_idx_roundtrip_plain_and_gzip(tmp_path: Path) -> None:
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(idx_bytes(array))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(tmp_path / "a.idx"), array)
    assert np.array_equal(read_idx(tmp_path / "a.idx.gz"), array)
    (tmp_path / "bad.idx").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ConfigError, match="not an IDX file"):
        read_idx(tmp_path / "bad.idx")
    (tmp_path / "short.idx").write_bytes(idx_bytes(array)[:-1])
    with pytest.raises(ConfigError, match="declares shape"):
        read_idx(tmp_path / "short.idx")


def fake_fashion_mirror(folder: Path, n_train: int = 40, n_test: int = 10) -> tuple[RemoteFile, ...]:
    """Four IDX .gz files like Fashion-MNIST's, in a local mirror folder, pinned by content hash."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(n_train) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.arange(n_test) % 10,
    }
    folder.mkdir()
    files = []
    for name, array in arrays.items():
        payload = idx_bytes(array)
        (folder / name).write_bytes(gzip.compress(payload))
        files.append(RemoteFile(name, (str(folder),), content_sha256=hashlib.sha256(payload).hexdigest()))
    return tuple(files)


def test_fashion_mnist_prepare_from_a_local_mirror_value_by_value(tmp_path: Path) -> None:
    spec = replace(benchmark.get_dataset("fashion_mnist"), files=fake_fashion_mirror(tmp_path / "mirror"))
    config = DatasetConfig("fashion_mnist", image_size=28, train_size=20, val_fraction=0.25)
    meta = prepare(spec, config, tmp_path / "raw", tmp_path / "prepared", seed=3, progress=False)
    assert meta["splits"] == {"train": 20, "val": 10, "test": 10}
    raw_train = read_idx(tmp_path / "mirror" / "train-images-idx3-ubyte.gz")
    train, val = load_split(tmp_path / "prepared", "train"), load_split(tmp_path / "prepared", "val")
    test = load_split(tmp_path / "prepared", "test")
    assert np.array_equal(test.images[:, 0], read_idx(tmp_path / "mirror" / "t10k-images-idx3-ubyte.gz"))
    assert np.array_equal(test.labels, np.arange(10) % 10)
    # every prepared train/val image is a distinct raw training image with its own label
    index = {raw_train[i].tobytes(): i for i in range(len(raw_train))}
    train_ids = [index[img[0].tobytes()] for img in train.images]
    val_ids = [index[img[0].tobytes()] for img in val.images]
    assert not set(train_ids) & set(val_ids)
    assert np.array_equal(train.labels, np.array(train_ids) % 10)
    assert train.images.dtype == np.uint8 and train.images.shape == (20, 1, 28, 28)
    assert read_meta(tmp_path / "prepared")["license"] == "MIT"


def test_resize_uint8_area_and_bilinear() -> None:
    images = np.arange(16, dtype=np.uint8).reshape(1, 1, 4, 4) * 10
    small = resize_uint8(images, 2)
    assert np.array_equal(small[0, 0], [[25, 45], [105, 125]])  # 2x2 block means
    assert resize_uint8(images, 4) is images
    assert resize_uint8(images, 8).shape == (1, 1, 8, 8)


def test_mni152_slicing_on_a_synthetic_volume() -> None:
    t1 = np.zeros((20, 24, 16), dtype=np.float32)
    gm, wm = np.zeros_like(t1), np.zeros_like(t1)
    gm[5:15, 6:18, 4:12] = 255  # a grey-matter box with a white-matter core
    wm[8:12, 9:15, 6:10] = 255
    gm[8:12, 9:15, 6:10] = 0
    t1[:] = gm * 0.5 + wm
    images, planes, masks, fractions, slabs = slice_volume(t1, gm, wm, size=16)
    counts = np.bincount(planes, minlength=3)
    assert counts.tolist() == [10, 12, 8]  # slices through the box along x, y and z
    assert images.shape == (30, 1, 16, 16) and masks.shape == (30, 16, 16)
    assert set(np.unique(masks)) == {0, 1, 2}
    assert (masks > 0).mean(axis=(1, 2)).min() >= MIN_BRAIN_FRACTION * 0.5
    assert slabs.min() >= 0
    # tissue area / padded square slice: x slices (12*8)/24^2, y (10*8)/20^2, z (10*12)/24^2
    expected = np.array([12 * 8 / 24**2, 10 * 8 / 20**2, 10 * 12 / 24**2])[planes]
    assert fractions == pytest.approx(expected, abs=0.02)  # area resampling to 16 px moves edges by < 1 px


def test_mni152_real_prepare(tmp_path: Path) -> None:
    config = DatasetConfig("mni152_slices", image_size=32)
    meta = prepare(
        benchmark.get_dataset("mni152_slices"), config, tmp_path / "raw", tmp_path / "out", seed=0, progress=False
    )
    assert meta["splits"]["train"] > 200 and meta["splits"]["test"] > 50
    train = load_split(tmp_path / "out", "train")
    assert set(np.unique(train.labels)) == {0, 1, 2} and set(np.unique(train.masks)) == {0, 1, 2}
    assert train.images.shape[1:] == (1, 32, 32)
    assert meta["synthetic"] is False and "nilearn" in meta["provenance"]


def test_prepare_failure_leaves_no_partial_output(tmp_path: Path) -> None:
    spec = replace(
        benchmark.get_dataset("fashion_mnist"),
        files=(RemoteFile("train-images-idx3-ubyte.gz", (str(tmp_path / "empty"),), sha256="0" * 64),),
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("the user's earlier output")
    with pytest.raises(DataMissingError):
        prepare(spec, DatasetConfig("fashion_mnist", 28), tmp_path / "raw", tmp_path / "out", 0, progress=False)
    assert (tmp_path / "out" / "keep.txt").read_text() == "the user's earlier output"
    assert not list(tmp_path.glob(".out.*"))


def test_missing_prepared_dataset_names_the_stage(tmp_path: Path) -> None:
    with pytest.raises(DataMissingError, match="stage prepare"):
        load_split(tmp_path, "train")
