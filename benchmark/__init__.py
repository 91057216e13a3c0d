"""medbench: a reproducible benchmark and survey-replication harness for deep learning on medical images.

Public API: ``create_model``, ``create_loss``, ``create_metric``, ``get_dataset`` and ``list_models``,
``list_datasets``, ``list_losses``, ``list_metrics``. Registries fill themselves on first lookup, so importing this
package (e.g. from the reporting code) does not import torch or the model zoo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from benchmark.registry import DATASETS, LOSSES, METRICS, MODELS

if TYPE_CHECKING:
    from torch import nn

    from benchmark.datasets.base import DatasetSpec
    from benchmark.models.base import BenchmarkModel

__version__ = "0.1.0"


def create_model(
    name: str, in_channels: int = 1, num_classes: int = 2, image_size: int = 28, **model_args: Any
) -> BenchmarkModel:
    """The registered model ``name`` for ``in_channels`` x ``image_size``^2 inputs and ``num_classes`` outputs."""
    return MODELS.get(name).obj(in_channels=in_channels, num_classes=num_classes, image_size=image_size, **model_args)


def create_loss(name: str, **params: Any) -> nn.Module:
    """The registered loss ``name`` built with ``params``."""
    return LOSSES.get(name).obj(**params)


def create_metric(name: str, **params: Any) -> Any:
    """The registered metric ``name`` built with ``params`` (e.g. ``num_classes``)."""
    return METRICS.get(name).obj(**params)


def get_dataset(name: str) -> DatasetSpec:
    """The registered dataset entry ``name`` (provenance, terms, sources, and how to prepare it)."""
    return DATASETS.get(name).obj


def list_models(**filters: Any) -> list[str]:
    """Registered model names whose metadata matches ``filters`` (e.g. ``task="segmentation"``)."""
    return MODELS.names(**filters)


def list_datasets(**filters: Any) -> list[str]:
    """Registered dataset names whose metadata matches ``filters``."""
    return DATASETS.names(**filters)


def list_losses(**filters: Any) -> list[str]:
    """Registered loss names whose metadata matches ``filters``."""
    return LOSSES.names(**filters)


def list_metrics(**filters: Any) -> list[str]:
    """Registered metric names whose metadata matches ``filters`` (e.g. ``task="classification"``)."""
    return METRICS.names(**filters)


__all__ = [
    "DATASETS",
    "LOSSES",
    "METRICS",
    "MODELS",
    "create_loss",
    "create_metric",
    "create_model",
    "get_dataset",
    "list_datasets",
    "list_losses",
    "list_metrics",
    "list_models",
]
