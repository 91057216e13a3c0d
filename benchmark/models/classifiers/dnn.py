"""Deep neural network (survey Sect. 2.2): a multilayer perceptron with several fully connected hidden layers.

Written here (no library ships it): the image is flattened, so it works at any input size; nothing was adapted.
The default has three hidden layers (256, 128, 64), within the survey's "two or three hidden layers".
"""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "dnn",
    family="mlp",
    task="classification",
    min_size=8,
    channels=(1, 3),
    source="hand-written (torch.nn): Flatten -> [Linear -> ReLU] x len(hidden) -> Linear",
    adapted="none (fully connected on the flattened image)",
    profile={"image_size": 32, "params": 303_747, "flops": 606_592},
)
class DNN(ClassifierModel):
    """``len(hidden)`` fully connected ReLU layers of the given widths."""

    def __init__(
        self, in_channels: int, num_classes: int, image_size: int, hidden: Sequence[int] = (256, 128, 64)
    ) -> None:
        if not hidden:
            raise ValueError("hidden must list at least one layer width, e.g. [256, 128, 64]")
        widths = [in_channels * image_size * image_size, *hidden]
        layers: list[nn.Module] = [nn.Flatten()]
        for fan_in, fan_out in zip(widths[:-1], widths[1:]):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU(inplace=True)]
        layers.append(nn.Linear(widths[-1], num_classes))
        super().__init__(nn.Sequential(*layers))
