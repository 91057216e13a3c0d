"""Checkpoint files: written atomically (a killed write never replaces a good checkpoint) and read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from benchmark.io import save_torch_atomic as save_atomic

__all__ = ["load", "save_atomic"]


def load(path: Path, device: torch.device | str = "cpu") -> dict[str, Any]:
    """A checkpoint written by :func:`save_atomic` (our own files, so full unpickling is allowed)."""
    return torch.load(path, map_location=device, weights_only=False)
