"""``medbench run RUN`` (DVC stage ``run``): train then evaluate one run of the active suite in one process.

One process per run, not two: importing torch and the model zoo costs about 10 s on 2 CPU cores, more than training
most runs of the default suite takes.
"""

from __future__ import annotations

import argparse

from benchmark.cli.common import add_params_option, params_from
from benchmark.cli.evaluate import evaluate_run
from benchmark.cli.train import train_run


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="train (resuming) and evaluate one run (MODEL-DATASET)")
    parser.add_argument("run")
    add_params_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    train_run(params, args.run, progress=not args.no_progress)
    evaluate_run(params, args.run, progress=not args.no_progress)
    return 0
