"""MNI ICBM152 2009a T1 brain MRI template with grey/white-matter maps, cut into 2D slices (real medical data).

The template (Fonov et al. 2009/2011; a non-linear average of 152 adult T1 MRIs) and its tissue probability maps ship
inside the nilearn wheel, so this dataset needs no network. Each kept slice (sagittal, coronal and axial, at least 2%
brain) gives one image with three targets: its anatomical plane (classification, 3 classes), a tissue map
(segmentation: 0 = other/CSF/background, 1 = grey matter, 2 = white matter, by arg-max of the probability maps) and
its brain-tissue area fraction (regression: the mean grey- plus white-matter probability over the slice's pixels,
0 to 1), a real anatomical quantity of the slice. (The slice position would be ambiguous: the template is
left-right symmetric, so mirrored sagittal slices look the same.)
Splits: slices are grouped into slabs of 8 neighbouring slices per plane; slab k goes to test when k % 5 == 0, to val
when k % 5 == 1, else to train, so neighbouring (near-duplicate) slices never straddle train and test except at slab
borders. The dataset is one subject (a template): it proves the pipeline on real anatomy, not clinical generality.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, DatasetSpec, SplitArrays, register_dataset
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_nifti

PLANES = ("sagittal", "coronal", "axial")
TISSUES = ("other", "grey matter", "white matter")
SLAB = 8
MIN_BRAIN_FRACTION = 0.02


def _nilearn_data_dir() -> str:
    """The folder inside the installed nilearn package that holds the template (a local mirror)."""
    spec = importlib.util.find_spec("nilearn")  # locate without importing (nilearn's import is slow)
    if spec is None or spec.origin is None:
        return "nilearn (not installed)"
    return str(Path(spec.origin).parent / "datasets" / "data")


_TEMPLATE = "mni_icbm152_{}_tal_nlin_sym_09a_converted.nii.gz"
# sha256 of the decompressed NIfTI payloads, computed from the nilearn 0.14.1 wheel
_CONTENT_SHA256 = {
    "t1": "eeb8a792a93948c83462305c71db783800e95eb3f6ce35975a4dd0f374f79bff",
    "gm": "9800242e730cec0d4ae97358d232904d09771bb0f10202ea4bf80eee50609b43",
    "wm": "7c78a23ddd786979edbb50bdada52c86c405cf2986baee5df5791e0200d7ffeb",
}


def _square(slices: np.ndarray) -> np.ndarray:
    """Zero-pad [N, K, H, W] to square, centred."""
    h, w = slices.shape[-2:]
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    out = np.zeros(slices.shape[:-2] + (side, side), dtype=slices.dtype)
    out[..., top : top + h, left : left + w] = slices
    return out


def slice_volume(t1: np.ndarray, gm: np.ndarray, wm: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
    """Images (uint8 [N,1,S,S]), plane labels, tissue masks (uint8 [N,S,S]), brain-tissue area fractions
    (float32 [N] in [0, 1]) and slab ids of every kept slice."""
    import torch
    import torch.nn.functional as F

    images, planes, masks, fractions, slabs = [], [], [], [], []
    for axis, _ in enumerate(PLANES):
        stack = np.stack([np.moveaxis(v, axis, 0) for v in (t1, gm / 255.0, wm / 255.0)], axis=1)  # [n, 3, a, b]
        stack = np.rot90(stack, k=1, axes=(2, 3))
        brain = (stack[:, 1] + stack[:, 2] > 0.5).mean(axis=(1, 2))
        keep = np.flatnonzero(brain >= MIN_BRAIN_FRACTION)
        kept = torch.from_numpy(_square(np.ascontiguousarray(stack[keep], dtype=np.float32)))
        small = F.interpolate(kept, size=(size, size), mode="area")
        other = (1.0 - small[:, 1] - small[:, 2]).clamp(min=0)
        probs = torch.stack([other, small[:, 1], small[:, 2]], dim=1)
        images.append(small[:, :1].round().clamp(0, 255).to(torch.uint8).numpy())
        masks.append(probs.argmax(dim=1).to(torch.uint8).numpy())
        planes.append(np.full(len(keep), axis, dtype=np.int64))
        fractions.append((small[:, 1] + small[:, 2]).clamp(0, 1).mean(dim=(1, 2)).numpy().astype(np.float32))
        slabs.append(keep // SLAB)
    arrays = (images, planes, masks, fractions, slabs)
    return tuple(np.concatenate(parts) for parts in arrays)


@dataclass(frozen=True)
class MNI152Slices(DatasetSpec):
    """2D slices of the MNI152 2009a template with plane labels and tissue masks; slab-level splits."""

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        t1, gm, wm = (read_nifti(files[_TEMPLATE.format(k)]) for k in ("t1", "gm", "wm"))
        images, planes, masks, fractions, slabs = slice_volume(t1, gm, wm, config.image_size)
        fold = slabs % 5
        chosen = {"train": fold >= 2, "val": fold == 1, "test": fold == 0}
        return {name: SplitArrays(images[m], planes[m], masks[m], fractions[m]) for name, m in chosen.items()}


register_dataset(
    MNI152Slices(
        name="mni152_slices",
        title="MNI ICBM152 2009a T1 template slices with tissue maps",
        tasks=("segmentation", "classification", "generation", "regression"),
        modality="MRI (T1)",
        body_area="brain",
        license="ICBM 2009a template: permissive MNI/McConnell Brain Imaging Centre copyright notice "
        "(use, copy, modify, distribute with notice); redistributed in nilearn (BSD-3-Clause)",
        provenance="Fonov et al., NeuroImage 2011 (MNI ICBM152 non-linear symmetric 2009a); files from the nilearn "
        "package (nilearn/datasets/data)",
        synthetic=False,
        classes=PLANES,
        mask_classes=TISSUES,
        files=tuple(
            RemoteFile(_TEMPLATE.format(key), (_nilearn_data_dir(),), content_sha256=digest)
            for key, digest in _CONTENT_SHA256.items()
        ),
        access=Access("public_http", "https://nist.mni.mcgill.ca/icbm-152-nonlinear-atlases-2009/"),
        size="1 template volume (197 x 233 x 189 voxels) + 2 tissue maps, shipped in the nilearn wheel",
        note="embedded default-suite dataset (no network); not in the survey's tables",
    )
)
