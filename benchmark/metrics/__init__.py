"""Registered metrics (torchmetrics-backed); importing this package registers them."""

from benchmark.metrics import classification, generation, regression, segmentation  # noqa: F401  (registration)
