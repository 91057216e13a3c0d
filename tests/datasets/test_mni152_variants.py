"""The MNI152 segmentation variants: binary white matter at two fields of view (foreground fraction), and 2.5D."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import benchmark
from benchmark.config import DatasetConfig
from benchmark.datasets.base import as_frames, load_split, prepare
from benchmark.datasets.formats import read_nifti
from benchmark.datasets.mni152 import _TEMPLATE, slice_volume
from benchmark.datasets.mni152_sequences import slice_sequences
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


def test_sequence_frames_are_consecutive_slices_of_the_volume() -> None:
    t1, gm, wm = box_volume()
    t1 = np.arange(t1.size, dtype=np.float32).reshape(t1.shape) % 251  # distinct voxels
    clips, planes, starts = slice_sequences(t1, gm, wm, size=40, frames=4)  # 40 px: area resize is the identity
    assert clips.shape[1:] == (1, 4, 40, 40) and set(planes) == {0, 1, 2}
    assert all(s % 4 == 0 for s in starts)
    for clip, plane, start in zip(clips, planes, starts):
        volume = np.moveaxis(t1, plane, 0)
        for t in range(4):
            expected = np.clip(np.round(np.rot90(volume[start + t], k=1)), 0, 255).astype(np.uint8)
            np.testing.assert_array_equal(clip[0, t], expected)
    assert starts.min() >= 8 and starts.max() + 4 <= 32, "only windows whose every slice holds brain"


def test_real_sequences_prepare_with_layout_and_consecutive_frames(tmp_path: Path) -> None:
    config = DatasetConfig("mni152_sequences", image_size=16, frames=4)
    meta = prepare(benchmark.get_dataset("mni152_sequences"), config, tmp_path / "raw", tmp_path / "o", 0, False)
    assert (meta["frames_axis"], meta["frames"]) == (2, 4) and "[N, C, T, H, W]" in meta["layout"]
    train, test = load_split(tmp_path / "o", "train"), load_split(tmp_path / "o", "test")
    assert train.images.shape[1:] == (1, 4, 16, 16) and len(train.labels) == len(train)
    t1, gm, wm = (read_nifti(tmp_path / "raw" / _TEMPLATE.format(k)) for k in ("t1", "gm", "wm"))
    clips, _, _ = slice_sequences(t1, gm, wm, size=16, frames=4)
    as_rows = {c.tobytes() for c in clips}
    assert all(c.tobytes() in as_rows for c in np.concatenate([train.images, test.images]))
    assert not {c.tobytes() for c in train.images} & {c.tobytes() for c in test.images}
    frames = as_frames(train, meta)
    assert frames.images.shape == (4 * len(train), 1, 16, 16) and np.array_equal(
        frames.labels[:4], [train.labels[0]] * 4
    )
