"""Registered models; importing this package registers every family."""

from benchmark.models import classifiers, gans, regressors, segmenters, vaes  # noqa: F401  (registration on import)
from benchmark.models.base import AutoencoderModel, BenchmarkModel, GenerativeModel, ModelOutput

__all__ = ["AutoencoderModel", "BenchmarkModel", "GenerativeModel", "ModelOutput"]
