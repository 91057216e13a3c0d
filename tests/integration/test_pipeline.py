"""End to end: the quick suite through `dvc repro` in a temporary git+dvc repository, offline.

Asserts the contents of metrics, leaderboards and report, that a second `dvc repro` is a no-op, that retraining
from scratch reproduces the metrics files byte for byte, and that editing one run retrains only that run.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def sh(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("pipeline")
    shutil.copytree(ROOT / "benchmark", repo / "benchmark", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("params.yaml", "dvc.yaml", "pyproject.toml"):
        shutil.copy(ROOT / name, repo / name)
    sh("git", "init", "-q", cwd=repo)
    sh("dvc", "init", "-q", cwd=repo)
    sh("medbench", "suite", "quick", cwd=repo)
    sh("git", "add", "-A", cwd=repo)
    sh("git", "commit", "-qm", "fixture", cwd=repo)
    sh("dvc", "repro", cwd=repo)
    return repo


def quick_runs(repo: Path) -> dict[str, dict]:
    return yaml.safe_load((repo / "params.yaml").read_text())["runs"]


def test_metrics_files_record_values_and_protocol(repo: Path) -> None:
    runs = quick_runs(repo)
    assert set(runs) == {
        "resnet18-fashion_mnist",
        "shallow_nn-mni152_slices",
        "vit-mni152_slices",
        "regressor-mni152_slices",
        "unet-mni152_slices",
        "dcgan-mni152_slices",
        "vae-mni152_slices",
        "tgan-mni152_sequences",
    }
    for key, run in runs.items():
        record = json.loads((repo / "metrics" / "runs" / f"{key}.json").read_text())
        assert record["run"] == key and record["model"] == run["model"] and record["dataset"] == run["dataset"]
        protocol = record["protocol"]
        assert protocol["seed"] == 0 and protocol["epochs"] == run["epochs"]
        assert record["synthetic_data"] is False
        metrics = record["metrics"]
        if record["task"] == "classification":
            assert protocol["split"] == "test"
            for name in ("accuracy", "specificity", "recall", "precision", "f1", "auroc", "ece"):
                assert 0.0 <= metrics[name] <= 1.0, name
            assert record["higher_is_better"]["accuracy"] is True and record["higher_is_better"]["ece"] is False
            if record["dataset"] == "fashion_mnist":
                assert protocol["n"] == 10000
                assert metrics["accuracy"] > 0.5  # 2,000 images, two epochs (77% when measured); chance is 10%
        elif record["task"] == "regression":  # brain-tissue area fraction of MNI152 slices, in [0, 1]
            assert protocol["split"] == "test" and 0.0 <= metrics["mae"] <= metrics["rmse"] < 0.5
            assert record["higher_is_better"]["rmse"] is False
        elif record["task"] == "segmentation":
            for name in ("pixel_accuracy", "iou", "dice"):
                assert 0.0 <= metrics[name] <= 1.0, name
            assert protocol["include_background"] is False
        else:
            assert protocol["n"] == 60 and protocol["split"] == "all"
            assert protocol["feature_extractor"]["feature_dims"] == 2048
            assert (
                "converted" in protocol["feature_extractor"]["weights"]
                or "official" in protocol["feature_extractor"]["weights"]
            )
            assert f"{record['dataset']} labels" in protocol["inception_score_classifier"]
            assert metrics["fid"] > metrics["fid_real_floor"] > 0
            assert metrics["kid"] == pytest.approx(metrics["kid"]) and metrics["kid"] > -0.1
            assert 1.0 <= metrics["inception_score"] <= 3.0 + 1e-6  # three classes
            assert record["higher_is_better"]["fid"] is False
            if run["model"] == "vae":
                assert metrics["psnr"] > 5 and 0 < metrics["ssim"] <= 1


def test_study_records_every_cell_and_its_claim(repo: Path) -> None:
    record = json.loads((repo / "metrics" / "studies" / "augmentation.json").read_text())
    assert sorted(record["arms"]) == ["flip_shift", "none"] and record["seeds"] == [0, 1]  # keys are written sorted
    for arm in record["arms"].values():
        assert arm["seeds"] == [0, 1] and all(0.0 <= v <= 1.0 for v in arm["values"])
        assert arm["summary"]["dice"]["n"] == 2
    assert record["claim"]["verdict"] in {"supported", "contradicted", "inconclusive"}
    cells = sorted(p.relative_to(repo).as_posix() for p in (repo / "models" / "studies").rglob("result.json"))
    assert cells == [
        f"models/studies/augmentation/{arm}/s{seed}/result.json" for arm in ("flip_shift", "none") for seed in (0, 1)
    ]
    index = (repo / "reports" / "index.md").read_text()
    assert "## Study: Flip/shift augmentation" in index and "figures/study_augmentation.png" in index
    assert "Survey claim:" in index


def test_leaderboards_have_one_row_per_run(repo: Path) -> None:
    expected = {
        "classification": ["resnet18-fashion_mnist", "shallow_nn-mni152_slices", "vit-mni152_slices"],
        "regression": ["regressor-mni152_slices"],
        "segmentation": ["unet-mni152_slices"],
        "generation": ["dcgan-mni152_slices", "tgan-mni152_sequences", "vae-mni152_slices"],
    }
    for task, runs in expected.items():
        with open(repo / "leaderboards" / f"{task}.csv") as handle:
            rows = list(csv.DictReader(handle))
        assert sorted(r["run"] for r in rows) == runs
        if task == "generation":
            fids = [float(r["fid"]) for r in rows]
            assert fids == sorted(fids), "lower FID ranks first"
            assert all(float(r["fid_real_floor"]) > 0 for r in rows)
        markdown = (repo / "leaderboards" / f"{task}.md").read_text()
        assert all(run in markdown for run in runs)


def test_report_names_commit_and_shows_figures(repo: Path) -> None:
    commit = sh("git", "rev-parse", "HEAD", cwd=repo).stdout.strip()
    index = (repo / "reports" / "index.md").read_text()
    assert commit in index and "suite: `quick`" in index and "torch " in index
    for run in quick_runs(repo):
        assert f"## {run}" in index
    figures = sorted(p.name for p in (repo / "reports" / "figures").glob("*.png"))
    assert "resnet18-fashion_mnist_confusion.png" in figures
    assert "unet-mni152_slices_examples.png" in figures
    assert "dcgan-mni152_slices_samples.png" in figures and "generation_fid_floor.png" in figures
    for name in figures:
        assert (repo / "reports" / "figures" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"figures/{name}" in index
    html = (repo / "reports" / "index.html").read_text()
    assert html.startswith("<!doctype html>") and "FID" in html


def test_dvc_metrics_and_plots_are_declared(repo: Path) -> None:
    shown = json.loads(sh("dvc", "metrics", "show", "--json", cwd=repo).stdout)
    files = next(iter(shown.values()))["data"]
    assert "metrics/runs/resnet18-fashion_mnist.json" in files and "metrics/studies/augmentation.json" in files
    plots = sh("dvc", "plots", "show", "--json", cwd=repo).stdout
    assert "logs/history/unet-mni152_slices.csv" in plots


def test_second_repro_is_a_noop(repo: Path) -> None:
    result = sh("dvc", "repro", cwd=repo)
    assert "Data and pipelines are up to date." in result.stdout
    assert "Running stage" not in result.stdout


def test_retraining_from_scratch_reproduces_metrics_byte_for_byte(repo: Path) -> None:
    before = {p.relative_to(repo): p.read_bytes() for p in (repo / "metrics").rglob("*.json")}
    shutil.rmtree(repo / "models")  # no stamps, checkpoints or cached cells: every run and cell trains again
    result = sh("dvc", "repro", "--force", cwd=repo)
    assert "up to date" not in result.stdout and "trained vae-mni152_slices" in result.stdout
    after = {p.relative_to(repo): p.read_bytes() for p in (repo / "metrics").rglob("*.json")}
    assert before == after


def test_editing_one_run_retrains_only_that_run(repo: Path) -> None:
    params = repo / "params.yaml"
    text = params.read_text()
    old = "shallow_nn-mni152_slices: {epochs: 2, batch_size: 32, optimizer: adam, lr: 0.001}"
    assert text.count(old) == 1, "the quick suite's shallow_nn run line moved; update this test"
    params.write_text(text.replace(old, old.replace("epochs: 2", "epochs: 1")))
    sh("medbench", "suite", "quick", cwd=repo)
    out = sh("dvc", "repro", cwd=repo).stdout
    assert "trained shallow_nn-mni152_slices" in out and "vit-mni152_slices: up to date" in out
    assert out.count("trained ") == 1 and "Running stage 'studies'" not in out
    record = json.loads((repo / "metrics" / "runs" / "shallow_nn-mni152_slices.json").read_text())
    assert record["protocol"]["epochs"] == 1
