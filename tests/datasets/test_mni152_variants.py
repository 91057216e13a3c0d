"""The MNI152 segmentation variants: binary white matter at two fields of view (foreground fraction), and 2.5D."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import benchmark
from benchmark.config import DatasetConfig
from benchmark.datasets.base import load_split, prepare
from benchmark.datasets.mni152 import slice_volume
from benchmark.datasets.mni152_tissue_labels import tissue_labels
from benchmark.datasets.mni152_triplanar import triplanar_patches


def box_volume() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t1 = np.zeros((40, 40, 40), dtype=np.float32)
    gm, wm = np.zeros_like(t1), np.zeros_like(t1)
    gm[8:32, 8:32, 8:32] = 255
    wm[14:26, 14:26, 14:26] = 255
    gm[14:26, 14:26, 14:26] = 0
    t1[:] = gm * 0.5 + wm
    return t1, gm, wm


def test_wider_field_of_view_shrinks_the_foreground_by_its_square() -> None:
    t1, gm, wm = box_volume()
    _, _, tight, _, _ = slice_volume(t1, gm, wm, size=16)
    _, _, wide, _, _ = slice_volume(t1, gm, wm, size=32, field_of_view=2.0)
    assert (tight > 0).sum() == pytest.approx((wide > 0).sum(), rel=0.1)  # same anatomy, same pixel size
    assert (wide > 0).mean() == pytest.approx((tight > 0).mean() / 4, rel=0.1)


def test_triplanar_channels_are_the_three_planes_through_the_point() -> None:
    t1, gm, wm = box_volume()
    t1 = np.arange(t1.size, dtype=np.float32).reshape(t1.shape) % 251  # distinct voxels
    images, masks, slabs = triplanar_patches(t1, gm, wm, size=8, patch=8, stride=12)
    assert images.shape[1:] == (3, 8, 8) and masks.shape[1:] == (8, 8) and len(slabs) == len(images)
    # the first point on the grid inside the brain: (12, 12, 12); its axial plane is t1[8:16, 8:16, 12], rotated
    axial = np.rot90(t1[8:16, 8:16, 12], k=1)
    coronal = np.rot90(t1[8:16, 12, 8:16], k=1)
    sagittal = np.rot90(t1[12, 8:16, 8:16], k=1)
    for channel, plane in enumerate((axial, coronal, sagittal)):
        np.testing.assert_array_equal(images[0, channel], np.clip(np.round(plane), 0, 255).astype(np.uint8))
    assert set(np.unique(masks)) <= {0, 1, 2}


@pytest.mark.parametrize(("name", "size", "channels"), [("mni152_wm", 16, 1), ("mni152_triplanar", 16, 3)])
def test_real_prepare_records_the_foreground_fraction(tmp_path: Path, name: str, size: int, channels: int) -> None:
    meta = prepare(
        benchmark.get_dataset(name),
        DatasetConfig(name, image_size=size),
        tmp_path / "raw",
        tmp_path / "out",
        seed=0,
        progress=False,
    )
    train = load_split(tmp_path / "out", "train")
    assert train.images.shape[1:] == (channels, size, size) and meta["channels"] == channels
    assert meta["foreground_fraction"]["train"] == pytest.approx(float(np.mean(np.asarray(train.masks) > 0)), abs=1e-6)
    assert set(np.unique(train.masks)) == set(range(len(meta["mask_classes"])))
    assert min(meta["splits"].values()) > 20


def test_tissue_labels_follow_the_pixel_fractions() -> None:
    masks = np.zeros((3, 10, 10), dtype=np.uint8)
    masks[0, :2] = 1  # grey 20%, white 0%
    masks[1, :1], masks[1, 1:2] = 1, 2  # grey 10%, white 10% (>= half of grey)
    masks[2, :4], masks[2, 4:5] = 1, 2  # grey 40%, white 10% (< half of grey)
    np.testing.assert_array_equal(tissue_labels(masks), [[1, 0, 0], [0, 1, 1], [1, 1, 0]])


def test_real_tissue_labels_are_multi_hot_and_not_degenerate(tmp_path: Path) -> None:
    spec = benchmark.get_dataset("mni152_tissue_labels")
    meta = prepare(spec, DatasetConfig(spec.name, image_size=32), tmp_path / "raw", tmp_path / "out", 0, False)
    assert meta["classes"] == list(spec.classes) and len(spec.classes) == 3
    for split in ("train", "val", "test"):
        labels = np.asarray(load_split(tmp_path / "out", split).labels)
        assert labels.shape == (meta["splits"][split], 3) and set(np.unique(labels)) == {0, 1}
        assert ((labels.mean(0) > 0.3) & (labels.mean(0) < 0.75)).all(), (split, labels.mean(0))
