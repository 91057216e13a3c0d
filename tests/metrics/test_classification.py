"""Classification metrics and ``score_classification`` against scikit-learn on random and edge cases."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
    roc_auc_score,
)

from benchmark.errors import ConfigError
from benchmark.metrics import classification  # noqa: F401  (registers the metrics)
from benchmark.metrics.scoring import score_classification, score_multilabel
from benchmark.registry import METRICS

NAMES = ["accuracy", "auroc", "ece", "f1", "precision", "recall", "specificity"]


def sk_specificity(target: np.ndarray, pred: np.ndarray) -> float:
    """Macro tn / (tn + fp) over the classes present in target or prediction (sklearn's default label set)."""
    cm = confusion_matrix(target, pred)
    tp = np.diag(cm)
    fp = cm.sum(0) - tp
    tn = cm.sum() - cm.sum(1) - fp
    return float(np.mean(np.divide(tn, tn + fp, out=np.zeros(len(tp)), where=tn + fp > 0)))


def sk_auroc(target: np.ndarray, probs: np.ndarray) -> float:
    """Macro one-vs-rest AUROC; sklearn's own multiclass form when every class occurs, else per present class."""
    num_classes = probs.shape[1]
    if num_classes == 2 and len(np.unique(target)) == 2:
        return float(roc_auc_score(target, probs[:, 1]))
    if len(np.unique(target)) == num_classes:
        return float(roc_auc_score(target, probs, multi_class="ovr", average="macro"))
    present = [c for c in range(num_classes) if 0 < np.sum(target == c) < len(target)]
    return float(np.mean([roc_auc_score(target == c, probs[:, c]) for c in present]))


def np_ece(target: np.ndarray, probs: np.ndarray, bins: int = 15) -> float:
    """Expected calibration error from its definition: top-class confidence in equal-width bins [k/15, (k+1)/15)."""
    confidence, correct = probs.max(1), probs.argmax(1) == target
    index = np.minimum((confidence * bins).astype(int), bins - 1)
    total = 0.0
    for k in range(bins):
        inside = index == k
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total)


def sk_reference(target: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    pred = probs.argmax(1)
    return {
        "accuracy": accuracy_score(target, pred),
        "recall": recall_score(target, pred, average="macro", zero_division=0),
        "precision": precision_score(target, pred, average="macro", zero_division=0),
        "f1": f1_score(target, pred, average="macro", zero_division=0),
        "specificity": sk_specificity(target, pred),
        "auroc": sk_auroc(target, probs),
        "ece": np_ece(target, probs),
    }


def ours(target: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Every registered metric built from the registry and fed torch tensors directly."""
    values = {}
    for name in NAMES:
        metric = METRICS.get(name).obj(probs.shape[1])
        preds = probs if METRICS.get(name).meta["input"] == "probs" else probs.argmax(1)
        metric.update(torch.from_numpy(preds), torch.from_numpy(target))
        values[name] = float(metric.compute())
    return values


def random_case(seed: int, num_classes: int, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities that lean towards the target for about half the samples, so scores are neither 0.5 nor 1."""
    rng = np.random.default_rng(seed)
    target = rng.integers(0, num_classes, n)
    probs = rng.dirichlet(np.ones(num_classes), n)
    probs[np.arange(n), target] += rng.random(n) > 0.5
    return target, probs / probs.sum(1, keepdims=True)


def test_registered_names_and_metadata() -> None:
    assert METRICS.names(task="classification") == NAMES
    for name in NAMES:
        entry = METRICS.get(name)
        assert entry.meta["description"]
        assert entry.meta["input"] in {"labels", "probs"}
        assert entry.meta["higher_is_better"] is type(entry.obj(3)).higher_is_better is (name != "ece")


@pytest.mark.parametrize("num_classes", [2, 3, 4, 5])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_cases_match_sklearn(seed: int, num_classes: int) -> None:
    target, probs = random_case(seed, num_classes)
    assert ours(target, probs) == pytest.approx(sk_reference(target, probs), abs=1e-6)


def test_class_absent_from_targets_but_predicted() -> None:
    target, probs = random_case(3, 4)
    target[target == 3] = 0  # class 3 never a target, yet argmax predicts it
    assert 3 in probs.argmax(1)
    assert ours(target, probs) == pytest.approx(sk_reference(target, probs), abs=1e-6)


def test_class_absent_from_both_is_left_out_of_macro_means() -> None:
    """Hand-computed: class 2 never occurs, so means run over classes 0 and 1 (unlike sklearn's labels=range(3))."""
    target = np.array([0, 0, 1, 1])
    probs = np.array([[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1]])
    values = ours(target, probs)
    hand = {"accuracy": 0.75, "recall": 0.75, "precision": 5 / 6, "f1": (2 / 3 + 0.8) / 2, "specificity": 0.75}
    # ECE: confidences 0.8 (right), 0.6 (wrong), 0.7 and 0.8 (right) fall in bins {0.8, 0.8}, {0.6}, {0.7}
    assert values == pytest.approx({**hand, "auroc": 1, "ece": (2 * 0.2 + 0.6 + 0.3) / 4})
    assert values == pytest.approx(sk_reference(target, probs))
    pred = probs.argmax(1)
    assert recall_score(target, pred, average="macro", labels=[0, 1, 2], zero_division=0) == pytest.approx(0.5)


def test_all_predictions_one_class() -> None:
    target, probs = random_case(4, 3)
    probs = np.tile([0.2, 0.5, 0.3], (len(target), 1)) + np.linspace(0, 0.05, len(target))[:, None] * [1, -1, 0]
    assert set(probs.argmax(1)) == {1}
    values = ours(target, probs)
    assert values == pytest.approx(sk_reference(target, probs), abs=1e-6)
    assert values["recall"] == pytest.approx(1 / 3)


@pytest.mark.parametrize("seed", [0, 1])
def test_ties_in_scores(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = np.array([[0.5, 0.25, 0.25], [0.25, 0.5, 0.25], [0.25, 0.25, 0.5], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]])
    probs = rows[rng.integers(0, len(rows), 80)]
    target = rng.integers(0, 3, 80)
    assert ours(target, probs) == pytest.approx(sk_reference(target, probs), abs=1e-6)


def test_auroc_leaves_out_classes_without_positives() -> None:
    """torchmetrics would score class 2 (no positives) as 0 and average it in; ours averages classes 0 and 1."""
    target = np.array([0, 0, 1, 1, 0])
    probs = np.array([[0.7, 0.2, 0.1], [0.4, 0.5, 0.1], [0.3, 0.6, 0.1], [0.2, 0.2, 0.6], [0.6, 0.3, 0.1]])
    auc0 = roc_auc_score(target == 0, probs[:, 0])
    auc1 = roc_auc_score(target == 1, probs[:, 1])
    assert ours(target, probs)["auroc"] == pytest.approx((auc0 + auc1) / 2)


def test_auroc_undefined_for_a_single_target_class() -> None:
    target = np.zeros(4, dtype=np.int64)
    probs = np.array([[0.7, 0.3], [0.4, 0.6], [0.9, 0.1], [0.5, 0.5]])
    assert np.isnan(ours(target, probs)["auroc"])
    result = score_classification(target, probs=probs)
    assert "auroc" not in result["metrics"]
    assert result["protocol"]["auroc"].startswith("omitted: undefined")


def test_metrics_accumulate_over_batches() -> None:
    target, probs = random_case(5, 4)
    for name in NAMES:
        metric = METRICS.get(name).obj(4)
        preds = probs if METRICS.get(name).meta["input"] == "probs" else probs.argmax(1)
        for part in (slice(0, 25), slice(25, None)):
            metric.update(torch.from_numpy(preds[part]), torch.from_numpy(target[part]))
        assert float(metric.compute()) == pytest.approx(ours(target, probs)[name], abs=1e-6), name


@pytest.mark.parametrize("num_classes", [2, 4])
def test_score_classification_matches_sklearn(num_classes: int) -> None:
    target, probs = random_case(6, num_classes)
    result = score_classification(target, probs=probs)
    assert result["metrics"] == pytest.approx(sk_reference(target, probs), abs=1e-6)
    pred = probs.argmax(1)
    assert result["confusion_matrix"] == confusion_matrix(target, pred, labels=range(num_classes)).tolist()
    assert result["per_class"]["recall"] == pytest.approx(recall_score(target, pred, average=None, zero_division=0))
    assert result["per_class"]["f1"] == pytest.approx(f1_score(target, pred, average=None, zero_division=0))
    assert result["protocol"] == {
        **result["protocol"],
        "task": "classification",
        "n": len(target),
        "num_classes": num_classes,
        "prediction": "argmax of probs",
    }


def test_per_class_values_average_to_the_macro_metrics() -> None:
    target, probs = random_case(7, 5)
    target[target == 4] = 0
    probs[:, 0] += probs[:, 4]
    probs[:, 4] = 0  # class 4 absent from both: null per class, out of the means
    result = score_classification(target, probs=probs)
    for name, values in result["per_class"].items():
        assert values[4] is None
        assert result["metrics"][name] == pytest.approx(np.mean(values[:4]), abs=1e-6), name


def test_labels_only_omits_auroc() -> None:
    target, probs = random_case(8, 3)
    result = score_classification(target, labels=probs.argmax(1))
    assert "auroc" not in result["metrics"] and "auroc" not in result["per_class"]
    assert result["protocol"]["auroc"] == "omitted: no probabilities"
    assert result["protocol"]["prediction"] == "labels"
    expected = sk_reference(target, probs)
    del expected["auroc"], expected["ece"]
    assert result["metrics"] == pytest.approx(expected, abs=1e-6)


def test_labels_take_precedence_over_probs_for_decisions() -> None:
    target, probs = random_case(9, 3)
    labels = (probs.argmax(1) + 1) % 3
    result = score_classification(target, probs=probs, labels=labels)
    assert result["metrics"]["accuracy"] == pytest.approx(accuracy_score(target, labels))
    assert result["metrics"]["auroc"] == pytest.approx(sk_auroc(target, probs), abs=1e-6)


def test_probabilities_within_rounding_of_the_bounds_are_clipped_not_softmaxed() -> None:
    """A softmax of these rows would change the one-vs-rest ranking (AUROC 0.875 instead of 0.7917)."""
    target = np.array([0, 1, 2, 0, 1, 2])
    probs = np.array(
        [
            [1 + 1e-6, -1e-6, 0],
            [0.21, 0.79, 0],
            [0.75, 0.25, 0],
            [0.4, 0.04, 0.56],
            [0.04, 0.93, 0.03],
            [0.29, 0.24, 0.47],
        ]
    )
    expected = roc_auc_score(target, np.clip(probs, 0, 1), multi_class="ovr")
    assert score_classification(target, probs=probs)["metrics"]["auroc"] == pytest.approx(expected)


def test_num_classes_defaults_and_override() -> None:
    target = np.array([0, 1, 1, 0])
    assert score_classification(target, labels=np.array([0, 1, 0, 0]))["protocol"]["num_classes"] == 2
    result = score_classification(target, labels=np.array([0, 1, 0, 0]), num_classes=4)
    assert result["protocol"]["num_classes"] == 4
    assert result["per_class"]["recall"][2:] == [None, None]


GOOD_TARGET = np.array([0, 1, 2, 1])
GOOD_PROBS = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.3, 0.4]])


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"probs": GOOD_PROBS * 3}, "pred['probs'] has values outside [0, 1]"),
        ({"probs": GOOD_PROBS * 0.9}, "pred['probs'] row 0 sums to 0.9"),
        ({"probs": np.where(GOOD_PROBS == 0.8, np.nan, GOOD_PROBS)}, "pred['probs'] contains NaN"),
        ({"probs": GOOD_PROBS[:3]}, "pred['probs'] has 3 rows but target['labels'] has 4"),
        ({"probs": GOOD_PROBS[0]}, "pred['probs'] has shape (3,); expected probabilities [N, C]"),
        ({"probs": GOOD_PROBS, "num_classes": 4}, "num_classes is 4 but pred['probs'] has 3 columns"),
        ({"labels": np.array([0, 1, 3, 1]), "num_classes": 3}, "pred['labels'] holds class 3 but num_classes is 3"),
        ({"labels": np.array([0, 1, -1, 1])}, "pred['labels'] holds negative class -1"),
        ({"labels": np.array([0.0, 1.0, 2.0, 1.0])}, "pred['labels'] has dtype float64"),
        ({"labels": np.zeros((0,), dtype=int)}, "pred['labels'] is empty"),
        ({}, "pred has neither 'probs' nor 'labels'"),
    ],
)
def test_bad_input_raises_one_line(kwargs: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        score_classification(GOOD_TARGET, **kwargs)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value) and "expected" in str(info.value)


def test_single_class_without_num_classes_is_refused() -> None:
    with pytest.raises(ConfigError, match="num_classes is 1; expected at least 2"):
        score_classification(np.zeros(3, dtype=int), labels=np.zeros(3, dtype=int))


def test_target_out_of_range_names_the_target() -> None:
    with pytest.raises(ConfigError, match=r"target\['labels'\] holds class 3 but num_classes is 3"):
        score_classification(np.array([0, 1, 3]), probs=GOOD_PROBS[:3])


def medmnist_reference(target: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """MedMNIST v2's evaluator for multi-label tasks, written out with scikit-learn."""
    labels = range(target.shape[1])
    return {
        "multilabel_auroc": float(np.mean([roc_auc_score(target[:, i], scores[:, i]) for i in labels])),
        "multilabel_accuracy": float(np.mean([accuracy_score(target[:, i], scores[:, i] > 0.5) for i in labels])),
    }


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_multilabel_matches_medmnist_evaluator(seed: int) -> None:
    rng = np.random.default_rng(seed)
    target = rng.integers(0, 2, (70, 5))
    scores = np.clip(0.35 * target + 0.65 * rng.random((70, 5)), 0, 1)
    scores[:6] = 0.5  # ties, and scores exactly at the threshold count as negative
    result = score_multilabel(target, scores)
    assert result["metrics"] == pytest.approx(medmnist_reference(target, scores), abs=1e-6)
    per_label = [accuracy_score(target[:, i], scores[:, i] > 0.5) for i in range(5)]
    assert result["per_label"]["multilabel_accuracy"] == pytest.approx(per_label)
    assert result["protocol"]["num_labels"] == 5 and result["protocol"]["task"] == "multilabel"


def test_multilabel_label_without_positives_is_left_out_of_auc() -> None:
    rng = np.random.default_rng(3)
    target = rng.integers(0, 2, (40, 3))
    target[:, 1] = 0
    scores = rng.random((40, 3))
    result = score_multilabel(target, scores)
    kept = [roc_auc_score(target[:, i], scores[:, i]) for i in (0, 2)]
    assert result["metrics"]["multilabel_auroc"] == pytest.approx(np.mean(kept))
    assert result["per_label"]["multilabel_auroc"][1] is None
    all_negative = score_multilabel(np.zeros((4, 2), dtype=int), scores[:4, :2])
    assert "multilabel_auroc" not in all_negative["metrics"]
    assert all_negative["metrics"]["multilabel_accuracy"] == pytest.approx(np.mean(scores[:4, :2] <= 0.5))


@pytest.mark.parametrize(
    ("target", "scores", "fragment"),
    [
        (np.array([[0, 2], [1, 0]]), np.full((2, 2), 0.5), "target['labels'] holds value 2"),
        (np.array([[0, 1], [1, 0]]), np.full((2, 3), 0.5), "has shape (2, 3) but target['labels'] has (2, 2)"),
        (np.array([[0, 1], [1, 0]]), np.full((2, 2), 3.0), "outside [0, 1]; expected per-label probabilities"),
    ],
)
def test_multilabel_bad_input_raises_one_line(target: np.ndarray, scores: np.ndarray, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        score_multilabel(target, scores)
    assert fragment in str(info.value) and "\n" not in str(info.value)
