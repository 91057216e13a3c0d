"""GoogLeNet / Inception-v1 (Szegedy et al. 2015) from torchvision, trained from scratch.

Kept: the whole network, nine Inception modules (parallel 1x1, 3x3, 5x5 and pooling branches) with its stem and
max-pools; at 32 px the ceil-mode pools leave a 1x1 map for the last modules. Adapted: the stem takes
``in_channels``, the ImageNet input transform is off, and the two auxiliary classifiers are dropped (the survey's
comparisons use the main head; the auxiliary losses only matter at ImageNet depth and scale).
"""

from __future__ import annotations

from torchvision.models import GoogLeNet as TVGoogLeNet
from torchvision.models.googlenet import BasicConv2d

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "googlenet",
    family="cnn",
    task="classification",
    min_size=16,
    channels=(1, 3),
    source="torchvision.models.GoogLeNet (weights=None, aux_logits=False)",
    adapted="stem on in_channels; no auxiliary classifiers; no ImageNet input transform",
    profile={"image_size": 32, "params": 5_596_707, "flops": 57_911_296},
)
class GoogLeNet(ClassifierModel):
    """torchvision GoogLeNet without auxiliary heads."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, dropout: float = 0.2) -> None:
        net = TVGoogLeNet(
            num_classes=num_classes, aux_logits=False, transform_input=False, init_weights=True, dropout=dropout
        )
        net.conv1 = BasicConv2d(in_channels, 64, kernel_size=7, stride=2, padding=3)
        super().__init__(net)
