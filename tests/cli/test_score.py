"""``score_files`` and ``medbench score`` on small files with hand-computed expected numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmark.cli.main import main
from benchmark.errors import ConfigError
from benchmark.metrics.scoring import score_files

# Six samples, three classes; argmax of PROBS is [0, 1, 1, 1, 2, 0]. Per class (tp, fp, fn, tn): class 0 (1, 1, 1, 3),
# class 1 (2, 1, 0, 3), class 2 (1, 0, 1, 4). One-vs-rest AUROC from the (positive, negative) pairs ranked correctly,
# ties counting one half: class 0 7/8, class 1 7/8, class 2 7.5/8.
TARGET = np.array([0, 0, 1, 1, 2, 2])
PROBS = np.array([[0.8, 0.1, 0.1], [0.3, 0.6, 0.1], [0.2, 0.7, 0.1], [0.1, 0.5, 0.4], [0.1, 0.2, 0.7], [0.5, 0.1, 0.4]])
CLASSIFICATION = {
    "accuracy": 4 / 6,
    "recall": (1 / 2 + 1 + 1 / 2) / 3,
    "precision": (1 / 2 + 2 / 3 + 1) / 3,
    "f1": (2 / 4 + 4 / 5 + 2 / 3) / 3,
    "specificity": (3 / 4 + 3 / 4 + 1) / 3,
    "auroc": (7 / 8 + 7 / 8 + 7.5 / 8) / 3,
    # top-class confidences 0.8, 0.6, 0.7, 0.5, 0.7, 0.5 (right: 0.8, both 0.7, one 0.5): bins {0.5, 0.5} gap 0,
    # {0.6} gap 0.6, {0.7, 0.7} gap 0.3, {0.8} gap 0.2
    "ece": (0.6 + 2 * 0.3 + 0.2) / 6,
}
CONFUSION = [[1, 1, 0], [0, 2, 0], [1, 0, 1]]

# One 2x3 mask. Foreground: class 1 (tp 1, fp 1, fn 1), class 2 (tp 2); 3 of 4 target-foreground pixels correct.
# Background: class 0 (tp 1, fp 1, fn 1); 4 of 6 pixels correct.
TARGET_MASKS = np.array([[[0, 1, 1], [0, 2, 2]]])
PRED_MASKS = np.array([[[0, 1, 0], [1, 2, 2]]])
# HD95 (edges are the masks, all pixels thin): class 1, P95 of [0, sqrt 2] and of [0, 1] -> 0.95 sqrt 2; class 2 exact;
# background, P95 of [0, 2] and of [0, 1] -> 1.9.
SEGMENTATION = {"iou": (1 / 3 + 1) / 2, "dice": (1 / 2 + 1) / 2, "pixel_accuracy": 3 / 4, "hd95": 0.95 * 2**0.5 / 2}
SEGMENTATION_BG = {
    "iou": (1 / 3 + 1 / 3 + 1) / 3,
    "dice": (1 / 2 + 1 / 2 + 1) / 3,
    "pixel_accuracy": 4 / 6,
    "hd95": (1.9 + 0.95 * 2**0.5) / 3,
}


def save(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "probs": save(tmp_path / "probs.npz", probs=PROBS),
        "labels": save(tmp_path / "labels.npz", labels=TARGET),
        "pred_masks": save(tmp_path / "pred_masks.npz", masks=PRED_MASKS),
        "target_masks": save(tmp_path / "target_masks.npz", masks=TARGET_MASKS),
        "pred_values": save(tmp_path / "pred_values.npz", values=np.array([1.0, 2.0, 3.0, 6.0])),
        "target_values": save(tmp_path / "target_values.npz", values=np.array([1.0, 2.0, 3.0, 4.0])),
    }


def test_score_files_classification(files: dict[str, Path]) -> None:
    result = score_files("classification", files["probs"], files["labels"])
    assert result["metrics"] == pytest.approx(CLASSIFICATION)
    assert result["confusion_matrix"] == CONFUSION
    assert result["per_class"]["recall"] == pytest.approx([1 / 2, 1, 1 / 2])
    assert result["protocol"]["n"] == 6 and result["protocol"]["num_classes"] == 3


def test_score_files_segmentation(files: dict[str, Path]) -> None:
    result = score_files("segmentation", files["pred_masks"], files["target_masks"])
    assert result["metrics"] == pytest.approx(SEGMENTATION)
    with_bg = score_files("segmentation", files["pred_masks"], files["target_masks"], include_background=True)
    assert with_bg["metrics"] == pytest.approx(SEGMENTATION_BG)


def test_score_files_regression(files: dict[str, Path]) -> None:
    result = score_files("regression", files["pred_values"], files["target_values"])
    assert result["metrics"] == {"mae": 0.5, "rmse": 1.0}


def test_cli_prints_sorted_indented_json(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["score", "--task", "classification", "--pred", str(files["probs"]), "--target", str(files["labels"])]
    assert main(argv) == 0
    out = capsys.readouterr().out
    result = json.loads(out)
    assert out == json.dumps(result, indent=2, sort_keys=True) + "\n"
    assert result["metrics"] == pytest.approx(CLASSIFICATION)


def test_cli_scores_multilabel_by_medmnist_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Label 0: AUROC 1, accuracy 3/4 (0.5 is not above the threshold); label 1: pairs (0.9 > 0.2, 0.9 > 0.6,
    0.3 < 0.6, 0.3 > 0.2) give AUROC 3/4, accuracy 1/2."""
    target = np.array([[1, 1], [0, 0], [1, 1], [0, 0]])
    scores = np.array([[0.9, 0.9], [0.1, 0.2], [0.5, 0.3], [0.2, 0.6]])
    pred, labels = save(tmp_path / "p.npz", probs=scores), save(tmp_path / "t.npz", labels=target)
    assert main(["score", "--task", "classification", "--pred", str(pred), "--target", str(labels)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"] == pytest.approx({"multilabel_auroc": (1 + 3 / 4) / 2, "multilabel_accuracy": 5 / 8})
    assert result["per_label"]["multilabel_accuracy"] == pytest.approx([3 / 4, 1 / 2])
    no_probs = save(tmp_path / "l.npz", labels=target)
    assert main(["score", "--task", "classification", "--pred", str(no_probs), "--target", str(labels)]) == 2
    assert "has no key 'probs'" in capsys.readouterr().err


def test_cli_passes_segmentation_options(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    pred, target = str(files["pred_masks"]), str(files["target_masks"])
    argv = ["score", "--task", "segmentation", "--pred", pred, "--target", target, "--num-classes", "5"]
    assert main([*argv, "--include-background"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["metrics"] == pytest.approx(SEGMENTATION_BG)
    assert result["protocol"]["num_classes"] == 5 and result["protocol"]["include_background"] is True


def test_cli_error_is_one_line_with_exit_code_2(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["score", "--task", "classification", "--pred", str(files["pred_values"]), "--target", str(files["labels"])]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0].startswith("medbench: error: ") and str(files["pred_values"]) in lines[0]
    assert "neither 'probs' nor 'labels'" in lines[0]


def test_cli_subprocess_exit_code_and_message(files: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.npz"
    argv = ["--task", "regression", "--pred", str(missing), "--target", str(files["target_values"])]
    proc = subprocess.run(
        [sys.executable, "-m", "benchmark.cli.main", "score", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"medbench: error: prediction file {missing} does not exist; expected an .npz file written by numpy.savez"
    ]


@pytest.mark.parametrize(
    ("task", "pred", "target", "options", "fragment"),
    [
        ("detection", "probs", "labels", {}, "unknown task 'detection'; valid choices: classification, regression"),
        ("classification", "probs", "nowhere", {}, "target file {nowhere} does not exist"),
        ("classification", "probs", "text", {}, "{text} is not a readable .npz archive"),
        ("classification", "probs", "plain", {}, "{plain} is a plain .npy array; expected an .npz archive"),
        ("classification", "probs", "probs", {}, "{probs} has no key 'labels' (keys: probs); expected integer class"),
        ("classification", "logits", "labels", {}, "{logits}['probs'] has values outside [0, 1]; expected probab"),
        ("classification", "probs", "labels", {"num_classes": 4}, "num_classes is 4 but {probs}['probs'] has 3"),
        ("classification", "probs", "labels", {"include_background": True}, "include_background is set for task 'cl"),
        ("segmentation", "pred_masks", "wide_masks", {}, "{pred_masks}['masks'] has shape (1, 2, 3) but {wide_masks}"),
        ("segmentation", "pred_masks", "labels", {}, "{labels} has no key 'masks' (keys: labels)"),
        ("regression", "pred_values", "target_values", {"num_classes": 3}, "num_classes is set for task 'regression'"),
        ("regression", "pred_values", "short_values", {}, "{pred_values}['values'] has shape (4,) but {short_values}"),
    ],
)
def test_score_files_bad_input(
    files: dict[str, Path], tmp_path: Path, task: str, pred: str, target: str, options: dict, fragment: str
) -> None:
    files = {
        **files,
        "nowhere": tmp_path / "nowhere.npz",
        "text": tmp_path / "text.npz",
        "plain": tmp_path / "plain.npy",
        "logits": save(tmp_path / "logits.npz", probs=PROBS * 4 - 1),
        "wide_masks": save(tmp_path / "wide_masks.npz", masks=np.zeros((1, 2, 4), dtype=int)),
        "short_values": save(tmp_path / "short_values.npz", values=np.ones(3)),
    }
    files["text"].write_text("not an archive\n")
    np.save(files["plain"], TARGET)
    with pytest.raises(ConfigError) as info:
        score_files(task, files[pred], files[target], **options)
    message = str(info.value)
    assert fragment.format(**files) in message
    assert "\n" not in message
    assert "expected" in message or "valid choices" in message
