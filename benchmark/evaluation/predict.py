"""Batched inference helpers shared by the evaluators."""

from __future__ import annotations

import numpy as np
import torch
from tqdm import tqdm

from benchmark.datasets.base import SplitArrays
from benchmark.models import BenchmarkModel, GenerativeModel
from benchmark.training.data import make_loader

#: What the evaluators read from a model's raw output, per task.
OUTPUTS = {
    "classification": lambda model, logits: logits.softmax(1),
    "segmentation": lambda model, logits: model.masks(logits),  # arg-max, or a threshold for one-channel heads
    "regression": lambda model, values: values,
}


@torch.no_grad()
def predict(
    model: BenchmarkModel,
    data: SplitArrays,
    batch_size: int,
    device: torch.device,
    desc: str = "predict",
    progress: bool = True,
) -> np.ndarray:
    """Model outputs for every image of ``data``, in order: class probabilities (per-label sigmoid scores when the
    labels are multi-hot [N, L]), per-pixel class indices, or one value per image (regression)."""
    model.eval()
    multilabel = model.task == "classification" and data.labels is not None and np.ndim(data.labels) == 2
    output = (lambda model, logits: logits.sigmoid()) if multilabel else OUTPUTS[model.task]
    outputs = []
    for batch in tqdm(make_loader(data, batch_size, shuffle=False), desc=desc, disable=not progress, leave=False):
        logits = model(batch["image"].to(device)).float()
        outputs.append(output(model, logits).cpu().numpy())
    return np.concatenate(outputs)


@torch.no_grad()
def sample_images(model: GenerativeModel, n: int, seed: int, batch_size: int) -> np.ndarray:
    """``n`` uint8 samples [n, C, H, W] (clips [n, C, T, H, W] from video generators) drawn with a seeded
    generator (identical across runs)."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    chunks = [model.sample(min(batch_size, n - start), generator).float().cpu() for start in range(0, n, batch_size)]
    return to_uint8(torch.cat(chunks))


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """Floats in [0, 1] -> uint8 (rounded, clamped)."""
    return (images.clamp(0, 1) * 255).round().to(torch.uint8).numpy()
