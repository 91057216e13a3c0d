"""``medbench list {models,datasets,losses,metrics} [--json]``: what the registries hold."""

from __future__ import annotations

import argparse
import json

from benchmark.registry import DATASETS, LOSSES, METRICS, MODELS, Registry

REGISTRIES: dict[str, Registry] = {"models": MODELS, "datasets": DATASETS, "losses": LOSSES, "metrics": METRICS}
COLUMNS = {
    "models": ("name", "family", "task", "min_size", "channels", "source"),
    "datasets": ("name", "task", "access", "survey_table", "modality", "body_area"),
    "losses": ("name", "task", "description"),
    "metrics": ("name", "task", "higher_is_better", "description"),
}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("list", help="list registered models, datasets, losses or metrics")
    parser.add_argument("kind", choices=sorted(REGISTRIES))
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    parser.set_defaults(func=run)


def table(rows: list[dict], columns: tuple[str, ...]) -> str:
    """A plain fixed-width text table."""
    cells = [["" if row.get(c) is None else str(row[c]) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in cells]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    rows = [entry.describe() for entry in REGISTRIES[args.kind]]
    for row in rows:
        row.setdefault("family", row.get("kind", args.kind.rstrip("s")))
    if args.json:
        print(json.dumps(rows, indent=2, sort_keys=True, default=str))
    else:
        print(table(rows, COLUMNS[args.kind]))
    return 0
