"""Regression metrics, registered in ``METRICS`` as torchmetrics factories (pooled over every value)."""

from __future__ import annotations

from torchmetrics import Metric
from torchmetrics.regression import MeanAbsoluteError, MeanSquaredError

from benchmark.registry import METRICS


@METRICS.register("rmse", task="regression", higher_is_better=False, description="root mean squared error")
def rmse() -> Metric:
    """Root of the mean squared error over all values (not the mean of per-batch roots)."""
    return MeanSquaredError(squared=False)


@METRICS.register("mae", task="regression", higher_is_better=False, description="mean absolute error")
def mae() -> Metric:
    """Mean absolute error over all values."""
    return MeanAbsoluteError()
