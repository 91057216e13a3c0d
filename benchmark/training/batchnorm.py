"""Precise BatchNorm statistics (Wu & Johnson 2021, "Rethinking Batch in BatchNorm"; fvcore ``PreciseBN``).

With few updates per epoch (a few hundred images, batch 32) the exponential running averages of BatchNorm
(momentum 0.1) still hold much of their initial values when the model is evaluated, so eval-mode outputs are far
from the train-mode ones. :func:`recalibrate_batchnorm` replaces every running mean and variance by the exact
population statistics of what each layer sees in train-mode forward passes over a whole split: per batch the layer's
mean and unbiased variance (read back with momentum 1), pooled over batches weighted by their element counts
(Chan et al.'s parallel update), so a smaller last batch counts for what it holds.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor, nn
from torch.nn.modules.batchnorm import _BatchNorm

from benchmark.models import BenchmarkModel

#: Tasks whose models are recalibrated: discriminative models evaluated in eval mode on real inputs.
DISCRIMINATIVE_TASKS = ("classification", "segmentation", "regression")


def batchnorm_layers(model: nn.Module) -> list[_BatchNorm]:
    """BatchNorm layers of ``model`` that keep running statistics."""
    return [m for m in model.modules() if isinstance(m, _BatchNorm) and m.track_running_stats]


class _Pooled:
    """Running count, mean and sum of squared deviations of one layer's input, per channel."""

    def __init__(self, layer: _BatchNorm) -> None:
        self.layer = layer
        self.count = 0
        self.mean = torch.zeros_like(layer.running_mean, dtype=torch.float64)
        self.m2 = torch.zeros_like(layer.running_var, dtype=torch.float64)

    def __call__(self, module: nn.Module, inputs: tuple[Tensor, ...], output: Tensor) -> None:
        """After a train-mode call with momentum 1 the running buffers hold this call's mean and unbiased variance."""
        n = inputs[0].numel() // inputs[0].shape[1]
        mean, var = self.layer.running_mean.double(), self.layer.running_var.double()
        total = self.count + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self.m2 += var * (n - 1) + delta**2 * self.count * n / total
        self.count = total

    def store(self) -> None:
        """Write the pooled statistics (unbiased variance, as PyTorch keeps it) into the layer; a layer that saw no
        input keeps its reset statistics (mean 0, variance 1)."""
        if not self.count:
            return
        self.layer.running_mean.copy_(self.mean)
        self.layer.running_var.copy_(self.m2 / max(self.count - 1, 1))


@torch.no_grad()
def recalibrate_batchnorm(model: BenchmarkModel, batches: Iterable[dict[str, Tensor]], device: torch.device) -> int:
    """Set every BatchNorm running mean/variance of ``model`` to the population statistics of its train-mode input
    over ``batches`` (each passed through the model's ``step``); returns how many layers were recalibrated.

    Parameters, momenta, the train/eval mode and the global RNG streams (dropout) are left as they were.
    """
    layers = batchnorm_layers(model)
    if not layers:
        return 0
    was_training, momenta = model.training, [layer.momentum for layer in layers]
    pooled = [_Pooled(layer) for layer in layers]
    hooks = [layer.register_forward_hook(p) for layer, p in zip(layers, pooled, strict=True)]
    group = next(iter(model.optimizer_groups()))
    try:
        for layer in layers:
            layer.reset_running_stats()
            layer.momentum = 1.0
        model.train()
        with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
            for batch in batches:
                model.step({k: v.to(device) for k, v in batch.items()}, group)
        for p in pooled:
            p.store()
    finally:
        for hook in hooks:
            hook.remove()
        for layer, momentum in zip(layers, momenta, strict=True):
            layer.momentum = momentum
        model.train(was_training)
    return len(layers)
