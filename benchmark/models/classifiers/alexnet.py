"""AlexNet (Krizhevsky et al. 2012) from torchvision, trained from scratch.

Kept: torchvision's five convolutions with three max-pools and ReLU, the 6x6 adaptive average pool and the
dropout-ReLU fully connected classifier. Adapted for 28-64 px grey inputs: the 11x11 stride-4 stem (meant for 224 px)
becomes a 5x5 stride-1 convolution on ``in_channels``, so the three max-pools still have a map to pool; the
classifier's hidden width is ``hidden`` (4096 in the paper, the default). The adaptive pool is computed as
averaging-matrix products (same windows and values) so that its CUDA backward is deterministic.
"""

from __future__ import annotations

from torch import nn
from torchvision.models import AlexNet as TVAlexNet

from benchmark.models.base import ClassifierModel
from benchmark.models.layers.pooling import AdaptiveAvgPool2d
from benchmark.registry import MODELS


@MODELS.register(
    "alexnet",
    family="cnn",
    task="classification",
    min_size=16,
    channels=(1, 3),
    source="torchvision.models.AlexNet (weights=None)",
    adapted="11x11/4 stem -> 5x5/1 on in_channels for small inputs; classifier hidden width `hidden` (default 4096); "
    "6x6 adaptive pool as averaging-matrix products (deterministic on CUDA)",
    profile={"image_size": 32, "params": 56_994_499, "flops": 460_211_200},
)
class AlexNet(ClassifierModel):
    """torchvision AlexNet with a small-input stem and a configurable classifier width."""

    def __init__(
        self, in_channels: int, num_classes: int, image_size: int, hidden: int = 4096, dropout: float = 0.5
    ) -> None:
        net = TVAlexNet(num_classes=num_classes, dropout=dropout)
        net.features[0] = nn.Conv2d(in_channels, 64, kernel_size=5, stride=1, padding=2)
        net.avgpool = AdaptiveAvgPool2d((6, 6))  # same windows; deterministic backward on CUDA
        net.classifier = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(256 * 6 * 6, hidden),
            nn.ReLU(inplace=True),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, num_classes),
        )
        super().__init__(net)
