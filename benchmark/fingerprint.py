"""Content fingerprints that decide whether a finished run or study cell can be reused.

DVC reruns the ``runs`` and ``studies`` stages when any of their deps change; inside them, each run or cell is
skipped only when its stamp matches the fingerprint of everything that shapes its result: its settings, the code
that trains and scores it, and the bytes of its prepared data and reference statistics.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
#: package folders that never shape a trained model or its metrics
NOT_TRAINING = ("reporting",)


def tree_digest(root: Path, pattern: str = "*") -> str:
    """sha256 over the relative paths and bytes of every file under ``root`` matching ``pattern`` (sorted)."""
    digest = hashlib.sha256()
    root = Path(root)
    for path in sorted(p for p in root.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def code_digest() -> str:
    """Digest of the package's Python sources, less the folders that only render results."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] in NOT_TRAINING or "__pycache__" in rel.parts:
            continue
        digest.update(rel.as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def stamp(**parts: Any) -> str:
    """One sha256 over JSON-serialisable ``parts`` (keys sorted)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
