"""``medbench reference DATASET`` (DVC stage ``reference``): cached real statistics for generative metrics."""

from __future__ import annotations

import argparse

from benchmark.cli.common import add_params_option, dataset_from, params_from
from benchmark.evaluation.reference import build_reference
from benchmark.paths import prepared_dir, reference_dir
from benchmark.training.seeding import resolve_device


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("reference", help="compute real Inception statistics and the IS classifier")
    parser.add_argument("dataset")
    add_params_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    config = dataset_from(params, args.dataset)
    info = build_reference(
        config,
        prepared_dir(args.dataset),
        reference_dir(args.dataset),
        resolve_device(params.device),
        params.seed,
        progress=not args.no_progress,
    )
    print(f"reference {args.dataset}: N = {info['reference_n']}")
    return 0
