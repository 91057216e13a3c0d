"""Prepared arrays -> batched tensors, with seeded shuffling that a checkpoint can resume."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import BatchSampler, DataLoader, Dataset, RandomSampler, SequentialSampler

from benchmark.datasets.base import SplitArrays
from benchmark.training.seeding import seed_worker


class ArrayBatches(Dataset):
    """Indexed by a list of indices (one batch): images float [B, C, H, W] in [0, 1], labels/masks int64, values
    float32."""

    def __init__(self, arrays: SplitArrays) -> None:
        self.arrays = arrays

    def __len__(self) -> int:
        return len(self.arrays)

    def __getitem__(self, indices: list[int]) -> dict[str, torch.Tensor]:
        idx = np.asarray(indices)
        batch = {"image": torch.from_numpy(np.asarray(self.arrays.images[idx], dtype=np.float32) / 255.0)}
        if self.arrays.labels is not None:
            batch["label"] = torch.from_numpy(np.asarray(self.arrays.labels[idx], dtype=np.int64))
        if self.arrays.masks is not None:
            batch["mask"] = torch.from_numpy(np.asarray(self.arrays.masks[idx], dtype=np.int64))
        if self.arrays.values is not None:
            batch["value"] = torch.from_numpy(np.asarray(self.arrays.values[idx], dtype=np.float32))
        return batch


def make_loader(
    arrays: SplitArrays,
    batch_size: int,
    shuffle: bool,
    generator: torch.Generator | None = None,
    num_workers: int = 0,
    drop_last: bool = False,
) -> DataLoader:
    """A loader yielding whole batches by fancy indexing (fast on memory-mapped arrays)."""
    dataset = ArrayBatches(arrays)
    base = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
    return DataLoader(
        dataset,
        sampler=BatchSampler(base, batch_size, drop_last),
        batch_size=None,
        num_workers=num_workers,
        worker_init_fn=seed_worker if num_workers else None,
        generator=generator,
    )
