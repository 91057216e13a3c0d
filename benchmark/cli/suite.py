"""``medbench suite NAME``: make ``NAME`` the suite that ``dvc repro`` runs (rewrites params.yaml's runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmark.config import SUITES, write_suite


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("suite", help="select the suite (default, quick, full) that dvc repro runs")
    parser.add_argument("name", choices=SUITES)
    parser.add_argument("--params", default="params.yaml", help="parameter file (default: params.yaml)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = write_suite(Path(args.params), args.name)
    studies = f", {len(params.studies)} studies ({', '.join(params.studies)})" if params.studies else ""
    print(
        f"suite {params.suite}: {len(params.runs)} runs on {len(params.datasets)} datasets "
        f"({', '.join(params.runs)}){studies}"
    )
    return 0
