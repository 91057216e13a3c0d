"""Dimension-agnostic convolution helpers (MONAI-style ``spatial_dims``: one class serves 2D and 3D)."""

from __future__ import annotations

import math

from torch import nn


def doublings_from_4(image_size: int, model: str) -> int:
    """How many stride-2 layers grow a 4x4 map to ``image_size`` (a power of two >= 16), for DCGAN-style nets."""
    levels = int(math.log2(image_size)) - 2 if image_size > 0 else 0
    if image_size < 16 or 2 ** (levels + 2) != image_size:
        raise ValueError(f"{model}: image_size must be a power of two >= 16, got {image_size}")
    return levels


def conv_cls(spatial_dims: int) -> type[nn.Module]:
    """``nn.Conv2d`` or ``nn.Conv3d``."""
    return {2: nn.Conv2d, 3: nn.Conv3d}[spatial_dims]


def conv_transpose_cls(spatial_dims: int) -> type[nn.Module]:
    """``nn.ConvTranspose2d`` or ``nn.ConvTranspose3d``."""
    return {2: nn.ConvTranspose2d, 3: nn.ConvTranspose3d}[spatial_dims]


def norm_cls(spatial_dims: int) -> type[nn.Module]:
    """``nn.BatchNorm2d`` or ``nn.BatchNorm3d``."""
    return {2: nn.BatchNorm2d, 3: nn.BatchNorm3d}[spatial_dims]


def pool_cls(spatial_dims: int) -> type[nn.Module]:
    """``nn.MaxPool2d`` or ``nn.MaxPool3d``."""
    return {2: nn.MaxPool2d, 3: nn.MaxPool3d}[spatial_dims]


class DoubleConv(nn.Sequential):
    """Two 3x3 convolutions, each followed by batch norm and ReLU (the U-Net building block)."""

    def __init__(self, spatial_dims: int, in_channels: int, out_channels: int) -> None:
        conv, norm = conv_cls(spatial_dims), norm_cls(spatial_dims)
        super().__init__(
            conv(in_channels, out_channels, 3, padding=1, bias=False),
            norm(out_channels),
            nn.ReLU(inplace=True),
            conv(out_channels, out_channels, 3, padding=1, bias=False),
            norm(out_channels),
            nn.ReLU(inplace=True),
        )
