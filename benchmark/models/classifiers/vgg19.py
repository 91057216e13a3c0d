"""VGG-19 (Simonyan and Zisserman 2015) from torchvision's layer builder, trained from scratch.

Kept: configuration "E" (sixteen 3x3 convolutions in five stages, each closed by a 2x2 max-pool), with batch norm,
and the three-layer dropout-ReLU classifier. Adapted for 32-64 px grey inputs (as the usual CIFAR VGGs): the first
convolution takes ``in_channels``; the five pools leave a 1x1 map at 32 px, so the 7x7 adaptive pool becomes a global
pool and the classifier's hidden width is ``hidden`` (512) instead of 4096; ``width`` scales every stage's channels.
"""

from __future__ import annotations

from torch import nn
from torchvision.models.vgg import cfgs, make_layers

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "vgg19",
    family="cnn",
    task="classification",
    min_size=32,
    channels=(1, 3),
    source="torchvision.models.vgg make_layers(cfgs['E'], batch_norm=True)",
    adapted="first conv on in_channels; global pool + classifier hidden `hidden` (512); channels scaled by `width`",
    profile={"image_size": 32, "params": 20_561_091, "flops": 794_954_752},
)
class VGG19(ClassifierModel):
    """VGG-19 with batch norm, global pooling and a small-input classifier."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        width: float = 1.0,
        hidden: int = 512,
        dropout: float = 0.5,
    ) -> None:
        if image_size < 32:
            raise ValueError(f"VGG-19's five 2x2 max-pools need inputs of at least 32 px, got {image_size}")
        config = [v if v == "M" else max(8, int(v * width)) for v in cfgs["E"]]
        features = make_layers(config, batch_norm=True)
        features[0] = nn.Conv2d(in_channels, config[0], kernel_size=3, padding=1)
        channels = [v for v in config if v != "M"][-1]
        super().__init__(
            nn.Sequential(
                features,
                nn.AdaptiveAvgPool2d(1),
                nn.Flatten(),
                nn.Linear(channels, hidden),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
                nn.Linear(hidden, hidden),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),
                nn.Linear(hidden, num_classes),
            )
        )
