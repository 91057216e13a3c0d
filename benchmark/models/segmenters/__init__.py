"""Segmentation networks; one architecture per file, each built with ``spatial_dims`` for 2D and 3D."""

from benchmark.models.segmenters import attention_unet, fcn, msunet, unet, vgg16_unet  # noqa: F401  (registration)
