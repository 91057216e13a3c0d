"""MSU-Net (Su et al. 2021): a U-Net whose blocks are multi-scale, parallel convolution paths of different kernels.

Every block runs one two-convolution path per kernel size (paper: 3x3 and 7x7) side by side on the same input,
concatenates them and fuses with a 1x1 convolution, so each level sees several receptive fields at once.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from benchmark.models.base import SegmenterModel
from benchmark.models.layers.conv import conv_cls, conv_transpose_cls, norm_cls, pool_cls
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
class MSUNet(SegmenterModel):
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
        super().__init__()
        if image_size % 2**depth:
            raise ValueError(f"msunet: image_size {image_size} must be divisible by 2**depth = {2**depth}")
        if not kernel_sizes or any(k % 2 == 0 for k in kernel_sizes):
            raise ValueError(f"msunet: kernel_sizes must be odd, got {kernel_sizes}")
        kernels = tuple(kernel_sizes)
        widths = [base_channels * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList([MultiScaleBlock(spatial_dims, in_channels, widths[0], kernels)])
        self.down.extend(MultiScaleBlock(spatial_dims, widths[i], widths[i + 1], kernels) for i in range(depth))
        self.pool = pool_cls(spatial_dims)(2)
        up = conv_transpose_cls(spatial_dims)
        levels = list(reversed(range(depth)))
        self.upsample = nn.ModuleList(up(widths[i + 1], widths[i], 2, stride=2) for i in levels)
        self.up = nn.ModuleList(MultiScaleBlock(spatial_dims, 2 * widths[i], widths[i], kernels) for i in levels)
        self.head = conv_cls(spatial_dims)(widths[0], self.configure_loss(num_classes, loss, loss_args), 1)

    def forward(self, images: Tensor) -> Tensor:
        skips = []
        x = images
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        skips.pop()
        for upsample, block in zip(self.upsample, self.up):
            x = block(torch.cat([skips.pop(), upsample(x)], dim=1))
        return self.head(x)
