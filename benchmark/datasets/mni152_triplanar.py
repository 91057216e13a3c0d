"""2.5D patches of the MNI152 2009a template: axial, coronal and sagittal slices through one point (Yun et al. 2019).

For every point of a regular grid inside the brain, the three orthogonal ``PATCH`` x ``PATCH`` voxel planes through
it become the three input channels (axial, coronal, sagittal), so a 2D network sees 3D context at 2D cost; the target
is the tissue map (other / grey / white matter, arg-max of the probability maps) of the axial plane. Splits by axial
slabs of ``SLAB`` voxels (slab k: test when k % 5 == 0, val when 1, else train), so the axial planes (inputs and
targets) of different splits never overlap; only the coronal and sagittal context planes of points in neighbouring
slabs share voxels. Same files, licence and provenance as
``mni152_slices``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import DatasetSpec, SplitArrays, register_dataset
from benchmark.datasets.formats import read_nifti
from benchmark.datasets.mni152 import _COMMON, _TEMPLATE, TISSUES

PATCH = 48  # voxels (1 mm) per patch side
STRIDE = 12  # grid spacing of the centre points, voxels
SLAB = 2 * STRIDE  # axial thickness of a split unit, voxels


def triplanar_patches(
    t1: np.ndarray, gm: np.ndarray, wm: np.ndarray, size: int, patch: int = PATCH, stride: int = STRIDE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Images uint8 [N, 3, S, S] (axial, coronal, sagittal), axial tissue masks uint8 [N, S, S], axial slab ids [N].

    Centre points lie on a ``stride`` grid where grey + white matter probability exceeds 0.5.
    """
    half = patch // 2
    volumes = [np.pad(v, half) for v in (t1, gm / 255.0, wm / 255.0)]
    brain = gm / 255.0 + wm / 255.0 > 0.5
    grid = np.zeros_like(brain)
    grid[::stride, ::stride, ::stride] = True
    points = np.argwhere(brain & grid)
    planes = []
    for i, j, k in points + half:
        box = (slice(i - half, i + half), slice(j - half, j + half), slice(k - half, k + half))
        planes.append(
            np.stack(
                [
                    np.stack([v[box[0], box[1], k] for v in volumes]),  # axial (x, y) at z = k
                    np.stack([v[box[0], j, box[2]] for v in volumes]),  # coronal (x, z) at y = j
                    np.stack([v[i, box[1], box[2]] for v in volumes]),  # sagittal (y, z) at x = i
                ]
            )
        )
    import torch  # lazily: listing the registry must not load torch
    import torch.nn.functional as F

    stack = torch.from_numpy(np.rot90(np.stack(planes), k=1, axes=(3, 4)).astype(np.float32))  # [N, 3 planes, 3, P, P]
    small = F.interpolate(stack.flatten(0, 1), size=(size, size), mode="area").unflatten(0, stack.shape[:2])
    images = small[:, :, 0].round().clamp(0, 255).to(torch.uint8).numpy()
    axial = small[:, 0]
    other = (1.0 - axial[:, 1] - axial[:, 2]).clamp(min=0)
    masks = torch.stack([other, axial[:, 1], axial[:, 2]], dim=1).argmax(1).to(torch.uint8).numpy()
    return images, masks, points[:, 2] // SLAB


@dataclass(frozen=True)
class MNI152Triplanar(DatasetSpec):
    """Three-channel 2.5D patches (axial, coronal, sagittal through one point) with axial tissue masks."""

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        t1, gm, wm = (read_nifti(files[_TEMPLATE.format(k)]) for k in ("t1", "gm", "wm"))
        images, masks, slabs = triplanar_patches(t1, gm, wm, config.image_size)
        fold = slabs % 5
        chosen = {"train": fold >= 2, "val": fold == 1, "test": fold == 0}
        return {name: SplitArrays(images[m], None, masks[m]) for name, m in chosen.items()}


register_dataset(
    MNI152Triplanar(
        name="mni152_triplanar",
        title="MNI152 2.5D patches: axial, coronal and sagittal planes through grid points, axial tissue masks",
        tasks=("segmentation",),
        mask_classes=TISSUES,
        **_COMMON,
    )
)
