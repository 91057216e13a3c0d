"""Boundary-based losses (survey Sect. 2.1.3, after Jadon 2020): the shape-aware loss."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage
from torch import Tensor, nn

from benchmark.losses.common import check_multiclass, pixel_cross_entropy
from benchmark.registry import LOSSES


def contour(labels: np.ndarray) -> np.ndarray:
    """Pixels (voxels) whose label differs from a face neighbour's; the image border is not a contour."""
    cross = ndimage.generate_binary_structure(labels.ndim, 1)
    grown = ndimage.maximum_filter(labels, footprint=cross, mode="nearest")
    shrunk = ndimage.minimum_filter(labels, footprint=cross, mode="nearest")
    return grown != shrunk


def contour_distances(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """``E``: on each pixel of the predicted contour, its Euclidean distance to the nearest ground-truth contour pixel.

    Zero off the predicted contour. Without a ground-truth contour (empty or full target) the distance is the image
    diagonal, the largest possible.
    """
    on_pred = contour(pred)
    on_target = contour(target)
    if on_target.any():
        distance = ndimage.distance_transform_edt(~on_target)
    else:
        distance = np.full(pred.shape, math.sqrt(sum(s * s for s in pred.shape)))
    return np.where(on_pred, distance, 0.0)


@LOSSES.register(
    "shape_aware", task="segmentation", logits="any", family="boundary", reference="Hayder et al. 2017; Jadon 2020"
)
class ShapeAwareLoss(nn.Module):
    """Shape-aware loss ``mean_i (1 + scale * E_i) CE_i`` (Jadon 2020's ``sum_i E_i L_CE``, Hayder et al. 2017).

    ``E_i`` is the distance (in pixels) from pixel i of the predicted contour (arg-max, no gradient) to the nearest
    ground-truth contour pixel, 0 elsewhere; the 1 keeps plain CE (BCE for one channel) everywhere so pixels off the
    predicted contour still learn. ``scale = 0`` is exactly CE (BCE).
    """

    def __init__(self, scale: float = 1.0) -> None:
        super().__init__()
        if scale < 0:
            raise ValueError(f"shape_aware: scale must be >= 0, got {scale}")
        self.scale = scale

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        if logits.shape[1] == 1:
            g = target.to(logits.dtype).reshape(logits.shape)
            per_pixel = F.binary_cross_entropy_with_logits(logits, g, reduction="none")[:, 0]
            pred, labels = (logits[:, 0] > 0).long(), g[:, 0].long()
        else:
            check_multiclass(logits, "shape_aware")
            per_pixel = pixel_cross_entropy(logits, target, reduction="none")
            pred, labels = logits.argmax(1), target.long()
        pred_np, labels_np = pred.detach().cpu().numpy(), labels.detach().cpu().numpy()
        distances = np.stack([contour_distances(p, t) for p, t in zip(pred_np, labels_np)])
        weight = 1.0 + self.scale * torch.from_numpy(distances).to(per_pixel)
        return (weight * per_pixel).mean()
