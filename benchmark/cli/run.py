"""``medbench run [RUN ...]`` (DVC stage ``runs``): train then evaluate runs of the active suite in one process.

Without names it runs the whole suite. A run whose stamp matches the fingerprint of its settings, the training code
and its data (see :mod:`benchmark.fingerprint`) is skipped, so DVC reruns the stage when anything changes but only
the affected runs retrain. One process for all runs, not one per run: importing torch, torchmetrics and the model
zoo costs about 12 s on 2 CPU cores, more than training most runs of the default suite.
"""

from __future__ import annotations

import argparse

from benchmark.cli.common import add_params_option, params_from, run_from, write_text_atomic
from benchmark.cli.evaluate import evaluate_run
from benchmark.cli.train import train_run
from benchmark.config import Params, RunConfig
from benchmark.errors import ConfigError
from benchmark.fingerprint import code_digest, stamp, tree_digest
from benchmark.paths import history_file, log_dir, metrics_file, model_dir, prepared_dir, reference_dir
from benchmark.training.seeding import resolve_device

STAMP = "stamp.sha256"
#: what a finished run leaves behind; a run missing any of them is not up to date
OUTPUTS = ("model.pt", STAMP)
LOGS = ("train_info.json", "eval_info.json", "artifacts.npz")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="train and evaluate runs (MODEL-DATASET) of the active suite")
    parser.add_argument("runs", nargs="*", metavar="RUN", help="runs to do (default: every run of the suite)")
    add_params_option(parser)
    parser.set_defaults(func=run)


def in_dependency_order(runs: list[RunConfig]) -> list[RunConfig]:
    """``runs`` with every ``init_from`` source before the runs that start from it (otherwise in given order)."""
    ordered: list[RunConfig] = []
    pending = list(runs)
    keys = {r.key for r in runs}
    while pending:
        ready = [r for r in pending if r.init_from not in keys or r.init_from in {o.key for o in ordered}]
        if not ready:
            raise ConfigError(f"runs: init_from forms a cycle among {', '.join(r.key for r in pending)}")
        ordered.extend(ready)
        pending = [r for r in pending if r not in ready]
    return ordered


def run_stamp(params: Params, config: RunConfig, code: str, data: dict[str, str]) -> str:
    """Fingerprint of everything that shapes run ``config``'s model and metrics, the device type it resolves to
    included (``auto`` is CUDA with mixed precision on a GPU box, the CPU elsewhere)."""
    if config.dataset not in data:
        reference = reference_dir(config.dataset)
        data[config.dataset] = stamp(
            prepared=tree_digest(prepared_dir(config.dataset)),
            reference=tree_digest(reference) if reference.is_dir() else "",
        )
    source = model_dir(config.init_from) / STAMP if config.init_from else None
    return stamp(
        run=config.to_dict(),
        device=resolve_device(params.device).type,
        num_workers=params.num_workers,
        code=code,
        data=data[config.dataset],
        source=source.read_text() if source is not None and source.is_file() else "",
    )


def is_up_to_date(key: str, fingerprint: str) -> bool:
    """True when run ``key`` finished under ``fingerprint`` and all its outputs are in place."""
    stamp_file = model_dir(key) / STAMP
    outputs = [model_dir(key) / name for name in OUTPUTS] + [log_dir(key) / name for name in LOGS]
    outputs += [history_file(key), metrics_file(key)]
    return all(path.is_file() for path in outputs) and stamp_file.read_text().strip() == fingerprint


def run(args: argparse.Namespace) -> int:
    params = params_from(args)
    configs = [run_from(params, key) for key in args.runs or params.runs]
    code, data = code_digest(), {}
    for config in in_dependency_order(configs):
        fingerprint = run_stamp(params, config, code, data)
        if is_up_to_date(config.key, fingerprint):
            print(f"{config.key}: up to date", flush=True)
            continue
        (model_dir(config.key) / STAMP).unlink(missing_ok=True)  # never vouch for half-replaced outputs
        train_run(params, config.key, progress=not args.no_progress)
        evaluate_run(params, config.key, progress=not args.no_progress)
        write_text_atomic(model_dir(config.key) / STAMP, fingerprint + "\n")
    return 0
