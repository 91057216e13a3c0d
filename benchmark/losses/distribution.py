"""Distribution-based losses (survey Sect. 2.1.3, after Jadon 2020): cross-entropy, binary cross-entropy, focal.

They score every pixel on its own and average over pixels; class imbalance enters only through weights.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.losses.common import check_multiclass, log_probabilities, pixel_cross_entropy
from benchmark.registry import LOSSES


@LOSSES.register(
    "ce", task="segmentation", logits="multiclass", family="distribution", reference="standard (Jadon 2020, Sect. 2.1)"
)
class CrossEntropy(nn.Module):
    """Cross-entropy ``-sum_c g_c log p_c`` (softmax), averaged over pixels.

    ``weight`` (one per class) gives PyTorch's weighted mean ``sum_i w_{y_i} l_i / sum_i w_{y_i}``.
    """

    def __init__(self, weight: list[float] | None = None) -> None:
        super().__init__()
        self.register_buffer("weight", None if weight is None else torch.tensor(weight, dtype=torch.float32))

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        check_multiclass(logits, "ce")
        weight = None if self.weight is None else self.weight.to(logits.dtype)
        return pixel_cross_entropy(logits, target, weight=weight)


@LOSSES.register(
    "bce", task="segmentation", logits="binary", family="distribution", reference="standard (Jadon 2020, Sect. 2.1)"
)
class BinaryCrossEntropy(nn.Module):
    """Binary cross-entropy ``-[g log p + (1-g) log(1-p)]`` on one-channel logits (sigmoid), averaged over pixels.

    ``pos_weight`` multiplies the positive term (PyTorch's ``pos_weight``), the usual weighted BCE.
    """

    def __init__(self, pos_weight: float | None = None) -> None:
        super().__init__()
        self.register_buffer("pos_weight", None if pos_weight is None else torch.tensor([pos_weight]))

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        if logits.shape[1] != 1:
            raise ValueError(f"bce needs one-channel logits, got {logits.shape[1]}; use ce for several classes")
        pos_weight = None if self.pos_weight is None else self.pos_weight.to(logits.dtype)
        return F.binary_cross_entropy_with_logits(
            logits, target.to(logits.dtype).reshape(logits.shape), pos_weight=pos_weight
        )


@LOSSES.register("focal", task="segmentation", logits="any", family="distribution", reference="Lin et al. 2017 (ICCV)")
class FocalLoss(nn.Module):
    """Focal loss ``FL = -alpha_t (1 - p_t)^gamma log p_t``, averaged over pixels (Lin et al. 2017).

    ``p_t`` is the probability of the true class. Binary logits: ``alpha_t = alpha`` for foreground and ``1 - alpha``
    for background (``alpha`` a float). Multi-class: ``alpha`` lists one weight per class. ``alpha=None`` weights
    nothing, so ``gamma=0, alpha=None`` is exactly CE (BCE for one channel).
    """

    def __init__(self, gamma: float = 2.0, alpha: float | list[float] | None = None) -> None:
        super().__init__()
        if gamma < 0:
            raise ValueError(f"focal: gamma must be >= 0, got {gamma}")
        self.gamma = gamma
        self.alpha = None if alpha is None else tuple(np.atleast_1d(np.asarray(alpha, dtype=float)).tolist())

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        log_p, log_1mp = log_probabilities(logits)
        alpha = None if self.alpha is None else torch.tensor(self.alpha, dtype=logits.dtype, device=logits.device)
        if logits.shape[1] == 1:
            g = target.to(logits.dtype).reshape(logits.shape)
            a_pos, a_neg = (1.0, 1.0) if alpha is None else (alpha[0], 1.0 - alpha[0])
            pos = a_pos * g * torch.exp(self.gamma * log_1mp) * log_p
            neg = a_neg * (1 - g) * torch.exp(self.gamma * log_p) * log_1mp
            return -(pos + neg).mean()
        index = target.long().unsqueeze(1)
        log_pt, log_1mpt = log_p.gather(1, index).squeeze(1), log_1mp.gather(1, index).squeeze(1)
        loss = -torch.exp(self.gamma * log_1mpt) * log_pt
        if alpha is not None:
            if alpha.numel() != logits.shape[1]:
                raise ValueError(f"focal: alpha has {alpha.numel()} weights for {logits.shape[1]} classes")
            loss = alpha[target.long()] * loss
        return loss.mean()
