"""Multi-label slices of the MNI152 2009a template: which tissues a slice holds much of (embedded, no network).

The images and slab-level splits of ``mni152_slices``; the target is a multi-hot row of three labels computed from
the slice's tissue map (arg-max of the probability maps): grey matter covers at least 15% of the pixels, white matter
at least 8%, and white matter at least half as many pixels as grey matter (central slices hold relatively more
white matter). The thresholds sit near the medians, so each label is on for about half of the slices (at 32 px:
train 0.55 / 0.51 / 0.45, val 0.69 / 0.48 / 0.53, test 0.48 / 0.59 / 0.55) and the labels are correlated but not
redundant. It exercises multi-label training and MedMNIST's multi-label metrics on real anatomy in the default suite.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import DatasetSpec, SplitArrays, register_dataset
from benchmark.datasets.formats import read_nifti
from benchmark.datasets.mni152 import _COMMON, _TEMPLATE, TISSUES, slice_volume

LABELS = ("grey matter >= 15%", "white matter >= 8%", "white matter >= half of grey matter")
GREY_MIN, WHITE_MIN, WHITE_TO_GREY_MIN = 0.15, 0.08, 0.5


def tissue_labels(masks: np.ndarray) -> np.ndarray:
    """Multi-hot labels (int64 [N, 3], order of ``LABELS``) of tissue masks [N, H, W]."""
    grey = (masks == TISSUES.index("grey matter")).mean(axis=(1, 2))
    white = (masks == TISSUES.index("white matter")).mean(axis=(1, 2))
    return np.stack([grey >= GREY_MIN, white >= WHITE_MIN, white >= WHITE_TO_GREY_MIN * grey], axis=1).astype(np.int64)


@dataclass(frozen=True)
class MNI152TissueLabels(DatasetSpec):
    """``mni152_slices`` images with multi-hot tissue-content labels; the same slab-level splits."""

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        t1, gm, wm = (read_nifti(files[_TEMPLATE.format(k)]) for k in ("t1", "gm", "wm"))
        images, _, masks, _, slabs = slice_volume(t1, gm, wm, config.image_size)
        labels = tissue_labels(masks)
        fold = slabs % 5
        chosen = {"train": fold >= 2, "val": fold == 1, "test": fold == 0}
        return {name: SplitArrays(images[m], labels[m]) for name, m in chosen.items()}


register_dataset(
    MNI152TissueLabels(
        name="mni152_tissue_labels",
        title="MNI152 slices with multi-label tissue content (grey matter, white matter, white-to-grey ratio)",
        tasks=("classification",),
        classes=LABELS,
        **{**_COMMON, "note": "embedded default-suite multi-label dataset (no network); not in the survey's tables"},
    )
)
