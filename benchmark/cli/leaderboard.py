"""``medbench leaderboard`` (DVC stage ``leaderboard``): leaderboards/<task>.csv and .md of the active suite."""

from __future__ import annotations

import argparse

from benchmark.cli.report import active_records
from benchmark.paths import LEADERBOARDS
from benchmark.reporting.leaderboard import write_leaderboards


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("leaderboard", help="write leaderboards/<task>.csv and .md")
    parser.add_argument("--params", default="params.yaml", help="parameter file (default: params.yaml)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _, records, _ = active_records(args.params)
    boards = write_leaderboards(records, LEADERBOARDS)
    print("leaderboards: " + ", ".join(f"{task} {len(frame)} runs" for task, frame in boards.items()))
    return 0
