"""Multiclass classification metrics, registered in ``METRICS`` as torchmetrics factories.

Our rule for macro means (``recall``, ``precision``, ``f1``, ``specificity``): a class absent from BOTH the targets
and the predictions is left out of the mean; a class present in either counts, a zero division (e.g. precision of a
class that is never predicted) counting as 0. torchmetrics' ``average="macro"`` already follows this rule (it drops
classes with ``tp + fp + fn == 0``), as does scikit-learn's default ``labels`` (the union of both label sets) with
``zero_division=0``. ``accuracy`` is the plain fraction of correct predictions (micro average).

The ``input`` metadata says what ``update(preds, target)`` is given as ``preds``: ``"labels"`` (class indices [N])
or ``"probs"`` (class probabilities [N, C]).

Multi-label sets (ChestMNIST, ChestX-ray14; task ``"multilabel"``, targets 0/1 [N, L], scores [N, L]) follow MedMNIST
v2's evaluator: ``multilabel_auroc`` is the mean over labels of each label's AUROC, ``multilabel_accuracy`` the mean
over labels of each label's accuracy with the score thresholded at 0.5 (``score > 0.5`` is positive).
"""

from __future__ import annotations

import warnings
from abc import abstractmethod

import torch
from torchmetrics import Metric
from torchmetrics.classification import (
    MulticlassAccuracy,
    MulticlassAUROC,
    MulticlassCalibrationError,
    MulticlassF1Score,
    MulticlassPrecision,
    MulticlassRecall,
    MulticlassSpecificity,
    MultilabelAccuracy,
    MultilabelAUROC,
)
from torchmetrics.utilities import dim_zero_cat

from benchmark.registry import METRICS


class Specificity(MulticlassSpecificity):
    """Macro specificity ``tn / (tn + fp)``; torchmetrics leaves ``higher_is_better`` unset (None), we set it."""

    higher_is_better = True


class _DefinedAUROC(Metric):
    """Mixin before a torchmetrics AUROC with ``average="none"``: each class's (or label's) AUROC, NaN where it is
    undefined (the targets lack positives or negatives for it), and the mean over the defined ones as the value.

    torchmetrics would score an undefined one as 0 (with a warning) and keep it in the mean.
    """

    @abstractmethod
    def _defined(self, target: torch.Tensor) -> torch.Tensor:
        """Which classes (labels) have both positive and negative ``target`` samples."""

    def _scores(self) -> torch.Tensor:
        target = dim_zero_cat(self.target)
        with warnings.catch_warnings():  # undefined ones warn; they are masked just below
            warnings.simplefilter("ignore", UserWarning)
            scores = super().compute().double()
        return torch.where(self._defined(target), scores, torch.full_like(scores, float("nan")))

    def compute(self) -> torch.Tensor:
        """Mean of the defined AUROCs (NaN if none is defined)."""
        return self._scores().nanmean()


class PresentClassAUROC(_DefinedAUROC, MulticlassAUROC):
    """Macro one-vs-rest AUROC over the classes whose one-vs-rest AUROC is defined.

    A class needs at least one positive and one negative target sample; classes without both are left out, and the
    result is NaN when no class qualifies (the targets hold a single class). Expects probabilities: torchmetrics
    softmaxes scores outside [0, 1], so logits would be silently transformed.
    """

    def __init__(self, num_classes: int) -> None:
        super().__init__(num_classes=num_classes, average="none", thresholds=None)

    def _defined(self, target: torch.Tensor) -> torch.Tensor:
        counts = torch.bincount(target.long(), minlength=self.num_classes)
        return (counts > 0) & (counts < target.numel())

    def per_class(self) -> torch.Tensor:
        """One-vs-rest AUROC of every class, NaN where it is undefined."""
        return self._scores()


class PresentLabelAUROC(_DefinedAUROC, MultilabelAUROC):
    """Mean AUROC over the labels that have positive and negative targets (MedMNIST's AUC for multi-label sets).

    MedMNIST's evaluator fails on a label without both (scikit-learn raises); here such a label is left out of the
    mean, and the result is NaN when no label qualifies.
    """

    def __init__(self, num_labels: int) -> None:
        super().__init__(num_labels=num_labels, average="none", thresholds=None)

    def _defined(self, target: torch.Tensor) -> torch.Tensor:
        positives = target.sum(0)
        return (positives > 0) & (positives < target.shape[0])

    def per_label(self) -> torch.Tensor:
        """AUROC of every label, NaN where it is undefined."""
        return self._scores()


_LABELS = {"task": "classification", "higher_is_better": True, "input": "labels"}
_PROBS = {"task": "classification", "higher_is_better": True, "input": "probs"}
_MULTILABEL = {"task": "multilabel", "higher_is_better": True, "input": "probs"}


@METRICS.register("accuracy", **_LABELS, description="fraction of correct predictions")
def accuracy(num_classes: int) -> Metric:
    """Plain (micro) accuracy: correct predictions / all predictions."""
    return MulticlassAccuracy(num_classes=num_classes, average="micro")


@METRICS.register("specificity", **_LABELS, description="macro specificity tn / (tn + fp)")
def specificity(num_classes: int) -> Metric:
    """Macro-averaged one-vs-rest specificity."""
    return Specificity(num_classes=num_classes, average="macro")


@METRICS.register("recall", **_LABELS, description="macro recall (sensitivity)")
def recall(num_classes: int) -> Metric:
    """Macro-averaged recall, i.e. balanced accuracy when every class occurs in the targets."""
    return MulticlassRecall(num_classes=num_classes, average="macro")


@METRICS.register("precision", **_LABELS, description="macro precision")
def precision(num_classes: int) -> Metric:
    """Macro-averaged precision; a class never predicted scores 0."""
    return MulticlassPrecision(num_classes=num_classes, average="macro")


@METRICS.register("f1", **_LABELS, description="macro F1 score")
def f1(num_classes: int) -> Metric:
    """Macro-averaged F1 (mean of per-class F1, not F1 of the mean precision and recall)."""
    return MulticlassF1Score(num_classes=num_classes, average="macro")


@METRICS.register("auroc", **_PROBS, description="macro one-vs-rest AUROC on probabilities")
def auroc(num_classes: int) -> Metric:
    """Macro one-vs-rest AUROC over classes with positives and negatives in the targets (see PresentClassAUROC)."""
    return PresentClassAUROC(num_classes=num_classes)


@METRICS.register(
    "ece",
    task="classification",
    higher_is_better=False,
    input="probs",
    description="expected calibration error of the top-class confidence (15 equal-width bins, L1)",
)
def ece(num_classes: int) -> Metric:
    """Expected calibration error: sum over confidence bins of |accuracy - mean confidence|, weighted by bin size."""
    return MulticlassCalibrationError(num_classes=num_classes, n_bins=15, norm="l1")


@METRICS.register(
    "multilabel_auroc", **_MULTILABEL, description="MedMNIST AUC: mean over labels of the per-label AUROC"
)
def multilabel_auroc(num_labels: int) -> Metric:
    """Macro AUROC over labels with positives and negatives in the targets (see PresentLabelAUROC)."""
    return PresentLabelAUROC(num_labels=num_labels)


@METRICS.register(
    "multilabel_accuracy",
    **_MULTILABEL,
    description="MedMNIST ACC: mean over labels of the per-label accuracy at threshold 0.5",
)
def multilabel_accuracy(num_labels: int) -> Metric:
    """Mean per-label accuracy with ``score > 0.5`` counted positive."""
    return MultilabelAccuracy(num_labels=num_labels, threshold=0.5, average="macro")
