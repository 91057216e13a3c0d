"""GAN data augmentation: top up every real training batch with class-conditional GAN samples.

A run with ``synthetic: {generator_run: KEY, fraction: F}`` loads the trained generator of run KEY (a registered
class-conditional model), draws a pool of synthetic images once (labels follow the real training labels' frequencies,
seeded by the run's seed), and appends to each real batch of B images round(B * F / (1 - F)) pool samples drawn by a
seeded generator, so a fraction F of every batch is synthetic. The real data, batch order and number of optimizer
steps are those of the same run without augmentation: the comparison is at equal steps and equal real exposure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from benchmark.datasets.base import SplitArrays
from benchmark.errors import ConfigError, DataMissingError
from benchmark.evaluation.predict import to_uint8
from benchmark.models.base import Batch, ConditionalGenerativeModel
from benchmark.paths import model_dir

#: Synthetic pool size relative to the real training set (enough that pool samples rarely repeat within an epoch).
POOL_FACTOR = 1.0
GENERATE_BATCH = 256


def synthetic_count(batch_size: int, fraction: float) -> int:
    """Synthetic images appended to a real batch of ``batch_size`` so that ``fraction`` of the result is synthetic."""
    return int(round(batch_size * fraction / (1 - fraction)))


@torch.no_grad()
def synthetic_pool(
    generator_run: str, labels: np.ndarray, seed: int, device: torch.device, root: Path = Path(".")
) -> SplitArrays:
    """uint8 images drawn from ``generator_run``'s trained model, one per entry of ``labels`` (seeded)."""
    from benchmark.training.loop import FINAL, load_model  # the loop imports this module

    path = root / model_dir(generator_run) / FINAL
    if not path.is_file():
        raise DataMissingError(
            f"{path}: generator of synthetic.generator_run not trained; run `medbench train {generator_run}` first"
        )
    model = load_model(path, device)
    if not isinstance(model, ConditionalGenerativeModel):
        raise ConfigError(f"synthetic.generator_run: {generator_run!r} is not a class-conditional generator")
    rng = torch.Generator().manual_seed(seed)
    labels_t = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    images = [model.sample_labelled(chunk.to(device), rng).float().cpu() for chunk in labels_t.split(GENERATE_BATCH)]
    return SplitArrays(to_uint8(torch.cat(images)), labels_t.numpy())


def pool_labels(real_labels: np.ndarray, seed: int) -> np.ndarray:
    """Labels for the pool: the real training labels, shuffled and tiled to ``POOL_FACTOR`` times their number."""
    size = max(1, int(round(len(real_labels) * POOL_FACTOR)))
    return np.resize(np.random.default_rng(seed).permutation(np.asarray(real_labels)), size)


def top_up(batch: Batch, pool: SplitArrays, fraction: float, generator: torch.Generator) -> Batch:
    """``batch`` with pool samples appended so that ``fraction`` of it is synthetic (images and labels only)."""
    n = synthetic_count(len(batch["image"]), fraction)
    idx = torch.randint(len(pool), (n,), generator=generator).numpy()
    images = torch.from_numpy(np.asarray(pool.images[idx], dtype=np.float32) / 255.0)
    labels = torch.from_numpy(np.asarray(pool.labels[idx], dtype=np.int64))
    return {"image": torch.cat([batch["image"], images]), "label": torch.cat([batch["label"], labels])}
