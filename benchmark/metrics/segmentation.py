"""Semantic segmentation metrics on integer class masks, registered in ``METRICS`` as torchmetrics factories.

Inputs are index masks ``[N, H, W]`` or ``[N, D, H, W]``. Counts are pooled over every pixel (voxel) of every sample
before any ratio is taken ("global" aggregation), so a sample's weight grows with its size.

Our rule for ``iou`` and ``dice``: the per-class scores are averaged over classes (macro), class 0 (background) is
left out unless ``include_background=True``, and a class absent from BOTH prediction and target (no pixel of it
anywhere) is left out of the mean. A class present in only one of them counts, with score 0. If no class is left,
the result is NaN (nothing to score). torchmetrics' ``MeanIoU`` instead averages over (sample, class) pairs, so
``iou`` wraps ``MulticlassJaccardIndex`` on the pooled confusion matrix; ``DiceScore`` with ``average="macro"`` and
``aggregation_level="global"`` already follows our rule and is used as is.

``hd95`` (beyond the survey) is a distance, not a count ratio: it is computed per sample and class and averaged
(see :class:`HausdorffDistance95`); lower is better.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy import ndimage
from torchmetrics import Metric
from torchmetrics.classification import MulticlassAccuracy, MulticlassJaccardIndex
from torchmetrics.segmentation import DiceScore

from benchmark.registry import METRICS


class PixelAccuracy(MulticlassAccuracy):
    """Fraction of correctly labelled pixels, NaN (not torchmetrics' 0) when no pixel is counted."""

    def __init__(self, num_classes: int, include_background: bool = False) -> None:
        super().__init__(num_classes=num_classes, average="micro", ignore_index=None if include_background else 0)

    def compute(self) -> torch.Tensor:
        """Correct pixels / counted pixels over everything seen so far."""
        if int((self.tp + self.fn).sum()) == 0:
            return torch.tensor(float("nan"))
        return super().compute()


class PresentClassIoU(MulticlassJaccardIndex):
    """Mean IoU from the pooled confusion matrix (torchmetrics' state) over scored classes present in either mask."""

    def __init__(self, num_classes: int, include_background: bool = False) -> None:
        super().__init__(num_classes=num_classes, average="none")
        self.include_background = include_background

    def compute(self) -> torch.Tensor:
        """Mean of ``tp / (tp + fp + fn)`` over the scored classes (NaN if none), in float64."""
        confmat = self.confmat.double()
        tp = confmat.diagonal()
        union = confmat.sum(0) + confmat.sum(1) - tp
        scored = union > 0
        if not self.include_background:
            scored[0] = False
        return (tp[scored] / union[scored]).mean()


@METRICS.register(
    "pixel_accuracy", task="segmentation", higher_is_better=True, description="fraction of correctly labelled pixels"
)
def pixel_accuracy(num_classes: int, include_background: bool = False) -> Metric:
    """Correct pixels / counted pixels, pooled (not a class mean).

    With ``include_background=False`` only pixels whose TARGET is a foreground class are counted (foreground
    recall), since on mostly-background images plain pixel accuracy is near 1 whatever the model does.
    """
    return PixelAccuracy(num_classes=num_classes, include_background=include_background)


@METRICS.register("iou", task="segmentation", higher_is_better=True, description="mean intersection over union")
def iou(num_classes: int, include_background: bool = False) -> Metric:
    """Mean IoU (Jaccard) over classes, by the module's rule for background and absent classes."""
    return PresentClassIoU(num_classes=num_classes, include_background=include_background)


@METRICS.register("dice", task="segmentation", higher_is_better=True, description="mean Dice coefficient")
def dice(num_classes: int, include_background: bool = False) -> Metric:
    """Mean Dice ``2 tp / (2 tp + fp + fn)`` over classes, by the module's rule for background and absent classes."""
    return DiceScore(
        num_classes=num_classes,
        include_background=include_background,
        average="macro",
        aggregation_level="global",
        input_format="index",
    )


def mask_edges(mask: np.ndarray) -> np.ndarray:
    """Boundary pixels (voxels) of a binary mask: the mask minus its face-connected erosion (as MONAI)."""
    return mask & ~ndimage.binary_erosion(mask)


def hausdorff95(pred: np.ndarray, target: np.ndarray) -> float:
    """Symmetric 95th-percentile Hausdorff distance (pixels) between the boundaries of two binary masks.

    ``max(P95 of d(pred edge -> target edge), P95 of d(target edge -> pred edge))`` with Euclidean distance
    transforms (MONAI's ``compute_hausdorff_distance(percentile=95)``). NaN when both masks are empty; when only one
    is, the image diagonal (the largest possible distance), so a missed or hallucinated structure is not dropped.
    """
    if not pred.any() and not target.any():
        return math.nan
    if not pred.any() or not target.any():
        return math.sqrt(sum(s * s for s in pred.shape))
    pred_edge, target_edge = mask_edges(pred), mask_edges(target)
    to_target = ndimage.distance_transform_edt(~target_edge)[pred_edge]
    to_pred = ndimage.distance_transform_edt(~pred_edge)[target_edge]
    return float(max(np.percentile(to_target, 95), np.percentile(to_pred, 95)))


class HausdorffDistance95(Metric):
    """HD95 per (sample, class), averaged over samples per class, then over scored classes (NaN if none).

    Fixed-size state: per-class sums and counts of the defined (sample, class) distances.
    """

    higher_is_better = False
    full_state_update = False

    def __init__(self, num_classes: int, include_background: bool = False) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.include_background = include_background
        self.add_state("sums", torch.zeros(num_classes, dtype=torch.float64), dist_reduce_fx="sum")
        self.add_state("counts", torch.zeros(num_classes, dtype=torch.float64), dist_reduce_fx="sum")

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        """Add the HD95 of every sample and class of index masks ``preds``/``target`` [N, *spatial]."""
        preds_np, target_np = preds.cpu().numpy(), target.cpu().numpy()
        for c in range(0 if self.include_background else 1, self.num_classes):
            for p, t in zip(preds_np == c, target_np == c):
                distance = hausdorff95(p, t)
                if not math.isnan(distance):
                    self.sums[c] += distance
                    self.counts[c] += 1

    def per_class(self) -> torch.Tensor:
        """Mean HD95 per class over the samples where it is defined (NaN for unscored classes)."""
        return torch.where(self.counts > 0, self.sums / self.counts.clamp(min=1), torch.nan)

    def compute(self) -> torch.Tensor:
        """Mean over the scored classes of :meth:`per_class`, NaN when no class is scored."""
        values = self.per_class()
        defined = values[~values.isnan()]
        return defined.mean() if len(defined) else torch.tensor(math.nan, dtype=torch.float64)


@METRICS.register(
    "hd95",
    task="segmentation",
    higher_is_better=False,
    description="95th-percentile Hausdorff distance in pixels (beyond the survey)",
)
def hd95(num_classes: int, include_background: bool = False) -> Metric:
    """Per-sample symmetric HD95, by the module's rule for background and absent classes (see the class)."""
    return HausdorffDistance95(num_classes=num_classes, include_background=include_background)
