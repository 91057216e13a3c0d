"""GAN data augmentation: top up every real training batch with samples of a class-conditional GAN.

A run with ``synthetic: {generator: {model: cgan, epochs: ..., batch_size: ..., ...}, fraction: F}`` first trains the
generator (any registered class-conditional model, with the usual run settings) on the same training split under the
run's seed, with the one loop, into ``<run folder>/generator/`` (kept, and reused while its settings are unchanged),
so a study cell stays self-contained. It then draws a pool of synthetic images once (labels follow the real training
labels' frequencies, seeded), and appends to each real batch of B images round(B * F / (1 - F)) pool samples drawn
by a seeded generator, so a fraction F of every batch is synthetic. The real data, batch order and number of
optimizer steps are those of the same run without augmentation: the comparison is at equal steps and equal real
exposure.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch

from benchmark.config import RunConfig, parse_run
from benchmark.datasets.base import SplitArrays
from benchmark.evaluation.predict import to_uint8
from benchmark.models.base import Batch, ConditionalGenerativeModel

if TYPE_CHECKING:
    from benchmark.training.loop import ModelSpec

#: Synthetic pool size relative to the real training set.
POOL_FACTOR = 1.0
GENERATE_BATCH = 256
GENERATOR_DIR = "generator"
STAMP = "generator_run.json"


def synthetic_count(batch_size: int, fraction: float) -> int:
    """Synthetic images appended to a real batch of ``batch_size`` so that ``fraction`` of the result is synthetic."""
    return int(round(batch_size * fraction / (1 - fraction)))


def generator_run(run: RunConfig) -> RunConfig:
    """The generator's run: ``synthetic.generator`` on the run's dataset under the run's seed (validated)."""
    spec = {**run.synthetic["generator"], "dataset": run.dataset, "seed": run.seed}
    return parse_run(f"{run.key}/generator", spec, run.seed, where=f"runs.{run.key}.synthetic.generator")


def trained_generator(
    run: RunConfig, spec: ModelSpec, train_data: SplitArrays, device: torch.device, out_dir: Path, progress: bool
) -> ConditionalGenerativeModel:
    """Train (or reuse, when its settings match) the run's generator in ``out_dir/generator``."""
    from benchmark.training.loop import FINAL, ModelSpec, load_model, train  # the loop imports this module

    gen_run = generator_run(run)
    folder = out_dir / GENERATOR_DIR
    stamp = folder / STAMP
    fresh = (folder / FINAL).is_file() and stamp.is_file() and json.loads(stamp.read_text()) == gen_run.to_dict()
    if not fresh:
        gen_spec = ModelSpec(gen_run.model, spec.in_channels, spec.num_classes, spec.image_size, gen_run.model_args)
        train(gen_run, gen_spec, train_data, None, device, folder, progress=progress)
        stamp.write_text(json.dumps(gen_run.to_dict(), sort_keys=True) + "\n")
    model = load_model(folder / FINAL, device)
    assert isinstance(model, ConditionalGenerativeModel)  # config validation admits conditional models only
    return model


def pool_labels(real_labels: np.ndarray, seed: int) -> np.ndarray:
    """Labels for the pool: the real training labels, shuffled and tiled to ``POOL_FACTOR`` times their number."""
    size = max(1, int(round(len(real_labels) * POOL_FACTOR)))
    return np.resize(np.random.default_rng(seed).permutation(np.asarray(real_labels)), size)


@torch.no_grad()
def synthetic_pool(model: ConditionalGenerativeModel, labels: np.ndarray, seed: int) -> SplitArrays:
    """uint8 images drawn from ``model``, one per entry of ``labels`` (noise seeded by ``seed``)."""
    rng = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    labels_t = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    images = [model.sample_labelled(chunk.to(device), rng).float().cpu() for chunk in labels_t.split(GENERATE_BATCH)]
    return SplitArrays(to_uint8(torch.cat(images)), labels_t.numpy())


def top_up(batch: Batch, pool: SplitArrays, fraction: float, generator: torch.Generator) -> Batch:
    """``batch`` with pool samples appended so that ``fraction`` of it is synthetic (images and labels only)."""
    n = synthetic_count(len(batch["image"]), fraction)
    idx = torch.randint(len(pool), (n,), generator=generator).numpy()
    images = torch.from_numpy(np.asarray(pool.images[idx], dtype=np.float32) / 255.0)
    labels = torch.from_numpy(np.asarray(pool.labels[idx], dtype=np.int64))
    return {"image": torch.cat([batch["image"], images]), "label": torch.cat([batch["label"], labels])}
