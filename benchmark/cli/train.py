"""``medbench train RUN``: train one run of the active suite with the one loop (DVC runs it via ``medbench run``)."""

from __future__ import annotations

import argparse
import csv
import io
import time

from benchmark.cli.common import add_params_option, params_from, run_from, run_info, write_json, write_text_atomic
from benchmark.config import Params
from benchmark.datasets.base import load_split, read_meta
from benchmark.paths import history_file, log_dir, model_dir, prepared_dir
from benchmark.training.loop import ModelSpec, train
from benchmark.training.seeding import resolve_device


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train one run (MODEL-DATASET) of the active suite")
    parser.add_argument("run")
    add_params_option(parser)
    parser.set_defaults(func=run)


def history_csv(history: list[dict[str, float]]) -> str:
    """Per-epoch history as CSV (the columns every epoch has), for ``dvc plots``."""
    columns = sorted({key for record in history for key in record} - {"epoch"})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", *columns])
    for record in history:
        writer.writerow([record["epoch"], *(f"{record[c]:.6f}" if c in record else "" for c in columns)])
    return out.getvalue()


def run(args: argparse.Namespace) -> int:
    train_run(params_from(args), args.run, progress=not args.no_progress)
    return 0


def train_run(params: Params, key: str, progress: bool) -> None:
    """Train run ``key`` (resuming a matching checkpoint); writes the model, its history and train_info.json."""
    config = run_from(params, key)
    device = resolve_device(params.device)
    data_dir = prepared_dir(config.dataset)
    spec = ModelSpec.for_run(config, read_meta(data_dir))
    spec.build()  # bad model_args fail here, before anything is written
    start = time.perf_counter()
    history = train(
        config,
        spec,
        load_split(data_dir, "train"),
        load_split(data_dir, "val"),
        device,
        model_dir(config.key),
        num_workers=params.num_workers,
        progress=progress,
    )
    write_text_atomic(history_file(config.key), history_csv(history))
    write_json(
        log_dir(config.key) / "train_info.json",
        run_info(
            str(device),
            time.perf_counter() - start,
            amp=device.type == "cuda",
            selected_epoch=int(history[-1].get("best_epoch", config.epochs)),
            select_by=config.select_by or "last epoch",
        ),
    )
    print(f"trained {config.key}: " + ", ".join(f"{k} {v:.4f}" for k, v in history[-1].items() if k != "epoch"))
