"""Transfer learning (survey Sect. 4.1): start from another run's trained weights and freeze all but the last layers.

``init_from`` names a run of the same suite, or, for a study cell, an earlier arm of the same study (its cell of the
same seed, so the study stays self-contained); every tensor of its final weights whose name and shape match the new
model is copied (a classification head sized for another number of classes is not, and keeps its fresh
initialisation). ``trainable_layers`` k > 0 then freezes every parameter except those of the last k modules that
own parameters (convolutions, linear layers, norms, in registration order), so only the head is fine-tuned.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from benchmark.config import RunConfig
from benchmark.errors import ConfigError, DataMissingError
from benchmark.paths import model_dir, study_dir
from benchmark.training import checkpoint

FINAL = "model.pt"


def source_path(run: RunConfig) -> Path:
    """Final weights of ``run.init_from``: a suite run's, or for a study cell ``STUDY/ARM/sSEED`` the same seed's
    cell of arm ``init_from``."""
    study, in_study, _ = run.key.partition("/")
    return (study_dir(study) / run.init_from / f"s{run.seed}" if in_study else model_dir(run.init_from)) / FINAL


def load_matching(model: nn.Module, run: RunConfig, device: torch.device) -> list[str]:
    """Copy the matching tensors of run ``run.init_from``'s final weights into ``model``; returns their names."""
    path = source_path(run)
    if not path.is_file():
        raise DataMissingError(f"runs.{run.key}.init_from: {path} not found; train run {run.init_from!r} first")
    source = checkpoint.load(path, device)["state_dict"]
    own = model.state_dict()
    matched = {name: value for name, value in source.items() if name in own and own[name].shape == value.shape}
    if not matched:
        raise ConfigError(
            f"runs.{run.key}.init_from: no weight of run {run.init_from!r} fits model {run.model!r}; "
            "expected a run of the same architecture"
        )
    model.load_state_dict(matched, strict=False)
    return sorted(matched)


def freeze_all_but_last(model: nn.Module, layers: int) -> list[str]:
    """Freeze every parameter outside the last ``layers`` parameter-owning modules; returns the trainable names."""
    owners = [name for name, module in model.named_modules() if any(True for _ in module.parameters(recurse=False))]
    if layers > len(owners):
        raise ConfigError(f"trainable_layers is {layers} but the model has {len(owners)} layers with parameters")
    keep = set(owners[-layers:])
    trainable = []
    for module_name, module in model.named_modules():
        for param_name, param in module.named_parameters(recurse=False):
            param.requires_grad_(module_name in keep)
            if module_name in keep:
                trainable.append(f"{module_name}.{param_name}")
    return trainable


def apply_transfer(model: nn.Module, run: RunConfig, device: torch.device) -> None:
    """Initialise from ``run.init_from`` and freeze per ``run.trainable_layers`` (both optional)."""
    if run.init_from:
        load_matching(model, run, device)
    if run.trainable_layers:
        freeze_all_but_last(model, run.trainable_layers)
