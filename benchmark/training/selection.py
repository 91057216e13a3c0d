"""Model selection by a validation metric (MedMNIST v2 keeps the epoch of best validation AUC).

``select_by`` names a registered classification metric; each epoch the validation split is scored with the same
code that scores the test split (:mod:`benchmark.metrics.scoring`), and the loop keeps the weights of the best epoch.
Multi-label sets (multi-hot labels [N, L]) are scored by MedMNIST's multi-label rules, so they take
``multilabel_auroc`` or ``multilabel_accuracy``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.errors import ConfigError
from benchmark.evaluation.predict import predict
from benchmark.metrics.scoring import score_classification, score_multilabel
from benchmark.models import BenchmarkModel
from benchmark.registry import METRICS


def check_selection_metric(run: RunConfig, data: SplitArrays) -> None:
    """Refuse a ``select_by`` metric that does not score ``data``'s labels (multi-class vs multi-label), before any
    training is spent."""
    task = "multilabel" if np.asarray(data.labels).ndim == 2 else "classification"
    if run.select_by not in METRICS.names(task=task):
        raise ConfigError(
            f"runs.{run.key}.select_by: {run.select_by!r} does not score {task} labels of dataset {run.dataset!r}; "
            f"valid choices: {', '.join(METRICS.names(task=task))}"
        )


def validation_score(model: BenchmarkModel, data: SplitArrays, run: RunConfig, device: torch.device) -> float:
    """``run.select_by`` of ``model`` on ``data`` (eval mode); NaN where the metric is undefined on this split."""
    check_selection_metric(run, data)
    labels = np.asarray(data.labels)
    probs = predict(model, data, run.eval_batch_size, device, progress=False)
    multilabel = labels.ndim == 2
    scored = score_multilabel(labels, probs) if multilabel else score_classification(labels, probs=probs)
    return float(scored["metrics"].get(run.select_by, math.nan))


def improves(score: float, best: float | None, metric: str) -> bool:
    """Whether ``score`` beats ``best`` (None: nothing kept yet) in ``metric``'s direction; NaN never improves and
    ties keep the earlier epoch."""
    if math.isnan(score):
        return False
    if best is None:
        return True
    return score > best if METRICS.get(metric).meta["higher_is_better"] else score < best
