"""Score saved predictions against targets: validated numpy arrays in, a JSON-ready result dict out.

Metrics are built from the ``METRICS`` registry, the single source of names: every metric registered for a task is
reported. A metric that is undefined on the given input (NaN) is left out of ``metrics`` and the reason is recorded
under its name in ``protocol``. Bad input raises ``ConfigError`` with one line naming the array (``source['key']``),
the problem and what is expected; ``sources`` names where prediction and target came from (file paths for
``score_files``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torchmetrics import Metric
from torchmetrics.classification import MulticlassConfusionMatrix

from benchmark.errors import ConfigError, UnknownNameError
from benchmark.metrics import classification, regression, segmentation  # noqa: F401  (importing registers them)
from benchmark.metrics.classification import PresentClassAUROC, PresentLabelAUROC
from benchmark.metrics.segmentation import HausdorffDistance95
from benchmark.registry import METRICS

TASKS = ("classification", "segmentation", "regression")
#: Largest accepted ``|row sum - 1|`` of a probability row.
PROB_SUM_TOLERANCE = 1e-3
#: Mask elements times classes fed to the segmentation metrics per update (Dice one-hot encodes), bounding memory.
CHUNK_ELEMENTS = 2**22
MASKS = "integer masks [N, H, W] or [N, D, H, W]"

Sources = tuple[str, str]


def _require(ok: bool, message: str) -> None:
    """Raise ``ConfigError(message)`` unless ``ok``."""
    if not ok:
        raise ConfigError(message)


def _shaped(array: Any, where: str, ndims: tuple[int, ...], expected: str) -> np.ndarray:
    """``array`` as a non-empty ndarray with one of ``ndims`` dimensions."""
    array = np.asarray(array)
    _require(array.ndim in ndims, f"{where} has shape {array.shape}; expected {expected}")
    _require(array.size > 0, f"{where} is empty (shape {array.shape}); expected {expected}")
    return array


def _indices(array: Any, where: str, ndims: tuple[int, ...], expected: str) -> np.ndarray:
    """Non-negative integer class indices (booleans become 0/1)."""
    array = _shaped(array, where, ndims, expected)
    if array.dtype == bool:
        array = array.astype(np.uint8)
    _require(np.issubdtype(array.dtype, np.integer), f"{where} has dtype {array.dtype}; expected {expected}")
    _require(int(array.min()) >= 0, f"{where} holds negative class {int(array.min())}; expected {expected}")
    return array


def _reals(array: Any, where: str, ndims: tuple[int, ...], expected: str) -> np.ndarray:
    """Finite real numbers as float64."""
    array = _shaped(array, where, ndims, expected)
    numeric = np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    _require(numeric, f"{where} has dtype {array.dtype}; expected {expected}")
    array = array.astype(np.float64)
    _require(bool(np.isfinite(array).all()), f"{where} contains NaN or infinite values; expected finite {expected}")
    return array


def _checked_probs(probs: np.ndarray, where: str) -> np.ndarray:
    """Probabilities, within ``PROB_SUM_TOLERANCE`` of [0, 1] and of row sums 1, clipped to [0, 1].

    Logits are refused, not softmaxed; clipping matters because torchmetrics softmaxes any input outside [0, 1].
    """
    hint = "apply softmax to logits before saving"
    tol = PROB_SUM_TOLERANCE
    in_range = bool(((probs >= -tol) & (probs <= 1 + tol)).all())
    _require(in_range, f"{where} has values outside [0, 1]; expected probabilities ({hint})")
    deviation = np.abs(probs.sum(axis=1) - 1)
    row = int(deviation.argmax())
    _require(
        deviation[row] <= tol,
        f"{where} row {row} sums to {probs[row].sum():.6g}; expected probabilities summing to 1 per row ({hint})",
    )
    return np.clip(probs, 0.0, 1.0)


def _check_range(labels: np.ndarray, num_classes: int, where: str) -> None:
    """Every class index below ``num_classes``."""
    top = int(labels.max())
    _require(
        top < num_classes, f"{where} holds class {top} but num_classes is {num_classes}; expected 0..{num_classes - 1}"
    )


def _check_num_classes(num_classes: int) -> None:
    _require(num_classes >= 2, f"num_classes is {num_classes}; expected at least 2 (set it when only class 0 occurs)")


def _same_length(pred: np.ndarray, pred_where: str, target: np.ndarray, target_where: str) -> None:
    _require(
        len(pred) == len(target),
        f"{pred_where} has {len(pred)} rows but {target_where} has {len(target)}; expected one prediction per target",
    )


def _same_shape(pred: np.ndarray, pred_where: str, target: np.ndarray, target_where: str) -> None:
    _require(
        pred.shape == target.shape,
        f"{pred_where} has shape {pred.shape} but {target_where} has {target.shape}; expected the same shape",
    )


def _compute(metric: Metric, preds: torch.Tensor, target: torch.Tensor) -> float:
    """The value of ``metric`` on one batch, with float64 states (sums over many values lose digits in float32)."""
    metric.set_dtype(torch.float64)
    metric.update(preds, target)
    return float(metric.compute())


def _split_undefined(values: dict[str, float], reason: str) -> tuple[dict[str, float], dict[str, str]]:
    """Defined values, and a protocol note for each NaN one."""
    defined = {name: value for name, value in values.items() if not np.isnan(value)}
    notes = {name: f"omitted: undefined, {reason}" for name in values if name not in defined}
    return defined, notes


def _none_where(values: np.ndarray, missing: np.ndarray) -> list[float | None]:
    """JSON list of ``values`` with ``None`` where ``missing``."""
    return [None if gone else float(value) for value, gone in zip(values, missing)]


def _per_class(confmat: np.ndarray) -> dict[str, list[float | None]]:
    """Per-class recall, precision, F1 and specificity from the confusion matrix (rows target, columns prediction).

    Zero divisions count as 0, as in the macro metrics; classes absent from both target and prediction are None.
    """
    tp = np.diag(confmat).astype(np.float64)
    fp = confmat.sum(axis=0) - tp
    fn = confmat.sum(axis=1) - tp
    tn = confmat.sum() - tp - fp - fn
    absent = tp + fp + fn == 0

    def ratio(num: np.ndarray, den: np.ndarray) -> list[float | None]:
        return _none_where(np.divide(num, den, out=np.zeros_like(num), where=den > 0), absent)

    return {
        "recall": ratio(tp, tp + fn),
        "precision": ratio(tp, tp + fp),
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
        "specificity": ratio(tn, tn + fp),
    }


def _classification_num_classes(
    num_classes: int | None, target: np.ndarray, probs: np.ndarray | None, labels: np.ndarray | None, where: str
) -> int:
    """``num_classes`` checked against, or else taken from, the probability columns or the largest label."""
    if probs is not None:
        columns = probs.shape[1]
        _require(
            num_classes is None or num_classes == columns,
            f"num_classes is {num_classes} but {where} has {columns} columns; expected one column per class",
        )
        return columns
    if num_classes is not None:
        return num_classes
    return max(int(target.max()), int(labels.max())) + 1


def score_classification(
    target: np.ndarray,
    *,
    probs: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    num_classes: int | None = None,
    sources: Sources = ("pred", "target"),
) -> dict[str, Any]:
    """Score multiclass predictions: ``probs`` [N, C] (probabilities, not logits) and/or ``labels`` [N].

    Threshold metrics use ``labels`` when given, else the argmax of ``probs``; AUROC needs ``probs`` and is omitted
    without them. ``num_classes`` defaults to ``probs.shape[1]``, else the largest label + 1.
    """
    pred_src, target_src = sources
    target_where = f"{target_src}['labels']"
    target = _indices(target, target_where, (1,), "integer class labels [N]")
    _require(
        probs is not None or labels is not None,
        f"{pred_src} has neither 'probs' nor 'labels'; expected probabilities [N, C] or class labels [N]",
    )
    probs_where, labels_where = f"{pred_src}['probs']", f"{pred_src}['labels']"
    if probs is not None:
        probs = _reals(probs, probs_where, (2,), "probabilities [N, C]")
        _same_length(probs, probs_where, target, target_where)
        probs = _checked_probs(probs, probs_where)
    if labels is not None:
        labels = _indices(labels, labels_where, (1,), "integer class labels [N]")
        _same_length(labels, labels_where, target, target_where)
    num_classes = _classification_num_classes(num_classes, target, probs, labels, probs_where)
    _check_num_classes(num_classes)
    _check_range(target, num_classes, target_where)
    if labels is not None:
        _check_range(labels, num_classes, labels_where)
    decided = labels if labels is not None else probs.argmax(axis=1)

    target_t = torch.from_numpy(target.astype(np.int64))
    inputs = {
        "labels": torch.from_numpy(decided.astype(np.int64)),
        "probs": None if probs is None else torch.from_numpy(probs),
    }
    values: dict[str, float] = {}
    notes: dict[str, str] = {}
    per_class_auroc: dict[str, list[float | None]] = {}
    for name in METRICS.names(task="classification"):
        preds = inputs[METRICS.get(name).meta["input"]]
        if preds is None:
            notes[name] = "omitted: no probabilities"
            continue
        metric = METRICS.get(name).obj(num_classes)
        values[name] = _compute(metric, preds, target_t)
        if isinstance(metric, PresentClassAUROC):
            scores = metric.per_class().numpy()
            per_class_auroc[name] = _none_where(scores, np.isnan(scores))
    values, undefined = _split_undefined(values, "no class has both positive and negative target samples")

    confusion = MulticlassConfusionMatrix(num_classes=num_classes)
    confusion.update(inputs["labels"], target_t)
    confmat = confusion.compute().numpy()
    return {
        "metrics": values,
        "per_class": {**_per_class(confmat), **per_class_auroc},
        "confusion_matrix": confmat.tolist(),
        "protocol": {
            "task": "classification",
            "n": len(target),
            "num_classes": num_classes,
            "average": "macro (accuracy: micro, the fraction of correct predictions)",
            "absent_classes": "a class absent from target and prediction is left out of macro means (null per class)",
            "zero_division": 0,
            "prediction": "labels" if labels is not None else "argmax of probs",
            "confusion_matrix": "rows: target class, columns: predicted class",
            **notes,
            **undefined,
        },
    }


def score_multilabel(target: np.ndarray, probs: np.ndarray, *, sources: Sources = ("pred", "target")) -> dict[str, Any]:
    """Score multi-label scores ``probs`` [N, L] in [0, 1] against 0/1 targets [N, L] by MedMNIST's rules.

    Every metric registered for task ``multilabel`` is reported (AUC: mean per-label AUROC; ACC: mean per-label
    accuracy at 0.5), with the per-label values; a label without positive and negative targets is left out of AUC.
    """
    pred_where, target_where = f"{sources[0]}['probs']", f"{sources[1]}['labels']"
    expected = "0/1 label indicators [N, L]"
    target = _indices(target, target_where, (2,), expected)
    _require(int(target.max()) <= 1, f"{target_where} holds value {int(target.max())}; expected {expected}")
    probs = _reals(probs, pred_where, (2,), "scores [N, L] in [0, 1]")
    _same_shape(probs, pred_where, target, target_where)
    tol = PROB_SUM_TOLERANCE
    _require(
        bool(((probs >= -tol) & (probs <= 1 + tol)).all()),
        f"{pred_where} has values outside [0, 1]; expected per-label probabilities (apply sigmoid to logits)",
    )
    probs_t, target_t = torch.from_numpy(np.clip(probs, 0.0, 1.0)), torch.from_numpy(target.astype(np.int64))
    values: dict[str, float] = {}
    per_label: dict[str, list[float | None]] = {}
    for name in METRICS.names(task="multilabel"):
        metric = METRICS.get(name).obj(target.shape[1])
        values[name] = _compute(metric, probs_t, target_t)
        if isinstance(metric, PresentLabelAUROC):
            scores = metric.per_label().numpy()
            per_label[name] = _none_where(scores, np.isnan(scores))
    per_label["multilabel_accuracy"] = ((probs > 0.5) == target.astype(bool)).mean(axis=0).tolist()
    values, undefined = _split_undefined(values, "no label has both positive and negative target samples")
    return {
        "metrics": values,
        "per_label": per_label,
        "protocol": {
            "task": "multilabel",
            "n": len(target),
            "num_labels": target.shape[1],
            "rules": "MedMNIST v2 evaluator: AUC = mean per-label AUROC, ACC = mean per-label accuracy at score > 0.5",
            "undefined_labels": "a label without positive and negative targets is left out of the AUC mean",
            **undefined,
        },
    }


def _chunks(n: int, sample_elements: int) -> list[slice]:
    """Consecutive sample slices holding about ``CHUNK_ELEMENTS`` elements each (at least one sample)."""
    step = max(1, CHUNK_ELEMENTS // sample_elements)
    return [slice(start, start + step) for start in range(0, n, step)]


def _segmentation_per_class(confmat: np.ndarray, first: int) -> dict[str, list[float | None]]:
    """Pooled Dice and IoU per class from the confusion matrix; None for unscored classes (below ``first``, or
    absent from both masks)."""
    tp = np.diag(confmat).astype(np.float64)
    union = confmat.sum(axis=0) + confmat.sum(axis=1) - tp
    missing = union == 0
    missing[:first] = True
    safe = np.where(missing, 1.0, union)
    return {"dice": _none_where(2 * tp / (safe + tp), missing), "iou": _none_where(tp / safe, missing)}


def score_segmentation(
    target: np.ndarray,
    pred: np.ndarray,
    *,
    num_classes: int | None = None,
    include_background: bool = False,
    sources: Sources = ("pred", "target"),
) -> dict[str, Any]:
    """Score integer masks [N, H, W] or [N, D, H, W] by the rule of ``benchmark.metrics.segmentation``.

    ``num_classes`` defaults to the largest class in either mask + 1, and at least 2 (background plus one class).
    """
    pred_where, target_where = f"{sources[0]}['masks']", f"{sources[1]}['masks']"
    target = _indices(target, target_where, (3, 4), MASKS)
    pred = _indices(pred, pred_where, (3, 4), MASKS)
    _same_shape(pred, pred_where, target, target_where)
    if num_classes is None:
        num_classes = max(2, int(target.max()) + 1, int(pred.max()) + 1)
    _check_num_classes(num_classes)
    _check_range(target, num_classes, target_where)
    _check_range(pred, num_classes, pred_where)

    names = METRICS.names(task="segmentation")
    metrics = {name: METRICS.get(name).obj(num_classes, include_background) for name in names}
    for metric in metrics.values():
        metric.set_dtype(torch.float64)
    confusion = MulticlassConfusionMatrix(num_classes=num_classes)
    for part in _chunks(len(target), target[0].size * num_classes):
        pred_t, target_t = (torch.from_numpy(masks[part].astype(np.int64)) for masks in (pred, target))
        for metric in [*metrics.values(), confusion]:
            metric.update(pred_t, target_t)
    values = {name: float(metric.compute()) for name, metric in metrics.items()}
    values, undefined = _split_undefined(values, "no scored class occurs in the masks")
    counts = np.bincount(target.ravel(), minlength=num_classes) + np.bincount(pred.ravel(), minlength=num_classes)
    first = 0 if include_background else 1
    per_class = _segmentation_per_class(confusion.compute().numpy(), first)
    per_class.update(
        {
            name: _none_where(scores, np.isnan(scores))
            for name, metric in metrics.items()
            if isinstance(metric, HausdorffDistance95)
            for scores in [metric.per_class().numpy()]
        }
    )
    return {
        "metrics": values,
        "per_class": per_class,
        "protocol": {
            "task": "segmentation",
            "n": len(target),
            "spatial_shape": list(target.shape[1:]),
            "num_classes": num_classes,
            "include_background": include_background,
            "average": "macro",
            "aggregation": "global: pixel counts pooled over all samples before each ratio",
            "absent_classes": "a class absent from both target and prediction is left out of the mean",
            "pixels_counted": "all" if include_background else "pixels whose target class is not background",
            "classes_scored": [c for c in range(first, num_classes) if counts[c] > 0],
            **undefined,
        },
    }


def score_regression(target: np.ndarray, pred: np.ndarray, *, sources: Sources = ("pred", "target")) -> dict[str, Any]:
    """Score real-valued predictions [N] against targets [N]; errors are pooled over all values."""
    pred_where, target_where = f"{sources[0]}['values']", f"{sources[1]}['values']"
    target = _reals(target, target_where, (1,), "real values [N]")
    pred = _reals(pred, pred_where, (1,), "real values [N]")
    _same_shape(pred, pred_where, target, target_where)
    pred_t, target_t = torch.from_numpy(pred), torch.from_numpy(target)
    values = {name: _compute(METRICS.get(name).obj(), pred_t, target_t) for name in METRICS.names(task="regression")}
    return {"metrics": values, "protocol": {"task": "regression", "n": len(target)}}


def _load_npz(path: Path, role: str) -> dict[str, np.ndarray]:
    """Every array of the ``.npz`` file at ``path`` (``role`` says which input it is, for the message)."""
    _require(path.is_file(), f"{role} file {path} does not exist; expected an .npz file written by numpy.savez")
    try:
        archive = np.load(path, allow_pickle=False)
        _require(isinstance(archive, np.lib.npyio.NpzFile), f"{path} is a plain .npy array; expected an .npz archive")
        with archive:
            return {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        message = f"{path} is not a readable .npz archive ({err}); expected a file written by numpy.savez"
        raise ConfigError(message) from None


def _key(arrays: dict[str, np.ndarray], key: str, path: Path, expected: str) -> np.ndarray:
    """``arrays[key]``, or a ConfigError naming the file, the missing key and the keys it has."""
    keys = ", ".join(sorted(arrays)) or "none"
    _require(key in arrays, f"{path} has no key {key!r} (keys: {keys}); expected {expected} under {key!r}")
    return arrays[key]


def score_files(
    task: str,
    pred_path: Path,
    target_path: Path,
    *,
    num_classes: int | None = None,
    include_background: bool = False,
) -> dict[str, Any]:
    """Score the prediction ``.npz`` against the target ``.npz`` for ``task``.

    Keys: classification, pred ``probs`` [N, C] and/or ``labels`` [N], target ``labels`` [N] (multi-label: target
    ``labels`` 0/1 [N, L] and pred ``probs`` [N, L], scored by :func:`score_multilabel`); segmentation, both
    ``masks``; regression, both ``values`` [N].
    """
    if task not in TASKS:
        raise UnknownNameError("task", task, sorted(TASKS))
    _require(
        task != "regression" or num_classes is None,
        "num_classes is set for task 'regression'; expected it only with classification or segmentation",
    )
    _require(
        task == "segmentation" or not include_background,
        f"include_background is set for task {task!r}; expected it only with segmentation",
    )
    pred_path, target_path = Path(pred_path), Path(target_path)
    pred = _load_npz(pred_path, "prediction")
    target = _load_npz(target_path, "target")
    sources = (str(pred_path), str(target_path))
    if task == "classification":
        keys = ", ".join(sorted(pred)) or "none"
        _require(
            "probs" in pred or "labels" in pred,
            f"{pred_path} has neither 'probs' nor 'labels' (keys: {keys}); "
            "expected probabilities [N, C] under 'probs' or class labels [N] under 'labels'",
        )
        target_labels = _key(target, "labels", target_path, "integer class labels [N]")
        if np.ndim(target_labels) == 2:  # multi-label: 0/1 indicators [N, L] and scores [N, L]
            _require(num_classes is None, "num_classes is set for multi-label targets; expected it only for multiclass")
            probs = _key(pred, "probs", pred_path, "per-label probabilities [N, L]")
            return score_multilabel(target_labels, probs, sources=sources)
        return score_classification(
            target_labels, probs=pred.get("probs"), labels=pred.get("labels"), num_classes=num_classes, sources=sources
        )
    if task == "segmentation":
        return score_segmentation(
            _key(target, "masks", target_path, MASKS),
            _key(pred, "masks", pred_path, MASKS),
            num_classes=num_classes,
            include_background=include_background,
            sources=sources,
        )
    return score_regression(
        _key(target, "values", target_path, "real values [N]"),
        _key(pred, "values", pred_path, "real values [N]"),
        sources=sources,
    )
