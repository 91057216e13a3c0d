"""Seeded batch augmentation: random horizontal flips and translations, applied alike to images and masks.

Small medical training sets (a few hundred slices) are memorised by a ResNet within a few epochs; flips and shifts
are label-preserving for anatomical-plane and tissue labels and regularise those runs. A dedicated generator keeps
the draws reproducible and resumable from a checkpoint.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def flip_shift(
    batch: dict[str, torch.Tensor], generator: torch.Generator, max_shift: float = 0.125
) -> dict[str, torch.Tensor]:
    """Each sample flipped left-right with probability 1/2 and translated by up to ``max_shift`` of its width and
    height (zero padding); masks follow their image, labels are unchanged."""
    images = batch["image"]
    n, size = images.shape[0], images.shape[-1]
    pad = max(1, int(round(max_shift * size)))
    flips = torch.rand(n, generator=generator) < 0.5
    offsets = torch.randint(0, 2 * pad + 1, (n, 2), generator=generator)
    out = dict(batch)
    for key in ("image", "mask"):
        if key not in batch:
            continue
        value = batch[key]
        spatial = value if key == "image" else value[:, None]
        spatial = torch.where(flips.view(-1, 1, 1, 1), spatial.flip(-1), spatial)
        padded = F.pad(spatial, (pad, pad, pad, pad))
        shifted = torch.stack(
            [padded[i, :, y : y + spatial.shape[-2], x : x + size] for i, (y, x) in enumerate(offsets.tolist())]
        )
        out[key] = shifted if key == "image" else shifted[:, 0]
    return out
