"""Helpers shared by the stage commands: params loading and run-info records."""

from __future__ import annotations

import argparse
import os
import platform
import socket
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

from benchmark.config import DatasetConfig, Params, RunConfig, load_params
from benchmark.errors import ConfigError
from benchmark.io import write_bytes_atomic, write_json, write_text_atomic

__all__ = [
    "add_params_option",
    "dataset_from",
    "params_from",
    "package_versions",
    "run_from",
    "run_info",
    "write_bytes_atomic",
    "write_json",
    "write_text_atomic",
]

PACKAGES = ("torch", "torchvision", "timm", "torchmetrics", "pytorch-fid", "numpy", "pandas", "dvc")


def add_params_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="params.yaml", help="parameter file (default: params.yaml)")
    parser.add_argument("--no-progress", action="store_true", help="hide progress bars")


def params_from(args: argparse.Namespace) -> Params:
    return load_params(args.params)


def run_from(params: Params, key: str) -> RunConfig:
    """The run ``key`` of the active suite, or a one-line error listing the valid keys."""
    if key not in params.runs:
        raise ConfigError(
            f"run: unknown run {key!r} in suite {params.suite!r}; valid choices: {', '.join(params.runs) or '(none)'}"
        )
    return params.runs[key]


def dataset_from(params: Params, name: str) -> DatasetConfig:
    """The dataset ``name`` of the active suite, or a one-line error listing the valid names."""
    if name not in params.datasets:
        raise ConfigError(
            f"dataset: {name!r} is not in suite {params.suite!r}; valid choices: {', '.join(params.datasets)}"
        )
    return params.datasets[name]


def package_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def run_info(device: str, seconds: float, **extra: Any) -> dict[str, Any]:
    """Non-deterministic facts about an execution, kept out of metrics files on purpose."""
    return {
        "host": socket.gethostname(),
        "device": device,
        "cpu_count": os.cpu_count(),
        "wall_seconds": round(seconds, 2),
        "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": package_versions(),
        **extra,
    }
