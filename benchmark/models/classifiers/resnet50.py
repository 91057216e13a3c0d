"""ResNet-50 (He et al. 2016) from timm, trained from scratch.

Kept as timm defines it (7x7 stride-2 stem, max-pool, four stages of 1x1-3x3-1x1 bottleneck residual blocks), like
``resnet18``; grey inputs use timm's ``in_chans``. At 32 px the last stage sees a 1x1 map.
"""

from __future__ import annotations

import timm

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "resnet50",
    family="cnn",
    task="classification",
    min_size=16,
    channels=(1, 3),
    source="timm resnet50 (pretrained=False)",
    adapted="in_chans for grey input; no other change",
    profile={"image_size": 32, "params": 23_507_907, "flops": 163_622_912},
)
class ResNet50(ClassifierModel):
    """timm ``resnet50`` with ``num_classes`` outputs."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, drop_rate: float = 0.0) -> None:
        super().__init__(
            timm.create_model(
                "resnet50", pretrained=False, num_classes=num_classes, in_chans=in_channels, drop_rate=drop_rate
            )
        )
