"""Multi-hot labels [N, L] train a classifier with BCE on logits and are scored by MedMNIST's multi-label rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import roc_auc_score

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.evaluation.predict import predict
from benchmark.metrics.scoring import score_multilabel
from benchmark.training.loop import FINAL, ModelSpec, load_model, train

DEVICE = torch.device("cpu")


def multilabel_data(n: int = 96, seed: int = 0) -> SplitArrays:
    """Label j is on when quadrant j of the image is bright (learnable, prevalence about one half)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=(n, 3))
    images = rng.integers(0, 60, size=(n, 1, 16, 16)).astype(np.uint8)
    for j, (r, c) in enumerate([(0, 0), (0, 8), (8, 0)]):
        images[labels[:, j] == 1, :, r : r + 8, c : c + 8] += 150
    return SplitArrays(images, labels)


def test_multilabel_classifier_learns_and_scores_like_sklearn(tmp_path: Path) -> None:
    data, test = multilabel_data(), multilabel_data(seed=1)
    run = RunConfig("lenet5-tiny", "lenet5", "tiny", 0, 4, 16, lr=0.003, select_by="multilabel_auroc")
    history = train(run, ModelSpec("lenet5", 1, 3, 16, {}), data, test, DEVICE, tmp_path, progress=False)
    assert history[-1]["train_loss"] < history[0]["train_loss"] < 0.75  # BCE starts near ln 2
    assert "val_multilabel_auroc" in history[-1]
    model = load_model(tmp_path / FINAL)
    probs = predict(model, test, 64, DEVICE, progress=False)
    assert probs.shape == (len(test), 3) and not np.allclose(probs.sum(1), 1.0), "per-label sigmoid, not softmax"
    scored = score_multilabel(test.labels, probs)["metrics"]
    assert scored["multilabel_auroc"] == pytest.approx(roc_auc_score(test.labels, probs, average="macro"), abs=1e-6)
    assert scored["multilabel_accuracy"] == pytest.approx(((probs > 0.5) == test.labels).mean(), abs=1e-6)
    assert scored["multilabel_auroc"] > 0.9


def test_multiclass_select_by_refuses_multilabel_data(tmp_path: Path) -> None:
    from benchmark.errors import ConfigError

    run = RunConfig("lenet5-tiny", "lenet5", "tiny", 0, 2, 16, select_by="auroc")
    epochs: list[int] = []
    with pytest.raises(ConfigError, match=r"select_by: 'auroc' does not score multilabel labels.*multilabel_auroc"):
        spec, data, val = ModelSpec("lenet5", 1, 3, 16, {}), multilabel_data(), multilabel_data(1)
        train(run, spec, data, val, DEVICE, tmp_path, progress=False, on_epoch_end=epochs.append)
    assert epochs == [] and not any(tmp_path.iterdir()), "refused before the first epoch, nothing written"
