"""``medbench study [NAME ...]`` (DVC stage ``studies``): every (arm, seed) cell of the active suite's studies.

Without names it runs every study, in one process; finished cells are reused (see :mod:`benchmark.studies.runner`).
"""

from __future__ import annotations

import argparse

from benchmark.cli.common import add_params_option, params_from
from benchmark.config import Params, StudyConfig
from benchmark.errors import ConfigError
from benchmark.paths import study_dir, study_log_file, study_metrics_file
from benchmark.studies.runner import CellResult, run_study, write_study
from benchmark.training.seeding import resolve_device


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("study", help="run studies (arms x seeds) of the active suite")
    parser.add_argument("studies", nargs="*", metavar="STUDY", help="studies to run (default: every study)")
    add_params_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    unknown = [name for name in args.studies if name not in params.studies]
    if unknown:
        valid = ", ".join(params.studies) or "(none)"
        raise ConfigError(f"study: unknown study {unknown[0]!r} in suite {params.suite!r}; valid choices: {valid}")
    for name in args.studies or params.studies:
        run_one(params, params.studies[name], progress=not args.no_progress)
    return 0


def run_one(params: Params, study: StudyConfig, progress: bool) -> None:
    """Run (or reuse) every cell of ``study`` and write its metrics record and timing log."""

    def report(cell: CellResult) -> None:
        print(f"{study.name}/{cell.arm}/s{cell.seed}: {study.metric} {cell.metrics[study.metric]:.4f}", flush=True)

    record, timing = run_study(study, params, resolve_device(params.device), study_dir(study.name), progress, report)
    write_study(record, study_metrics_file(study.name), timing, study_log_file(study.name))
    claim = record["claim"]
    print(f"study {study.name}: " + (f"claim {claim['verdict']}: {claim['text']}" if claim else "done"))
