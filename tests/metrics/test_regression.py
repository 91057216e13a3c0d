"""Regression metrics and ``score_regression`` against numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from benchmark.errors import ConfigError
from benchmark.metrics import regression  # noqa: F401  (registers the metrics)
from benchmark.metrics.scoring import score_regression
from benchmark.registry import METRICS

NAMES = ["mae", "rmse"]


def np_reference(target: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    error = pred - target
    return {"mae": float(np.mean(np.abs(error))), "rmse": float(np.sqrt(np.mean(error**2)))}


def random_case(seed: int, n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    target = rng.normal(50, 10, n)
    return target, target + rng.standard_t(3, n) * 4


def test_registered_names_and_metadata() -> None:
    assert METRICS.names(task="regression") == NAMES
    for name in NAMES:
        entry = METRICS.get(name)
        assert entry.meta["description"]
        assert entry.meta["higher_is_better"] is type(entry.obj()).higher_is_better is False


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_metrics_match_numpy(seed: int) -> None:
    target, pred = random_case(seed)
    for name in NAMES:
        metric = METRICS.get(name).obj()
        for part in (slice(0, 70), slice(70, None)):  # pooled over batches, not a mean of per-batch values
            metric.update(torch.from_numpy(pred[part]), torch.from_numpy(target[part]))
        assert float(metric.compute()) == pytest.approx(np_reference(target, pred)[name], rel=1e-5)


@pytest.mark.parametrize("seed", [0, 1])
def test_score_regression_matches_numpy(seed: int) -> None:
    target, pred = random_case(seed)
    result = score_regression(target, pred)
    assert result["metrics"] == pytest.approx(np_reference(target, pred), rel=1e-12)
    assert result["protocol"] == {"task": "regression", "n": 200}


def test_hand_computed_and_integer_values() -> None:
    result = score_regression(np.array([1, 2, 3, 4]), np.array([1, 2, 3, 6]))
    assert result["metrics"] == pytest.approx({"mae": 0.5, "rmse": 1.0})


def test_perfect_prediction_scores_zero() -> None:
    target, _ = random_case(4)
    assert score_regression(target, target.copy())["metrics"] == {"mae": 0.0, "rmse": 0.0}


VALUES = np.array([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("target", "pred", "fragment"),
    [
        (VALUES, VALUES[:2], "pred['values'] has shape (2,) but target['values'] has (3,)"),
        (VALUES, np.array([1.0, np.nan, 3.0]), "pred['values'] contains NaN or infinite values"),
        (np.array([1.0, np.inf, 3.0]), VALUES, "target['values'] contains NaN or infinite values"),
        (VALUES[:, None], VALUES[:, None], "target['values'] has shape (3, 1); expected real values [N]"),
        (VALUES[:0], VALUES[:0], "target['values'] is empty"),
        (VALUES, np.array(["1", "2", "3"]), "pred['values'] has dtype <U1"),
    ],
)
def test_bad_input_raises_one_line(target: np.ndarray, pred: np.ndarray, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        score_regression(target, pred)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value) and "expected" in str(info.value)
