"""U-Net (Ronneberger et al. 2015): contracting path, expanding path, skip connections by concatenation.

Padded convolutions (so output size = input size) and batch norm, as in most modern re-implementations; the input
side must be divisible by 2**depth.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from benchmark.models.layers.conv import DoubleConv
from benchmark.models.layers.unet_parts import UNetSegmenter, check_image_size
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
class UNet(UNetSegmenter):
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
        check_image_size("unet", image_size, depth)
        block = partial(DoubleConv, spatial_dims)
        super().__init__(in_channels, num_classes, base_channels, depth, spatial_dims, block, loss, loss_args)
