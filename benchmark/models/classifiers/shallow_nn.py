"""Shallow neural network (survey Sect. 2.1): one fully connected hidden layer between the pixels and the classes.

The survey's starting point, the perceptron with a single hidden layer. Written here (no library ships it): the
image is flattened, so it works at any input size; nothing was adapted.
"""

from __future__ import annotations

from torch import nn

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "shallow_nn",
    family="mlp",
    task="classification",
    min_size=8,
    channels=(1, 3),
    source="hand-written (torch.nn): Flatten -> Linear -> ReLU -> Linear",
    adapted="none (fully connected on the flattened image)",
    profile={"image_size": 32, "params": 131_587, "flops": 262_912},
)
class ShallowNN(ClassifierModel):
    """One hidden layer of ``hidden`` ReLU units."""

    def __init__(self, in_channels: int, num_classes: int, image_size: int, hidden: int = 128) -> None:
        super().__init__(
            nn.Sequential(
                nn.Flatten(),
                nn.Linear(in_channels * image_size * image_size, hidden),
                nn.ReLU(inplace=True),
                nn.Linear(hidden, num_classes),
            )
        )
