"""Compound losses (survey Sect. 2.1.3): combo loss, a weighted sum of a modified cross-entropy and Dice."""

from __future__ import annotations

from torch import Tensor, nn

from benchmark.losses.common import log_probabilities, probabilities_and_onehot
from benchmark.losses.region import DiceLoss
from benchmark.registry import LOSSES


@LOSSES.register(
    "combo", task="segmentation", logits="any", family="compound", reference="Taghanaki et al. 2019 (CMIG)"
)
class ComboLoss(nn.Module):
    """Combo loss ``alpha * L_mBCE - (1 - alpha) * DSC`` (Taghanaki et al. 2019).

    ``L_mBCE = -mean_pixels sum_c [beta g_c log p_c + (1 - beta)(1 - g_c) log(1 - p_c)]`` (``beta > 0.5`` penalises
    false negatives more); DSC is the soft Dice coefficient of :class:`DiceLoss` (per image and class, averaged).
    As in the paper the Dice term enters as ``-DSC``, so the loss ranges down to ``-(1 - alpha)``, not 0.
    """

    def __init__(
        self, alpha: float = 0.5, beta: float = 0.5, include_background: bool = True, smooth: float = 1e-5
    ) -> None:
        super().__init__()
        self.alpha, self.beta = alpha, beta
        self.dice = DiceLoss(include_background, smooth)

    def modified_cross_entropy(self, logits: Tensor, target: Tensor) -> Tensor:
        """``L_mBCE``: the beta-weighted cross-entropy over every class channel, averaged over pixels."""
        log_p, log_1mp = log_probabilities(logits)
        _, onehot = probabilities_and_onehot(logits, target)
        per_pixel = (self.beta * onehot * log_p + (1 - self.beta) * (1 - onehot) * log_1mp).sum(1)
        return -per_pixel.mean()

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        dsc = 1.0 - self.dice(logits, target)
        return self.alpha * self.modified_cross_entropy(logits, target) - (1 - self.alpha) * dsc
