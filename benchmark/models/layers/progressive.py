"""Blocks of Karras et al.'s progressive GAN, reused by StyleGAN: equalized learning rate, pixel norm, minibatch
standard deviation."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class EqualizedConv2d(nn.Module):
    """Conv with N(0, 1) weights scaled at run time by He's constant sqrt(2 / fan_in) (equalized learning rate)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, padding: int = 0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_channels, in_channels, kernel_size, kernel_size))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.scale = math.sqrt(2 / (in_channels * kernel_size * kernel_size))
        self.padding = padding

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)


class EqualizedLinear(nn.Module):
    """Linear layer with the equalized-learning-rate scaling (``lr_mul`` slows StyleGAN's mapping network)."""

    def __init__(self, in_features: int, out_features: int, bias_init: float = 0.0, lr_mul: float = 1.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.randn(out_features, in_features) / lr_mul)
        self.bias = nn.Parameter(torch.full((out_features,), float(bias_init)))
        self.scale, self.lr_mul = math.sqrt(2 / in_features) * lr_mul, lr_mul

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)


class PixelNorm(nn.Module):
    """Normalise each pixel's feature vector to unit average square (x / sqrt(mean_c x^2 + eps))."""

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.rsqrt(x.pow(2).mean(dim=1, keepdim=True) + 1e-8)


class MinibatchStdDev(nn.Module):
    """Append one feature map: the standard deviation of each feature over the minibatch, averaged (PGGAN Sect. 3)."""

    def forward(self, x: Tensor) -> Tensor:
        std = x.std(dim=0, unbiased=False).add(1e-8) if len(x) > 1 else torch.zeros_like(x[0])
        return torch.cat([x, std.mean().expand(len(x), 1, *x.shape[2:])], dim=1)
