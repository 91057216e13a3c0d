"""MSU-Net (Su et al. 2021): a U-Net whose blocks are multi-scale, parallel convolution paths of different kernels.

Every block runs one two-convolution path per kernel size (paper: 3x3 and 7x7) side by side on the same input,
concatenates them and fuses with a 1x1 convolution, so each level sees several receptive fields at once.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import torch
from torch import Tensor, nn

from benchmark.models.layers.conv import conv_cls, norm_cls
from benchmark.models.layers.unet_parts import UNetSegmenter, check_image_size
from benchmark.registry import MODELS


class MultiScaleBlock(nn.Module):
    """Parallel (conv k, BN, ReLU) x 2 paths, one per kernel size k, concatenated and fused by a 1x1 conv."""

    def __init__(self, spatial_dims: int, in_channels: int, out_channels: int, kernel_sizes: tuple[int, ...]) -> None:
        super().__init__()
        conv, norm = conv_cls(spatial_dims), norm_cls(spatial_dims)
        self.paths = nn.ModuleList(
            nn.Sequential(
                conv(in_channels, out_channels, k, padding=k // 2, bias=False),
                norm(out_channels),
                nn.ReLU(inplace=True),
                conv(out_channels, out_channels, k, padding=k // 2, bias=False),
                norm(out_channels),
                nn.ReLU(inplace=True),
            )
            for k in kernel_sizes
        )
        self.fuse = nn.Sequential(
            conv(out_channels * len(kernel_sizes), out_channels, 1, bias=False), norm(out_channels), nn.ReLU(True)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.fuse(torch.cat([path(x) for path in self.paths], dim=1))


@MODELS.register(
    "msunet",
    family="cnn",
    task="segmentation",
    min_size=16,
    channels=(1, 3),
    spatial_dims=(2, 3),
    source="own implementation (Su et al. 2021, MSU-Net)",
    adapted="kernel sizes a parameter (paper 3 and 7); padded convolutions, batch norm, base width param",
)
class MSUNet(UNetSegmenter):
    """U-Net layout of ``depth`` levels with :class:`MultiScaleBlock` (``kernel_sizes``) in encoder and decoder."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        base_channels: int = 16,
        depth: int = 4,
        kernel_sizes: tuple[int, ...] = (3, 7),
        spatial_dims: int = 2,
        loss: str = "ce",
        loss_args: dict[str, Any] | None = None,
    ) -> None:
        check_image_size("msunet", image_size, depth)
        if not kernel_sizes or any(k % 2 == 0 for k in kernel_sizes):
            raise ValueError(f"msunet: kernel_sizes must be odd, got {kernel_sizes}")
        block = partial(MultiScaleBlock, spatial_dims, kernel_sizes=tuple(kernel_sizes))
        super().__init__(in_channels, num_classes, base_channels, depth, spatial_dims, block, loss, loss_args)
