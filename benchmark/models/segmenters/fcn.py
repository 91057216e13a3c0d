"""FCN (Long et al. 2015), the FCN-8s pattern as a baseline without a decoder.

A VGG-style encoder of ``depth`` levels (two 3x3 convolutions, then 2x pooling) is scored by 1x1 convolutions at its
three coarsest levels (1/2^(depth-2) to 1/2^depth of the input: the paper's 1/8 to 1/32 at depth 5; the default 3
suits 16-64 px inputs); the coarsest score map is upsampled 2x by a transposed convolution and added to the next, twice
(FCN-8s' skip fusion), and the sum is upsampled to the input size by (bi/tri)linear interpolation, the fixed bilinear
initialisation of the paper's final deconvolution. No concatenating decoder: what U-Net adds is what FCN lacks.
"""

from __future__ import annotations

from typing import Any

import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import SegmenterModel
from benchmark.models.layers.conv import DoubleConv, conv_cls, conv_transpose_cls, pool_cls
from benchmark.registry import MODELS


@MODELS.register(
    "fcn",
    family="cnn",
    task="segmentation",
    min_size=16,
    channels=(1, 3),
    spatial_dims=(2, 3),
    source="own implementation (Long et al. 2015, FCN-8s skip fusion)",
    adapted="small VGG-style encoder with batch norm and a base width param; final upsampling by interpolation",
)
class FCN(SegmenterModel):
    """Encoder of ``depth`` >= 3 levels from ``base_channels`` maps, FCN-8s score fusion of the 3 coarsest levels."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        base_channels: int = 16,
        depth: int = 3,
        spatial_dims: int = 2,
        loss: str = "ce",
        loss_args: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if depth < 3:
            raise ValueError(f"fcn: depth must be >= 3 (three scored levels), got {depth}")
        if image_size % 2**depth:
            raise ValueError(f"fcn: image_size {image_size} must be divisible by 2**depth = {2**depth}")
        widths = [base_channels * 2 ** min(i, 3) for i in range(depth)]
        self.blocks = nn.ModuleList(
            DoubleConv(spatial_dims, in_channels if i == 0 else widths[i - 1], widths[i]) for i in range(depth)
        )
        self.pool = pool_cls(spatial_dims)(2)
        out = self.configure_loss(num_classes, loss, loss_args)
        conv, up = conv_cls(spatial_dims), conv_transpose_cls(spatial_dims)
        self.score = nn.ModuleList(conv(widths[i], out, 1) for i in range(depth - 3, depth))
        self.upsample = nn.ModuleList(up(out, out, 4, stride=2, padding=1) for _ in range(2))
        self.mode = {2: "bilinear", 3: "trilinear"}[spatial_dims]

    def forward(self, images: Tensor) -> Tensor:
        features = []
        x = images
        for block in self.blocks:
            x = self.pool(block(x))
            features.append(x)
        coarse = features[-3:]
        score = self.score[2](coarse[2])
        for level, upsample in zip((1, 0), self.upsample):
            score = upsample(score) + self.score[level](coarse[level])
        return F.interpolate(score, size=images.shape[2:], mode=self.mode, align_corners=False)
