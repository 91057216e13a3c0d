"""LeNet-5 (LeCun et al. 1998): two 5x5 convolution + subsampling stages, then 120-84-classes fully connected.

Written here (neither timm nor torchvision ships it), with the original tanh units and average-pool subsampling.
The original takes 32 px; smaller inputs (28 px MNIST-style) are zero-padded to 32 by the first convolution's padding,
and an adaptive average pool before C5 keeps the 5x5 map C5 expects at larger inputs.
"""

from __future__ import annotations

from torch import nn

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "lenet5",
    family="cnn",
    task="classification",
    min_size=12,
    channels=(1, 3),
    source="hand-written (torch.nn), LeCun et al. 1998",
    adapted="first convolution pads inputs below 32 px up to 32; adaptive pool to 5x5 before C5 above 32 px",
    profile={"image_size": 32, "params": 61_111, "flops": 831_864},
)
class LeNet5(ClassifierModel):
    """C1 (6@5x5) - S2 - C3 (16@5x5) - S4 - C5 (120) - F6 (84) - output."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int) -> None:
        pad = max(0, (32 - image_size + 1) // 2)
        super().__init__(
            nn.Sequential(
                nn.Conv2d(in_channels, 6, 5, padding=pad),
                nn.Tanh(),
                nn.AvgPool2d(2),
                nn.Conv2d(6, 16, 5),
                nn.Tanh(),
                nn.AvgPool2d(2),
                nn.AdaptiveAvgPool2d(5),
                nn.Flatten(),
                nn.Linear(16 * 5 * 5, 120),
                nn.Tanh(),
                nn.Linear(120, 84),
                nn.Tanh(),
                nn.Linear(84, num_classes),
            )
        )
