"""The one training loop every family uses: a model's ``step`` returns its loss for each optimizer group.

After every epoch but the last it writes a checkpoint (model, optimizers, schedulers, AMP scalers, every RNG state and
the shuffling generator) atomically, so a killed run resumes from the last checkpointed epoch and ends with the same
weights as an uninterrupted one; after the last epoch the final weights are written instead (a run killed while
writing them redoes that epoch). On CUDA it trains with automatic mixed precision.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from tqdm import tqdm

from benchmark import MODELS, create_model
from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.errors import ConfigError
from benchmark.models import BenchmarkModel
from benchmark.training import checkpoint
from benchmark.training.augment import flip_shift
from benchmark.training.batchnorm import DISCRIMINATIVE_TASKS, batchnorm_layers, recalibrate_batchnorm
from benchmark.training.data import make_loader
from benchmark.training.optim import build_optimizer, build_scheduler
from benchmark.training.seeding import rng_state, seed_everything, set_deterministic, set_rng_state
from benchmark.training.selection import check_selection_metric, improves, validation_score
from benchmark.training.synthetic import pool_labels, synthetic_pool, top_up, trained_generator
from benchmark.training.transfer import apply_transfer

CHECKPOINT = "checkpoint.pt"
FINAL = "model.pt"


@dataclass(frozen=True)
class ModelSpec:
    """What is needed to rebuild a trained model without its params file."""

    name: str
    in_channels: int
    num_classes: int
    image_size: int
    model_args: dict[str, Any]

    @classmethod
    def for_run(cls, run: RunConfig, dataset_meta: dict[str, Any]) -> ModelSpec:
        """The spec of ``run``'s model on a prepared dataset: mask classes for segmenters and mask <-> image
        translators, one value for regressors, else the dataset's classes."""
        task = MODELS.get(run.model).meta["task"]
        masks = len(dataset_meta.get("mask_classes", []))
        outputs = {"segmentation": masks, "translation": masks, "regression": 1}
        channels, size = dataset_meta["channels"], dataset_meta["image_size"]
        return cls(run.model, channels, max(outputs.get(task, len(dataset_meta["classes"])), 1), size, run.model_args)

    def build(self) -> BenchmarkModel:
        """A freshly initialised model of this spec; bad ``model_args`` are a config error."""
        try:
            return create_model(self.name, self.in_channels, self.num_classes, self.image_size, **self.model_args)
        except (TypeError, ValueError) as err:
            raise ConfigError(f"model_args of {self.name!r}: {err}") from None


def fingerprint(run: RunConfig, spec: ModelSpec) -> str:
    """Hash of everything that shapes training, so a checkpoint of other settings is never resumed."""
    blob = json.dumps({"run": run.to_dict(), "spec": vars(spec)}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _mean_logs(sums: dict[str, float], count: int, prefix: str = "") -> dict[str, float]:
    return {f"{prefix}{key}": value / max(count, 1) for key, value in sorted(sums.items())}


@torch.no_grad()
def validation_logs(model: BenchmarkModel, data: SplitArrays, run: RunConfig, device: torch.device) -> dict[str, float]:
    """Mean step logs over the validation split (eval mode, no updates), prefixed ``val_``."""
    model.eval()
    sums: dict[str, float] = defaultdict(float)
    gen = torch.Generator().manual_seed(run.seed)  # fixed noise for generative steps
    with torch.random.fork_rng():
        torch.manual_seed(int(torch.randint(2**31, (1,), generator=gen)))
        for batch in make_loader(data, run.eval_batch_size, shuffle=False):
            batch = {k: v.to(device) for k, v in batch.items()}
            for group in model.optimizer_groups():
                for key, value in model.step(batch, group).logs.items():
                    sums[key] += float(value) * len(batch["image"])
    return _mean_logs(sums, len(data), "val_")


def train(
    run: RunConfig,
    spec: ModelSpec,
    train_data: SplitArrays,
    val_data: SplitArrays | None,
    device: torch.device,
    out_dir: Path,
    num_workers: int = 0,
    progress: bool = True,
    on_epoch_end: Callable[[int], None] | None = None,
) -> list[dict[str, float]]:
    """Train ``spec`` under ``run``, resuming from ``out_dir/checkpoint.pt`` when it matches; returns the history.

    On success ``out_dir/model.pt`` holds the final weights (with ``run.select_by``: those of the best validation
    epoch, recorded as ``best_epoch`` in the history) and the per-epoch checkpoint is removed. With
    ``run.bn_recalibration``, a discriminative model's BatchNorm statistics are re-estimated over the training split
    after every epoch, before validation and the checkpoint.
    """
    pool = None
    if run.synthetic:  # before seeding: a cached or freshly trained generator leaves the same RNG state behind
        generator = trained_generator(run, spec, train_data, device, out_dir, progress)
        pool = synthetic_pool(generator, pool_labels(np.asarray(train_data.labels), run.seed), run.seed)
    seed_everything(run.seed)
    set_deterministic(device)
    model = spec.build().to(device)
    apply_transfer(model, run, device)
    amp = device.type == "cuda"
    groups = {name: [p for p in params if p.requires_grad] for name, params in model.optimizer_groups().items()}
    optimizers = {name: build_optimizer(run, params) for name, params in groups.items()}
    schedulers = {name: build_scheduler(run, opt) for name, opt in optimizers.items()}
    scalers = {name: torch.amp.GradScaler(device.type, enabled=amp) for name in groups}
    shuffle = torch.Generator().manual_seed(run.seed)
    augmentation = torch.Generator().manual_seed(run.seed + 1)
    mixing = torch.Generator().manual_seed(run.seed + 2)
    loader = make_loader(train_data, run.batch_size, shuffle=True, generator=shuffle, num_workers=num_workers)
    recalibrate = run.bn_recalibration and model.task in DISCRIMINATIVE_TASKS and bool(batchnorm_layers(model))
    select = bool(run.select_by) and val_data is not None and len(val_data) > 0
    if select:
        check_selection_metric(run, val_data)
    best: dict[str, Any] = {"epoch": 0, "score": None, "model": None}
    history: list[dict[str, float]] = []
    start = 0
    ckpt_path, run_fingerprint = out_dir / CHECKPOINT, fingerprint(run, spec)
    if ckpt_path.is_file():
        state = checkpoint.load(ckpt_path)  # on the CPU: RNG states must stay CPU tensors; weights copy over below
        if state.get("fingerprint") == run_fingerprint:
            model.load_state_dict(state["model"])
            for name in groups:
                optimizers[name].load_state_dict(state["optimizers"][name])
                schedulers[name].load_state_dict(state["schedulers"][name])
                scalers[name].load_state_dict(state["scalers"][name])
            shuffle.set_state(state["shuffle"])
            augmentation.set_state(state["augmentation"])
            mixing.set_state(state["mixing"])
            set_rng_state(state["rng"])
            history, start, best = state["history"], state["epoch"], state["best"]
    for epoch in range(start, run.epochs):
        model.train()
        logged: list[tuple[str, Tensor | float, int, int]] = []  # read once per epoch: no GPU sync per step
        bar = tqdm(loader, desc=f"{run.key} epoch {epoch + 1}/{run.epochs}", disable=not progress, leave=False)
        for index, batch in enumerate(bar):
            model.on_progress((epoch + index / len(loader)) / run.epochs)
            if run.augment == "flip_shift":
                batch = flip_shift(batch, augmentation)
            if pool is not None:
                batch = top_up(batch, pool, run.synthetic["fraction"], mixing)
            batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
            for name, optimizer in optimizers.items():
                repeats = model.updates_per_batch(name)
                for _ in range(repeats):
                    with torch.autocast(device.type, enabled=amp):
                        out = model.step(batch, name)
                    optimizer.zero_grad(set_to_none=True)
                    scalers[name].scale(out.loss).backward()
                    scalers[name].step(optimizer)
                    scalers[name].update()
                    model.after_update(name)
                    logged.extend((log_key, value, len(batch["image"]), repeats) for log_key, value in out.logs.items())
            if progress:
                bar.set_postfix({k: f"{float(v):.3f}" for k, v in out.logs.items()})
        for scheduler in schedulers.values():
            scheduler.step()
        sums: dict[str, float] = defaultdict(float)
        for log_key, value, count, repeats in logged:
            sums[log_key] += float(value) * count / repeats
        record = {"epoch": epoch + 1, **_mean_logs(sums, len(train_data), "train_")}
        if recalibrate:
            recalibrate_batchnorm(model, make_loader(train_data, run.batch_size, shuffle=False), device)
        if val_data is not None and len(val_data):
            record.update(validation_logs(model, val_data, run, device))
        if select:
            score = validation_score(model, val_data, run, device)
            if improves(score, best["score"], run.select_by):
                best = {"epoch": epoch + 1, "score": score, "model": _copy_state(model)}
            record.update({f"val_{run.select_by}": score, "best_epoch": best["epoch"] or epoch + 1})
        history.append(record)
        if epoch + 1 < run.epochs:
            checkpoint.save_atomic(
                {
                    "fingerprint": run_fingerprint,
                    "epoch": epoch + 1,
                    "history": history,
                    "model": model.state_dict(),
                    "optimizers": {n: o.state_dict() for n, o in optimizers.items()},
                    "schedulers": {n: s.state_dict() for n, s in schedulers.items()},
                    "scalers": {n: s.state_dict() for n, s in scalers.items()},
                    "shuffle": shuffle.get_state(),
                    "augmentation": augmentation.get_state(),
                    "mixing": mixing.get_state(),
                    "rng": rng_state(),
                    "best": best,
                },
                ckpt_path,
            )
        if on_epoch_end is not None:
            on_epoch_end(epoch + 1)
    if best["model"] is not None:
        model.load_state_dict(best["model"])
    save_model(model, spec, out_dir / FINAL)
    ckpt_path.unlink(missing_ok=True)
    return history


def _copy_state(model: BenchmarkModel) -> dict[str, torch.Tensor]:
    """A detached copy of ``model``'s weights and buffers (the state dict aliases the live tensors)."""
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


def save_model(model: BenchmarkModel, spec: ModelSpec, path: Path) -> None:
    """Final weights plus the spec that rebuilds the model."""
    checkpoint.save_atomic({"spec": vars(spec), "state_dict": model.state_dict()}, path)


def load_model(path: Path, device: torch.device | str = "cpu") -> BenchmarkModel:
    """A trained model saved by :func:`train`, in eval mode on ``device``."""
    state = checkpoint.load(path, device)
    model = ModelSpec(**state["spec"]).build()
    model.load_state_dict(state["state_dict"])
    return model.to(device).eval()
