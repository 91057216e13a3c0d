"""Dataset registry entries; importing this package registers every dataset."""

from benchmark.datasets import fashion_mnist, mni152, mni152_triplanar  # noqa: F401  (registration on import)
from benchmark.datasets.base import DatasetSpec, SplitArrays, load_split, prepare, read_meta

__all__ = ["DatasetSpec", "SplitArrays", "load_split", "prepare", "read_meta"]
