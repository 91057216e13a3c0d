"""``medbench datasets`` (DVC stage ``datasets``): leaderboards/datasets.md from the dataset registry."""

from __future__ import annotations

import argparse

from benchmark.paths import DATA, LEADERBOARDS
from benchmark.registry import DATASETS
from benchmark.reporting.datasets import write_datasets_page


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("datasets", help="write leaderboards/datasets.md (survey Tables 4-5 + access)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    records = [entry.describe() for entry in DATASETS]
    write_datasets_page(records, DATA / "prepared", LEADERBOARDS / "datasets.md")
    print(f"datasets: {len(records)} entries -> {LEADERBOARDS / 'datasets.md'}")
    return 0
