"""Where each stage reads and writes, relative to the project root (the folder holding params.yaml)."""

from __future__ import annotations

from pathlib import Path

DATA = Path("data")
MODELS_DIR = Path("models")
METRICS_DIR = Path("metrics")
LOGS = Path("logs")
LEADERBOARDS = Path("leaderboards")
REPORTS = Path("reports")
#: sha256 of every downloaded file that no public source pins, recorded on first download (committed)
DATASET_LOCK = Path("datasets.lock.json")


def raw_dir(dataset: str) -> Path:
    return DATA / "raw" / dataset


def prepared_dir(dataset: str) -> Path:
    return DATA / "prepared" / dataset


def reference_dir(dataset: str) -> Path:
    return DATA / "reference" / dataset


def model_dir(run: str) -> Path:
    return MODELS_DIR / "runs" / run


def metrics_file(run: str) -> Path:
    return METRICS_DIR / "runs" / f"{run}.json"


def log_dir(run: str) -> Path:
    return LOGS / "runs" / run


def history_file(run: str) -> Path:
    """Per-epoch training history, one CSV per run in one folder (the ``runs`` stage's DVC plots)."""
    return LOGS / "history" / f"{run}.csv"


def study_dir(study: str) -> Path:
    return MODELS_DIR / "studies" / study


def study_metrics_file(study: str) -> Path:
    return METRICS_DIR / "studies" / f"{study}.json"


def study_log_file(study: str) -> Path:
    return LOGS / "studies" / f"{study}.json"
