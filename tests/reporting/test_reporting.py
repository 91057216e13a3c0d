"""Leaderboards and report from metrics records alone; reporting never imports training code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from benchmark.reporting.leaderboard import leaderboard, markdown_table, write_leaderboards
from benchmark.reporting.report import write_report


def record(run: str, task: str, metrics: dict, higher: dict, synthetic: bool = False) -> dict:
    model, dataset = run.split("-")
    return {
        "run": run,
        "model": model,
        "dataset": dataset,
        "task": task,
        "family": "cnn",
        "synthetic_data": synthetic,
        "metrics": metrics,
        "higher_is_better": higher,
        "protocol": {"split": "test", "n": 100, "seed": 0, "epochs": 1, "image_size": 28},
    }


RECORDS = [
    record("a-x", "classification", {"accuracy": 0.7, "auroc": 0.8}, {"accuracy": True, "auroc": True}),
    record("b-x", "classification", {"accuracy": 0.9, "auroc": 0.95}, {"accuracy": True, "auroc": True}, True),
    record("g1-y", "generation", {"fid": 30.0, "fid_real_floor": 5.0, "kid": 0.02}, {"fid": False, "kid": False}),
    record("g2-y", "generation", {"fid": 12.0, "fid_real_floor": 5.0, "kid": 0.01}, {"fid": False, "kid": False}),
]


def test_leaderboard_ranks_by_the_recorded_direction() -> None:
    assert leaderboard(RECORDS, "classification")["run"].tolist() == ["b-x", "a-x"]
    generation = leaderboard(RECORDS, "generation")
    assert generation["run"].tolist() == ["g2-y", "g1-y"]
    assert generation["fid_real_floor"].tolist() == [5.0, 5.0]
    assert leaderboard(RECORDS, "segmentation").empty


def test_synthetic_data_is_labelled() -> None:
    board = leaderboard(RECORDS, "classification")
    assert board.set_index("run").loc["b-x", "data"] == "synthetic"
    assert board.set_index("run").loc["a-x", "data"] == "real"


def test_markdown_table() -> None:
    frame = pd.DataFrame({"run": ["r"], "value": [0.123456], "missing": [np.nan]})
    assert markdown_table(frame) == "| run | value | missing |\n|---|---|---|\n| r | 0.1235 |  |\n"


def test_write_leaderboards_and_report(tmp_path: Path) -> None:
    boards = write_leaderboards(RECORDS, tmp_path / "leaderboards")
    assert set(boards) == {"classification", "regression", "segmentation", "generation", "translation"}
    assert (
        (tmp_path / "leaderboards" / "segmentation.md")
        .read_text()
        .endswith("No runs of this task in the active suite.\n")
    )
    csv_rows = (tmp_path / "leaderboards" / "classification.csv").read_text().splitlines()
    assert csv_rows[0].startswith("run,model,dataset,data,accuracy") and csv_rows[1].startswith("b-x,")
    params = tmp_path / "params.yaml"
    params.write_text("suite: default\n")
    logs = tmp_path / "logs"
    (logs / "runs" / "a-x").mkdir(parents=True)
    (logs / "history").mkdir()
    (logs / "history" / "a-x.csv").write_text("epoch,train_loss,val_loss\n1,1.0,1.1\n2,0.5,0.7\n")
    arrays = {"confusion_matrix": np.array([[3, 1], [0, 4]]), "classes": np.array(["n", "p"])}
    np.savez(logs / "runs" / "a-x" / "artifacts.npz", **arrays)
    (logs / "runs" / "g1-y").mkdir()
    np.savez(logs / "runs" / "g1-y" / "artifacts.npz", samples=np.zeros((4, 1, 8, 8), dtype=np.uint8))
    index = write_report(RECORDS, params, "default", logs, tmp_path / "reports").read_text()
    assert "suite: `default`" in index and "params.yaml sha256" in index
    assert "![training history](figures/a-x_history.png)" in index
    assert "figures/a-x_confusion.png" in index and "figures/g1-y_samples.png" in index
    assert "figures/generation_fid_floor.png" in index
    assert index.index("## Classification") < index.index("## Generation")
    assert "SYNTHETIC data" in index
    for png in (tmp_path / "reports" / "figures").glob("*.png"):
        assert png.stat().st_size > 1000
    assert (tmp_path / "reports" / "index.html").read_text().count("<img") == index.count("![")


def test_reporting_never_imports_training_code() -> None:
    code = (
        "import sys, benchmark.cli.main as m; m.build_parser('report'); m.build_parser('leaderboard'); "
        "import benchmark.reporting.report; "
        "bad = [n for n in sys.modules if n.startswith(('benchmark.training', 'benchmark.models', "
        "'benchmark.evaluation', 'torch', 'timm'))]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def study_record() -> dict:
    def arm(values: list[float], lr: float) -> dict:
        mean, sd = float(np.mean(values)), float(np.std(values, ddof=1))
        summary = {"n": len(values), "mean": mean, "sd": sd, "ci_low": mean - 0.1, "ci_high": mean + 0.1}
        return {
            "model": "unet",
            "dataset": "x",
            "settings": {"lr": lr},
            "seeds": [0, 1, 2],
            "values": values,
            "summary": {"dice": summary},
        }

    comparison = {
        "a": "fast",
        "b": "slow",
        "diff": 0.3,
        "ci_low": 0.2,
        "ci_high": 0.4,
        "cohens_d": 5.0,
        "p_value": 0.001,
        "verdict": "better",
    }
    return {
        "study": "lr",
        "title": "Learning rate",
        "task": "segmentation",
        "metric": "dice",
        "higher_is_better": True,
        "seeds": [0, 1, 2],
        "notes": "",
        "protocol": {"epochs": 2, "batch_size": 8, "eval_split": "test"},
        "arms": {"slow": arm([0.5, 0.55, 0.6], 1e-4), "fast": arm([0.8, 0.85, 0.9], 1e-2)},
        "claim": {
            "text": "fast beats slow",
            "kind": "better",
            "verdict": "supported",
            "ranking": ["fast", "slow"],
            "comparisons": [comparison],
        },
    }


def test_report_renders_studies_with_claim_and_effect_sizes(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("suite: default\n")
    index = write_report([], params, "default", tmp_path / "logs", tmp_path / "reports", [study_record()])
    text = index.read_text()
    section = text.split("## Study: Learning rate")[1]
    rows = [line for line in section.splitlines() if line.startswith("| fast") or line.startswith("| slow")]
    assert rows[0].startswith("| fast | lr=0.01 | 3 | 0.8500 ± 0.0500 | [0.7500, 0.9500] | 0.8000 0.8500 0.9000")
    assert rows[1].startswith("| slow")
    assert 'Survey claim: "fast beats slow". Verdict: our runs SUPPORT it.' in section
    assert "| fast vs slow | +0.3000 | [0.2000, 0.4000] | 5.00 | 0.001 | better |" in section
    assert (tmp_path / "reports" / "figures" / "study_lr.png").stat().st_size > 0
    assert "Study: Learning rate" in (tmp_path / "reports" / "index.html").read_text()


def test_medmnist_paper_vs_ours(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("suite: full\n")
    ours = [
        record("resnet18-pneumoniamnist", "classification", {"accuracy": 0.84, "auroc": 0.95}, {"accuracy": True}),
        record("resnet18-pathmnist", "classification", {"accuracy": 0.9, "auroc": 0.97}, {"accuracy": True}),
    ]
    index = write_report(ours, params, "full", tmp_path / "logs", tmp_path / "reports").read_text()
    section = index[index.index("## MedMNIST v2: paper vs ours") :]
    rows = {line.split(" | ")[0].lstrip("| "): line.split(" | ") for line in section.splitlines() if "resnet18" in line}
    assert rows["resnet18-pneumoniamnist"][1:7] == ["0.944", "0.95", "0.006", "0.854", "0.84", "-0.014"]
    assert rows["resnet18-pathmnist"][1:3] == ["0.983", "0.97"] and rows["resnet18-pathmnist"][7] == "ours"
    assert rows["resnet18-breastmnist"][1] == "0.901" and rows["resnet18-breastmnist"][7] == "not run in this suite"
    assert "unverified" in rows["resnet18-dermamnist"][8]
    assert "Scientific Data 10:41" in section and "medbench suite full" not in section


def test_medmnist_section_renders_without_those_runs(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("suite: default\n")
    index = write_report(RECORDS, params, "default", tmp_path / "logs", tmp_path / "reports").read_text()
    section = index[index.index("## MedMNIST v2: paper vs ours") :]
    assert section.count("not run in this suite") == 4 and "`medbench suite full`" in section


def test_multilabel_run_is_listed_without_a_confusion_matrix(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    params.write_text("suite: default\n")
    multilabel = record(
        "lenet5-tissue",
        "classification",
        {"multilabel_auroc": 0.9, "multilabel_accuracy": 0.8},
        {"multilabel_auroc": True, "multilabel_accuracy": True},
    )
    (tmp_path / "logs" / "runs" / "lenet5-tissue").mkdir(parents=True)
    np.savez(tmp_path / "logs" / "runs" / "lenet5-tissue" / "artifacts.npz")  # multi-label runs save no arrays
    index = write_report([*RECORDS, multilabel], params, "default", tmp_path / "logs", tmp_path / "reports").read_text()
    board = leaderboard([*RECORDS, multilabel], "classification")
    assert board.iloc[-1]["run"] == "lenet5-tissue" and board.iloc[-1]["multilabel_auroc"] == 0.9
    assert "## lenet5-tissue" in index and "lenet5-tissue_confusion" not in index
