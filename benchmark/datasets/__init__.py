"""Dataset registry entries; importing this package registers every dataset (one module per dataset family)."""

from benchmark.datasets import (  # noqa: F401  (registration on import)
    brain,
    breast,
    chest,
    cifar,
    faces,
    fashion_mnist,
    isic,
    medmnist,
    mednist,
    mni152,
    mni152_sequences,
    mni152_tissue_labels,
    mni152_triplanar,
    mnist,
    natural,
    pancreas,
    scenes,
)
from benchmark.datasets.base import DatasetSpec, SplitArrays, load_split, prepare, read_meta

__all__ = ["DatasetSpec", "SplitArrays", "load_split", "prepare", "read_meta"]
