"""Attention U-Net (Oktay et al. 2018): a U-Net whose skip connections pass through additive attention gates.

Each gate scores every skip position from the skip features x and the decoder's gating signal g,
``psi = sigmoid(W_psi relu(W_x x + W_g g))``, and forwards ``psi * x``, so the decoder attends to the structure and
ignores background. Here g is the decoder feature already upsampled to the skip's resolution (a common simplification
of the paper's strided ``W_x``); padded convolutions and batch norm as in :mod:`unet`.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import torch
from torch import Tensor, nn

from benchmark.models.layers.conv import DoubleConv, conv_cls, norm_cls
from benchmark.models.layers.unet_parts import UNetSegmenter, check_image_size
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
class AttentionUNet(UNetSegmenter):
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
        check_image_size("attention_unet", image_size, depth)
        super().__init__(
            in_channels,
            num_classes,
            base_channels,
            depth,
            spatial_dims,
            partial(DoubleConv, spatial_dims),
            loss,
            loss_args,
            gate=lambda channels: AttentionGate(spatial_dims, channels, max(channels // 2, 1)),
        )
