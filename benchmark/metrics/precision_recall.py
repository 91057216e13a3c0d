"""Improved precision and recall of generative models (Kynkaenniemi et al. 2019) on feature sets.

Each set's manifold is the union of balls around its feature vectors, each ball reaching the vector's k-th nearest
neighbour in the same set (k = 3 in the paper). Precision: the fraction of generated features inside the real
manifold (fidelity); recall: the fraction of real features inside the generated manifold (coverage). Unlike FID
they separate the two failure modes, so mode collapse shows as low recall at fair precision.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from benchmark.errors import ConfigError
from benchmark.metrics.generation import as_features, register_feature_set_metric

#: Neighbourhood size of the paper.
PR_K = 3
#: Rows of the distance matrix computed at once (bounds memory at large N).
CHUNK = 1024


def _distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Euclidean distances [len(a), len(b)] in float64."""
    return torch.cdist(a, b, compute_mode="donot_use_mm_for_euclid_dist")


def knn_radii(features: np.ndarray | torch.Tensor, k: int = PR_K) -> np.ndarray:
    """Distance from each vector to its k-th nearest neighbour in the same set (itself excluded)."""
    x = torch.from_numpy(as_features(features))
    if not 1 <= k < len(x):
        raise ConfigError(f"precision/recall: k must be in [1, {len(x) - 1}] for {len(x)} features, got {k}")
    radii = [_distances(x[i : i + CHUNK], x).kthvalue(k + 1, dim=1).values for i in range(0, len(x), CHUNK)]
    return torch.cat(radii).numpy()


def manifold_coverage(manifold: np.ndarray, radii: np.ndarray, queries: np.ndarray) -> float:
    """Fraction of ``queries`` within radius ``radii[j]`` of some ``manifold[j]``."""
    m, r = torch.from_numpy(manifold), torch.from_numpy(radii)
    q = torch.from_numpy(queries)
    inside = [(_distances(q[i : i + CHUNK], m) <= r).any(dim=1) for i in range(0, len(q), CHUNK)]
    return float(torch.cat(inside).double().mean())


def precision_recall(
    real: np.ndarray | torch.Tensor, fake: np.ndarray | torch.Tensor, k: int = PR_K
) -> tuple[float, float]:
    """(precision, recall) of ``fake`` against ``real`` features [N, D]."""
    real_a, fake_a = as_features(real, "real features"), as_features(fake, "generated features")
    if real_a.shape[1] != fake_a.shape[1]:
        raise ConfigError(f"feature dims differ: {real_a.shape[1]} real vs {fake_a.shape[1]} generated")
    precision = manifold_coverage(real_a, knn_radii(real_a, k), fake_a)
    recall = manifold_coverage(fake_a, knn_radii(fake_a, k), real_a)
    return precision, recall


def precision_recall_score(real: np.ndarray, fake: np.ndarray, k: int = PR_K) -> dict[str, Any]:
    """Precision and recall as a result record, with k."""
    precision, recall = precision_recall(real, fake, k)
    return {"improved_precision": precision, "improved_recall": recall, "pr_k": k}


register_feature_set_metric(
    "improved_precision",
    precision_recall_score,
    "Improved precision (and recall, in the same record) between real and generated image sets.",
    higher_is_better=True,
    description=f"fraction of generated features inside the real k-NN manifold (Kynkaenniemi et al. 2019, k={PR_K})",
)
register_feature_set_metric(
    "improved_recall",
    precision_recall_score,
    "Improved recall (and precision, in the same record) between real and generated image sets.",
    higher_is_better=True,
    description=f"fraction of real features inside the generated k-NN manifold (Kynkaenniemi et al. 2019, k={PR_K})",
)
