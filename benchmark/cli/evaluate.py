"""``medbench evaluate RUN``: metrics/<run>.json with the protocol recorded (DVC runs it via ``medbench run``)."""

from __future__ import annotations

import argparse
import io
import time

import numpy as np

from benchmark.cli.common import add_params_option, params_from, run_from, run_info, write_bytes_atomic, write_json
from benchmark.config import Params
from benchmark.datasets.base import read_meta
from benchmark.evaluation.evaluate import EvalContext, evaluate, metrics_record
from benchmark.paths import log_dir, metrics_file, model_dir, prepared_dir, reference_dir
from benchmark.registry import MODELS
from benchmark.training.loop import FINAL, load_model
from benchmark.training.seeding import resolve_device, seed_everything


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="evaluate one trained run of the active suite")
    parser.add_argument("run")
    add_params_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    evaluate_run(params_from(args), args.run, progress=not args.no_progress)
    return 0


def evaluate_run(params: Params, key: str, progress: bool) -> None:
    """Evaluate the trained run ``key``; writes metrics/<run>.json, its artifacts and eval_info.json."""
    config = run_from(params, key)
    device = resolve_device(params.device)
    seed_everything(config.seed)
    ctx = EvalContext(
        config,
        params.datasets[config.dataset],
        prepared_dir(config.dataset),
        reference_dir(config.dataset),
        device,
        progress=progress,
    )
    start = time.perf_counter()
    model = load_model(model_dir(config.key) / FINAL, device)
    result = evaluate(model, ctx)
    record = metrics_record(ctx, MODELS.get(config.model).meta, result, read_meta(ctx.prepared_dir))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **result.artifacts)
    logs = log_dir(config.key)
    write_bytes_atomic(logs / "artifacts.npz", buffer.getvalue())
    write_json(logs / "eval_info.json", run_info(str(device), time.perf_counter() - start))
    write_json(metrics_file(config.key), record)
    print(f"evaluated {config.key}: " + ", ".join(f"{k} {v:.4f}" for k, v in record["metrics"].items()))
