"""Semantic segmentation metrics on integer class masks, registered in ``METRICS`` as torchmetrics factories.

Inputs are index masks ``[N, H, W]`` or ``[N, D, H, W]``. Counts are pooled over every pixel (voxel) of every sample
before any ratio is taken ("global" aggregation), so a sample's weight grows with its size.

Our rule for ``iou`` and ``dice``: the per-class scores are averaged over classes (macro), class 0 (background) is
left out unless ``include_background=True``, and a class absent from BOTH prediction and target (no pixel of it
anywhere) is left out of the mean. A class present in only one of them counts, with score 0. If no class is left,
the result is NaN (nothing to score). torchmetrics' ``MeanIoU`` instead averages over (sample, class) pairs, so
``iou`` wraps ``MulticlassJaccardIndex`` on the pooled confusion matrix; ``DiceScore`` with ``average="macro"`` and
``aggregation_level="global"`` already follows our rule and is used as is.
"""

from __future__ import annotations

import torch
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
