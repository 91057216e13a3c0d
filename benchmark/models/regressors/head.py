"""A regression head on any registered classifier: its network with one linear output, trained with MSE.

The backbone keeps every layer of the classifier; only the output layer has one unit (a real value, e.g. the
brain-tissue area fraction of an ``mni152_slices`` slice) instead of one per class.
"""

from __future__ import annotations

from typing import Any

from benchmark import create_model
from benchmark.models.base import ClassifierModel, RegressorModel
from benchmark.registry import MODELS


@MODELS.register(
    "regressor",
    family="regression",
    task="regression",
    min_size=16,
    channels=(1, 3),
    source="any registered classifier (model_args.backbone, default resnet18) with one output",
    adapted="classification head -> one linear output; MSE loss",
)
class Regressor(RegressorModel):
    """``backbone``'s network (built with ``backbone_args``) predicting one value per image."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        backbone: str = "resnet18",
        backbone_args: dict[str, Any] | None = None,
    ) -> None:
        choices = MODELS.names(task="classification")
        if backbone not in choices:
            raise ValueError(
                f"backbone {backbone!r} is not a registered classifier; valid choices: {', '.join(choices)}"
            )
        classifier: ClassifierModel = create_model(backbone, in_channels, 1, image_size, **(backbone_args or {}))
        super().__init__(classifier.net)
