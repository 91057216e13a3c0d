"""U-Net wiring shared by the U-Net family (U-Net, Attention U-Net, MSU-Net): one encoder/decoder, two hooks.

The variants differ only in their convolution block (``block``: double 3x3 convolution, multi-scale block) and in
what happens to a skip connection before it is concatenated with the upsampled decoder features (``gate``: nothing,
or an attention gate). Everything else, including parameter names and construction order, is built here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor, nn

from benchmark.models.base import SegmenterModel
from benchmark.models.layers.conv import conv_cls, conv_transpose_cls, pool_cls

BlockFactory = Callable[[int, int], nn.Module]  # (in_channels, out_channels) -> block keeping the spatial size
GateFactory = Callable[[int], nn.Module]  # skip channels -> module(skip, upsampled) returning the skip to concatenate


def check_image_size(model: str, image_size: int, depth: int) -> None:
    """Raise unless ``depth`` halvings of ``image_size`` are exact (the skips must match the upsampled maps)."""
    if image_size % 2**depth:
        raise ValueError(f"{model}: image_size {image_size} must be divisible by 2**depth = {2**depth}")


def unet_path(
    images: Tensor,
    encoder: nn.ModuleList,
    pool: nn.Module,
    upsample: nn.ModuleList,
    decoder: nn.ModuleList,
    gates: nn.ModuleList | None = None,
) -> Tensor:
    """The decoder's last features: encoder levels (pooled between), then per level upsample, gate the skip, concat.

    Shared with encoders built elsewhere (VGG-16 U-Net), so the skip wiring exists once.
    """
    skips = []
    x = images
    for i, block in enumerate(encoder):
        x = block(x if i == 0 else pool(x))
        skips.append(x)
    skips.pop()
    for level, (up, block) in enumerate(zip(upsample, decoder)):
        g = up(x)
        skip = skips.pop() if gates is None else gates[level](skips.pop(), g)
        x = block(torch.cat([skip, g], dim=1))
    return x


class UNetSegmenter(SegmenterModel):
    """``depth`` levels from ``base_channels`` maps doubling per level: ``block`` on both paths, max-pool down,
    transposed convolution up, skip (through ``gate`` when given) concatenated before the upsampled features."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        base_channels: int,
        depth: int,
        spatial_dims: int,
        block: BlockFactory,
        loss: str,
        loss_args: dict[str, Any] | None,
        gate: GateFactory | None = None,
    ) -> None:
        super().__init__()
        widths = [base_channels * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList([block(in_channels, widths[0])])
        self.down.extend(block(widths[i], widths[i + 1]) for i in range(depth))
        self.pool = pool_cls(spatial_dims)(2)
        up = conv_transpose_cls(spatial_dims)
        levels = list(reversed(range(depth)))
        self.upsample = nn.ModuleList(up(widths[i + 1], widths[i], 2, stride=2) for i in levels)
        self.gates = None if gate is None else nn.ModuleList(gate(widths[i]) for i in levels)
        self.up = nn.ModuleList(block(2 * widths[i], widths[i]) for i in levels)
        self.head = conv_cls(spatial_dims)(widths[0], self.configure_loss(num_classes, loss, loss_args), 1)

    def forward(self, images: Tensor) -> Tensor:
        return self.head(unet_path(images, self.down, self.pool, self.upsample, self.up, self.gates))
