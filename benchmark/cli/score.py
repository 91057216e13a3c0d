"""``medbench score``: score a prediction ``.npz`` against a target ``.npz`` and print the result as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmark.metrics.scoring import TASKS, score_files


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``score`` sub-command."""
    parser = subparsers.add_parser(
        "score",
        help="score saved predictions against targets",
        description="Score a prediction .npz against a target .npz; prints metrics and protocol as JSON. Keys: "
        "classification, pred 'probs' [N, C] (probabilities) and/or 'labels' [N], target 'labels' [N] "
        "(multi-label, MedMNIST rules: target 'labels' 0/1 [N, L], pred 'probs' [N, L]); "
        "segmentation, both 'masks' [N, H, W] or [N, D, H, W]; regression, both 'values' [N].",
    )
    parser.add_argument("--task", required=True, choices=TASKS, help="what the predictions are for")
    parser.add_argument("--pred", required=True, type=Path, metavar="P.npz", help="prediction archive")
    parser.add_argument("--target", required=True, type=Path, metavar="T.npz", help="target archive")
    parser.add_argument(
        "--num-classes", type=int, default=None, help="number of classes (default: inferred from the arrays)"
    )
    parser.add_argument(
        "--include-background", action="store_true", help="segmentation: count class 0 in the class means"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Score the files named in ``args`` and print the JSON result (indent 2, sorted keys)."""
    result = score_files(
        args.task, args.pred, args.target, num_classes=args.num_classes, include_background=args.include_background
    )
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0
