"""Region-based losses (survey Sect. 2.1.3, after Jadon 2020): Dice, Tversky, focal Tversky, log-cosh Dice.

Each works on soft counts per image and class (``TP = sum p g``, ``FP = sum p (1-g)``, ``FN = sum (1-p) g``),
scores every (image, class) pair and averages the pairs, as MONAI does with ``batch=False``. ``include_background``
keeps class 0 of multi-class logits; ``smooth`` (s) is added to numerator and denominator, so an image without any
pixel of a class scores 0 loss when nothing is predicted there.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from benchmark.losses.common import soft_counts
from benchmark.registry import LOSSES


@LOSSES.register("dice", task="segmentation", logits="any", family="region", reference="Milletari et al. 2016 (V-Net)")
class DiceLoss(nn.Module):
    """Soft Dice loss ``1 - (2 TP + s) / (2 TP + FP + FN + s)`` (``2 TP + FP + FN = sum p + sum g``)."""

    def __init__(self, include_background: bool = True, smooth: float = 1e-5) -> None:
        super().__init__()
        self.include_background = include_background
        self.smooth = smooth

    def per_class(self, logits: Tensor, target: Tensor) -> Tensor:
        """Dice coefficient per image and scored class, [N, C']."""
        tp, fp, fn = soft_counts(logits, target, self.include_background)
        return (2 * tp + self.smooth) / (2 * tp + fp + fn + self.smooth)

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return (1.0 - self.per_class(logits, target)).mean()


@LOSSES.register("tversky", task="segmentation", logits="any", family="region", reference="Salehi et al. 2017 (MLMI)")
class TverskyLoss(nn.Module):
    """Tversky loss ``1 - TI``, ``TI = (TP + s) / (TP + alpha FP + beta FN + s)`` (Salehi et al. 2017).

    ``alpha`` penalises false positives and ``beta`` false negatives; ``beta > alpha`` favours recall on small
    structures (the paper's best: alpha 0.3, beta 0.7). ``alpha = beta = 0.5`` is Dice (exactly for ``s = 0``).
    """

    def __init__(
        self, alpha: float = 0.3, beta: float = 0.7, include_background: bool = True, smooth: float = 1e-5
    ) -> None:
        super().__init__()
        self.alpha, self.beta = alpha, beta
        self.include_background = include_background
        self.smooth = smooth

    def index(self, logits: Tensor, target: Tensor) -> Tensor:
        """Tversky index per image and scored class, [N, C']."""
        tp, fp, fn = soft_counts(logits, target, self.include_background)
        return (tp + self.smooth) / (tp + self.alpha * fp + self.beta * fn + self.smooth)

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return (1.0 - self.index(logits, target)).mean()


@LOSSES.register(
    "focal_tversky", task="segmentation", logits="any", family="region", reference="Abraham & Khan 2019 (ISBI)"
)
class FocalTverskyLoss(nn.Module):
    """Focal Tversky loss ``(1 - TI)^(1/gamma)`` per image and class, averaged (Abraham & Khan 2019).

    ``gamma`` in [1, 3] (paper: 4/3) raises the loss of hard, low-TI classes relative to easy ones; ``gamma = 1`` is the
    Tversky loss. (Jadon 2020 writes the exponent as gamma; we keep the original paper's 1/gamma.) The paper sums over
    classes; we average, like every region loss here, so the scale does not grow with the class count.
    """

    def __init__(
        self,
        alpha: float = 0.3,
        beta: float = 0.7,
        gamma: float = 4.0 / 3.0,
        include_background: bool = True,
        smooth: float = 1e-5,
    ) -> None:
        super().__init__()
        if gamma <= 0:
            raise ValueError(f"focal_tversky: gamma must be > 0, got {gamma}")
        self.tversky = TverskyLoss(alpha, beta, include_background, smooth)
        self.gamma = gamma

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        # clamp keeps the gradient of x^(1/gamma) finite at a perfect prediction (x = 0) when gamma > 1
        gap = (1.0 - self.tversky.index(logits, target)).clamp(min=torch.finfo(logits.dtype).tiny)
        return gap.pow(1.0 / self.gamma).mean()


@LOSSES.register("log_cosh_dice", task="segmentation", logits="any", family="region", reference="Jadon 2020 (CIBCB)")
class LogCoshDiceLoss(nn.Module):
    """Log-cosh Dice loss ``log(cosh(L_Dice))`` of the (averaged) soft Dice loss (Jadon 2020): a smoothed Dice."""

    def __init__(self, include_background: bool = True, smooth: float = 1e-5) -> None:
        super().__init__()
        self.dice = DiceLoss(include_background, smooth)

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return torch.log(torch.cosh(self.dice(logits, target)))
