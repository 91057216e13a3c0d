"""``medbench report`` (DVC stage ``report``): reports/index.md and index.html from metrics and logs alone."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import yaml

from benchmark.errors import ConfigError, DataMissingError
from benchmark.paths import LOGS, REPORTS, metrics_file, study_metrics_file
from benchmark.reporting.leaderboard import load_records
from benchmark.reporting.report import write_report


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("report", help="write reports/index.md and reports/index.html")
    parser.add_argument("--params", default="params.yaml", help="parameter file (default: params.yaml)")
    parser.set_defaults(func=run)


def active_records(params_path: str) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """Suite name, run records and study records that params.yaml lists (plain YAML: no registry, no torch)."""
    path = Path(params_path)
    if not path.is_file():
        raise ConfigError(f"{path}: parameter file not found; run from the project root or pass --params")
    raw = yaml.safe_load(path.read_text()) or {}
    files = [metrics_file(run) for run in raw.get("runs") or {}]
    study_files = [study_metrics_file(study) for study in raw.get("studies") or {}]
    missing = [str(f) for f in files + study_files if not f.is_file()]
    if missing:
        raise DataMissingError(
            f"missing metrics files {', '.join(missing)}; run `dvc repro` (stages runs and studies) first"
        )
    return raw.get("suite", "default"), load_records(files), load_records(study_files)


def run(args: argparse.Namespace) -> int:
    suite, records, studies = active_records(args.params)
    path = write_report(records, Path(args.params), suite, LOGS, REPORTS, studies)
    print(f"report: {path} ({len(records)} runs, {len(studies)} studies)")
    return 0
