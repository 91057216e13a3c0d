"""Segmentation metrics and ``score_segmentation`` against a numpy reference on random and edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from benchmark.errors import ConfigError
from benchmark.metrics import scoring, segmentation  # noqa: F401  (registers the metrics)
from benchmark.metrics.scoring import score_segmentation
from benchmark.registry import METRICS

NAMES = ["dice", "hd95", "iou", "pixel_accuracy"]
RATIOS = ["dice", "iou", "pixel_accuracy"]  # count ratios in [0, 1]; hd95 is a distance


def brute_edges(mask: np.ndarray) -> np.ndarray:
    """Mask pixels with a face neighbour outside the mask or outside the image."""
    padded = np.pad(mask, 1)
    inner = np.ones(mask.shape, dtype=bool)
    for axis in range(mask.ndim):
        for shift in (-1, 1):
            inner &= np.roll(padded, shift, axis=axis)[tuple(slice(1, -1) for _ in range(mask.ndim))]
    return mask & ~inner


def brute_hd95(pred: np.ndarray, target: np.ndarray) -> float:
    """Symmetric HD95 by pairwise distances between edge pixels; diagonal when one mask is empty."""
    if not pred.any() and not target.any():
        return math.nan
    if not pred.any() or not target.any():
        return math.sqrt(sum(s * s for s in pred.shape))
    a, b = np.argwhere(brute_edges(pred)), np.argwhere(brute_edges(target))
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    return float(max(np.percentile(d.min(1), 95), np.percentile(d.min(0), 95)))


def np_reference(target: np.ndarray, pred: np.ndarray, num_classes: int, include_background: bool) -> dict[str, float]:
    """Pooled per-class counts; mean over scored classes present in either mask; NaN when nothing is scored."""
    t, p = target.ravel(), pred.ravel()
    first = 0 if include_background else 1
    ious, dices = [], []
    for c in range(first, num_classes):
        tp = np.sum((t == c) & (p == c))
        fp = np.sum((t != c) & (p == c))
        fn = np.sum((t == c) & (p != c))
        if tp + fp + fn:
            ious.append(tp / (tp + fp + fn))
            dices.append(2 * tp / (2 * tp + fp + fn))
    counted = t >= first
    hd_per_class = []
    for c in range(first, num_classes):
        values = [brute_hd95(p_i == c, t_i == c) for p_i, t_i in zip(pred, target)]
        values = [v for v in values if not math.isnan(v)]
        if values:
            hd_per_class.append(np.mean(values))
    return {
        "hd95": float(np.mean(hd_per_class)) if hd_per_class else math.nan,
        "iou": float(np.mean(ious)) if ious else math.nan,
        "dice": float(np.mean(dices)) if dices else math.nan,
        "pixel_accuracy": float(np.mean(p[counted] == t[counted])) if counted.any() else math.nan,
    }


def ours(target: np.ndarray, pred: np.ndarray, num_classes: int, include_background: bool) -> dict[str, float]:
    """Every registered metric built from the registry and fed torch tensors directly."""
    values = {}
    for name in NAMES:
        metric = METRICS.get(name).obj(num_classes, include_background)
        metric.update(torch.from_numpy(pred), torch.from_numpy(target))
        values[name] = float(metric.compute())
    return values


def random_masks(seed: int, shape: tuple[int, ...], num_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """A target and a prediction that agrees with it on about 60 % of the pixels."""
    rng = np.random.default_rng(seed)
    target = rng.integers(0, num_classes, shape)
    pred = np.where(rng.random(shape) < 0.6, target, rng.integers(0, num_classes, shape))
    return target, pred


def test_registered_names_and_metadata() -> None:
    assert METRICS.names(task="segmentation") == NAMES
    for name in NAMES:
        entry = METRICS.get(name)
        assert entry.meta["description"]
        expected = name in RATIOS
        assert entry.meta["higher_is_better"] is type(entry.obj(3)).higher_is_better is expected


@pytest.mark.parametrize("include_background", [False, True])
@pytest.mark.parametrize("num_classes", [2, 3, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_2d_masks_match_reference(seed: int, num_classes: int, include_background: bool) -> None:
    target, pred = random_masks(seed, (3, 16, 16), num_classes)
    expected = np_reference(target, pred, num_classes, include_background)
    assert ours(target, pred, num_classes, include_background) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("include_background", [False, True])
def test_random_3d_masks_match_reference(include_background: bool) -> None:
    target, pred = random_masks(3, (2, 4, 8, 8), 4)
    expected = np_reference(target, pred, 4, include_background)
    assert ours(target, pred, 4, include_background) == pytest.approx(expected, abs=1e-6)


def test_perfect_prediction_scores_one() -> None:
    target, _ = random_masks(4, (2, 8, 8), 3)
    assert ours(target, target.copy(), 3, False) == pytest.approx({**{name: 1.0 for name in RATIOS}, "hd95": 0.0})


def test_inverse_prediction_scores_zero() -> None:
    target, _ = random_masks(5, (2, 8, 8), 2)
    for include_background in (False, True):
        values = ours(target, 1 - target, 2, include_background)
        assert {name: values[name] for name in RATIOS} == pytest.approx({name: 0.0 for name in RATIOS})
        assert values["hd95"] >= 1.0


def test_empty_foreground_in_both_is_undefined() -> None:
    empty = np.zeros((2, 8, 8), dtype=np.int64)
    assert all(math.isnan(value) for value in ours(empty, empty, 2, False).values())
    assert ours(empty, empty, 2, True) == pytest.approx({**{name: 1.0 for name in RATIOS}, "hd95": 0.0})
    result = score_segmentation(empty, empty)
    assert result["metrics"] == {}
    assert all(result["protocol"][name].startswith("omitted: undefined") for name in NAMES)
    assert result["protocol"]["classes_scored"] == []


def test_class_absent_from_both_is_left_out_of_the_mean() -> None:
    """Hand-computed: classes 2 and 3 never occur, so the mean is class 1's score alone, not a third of it."""
    target = np.array([[[1, 1], [0, 0]]])
    pred = np.array([[[1, 0], [0, 0]]])
    # hd95, class 1: target edge {(0,0), (0,1)}, predicted {(0,0)}: P95 of [0, 1] is 0.95; background: P95 of the
    # predicted L's distances [0, 0, 1] is 0.9
    assert ours(target, pred, 4, False) == pytest.approx(
        {"iou": 0.5, "dice": 2 / 3, "pixel_accuracy": 0.5, "hd95": 0.95}
    )
    assert ours(target, pred, 4, True) == pytest.approx(
        {"iou": (0.5 + 2 / 3) / 2, "dice": (2 / 3 + 0.8) / 2, "pixel_accuracy": 0.75, "hd95": (0.95 + 0.9) / 2}
    )


def test_class_only_in_prediction_counts_as_zero() -> None:
    target = np.array([[[1, 1], [0, 0]]])
    pred = np.array([[[1, 1], [2, 0]]])
    # hd95: class 1 exact (0); class 2 only predicted: the 2x2 image diagonal
    assert ours(target, pred, 3, False) == pytest.approx(
        {"iou": 0.5, "dice": 0.5, "pixel_accuracy": 1.0, "hd95": math.sqrt(8) / 2}
    )


def test_metrics_accumulate_over_batches() -> None:
    target, pred = random_masks(6, (4, 8, 8), 3)
    for name in NAMES:
        metric = METRICS.get(name).obj(3)
        for part in (slice(0, 1), slice(1, None)):
            metric.update(torch.from_numpy(pred[part]), torch.from_numpy(target[part]))
        assert float(metric.compute()) == pytest.approx(np_reference(target, pred, 3, False)[name], abs=1e-6)


@pytest.mark.parametrize("include_background", [False, True])
def test_score_segmentation_matches_reference(include_background: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "CHUNK_ELEMENTS", 300)  # 5 samples of 8x8x3 one-hot: one sample per update
    target, pred = random_masks(7, (5, 8, 8), 3)
    pred[pred == 2] = 1  # class 2 only in the target
    result = score_segmentation(target.astype(np.uint8), pred.astype(np.int32), include_background=include_background)
    assert result["metrics"] == pytest.approx(np_reference(target, pred, 3, include_background), abs=1e-6)
    assert result["protocol"] == {
        **result["protocol"],
        "task": "segmentation",
        "n": 5,
        "spatial_shape": [8, 8],
        "num_classes": 3,
        "include_background": include_background,
        "classes_scored": [0, 1, 2] if include_background else [1, 2],
    }


def test_score_segmentation_accepts_boolean_3d_masks() -> None:
    target, pred = random_masks(8, (2, 3, 6, 6), 2)
    result = score_segmentation(target.astype(bool), pred.astype(bool))
    assert result["metrics"] == pytest.approx(np_reference(target, pred, 2, False), abs=1e-6)


def test_num_classes_override_leaves_absent_classes_out() -> None:
    target, pred = random_masks(9, (2, 8, 8), 3)
    result = score_segmentation(target, pred, num_classes=6)
    assert result["protocol"]["classes_scored"] == [1, 2]
    assert result["metrics"] == pytest.approx(np_reference(target, pred, 3, False), abs=1e-6)


MASK = np.zeros((2, 4, 4), dtype=np.int64)


@pytest.mark.parametrize(
    ("target", "pred", "kwargs", "fragment"),
    [
        (MASK, MASK[:, :3], {}, "pred['masks'] has shape (2, 3, 4) but target['masks'] has (2, 4, 4)"),
        (MASK, MASK.astype(float), {}, "pred['masks'] has dtype float64"),
        (MASK, MASK + 3, {"num_classes": 3}, "pred['masks'] holds class 3 but num_classes is 3"),
        (MASK - 1, MASK, {}, "target['masks'] holds negative class -1"),
        (MASK[0], MASK[0], {}, "target['masks'] has shape (4, 4); expected integer masks [N, H, W] or [N, D, H, W]"),
        (MASK[:0], MASK[:0], {}, "target['masks'] is empty"),
        (MASK, MASK, {"num_classes": 1}, "num_classes is 1; expected at least 2"),
    ],
)
def test_bad_input_raises_one_line(target: np.ndarray, pred: np.ndarray, kwargs: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        score_segmentation(target, pred, **kwargs)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value) and "expected" in str(info.value)


@pytest.mark.parametrize("seed", range(3))
def test_hd95_matches_monai(seed: int) -> None:
    monai_metrics = pytest.importorskip("monai.metrics")
    rng = np.random.default_rng(seed)
    target = np.zeros((3, 20, 20), dtype=np.int64)
    pred = np.zeros_like(target)
    for i in range(3):
        y, x = rng.integers(2, 9, size=2)
        target[i, y : y + 8, x : x + 9] = 1
        pred[i, y + rng.integers(-2, 3) : y + 7, x : x + rng.integers(5, 11)] = 1
    onehot = [torch.from_numpy(np.eye(2)[m]).permute(0, 3, 1, 2) for m in (pred, target)]
    expected = monai_metrics.compute_hausdorff_distance(*onehot, percentile=95).mean().item()
    assert ours(target, pred, 2, False)["hd95"] == pytest.approx(expected, rel=1e-6)


def test_score_segmentation_reports_per_class_scores() -> None:
    target, pred = random_masks(10, (3, 8, 8), 4)
    pred[pred == 3] = 2
    target[target == 3] = 2  # class 3 in neither mask
    result = score_segmentation(target, pred, num_classes=4)
    per_class = result["per_class"]
    assert per_class["dice"][0] is None and per_class["dice"][3] is None and per_class["hd95"][3] is None
    for c in (1, 2):
        single = np_reference(np.where(target == c, 1, 0), np.where(pred == c, 1, 0), 2, False)
        assert per_class["dice"][c] == pytest.approx(single["dice"])
        assert per_class["iou"][c] == pytest.approx(single["iou"])
        assert per_class["hd95"][c] == pytest.approx(single["hd95"])
    assert np.mean(per_class["dice"][1:3]) == pytest.approx(result["metrics"]["dice"])
