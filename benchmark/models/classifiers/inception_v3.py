"""Inception-v3 (Szegedy et al. 2016) from torchvision, trained from scratch.

Kept: the factorised Inception modules (Mixed_5b-d, the 1x7/7x1 Mixed_6b-e, the expanded Mixed_7b-c) and the grid
reductions Mixed_6a and Mixed_7a. torchvision needs at least 75 px; adapted for 32-64 px grey inputs: the first
convolution is 3x3 stride 1 (padded) on ``in_channels`` instead of stride 2, and the first max-pool is removed, so a
32 px image reaches Mixed_5 at 13x13 and Mixed_7 at 2x2 (299 px reaches them at 35 and 8). No auxiliary classifier
(its loss only matters at ImageNet depth), no ImageNet input transform.
"""

from __future__ import annotations

from torch import nn
from torchvision.models import Inception3
from torchvision.models.inception import BasicConv2d

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "inception_v3",
    family="cnn",
    task="classification",
    min_size=32,
    channels=(1, 3),
    source="torchvision.models.Inception3 (weights=None, aux_logits=False)",
    adapted="stem 3x3/2 -> 3x3/1 padded on in_channels, first max-pool removed; no auxiliary classifier",
    profile={"image_size": 32, "params": 21_791_139, "flops": 1_299_059_712},
)
class InceptionV3(ClassifierModel):
    """torchvision Inception-v3 with a small-input stem."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, dropout: float = 0.5) -> None:
        if image_size < 32:
            raise ValueError(f"Inception-v3's grid reductions need inputs of at least 32 px, got {image_size}")
        net = Inception3(
            num_classes=num_classes, aux_logits=False, transform_input=False, init_weights=True, dropout=dropout
        )
        net.Conv2d_1a_3x3 = BasicConv2d(in_channels, 32, kernel_size=3, stride=1, padding=1)
        net.maxpool1 = nn.Identity()
        super().__init__(net)
