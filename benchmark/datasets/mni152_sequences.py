"""Image sequences of the MNI152 2009a template: T consecutive slices of one plane as the frames of a clip.

Video generators (TGAN) need ordered frames with smooth change between neighbours; sweeping through a brain volume
gives exactly that on real anatomy. Every clip holds ``frames`` consecutive slices (1 voxel apart) of one plane
(sagittal, coronal or axial), each slice squared, zero-padded and area-resized as in ``mni152_slices``; a clip is kept
when every frame holds at least 2% brain. Clips do not overlap: along each plane they start every ``frames`` slices,
and window k of a plane (counting from slice 0) goes to test when k % 5 == 0, to val when 1, else to train, so no
slice is in two splits.
Layout: ``<split>_images.npy`` uint8 [N, 1, T, S, S], frames along axis 2 (written to ``meta.json`` as ``layout``,
``frames_axis`` and ``frames``); labels are the plane. Same files, licence and provenance as ``mni152_slices``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import DatasetSpec, SplitArrays, register_dataset
from benchmark.datasets.formats import read_nifti
from benchmark.datasets.mni152 import _COMMON, _TEMPLATE, MIN_BRAIN_FRACTION, PLANES, _square

FRAMES_AXIS = 2


def slice_sequences(
    t1: np.ndarray, gm: np.ndarray, wm: np.ndarray, size: int, frames: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clips uint8 [N, 1, T, S, S], their planes [N] and first-slice indices [N] along the plane's axis.

    Frame t of a clip starting at slice s of plane p is slice s + t of the volume along axis p (rotated, squared and
    area-resized to ``size`` like :func:`benchmark.datasets.mni152.slice_volume`).
    """
    import torch  # lazily: listing the registry must not load torch
    import torch.nn.functional as F

    clips, planes, starts = [], [], []
    for axis, _ in enumerate(PLANES):
        t1_stack = np.rot90(np.moveaxis(t1, axis, 0), k=1, axes=(1, 2))
        brain_prob = np.rot90(np.moveaxis(gm / 255.0 + wm / 255.0, axis, 0), k=1, axes=(1, 2))
        kept = (brain_prob > 0.5).mean(axis=(1, 2)) >= MIN_BRAIN_FRACTION
        first = np.arange(0, len(kept) - frames + 1, frames)
        first = first[[bool(kept[s : s + frames].all()) for s in first]]
        if not len(first):
            continue
        index = first[:, None] + np.arange(frames)  # [clips, T]
        chosen = _square(np.ascontiguousarray(t1_stack[index.ravel()], dtype=np.float32))
        small = F.interpolate(torch.from_numpy(chosen)[:, None], size=(size, size), mode="area")
        clips.append(small.round().clamp(0, 255).to(torch.uint8).numpy().reshape(len(first), frames, 1, size, size))
        planes.append(np.full(len(first), axis, dtype=np.int64))
        starts.append(first)
    images = np.concatenate(clips).transpose(0, 2, 1, 3, 4)  # [N, 1, T, S, S]: frames along axis 2
    return np.ascontiguousarray(images), np.concatenate(planes), np.concatenate(starts)


@dataclass(frozen=True)
class MNI152Sequences(DatasetSpec):
    """Clips of ``frames`` consecutive MNI152 slices (one plane per clip), plane labels; clip-level splits."""

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        t1, gm, wm = (read_nifti(files[_TEMPLATE.format(k)]) for k in ("t1", "gm", "wm"))
        images, planes, starts = slice_sequences(t1, gm, wm, config.image_size, config.frames)
        fold = (starts // config.frames) % 5
        chosen = {"train": fold >= 2, "val": fold == 1, "test": fold == 0}
        return {name: SplitArrays(images[m], planes[m]) for name, m in chosen.items()}

    def layout(self, config: DatasetConfig) -> dict[str, Any]:
        return {
            "layout": "clips [N, C, T, H, W]: frame t of a clip is slice start + t of one plane",
            "frames_axis": FRAMES_AXIS,
            "frames": config.frames,
        }


register_dataset(
    MNI152Sequences(
        name="mni152_sequences",
        title="MNI152 slice sequences: clips of consecutive T1 slices of one plane (frames along axis 2)",
        tasks=("generation",),
        classes=PLANES,
        **_COMMON,
    )
)
