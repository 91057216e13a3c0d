"""DenseNet-121 (Huang et al. 2017) from timm, trained from scratch.

Kept: the stem, four dense blocks (6, 12, 24, 16 layers; each layer concatenates its ``growth_rate`` new maps to all
earlier ones) and the three 1x1-conv + 2x2 average-pool transitions. Adapted for 28-64 px grey inputs: ``in_chans``,
and the stem's 7x7 convolution runs at stride 1 instead of 2, so the last dense block sees a 2x2 map at 32 px.
"""

from __future__ import annotations

import timm

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "densenet121",
    family="cnn",
    task="classification",
    min_size=16,
    channels=(1, 3),
    source="timm densenet121 (pretrained=False)",
    adapted="in_chans; stem convolution stride 2 -> 1 for small inputs; growth rate `growth_rate` (default 32)",
    profile={"image_size": 32, "params": 6_950_659, "flops": 449_714_176},
)
class DenseNet121(ClassifierModel):
    """timm ``densenet121`` with a stride-1 stem."""

    def __init__(
        self, in_channels: int, num_classes: int, image_size: int, growth_rate: int = 32, drop_rate: float = 0.0
    ) -> None:
        net = timm.create_model(
            "densenet121",
            pretrained=False,
            num_classes=num_classes,
            in_chans=in_channels,
            growth_rate=growth_rate,
            drop_rate=drop_rate,
        )
        net.features.conv0.stride = (1, 1)
        super().__init__(net)
