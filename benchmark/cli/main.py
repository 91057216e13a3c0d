"""Entry point: parses the sub-command, runs it, and turns MedbenchError into one line and an exit code."""

from __future__ import annotations

import argparse
import importlib
import sys

from benchmark.errors import MedbenchError

#: Sub-command -> module exposing ``register(subparsers)``, which sets ``func`` on its parser. Only the module of
#: the command being run is imported, so each DVC stage imports just what its deps in dvc.yaml list.
COMMANDS = {
    "list": "list_cmd",
    "score": "score",
    "suite": "suite",
    "fetch": "fetch",
    "prepare": "prepare",
    "reference": "reference",
    "train": "train",
    "evaluate": "evaluate",
    "run": "run",
    "study": "study",
    "leaderboard": "leaderboard",
    "datasets": "datasets",
    "report": "report",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with sub-command ``only`` attached, or every sub-command when ``only`` is None."""
    parser = argparse.ArgumentParser(
        prog="medbench",
        description="medbench: benchmark deep learning on medical images, replicating Celard et al. (2022).",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(f"benchmark.cli.{module}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one sub-command; errors print as ``medbench: error: ...`` with the error's exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    only = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser(only).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except MedbenchError as err:
        print(f"medbench: error: {err}", file=sys.stderr)
        return err.exit_code


if __name__ == "__main__":
    sys.exit(main())
