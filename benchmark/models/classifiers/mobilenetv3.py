"""MobileNetV3-Small (Howard et al. 2019) from timm, trained from scratch.

Kept: the inverted-residual blocks with depthwise convolutions, squeeze-and-excitation and hard-swish, and the
efficient last stage. Adapted for 28-64 px grey inputs: ``in_chans``, and the stem convolution runs at stride 1
instead of 2, so the last blocks see a 2x2 map at 32 px instead of 1x1.
"""

from __future__ import annotations

import timm

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "mobilenetv3",
    family="cnn",
    task="classification",
    min_size=16,
    channels=(1, 3),
    source="timm mobilenetv3_small_100 (pretrained=False)",
    adapted="in_chans; stem convolution stride 2 -> 1 for small inputs",
    profile={"image_size": 32, "params": 1_520_643, "flops": 10_401_280},
)
class MobileNetV3(ClassifierModel):
    """timm ``mobilenetv3_small_100`` with a stride-1 stem."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, drop_rate: float = 0.2) -> None:
        net = timm.create_model(
            "mobilenetv3_small_100",
            pretrained=False,
            num_classes=num_classes,
            in_chans=in_channels,
            drop_rate=drop_rate,
        )
        net.conv_stem.stride = (1, 1)
        super().__init__(net)
