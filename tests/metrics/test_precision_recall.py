"""Improved precision/recall (Kynkaenniemi et al. 2019) against a brute-force numpy reference and known cases."""

from __future__ import annotations

import numpy as np
import pytest

from benchmark.errors import ConfigError
from benchmark.metrics.precision_recall import knn_radii, precision_recall, precision_recall_score
from benchmark.registry import METRICS


def numpy_precision_recall(real: np.ndarray, fake: np.ndarray, k: int) -> tuple[float, float]:
    """Loop-level reference: balls to the k-th neighbour (self excluded), membership by <=."""

    def radii(x: np.ndarray) -> np.ndarray:
        out = []
        for i in range(len(x)):
            d = sorted(np.sqrt(((x - x[i]) ** 2).sum(1)))
            out.append(d[k])  # d[0] is the point itself
        return np.array(out)

    def coverage(manifold: np.ndarray, r: np.ndarray, queries: np.ndarray) -> float:
        hits = [any(np.sqrt(((q - m) ** 2).sum()) <= rj for m, rj in zip(manifold, r)) for q in queries]
        return float(np.mean(hits))

    return coverage(real, radii(real), fake), coverage(fake, radii(fake), real)


@pytest.mark.parametrize("k", [1, 3, 5])
def test_matches_numpy_reference(k: int) -> None:
    rng = np.random.default_rng(k)
    real = rng.normal(size=(60, 8))
    fake = rng.normal(loc=0.4, scale=1.3, size=(45, 8))
    assert precision_recall(real, fake, k) == pytest.approx(numpy_precision_recall(real, fake, k))


def test_known_cases() -> None:
    rng = np.random.default_rng(0)
    real = rng.normal(size=(50, 4))
    assert precision_recall(real, real) == (1.0, 1.0)
    assert precision_recall(real, real + 100.0) == (0.0, 0.0)
    collapsed = real[:5] + 1e-3 * rng.normal(size=(5, 4))  # mode collapse: high precision, low recall
    precision, recall = precision_recall(real, np.repeat(collapsed, 10, axis=0))
    assert precision == 1.0 and recall < 0.5


def test_radii_exclude_the_point_itself() -> None:
    x = np.array([[0.0], [1.0], [3.0], [7.0]])
    assert knn_radii(x, 1).tolist() == [1.0, 1.0, 2.0, 4.0]
    assert knn_radii(x, 2).tolist() == [3.0, 2.0, 3.0, 6.0]


def test_bad_inputs_are_one_line_errors() -> None:
    with pytest.raises(ConfigError, match="k must be in"):
        knn_radii(np.zeros((3, 2)), 3)
    with pytest.raises(ConfigError, match="feature dims differ"):
        precision_recall(np.zeros((5, 2)), np.zeros((5, 3)))


def test_registered_with_direction_and_record() -> None:
    assert METRICS.get("improved_precision").meta["higher_is_better"] is True
    assert METRICS.get("improved_recall").meta["task"] == "generation"
    rng = np.random.default_rng(1)
    record = precision_recall_score(rng.normal(size=(20, 3)), rng.normal(size=(20, 3)))
    assert set(record) == {"improved_precision", "improved_recall", "pr_k"} and record["pr_k"] == 3
