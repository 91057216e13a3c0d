"""Segmentation networks; one architecture per file, each built with ``spatial_dims`` for 2D and 3D."""

from benchmark.models.segmenters import unet  # noqa: F401  (registration on import)
