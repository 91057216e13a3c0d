"""U-Net (Ronneberger et al. 2015): contracting path, expanding path, skip connections by concatenation.

Padded convolutions (so output size = input size) and batch norm, as in most modern re-implementations; the input
side must be divisible by 2**depth.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from benchmark.models.base import SegmenterModel
from benchmark.models.layers.conv import DoubleConv, conv_cls, conv_transpose_cls, pool_cls
from benchmark.registry import MODELS


@MODELS.register(
    "unet",
    family="cnn",
    task="segmentation",
    min_size=16,
    channels=(1, 3),
    spatial_dims=(2, 3),
    source="own implementation (Ronneberger et al. 2015)",
    adapted="padded convolutions, batch norm, base width param",
)
class UNet(SegmenterModel):
    """``depth`` down/up levels starting at ``base_channels`` feature maps, doubling per level."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        base_channels: int = 16,
        depth: int = 4,
        spatial_dims: int = 2,
        loss: str = "ce",
        loss_args: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if image_size % 2**depth:
            raise ValueError(f"unet: image_size {image_size} must be divisible by 2**depth = {2**depth}")
        widths = [base_channels * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList([DoubleConv(spatial_dims, in_channels, widths[0])])
        self.down.extend(DoubleConv(spatial_dims, widths[i], widths[i + 1]) for i in range(depth))
        self.pool = pool_cls(spatial_dims)(2)
        up = conv_transpose_cls(spatial_dims)
        self.upsample = nn.ModuleList(up(widths[i + 1], widths[i], 2, stride=2) for i in reversed(range(depth)))
        self.up = nn.ModuleList(DoubleConv(spatial_dims, 2 * widths[i], widths[i]) for i in reversed(range(depth)))
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
