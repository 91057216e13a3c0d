"""Registered losses (survey Sect. 2.1.3); importing this package registers them."""

from benchmark.losses import segmentation  # noqa: F401  (registration on import)
