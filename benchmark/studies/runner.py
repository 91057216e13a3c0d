"""Run one study: every (arm, seed) cell trained with the one loop and scored with its task's evaluator.

Cells run in one process (no per-run stage start-up) and each cell's result is cached beside its weights in
``models/studies/<study>/<arm>/s<seed>/``, keyed by the cell's full settings and the fingerprint of the training code
and its data (:mod:`benchmark.fingerprint`), so a killed study resumes at the first unfinished cell, a changed arm
retrains only that arm (and the arms that start from it), and changed code retrains everything. The returned record
is deterministic (no wall times); timings are returned separately for ``logs/studies/<study>.json``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import torch

from benchmark.config import Params, RunConfig, StudyConfig
from benchmark.datasets.base import load_split, read_meta
from benchmark.evaluation.evaluate import EvalContext, evaluate, rounded
from benchmark.fingerprint import code_digest, stamp, tree_digest
from benchmark.io import write_json
from benchmark.paths import prepared_dir, reference_dir
from benchmark.registry import METRICS, MODELS
from benchmark.stats import judge_claim, summarize
from benchmark.training.loop import FINAL, ModelSpec, load_model, train
from benchmark.training.seeding import seed_everything

RESULT = "result.json"


@dataclass(frozen=True)
class CellResult:
    """Metrics of one trained (arm, seed) cell and what it cost."""

    arm: str
    seed: int
    metrics: dict[str, float]
    train_seconds: float
    eval_seconds: float


def cell_run(study: StudyConfig, arm: str, seed: int) -> RunConfig:
    """The arm's run under ``seed``, keyed ``study/arm/sSEED``."""
    return replace(study.arms[arm], seed=seed, key=f"{study.name}/{arm}/s{seed}")


def cell_stamp(run: RunConfig, code: str, source: Path | None, device: torch.device) -> str:
    """Fingerprint of a cell: its settings, the training code, its prepared data and reference statistics, the
    result stamp of the cell it starts from (``source``, the ``init_from`` arm's same-seed cell) and the device type
    it trains on (CUDA trains with mixed precision, so its numbers differ from the CPU's)."""
    reference = reference_dir(run.dataset)
    source_stamp = json.loads((source / RESULT).read_text()).get("stamp", "") if source is not None else ""
    return stamp(
        run=run.to_dict(),
        code=code,
        prepared=tree_digest(prepared_dir(run.dataset)),
        reference=tree_digest(reference) if reference.is_dir() else "",
        source=source_stamp,
        device=device.type,
    )


def run_cell(
    run: RunConfig,
    params: Params,
    device: torch.device,
    out_dir: Path,
    progress: bool,
    keep_weights: bool = True,
    fingerprint: str = "",
) -> CellResult:
    """Train and evaluate one cell, or return its cached result when the settings are unchanged.

    Without ``keep_weights`` the cell's final weights are deleted once scored: only its result is reused, and a
    study's cells would otherwise put hundreds of MB of weights through DVC's cache on every change.
    """
    cached = out_dir / RESULT
    if cached.is_file():
        record = json.loads(cached.read_text())
        if record["run"] == run.to_dict() and record.get("stamp", "") == fingerprint:
            return CellResult(**record["result"])
    data_dir = prepared_dir(run.dataset)
    start = time.perf_counter()
    train(
        run,
        ModelSpec.for_run(run, read_meta(data_dir)),
        load_split(data_dir, "train"),
        load_split(data_dir, "val"),
        device,
        out_dir,
        num_workers=params.num_workers,
        progress=progress,
    )
    trained = time.perf_counter()
    seed_everything(run.seed)
    ctx = EvalContext(
        run, params.datasets[run.dataset], data_dir, reference_dir(run.dataset), device, progress=progress
    )
    metrics = evaluate(load_model(out_dir / FINAL, device), ctx).metrics
    arm, seed = run.key.split("/")[1], run.seed
    result = CellResult(arm, seed, rounded(metrics), trained - start, time.perf_counter() - trained)
    write_json(cached, {"run": run.to_dict(), "stamp": fingerprint, "result": vars(result)})
    if not keep_weights:
        (out_dir / FINAL).unlink()
    return result


def run_study(
    study: StudyConfig,
    params: Params,
    device: torch.device,
    out_dir: Path,
    progress: bool = True,
    on_cell: Callable[[CellResult], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train every cell of ``study``; returns (metrics record, timing log). Only cells that another arm starts
    from (``init_from``) keep their weights."""
    sources = {run.init_from for run in study.arms.values()}
    code = code_digest()
    results = []
    for arm in study.arms:
        for seed in study.seeds:
            cell = cell_run(study, arm, seed)
            source = out_dir / cell.init_from / f"s{seed}" if cell.init_from else None
            result = run_cell(
                cell,
                params,
                device,
                out_dir / arm / f"s{seed}",
                progress,
                keep_weights=arm in sources,
                fingerprint=cell_stamp(cell, code, source, device),
            )
            if on_cell is not None:
                on_cell(result)
            results.append(result)
    return study_record(study, results), timing_log(study, results)


def study_record(study: StudyConfig, results: list[CellResult]) -> dict[str, Any]:
    """``metrics/studies/<study>.json``: per-arm per-seed values, summaries of every metric, the claim verdict."""
    missing = sorted({r.arm for r in results if study.metric not in r.metrics})
    if missing:
        raise ValueError(f"studies.{study.name}.metric: {study.metric!r} was not measured for arm {missing[0]!r}")
    higher = bool(METRICS.get(study.metric).meta["higher_is_better"])
    arms: dict[str, Any] = {}
    for arm, run in study.arms.items():
        cells = sorted((r for r in results if r.arm == arm), key=lambda r: r.seed)
        names = sorted(set.intersection(*(set(c.metrics) for c in cells)))
        arms[arm] = {
            "model": run.model,
            "dataset": run.dataset,
            "settings": _differences(run, study),  # not rounded: a learning rate of 1e-7 must stay 1e-7
            "seeds": [c.seed for c in cells],
            "values": rounded([c.metrics[study.metric] for c in cells]),
            "summary": rounded({name: vars(summarize([c.metrics[name] for c in cells])) for name in names}),
        }
    values = {arm: entry["values"] for arm, entry in arms.items()}
    first = next(iter(study.arms.values()))
    return {
        "study": study.name,
        "title": study.title,
        "task": MODELS.get(first.model).meta["task"],
        "metric": study.metric,
        "higher_is_better": higher,
        "seeds": list(study.seeds),
        "notes": study.notes,
        "protocol": {"epochs": first.epochs, "batch_size": first.batch_size, "eval_split": "test"},
        "arms": arms,
        "claim": rounded(judge_claim(study.claim, values, higher)) if study.claim else None,
    }


def timing_log(study: StudyConfig, results: list[CellResult]) -> dict[str, Any]:
    """Per-cell train and evaluation seconds (non-deterministic, kept out of the metrics)."""
    return {
        "study": study.name,
        "cells": [
            {
                "arm": r.arm,
                "seed": r.seed,
                "train_seconds": round(r.train_seconds, 2),
                "eval_seconds": round(r.eval_seconds, 2),
            }
            for r in results
        ],
    }


def _differences(run: RunConfig, study: StudyConfig) -> dict[str, Any]:
    """The settings in which this arm differs from at least one other arm (what the study varies)."""
    record = run.to_dict()
    others = [other.to_dict() for other in study.arms.values()]
    return {
        key: value
        for key, value in record.items()
        if key not in ("key", "seed") and any(other[key] != value for other in others)
    }


def write_study(record: dict[str, Any], metrics_path: Path, timing: dict[str, Any], log_path: Path) -> None:
    """Write the metrics record and the timing log atomically."""
    write_json(log_path, timing)
    write_json(metrics_path, record)
