"""``medbench fetch NAME``: download (or copy from a local mirror) and verify a dataset's files."""

from __future__ import annotations

import argparse

from benchmark import get_dataset
from benchmark.paths import raw_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("fetch", help="fetch and verify a dataset's source files into data/raw/NAME")
    parser.add_argument("name")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    files = get_dataset(args.name).fetch(raw_dir(args.name), progress=not args.no_progress)
    for name, path in files.items():
        print(f"{name}: {path}")
    return 0
