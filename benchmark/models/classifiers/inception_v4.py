"""Inception-v4 (Szegedy et al. 2017, the survey's [57]) from timm, trained from scratch.

Kept: the stem with its Mixed_3a/4a/5a branches, four Inception-A, seven Inception-B and three Inception-C blocks and
both reduction blocks. timm's stem divides the input by 8 before Inception-A; adapted for 32-64 px grey inputs: the
first convolution is 3x3 stride 1 (padded) on ``in_channels`` and Mixed_3a runs at stride 1, so a 32 px image reaches
Inception-A at 12x12, Inception-B at 5x5 and Inception-C at 2x2 (299 px reaches them at 35, 17 and 8).
"""

from __future__ import annotations

import timm

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "inception_v4",
    family="cnn",
    task="classification",
    min_size=32,
    channels=(1, 3),
    source="timm inception_v4 (pretrained=False)",
    adapted="in_chans; stem conv stride 2 -> 1 (padded) and Mixed_3a stride 2 -> 1 for small inputs",
    profile={"image_size": 32, "params": 41_146_851, "flops": 2_313_341_952},
)
class InceptionV4(ClassifierModel):
    """timm ``inception_v4`` with a small-input stem."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, drop_rate: float = 0.0) -> None:
        if image_size < 32:
            raise ValueError(f"Inception-v4's reduction blocks need inputs of at least 32 px, got {image_size}")
        net = timm.create_model(
            "inception_v4", pretrained=False, num_classes=num_classes, in_chans=in_channels, drop_rate=drop_rate
        )
        stem = net.features[0].conv
        stem.stride, stem.padding = (1, 1), (1, 1)
        mixed_3a = net.features[3]
        mixed_3a.maxpool.stride = 1
        mixed_3a.conv.conv.stride = (1, 1)
        super().__init__(net)
