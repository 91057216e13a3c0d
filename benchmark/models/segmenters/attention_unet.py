"""Attention U-Net (Oktay et al. 2018): a U-Net whose skip connections pass through additive attention gates.

Each gate scores every skip position from the skip features x and the decoder's gating signal g,
``psi = sigmoid(W_psi relu(W_x x + W_g g))``, and forwards ``psi * x``, so the decoder attends to the structure and
ignores background. Here g is the decoder feature already upsampled to the skip's resolution (a common simplification
of the paper's strided ``W_x``); padded convolutions and batch norm as in :mod:`unet`.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn

from benchmark.models.base import SegmenterModel
from benchmark.models.layers.conv import DoubleConv, conv_cls, conv_transpose_cls, norm_cls, pool_cls
from benchmark.registry import MODELS


class AttentionGate(nn.Module):
    """Additive attention gate: ``x * sigmoid(psi(relu(W_x x + W_g g)))`` with 1x1 convolutions."""

    def __init__(self, spatial_dims: int, channels: int, inter_channels: int) -> None:
        super().__init__()
        conv, norm = conv_cls(spatial_dims), norm_cls(spatial_dims)
        self.w_x = nn.Sequential(conv(channels, inter_channels, 1, bias=False), norm(inter_channels))
        self.w_g = nn.Sequential(conv(channels, inter_channels, 1, bias=False), norm(inter_channels))
        self.psi = nn.Sequential(conv(inter_channels, 1, 1), nn.Sigmoid())

    def forward(self, x: Tensor, g: Tensor) -> Tensor:
        return x * self.psi(torch.relu(self.w_x(x) + self.w_g(g)))


@MODELS.register(
    "attention_unet",
    family="cnn",
    task="segmentation",
    min_size=16,
    channels=(1, 3),
    spatial_dims=(2, 3),
    source="own implementation (Oktay et al. 2018)",
    adapted="gating signal taken after upsampling; padded convolutions, batch norm, base width param",
)
class AttentionUNet(SegmenterModel):
    """U-Net of ``depth`` levels from ``base_channels`` maps with an attention gate on every skip connection."""

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
            raise ValueError(f"attention_unet: image_size {image_size} must be divisible by 2**depth = {2**depth}")
        widths = [base_channels * 2**i for i in range(depth + 1)]
        self.down = nn.ModuleList([DoubleConv(spatial_dims, in_channels, widths[0])])
        self.down.extend(DoubleConv(spatial_dims, widths[i], widths[i + 1]) for i in range(depth))
        self.pool = pool_cls(spatial_dims)(2)
        up = conv_transpose_cls(spatial_dims)
        levels = list(reversed(range(depth)))
        self.upsample = nn.ModuleList(up(widths[i + 1], widths[i], 2, stride=2) for i in levels)
        self.gates = nn.ModuleList(AttentionGate(spatial_dims, widths[i], max(widths[i] // 2, 1)) for i in levels)
        self.up = nn.ModuleList(DoubleConv(spatial_dims, 2 * widths[i], widths[i]) for i in levels)
        self.head = conv_cls(spatial_dims)(widths[0], self.configure_loss(num_classes, loss, loss_args), 1)

    def forward(self, images: Tensor) -> Tensor:
        skips = []
        x = images
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else self.pool(x))
            skips.append(x)
        skips.pop()
        for upsample, gate, block in zip(self.upsample, self.gates, self.up):
            g = upsample(x)
            x = block(torch.cat([gate(skips.pop(), g), g], dim=1))
        return self.head(x)
