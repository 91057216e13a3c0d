"""``metrics/<run>.json`` records -> one leaderboard per task (CSV and Markdown)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from benchmark.io import write_text_atomic

#: Metric columns per task, in display order; the first is the ranking metric.
TASK_COLUMNS: dict[str, tuple[str, ...]] = {
    # multi-label runs (multi-hot labels) are scored by MedMNIST's multi-label rules, in the last two columns
    "classification": (
        "accuracy",
        "auroc",
        "f1",
        "recall",
        "specificity",
        "precision",
        "ece",
        "multilabel_auroc",
        "multilabel_accuracy",
    ),
    "regression": ("rmse", "mae"),
    "segmentation": ("dice", "iou", "hd95", "pixel_accuracy"),
    "generation": (
        "fid",
        "fid_real_floor",
        "kid",
        "kid_real_floor",
        "fid_domain",
        "kid_domain",
        "inception_score",
        "improved_precision",
        "improved_recall",
        "psnr",
        "ssim",
        "frame_difference_gap",
    ),
    "translation": ("psnr", "ssim", "dice", "fid", "fid_real_floor", "kid"),
}
PROTOCOL_COLUMNS = ("n", "epochs", "seed", "image_size")


def load_records(paths: list[Path]) -> list[dict[str, Any]]:
    """Parsed metrics files, in the order given."""
    return [json.loads(Path(p).read_text()) for p in paths]


def leaderboard(records: list[dict[str, Any]], task: str) -> pd.DataFrame:
    """One row per run of ``task``, best first by the task's ranking metric (direction from the records)."""
    columns = TASK_COLUMNS[task]
    rows = []
    for record in (r for r in records if r["task"] == task):
        row = {
            "run": record["run"],
            "model": record["model"],
            "dataset": record["dataset"],
            "data": "synthetic" if record.get("synthetic_data") else "real",
        }
        row.update({c: record["metrics"].get(c) for c in columns})
        row.update({c: record["protocol"].get(c) for c in PROTOCOL_COLUMNS})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["run", "model", "dataset", "data", *columns, *PROTOCOL_COLUMNS])
    if frame.empty:
        return frame
    ranking = columns[0]
    ascending = not _higher_is_better(records, ranking)
    return frame.sort_values([ranking, "run"], ascending=[ascending, True], na_position="last").reset_index(drop=True)


def _higher_is_better(records: list[dict[str, Any]], metric: str) -> bool:
    """The direction recorded with the metric (metadata lives on the metric, not in the report)."""
    for record in records:
        if metric in record.get("higher_is_better", {}):
            return bool(record["higher_is_better"][metric])
    raise KeyError(f"no record states the direction of {metric!r}")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (numbers to 4 significant digits, blanks for missing)."""

    def cell(value: Any) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return ""
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def write_leaderboards(records: list[dict[str, Any]], out_dir: Path) -> dict[str, pd.DataFrame]:
    """``<out_dir>/<task>.csv`` and ``.md`` for every task in TASK_COLUMNS (empty tables say so)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    boards = {task: leaderboard(records, task) for task in TASK_COLUMNS}
    for task, frame in boards.items():
        write_text_atomic(out_dir / f"{task}.csv", frame.to_csv(index=False, float_format="%.6g", lineterminator="\n"))
        title = f"# {task.capitalize()} leaderboard\n\n"
        body = markdown_table(frame) if not frame.empty else "No runs of this task in the active suite.\n"
        write_text_atomic(out_dir / f"{task}.md", title + body)
    return boards
