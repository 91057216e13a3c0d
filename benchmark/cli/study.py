"""``medbench study NAME`` (DVC stage ``study``): every (arm, seed) cell of one study of the active suite."""

from __future__ import annotations

import argparse

from benchmark.cli.common import add_params_option, params_from
from benchmark.errors import ConfigError
from benchmark.paths import study_dir, study_log_file, study_metrics_file
from benchmark.studies.runner import CellResult, run_study, write_study
from benchmark.training.seeding import resolve_device


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("study", help="run one study (arms x seeds) of the active suite")
    parser.add_argument("study")
    add_params_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    if args.study not in params.studies:
        valid = ", ".join(params.studies) or "(none)"
        raise ConfigError(f"study: unknown study {args.study!r} in suite {params.suite!r}; valid choices: {valid}")
    study = params.studies[args.study]

    def report(cell: CellResult) -> None:
        print(f"{study.name}/{cell.arm}/s{cell.seed}: {study.metric} {cell.metrics[study.metric]:.4f}", flush=True)

    record, timing = run_study(
        study, params, resolve_device(params.device), study_dir(study.name), not args.no_progress, report
    )
    write_study(record, study_metrics_file(study.name), timing, study_log_file(study.name))
    claim = record["claim"]
    print(f"study {study.name}: " + (f"claim {claim['verdict']}: {claim['text']}" if claim else "done"))
    return 0
