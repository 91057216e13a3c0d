"""SqueezeNet 1.1 (Iandola et al. 2016) from torchvision, trained from scratch.

Kept: the eight Fire modules (1x1 squeeze, then parallel 1x1 and 3x3 expand), the three max-pools and the 1x1
convolution classifier with global average pooling. Adapted for 28-64 px grey inputs: the stem is a 3x3 stride-1
convolution on ``in_channels`` instead of stride 2, so the last Fire modules still see a 3x3 map at 32 px.
"""

from __future__ import annotations

from torch import nn
from torchvision.models import squeezenet1_1

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "squeezenet",
    family="cnn",
    task="classification",
    min_size=16,
    channels=(1, 3),
    source="torchvision.models.squeezenet1_1 (weights=None)",
    adapted="stem 3x3 stride 2 -> stride 1 on in_channels for small inputs",
    profile={"image_size": 32, "params": 722_883, "flops": 31_696_384},
)
class SqueezeNet(ClassifierModel):
    """torchvision SqueezeNet 1.1 with a stride-1 stem."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, dropout: float = 0.5) -> None:
        net = squeezenet1_1(weights=None, num_classes=num_classes, dropout=dropout)
        net.features[0] = nn.Conv2d(in_channels, 64, kernel_size=3, stride=1)
        super().__init__(net)
