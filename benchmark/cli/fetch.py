"""``medbench fetch NAME``: download (or copy from a local mirror) and verify a dataset's files, or validate the
files placed by hand for a gated dataset (missing ones: exit 3 with the exact steps)."""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmark import get_dataset
from benchmark.config import load_params, parse_dataset
from benchmark.paths import raw_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("fetch", help="fetch and verify a dataset's source files into data/raw/NAME")
    parser.add_argument("name")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")
    parser.add_argument(
        "--params",
        default="params.yaml",
        help="parameter file; when the active suite lists NAME, only the files its settings need are fetched",
    )
    parser.add_argument(
        "--image-size",
        type=int,
        help="fetch only the files this image size needs (MedMNIST publishes one file per size); "
        "default: the active suite's setting, else every file",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    spec = get_dataset(args.name)
    config = None
    if args.image_size is not None:
        config = parse_dataset(args.name, {"image_size": args.image_size})
    elif Path(args.params).is_file():
        config = load_params(args.params, check_materialised=False).datasets.get(args.name)
    files = spec.fetch(raw_dir(args.name), progress=not args.no_progress, config=config)
    for name, path in files.items():
        print(f"{name}: {path}")
    return 0
