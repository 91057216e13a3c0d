"""Model selection by a validation metric: the best epoch's weights are kept, also across a resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.training import loop
from benchmark.training.loop import CHECKPOINT, FINAL, ModelSpec, load_model, train
from benchmark.training.selection import improves, validation_score

DEVICE = torch.device("cpu")
SPEC = ModelSpec("lenet5", 1, 3, 16, {})


def data(n: int = 48, seed: int = 0) -> SplitArrays:
    rng = np.random.default_rng(seed)
    return SplitArrays(rng.integers(0, 256, size=(n, 1, 16, 16), dtype=np.uint8), rng.integers(0, 3, size=n))


def run(epochs: int, select_by: str = "") -> RunConfig:
    return RunConfig("lenet5-tiny", "lenet5", "tiny", 5, epochs, 16, select_by=select_by)


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_model(path / FINAL).state_dict()


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Validation scores per epoch: epoch 2 is best, epoch 3 worse (a later epoch that overfits)."""
    scores = [0.5, 0.9, 0.7]
    calls: list[float] = []

    def score(model: object, split: object, config: RunConfig, device: object) -> float:
        calls.append(scores[len(calls) % len(scores)])
        return calls[-1]

    monkeypatch.setattr(loop, "validation_score", score)
    return calls


def test_best_epoch_weights_are_saved(tmp_path: Path, scripted: list[float]) -> None:
    history = train(run(3, "auroc"), SPEC, data(), data(seed=1), DEVICE, tmp_path / "sel", progress=False)
    assert [r["best_epoch"] for r in history] == [1, 2, 2]
    assert [r["val_auroc"] for r in history] == [0.5, 0.9, 0.7]
    train(run(2), SPEC, data(), data(seed=1), DEVICE, tmp_path / "two", progress=False)
    last = train(run(3), SPEC, data(), data(seed=1), DEVICE, tmp_path / "three", progress=False)
    assert "best_epoch" not in last[-1]
    selected, two, three = weights(tmp_path / "sel"), weights(tmp_path / "two"), weights(tmp_path / "three")
    assert all(torch.equal(selected[k], two[k]) for k in selected)
    assert any(not torch.equal(selected[k], three[k]) for k in selected)


def test_selection_resumes_to_the_same_result(tmp_path: Path, scripted: list[float]) -> None:
    straight = train(run(3, "auroc"), SPEC, data(), data(seed=1), DEVICE, tmp_path / "a", progress=False)
    scripted.clear()

    def stop(epoch: int) -> None:
        if epoch == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(run(3, "auroc"), SPEC, data(), data(seed=1), DEVICE, tmp_path / "b", progress=False, on_epoch_end=stop)
    assert (tmp_path / "b" / CHECKPOINT).is_file()
    resumed = train(run(3, "auroc"), SPEC, data(), data(seed=1), DEVICE, tmp_path / "b", progress=False)
    assert resumed == straight
    a, b = weights(tmp_path / "a"), weights(tmp_path / "b")
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_validation_score_is_the_scored_metric() -> None:
    from sklearn.metrics import roc_auc_score

    from benchmark.evaluation.predict import predict

    model, split = SPEC.build(), data(seed=2)
    score = validation_score(model, split, run(1, "auroc"), DEVICE)
    probs = predict(model, split, 256, DEVICE, progress=False)
    assert score == pytest.approx(roc_auc_score(split.labels, probs, multi_class="ovr", average="macro"), abs=1e-6)


def test_improves_follows_the_metric_direction() -> None:
    assert improves(0.6, None, "auroc") and improves(0.7, 0.6, "auroc") and not improves(0.6, 0.6, "auroc")
    assert improves(0.1, 0.2, "ece") and not improves(0.3, 0.2, "ece")
    assert not improves(float("nan"), None, "auroc")
