"""Shared pieces of the segmentation losses: probabilities, one-hot targets and soft confusion counts.

Every loss is called as ``loss(logits, target)``. Multi-class: logits [N, C, *spatial] (softmax) with an integer
target [N, *spatial]. Binary: logits [N, 1, *spatial] (sigmoid) with a 0/1 float target of the same shape.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def probabilities_and_onehot(logits: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Softmax (or sigmoid for one channel) probabilities and a one-hot target, both [N, C, *spatial] float."""
    if logits.shape[1] == 1:
        return torch.sigmoid(logits), target.to(logits.dtype).reshape(logits.shape)
    onehot = F.one_hot(target.long(), logits.shape[1]).movedim(-1, 1).to(logits.dtype)
    return logits.softmax(dim=1), onehot


def soft_counts(logits: Tensor, target: Tensor, include_background: bool) -> tuple[Tensor, Tensor, Tensor]:
    """Soft TP, FP, FN per image and class, each [N, C']: ``sum p g``, ``sum p (1-g)``, ``sum (1-p) g``.

    ``include_background=False`` drops channel 0 of multi-class logits (binary logits have no background channel).
    """
    probs, onehot = probabilities_and_onehot(logits, target)
    if not include_background and probs.shape[1] > 1:
        probs, onehot = probs[:, 1:], onehot[:, 1:]
    dims = tuple(range(2, probs.ndim))
    tp = (probs * onehot).sum(dims)
    return tp, (probs * (1 - onehot)).sum(dims), ((1 - probs) * onehot).sum(dims)


def log_probabilities(logits: Tensor) -> tuple[Tensor, Tensor]:
    """``log p`` and ``log(1 - p)`` per channel, [N, C, *spatial], computed stably from the logits.

    Binary: ``logsigmoid(x)`` and ``logsigmoid(-x)``. Multi-class: ``log_softmax`` and, for ``1 - p_c``, the log-sum-exp
    of the other channels minus that of all channels, so saturated logits give finite values and gradients.
    """
    if logits.shape[1] == 1:
        return F.logsigmoid(logits), F.logsigmoid(-logits)
    total = logits.logsumexp(dim=1, keepdim=True)
    eye = torch.eye(logits.shape[1], dtype=torch.bool, device=logits.device)
    others = torch.stack(
        [
            logits.masked_fill(eye[c].view(1, -1, *([1] * (logits.ndim - 2))), float("-inf")).logsumexp(1)
            for c in range(logits.shape[1])
        ],
        dim=1,
    )
    return logits - total, others - total


def pixel_cross_entropy(
    logits: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean"
) -> Tensor:
    """``F.cross_entropy`` over logits [N, C, *spatial] and targets [N, *spatial], computed on the flattened
    [M, C] view: the same values, but CUDA's spatial kernel (``nll_loss2d``) reduces in a non-deterministic order,
    while the flat one does not. ``reduction="none"`` keeps the target's shape."""
    flat = logits.movedim(1, -1).reshape(-1, logits.shape[1])
    loss = F.cross_entropy(flat, target.reshape(-1).long(), weight=weight, reduction=reduction)
    return loss.reshape(target.shape) if reduction == "none" else loss


def check_multiclass(logits: Tensor, name: str) -> None:
    """Refuse one-channel logits for a loss that needs a softmax over >= 2 classes."""
    if logits.shape[1] < 2:
        raise ValueError(f"{name} needs >= 2 logit channels; use bce for one-channel (binary) logits")
