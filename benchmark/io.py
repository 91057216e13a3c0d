"""Atomic file writes: a reader never sees a half-written file, and a failed write leaves the old one intact."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync it, and rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; outputs and caches are meant to be shared
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: Path, text: str) -> None:
    """Text version of :func:`write_bytes_atomic` (UTF-8)."""
    write_bytes_atomic(path, text.encode())


def write_json(path: Path, record: Any) -> None:
    """Pretty, key-sorted JSON with a trailing newline (stable bytes for git and ``dvc metrics diff``)."""
    write_text_atomic(path, json.dumps(record, indent=2, sort_keys=True) + "\n")


def save_torch_atomic(obj: Any, path: Path) -> None:
    """``torch.save`` into memory, then :func:`write_bytes_atomic`."""
    import io as _io

    import torch

    buffer = _io.BytesIO()
    torch.save(obj, buffer)
    write_bytes_atomic(path, buffer.getvalue())
