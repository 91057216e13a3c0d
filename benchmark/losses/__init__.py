"""Registered losses (survey Sect. 2.1.3), one module per family; importing this package registers them."""

from benchmark.losses import boundary, compound, distribution, region  # noqa: F401  (registration on import)
