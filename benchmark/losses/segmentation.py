"""Pixel-wise losses: called as ``loss(logits, target)``.

Multi-class: logits [N, C, *spatial] with an integer target [N, *spatial]. Binary: logits [N, 1, *spatial] with a 0/1
float target of the same shape.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.registry import LOSSES


def probabilities_and_onehot(logits: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Softmax (or sigmoid for one channel) probabilities and a one-hot target, both [N, C, *spatial] float."""
    if logits.shape[1] == 1:
        return torch.sigmoid(logits), target.to(logits.dtype).reshape(logits.shape)
    onehot = F.one_hot(target.long(), logits.shape[1]).movedim(-1, 1).to(logits.dtype)
    return logits.softmax(dim=1), onehot


@LOSSES.register("ce", task="segmentation", description="cross-entropy, -sum_c g_c log p_c (softmax), mean over pixels")
class CrossEntropy(nn.Module):
    """Multi-class cross-entropy over pixels (or images), optionally class-weighted."""

    def __init__(self, weight: list[float] | None = None) -> None:
        super().__init__()
        self.register_buffer("weight", None if weight is None else torch.tensor(weight, dtype=torch.float32))

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        if logits.shape[1] < 2:
            raise ValueError("ce needs >= 2 logit channels; use bce for one-channel (binary) logits")
        return F.cross_entropy(logits, target.long(), weight=self.weight)


@LOSSES.register(
    "bce",
    task="segmentation",
    description="binary cross-entropy, -[g log p + (1-g) log(1-p)] (sigmoid), mean over pixels",
)
class BinaryCrossEntropy(nn.Module):
    """Binary cross-entropy on one-channel logits."""

    def __init__(self, pos_weight: float | None = None) -> None:
        super().__init__()
        self.register_buffer("pos_weight", None if pos_weight is None else torch.tensor([pos_weight]))

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            logits, target.to(logits.dtype).reshape(logits.shape), pos_weight=self.pos_weight
        )


@LOSSES.register(
    "dice",
    task="segmentation",
    description="soft Dice loss (Milletari et al. 2016): 1 - (2 sum pg + s) / (sum p + sum g + s)",
)
class DiceLoss(nn.Module):
    """Soft Dice per image and class, averaged; ``include_background`` keeps class 0, ``smooth`` is s."""

    def __init__(self, include_background: bool = True, smooth: float = 1e-5) -> None:
        super().__init__()
        self.include_background = include_background
        self.smooth = smooth

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        probs, onehot = probabilities_and_onehot(logits, target)
        if not self.include_background and probs.shape[1] > 1:
            probs, onehot = probs[:, 1:], onehot[:, 1:]
        dims = tuple(range(2, probs.ndim))
        overlap = (probs * onehot).sum(dims)
        total = probs.sum(dims) + onehot.sum(dims)
        return (1.0 - (2.0 * overlap + self.smooth) / (total + self.smooth)).mean()
