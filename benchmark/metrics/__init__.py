"""Registered metrics (torchmetrics-backed); importing this package registers them."""

from benchmark.metrics import (  # noqa: F401  (registration)
    classification,
    generation,
    precision_recall,
    regression,
    segmentation,
    temporal,
)
