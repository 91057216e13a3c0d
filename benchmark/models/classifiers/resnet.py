"""ResNet-18 (He et al. 2016) from timm, trained from scratch.

Kept as timm defines it (7x7 stride-2 stem, max-pool, four residual stages); grey inputs use timm's ``in_chans``.
At 28 px the last stage sees a 1x1 map, which still trains well (see README for the measured accuracy).
"""

from __future__ import annotations

import timm

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "resnet18",
    family="cnn",
    task="classification",
    min_size=16,
    channels=(1, 3),
    source="timm resnet18 (pretrained=False)",
    adapted="in_chans for grey input; no other change",
    profile={"image_size": 32, "params": 11_171_779, "flops": 70_814_720},
)
class ResNet18(ClassifierModel):
    """timm ``resnet18`` with ``num_classes`` outputs."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, drop_rate: float = 0.0) -> None:
        super().__init__(
            timm.create_model(
                "resnet18", pretrained=False, num_classes=num_classes, in_chans=in_channels, drop_rate=drop_rate
            )
        )
