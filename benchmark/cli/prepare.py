"""``medbench prepare DATASET`` (DVC stage ``prepare``): fetch, verify and convert to the prepared format."""

from __future__ import annotations

import argparse

from benchmark import get_dataset
from benchmark.cli.common import add_params_option, dataset_from, params_from
from benchmark.datasets.base import prepare
from benchmark.paths import prepared_dir, raw_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("prepare", help="fetch and prepare a dataset of the active suite")
    parser.add_argument("dataset")
    add_params_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    config = dataset_from(params, args.dataset)
    meta = prepare(
        get_dataset(args.dataset),
        config,
        raw_dir(args.dataset),
        prepared_dir(args.dataset),
        params.seed,
        progress=not args.no_progress,
    )
    print(f"prepared {args.dataset}: " + ", ".join(f"{k} {v}" for k, v in meta["splits"].items()))
    return 0
