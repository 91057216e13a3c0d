"""Dataset entries and the prepared on-disk format that training reads.

A dataset entry knows where its files come from (``files``: pinned sources, local mirrors first) and how to turn
them into arrays (``build``). :func:`prepare` writes the arrays in one format for every dataset:
``<split>_images.npy`` (uint8 [N, C, H, W]), optional ``<split>_labels.npy`` (int64 [N]) and ``<split>_masks.npy``
(uint8 [N, H, W]), plus ``meta.json`` (classes, split sizes, resolution, source checksums, licence). The folder is
built beside its destination and renamed into place, so a failed prepare leaves nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.download import RemoteFile, fetch_file, sha256_file
from benchmark.errors import DataMissingError
from benchmark.registry import DATASETS

SPLITS = ("train", "val", "test")


@dataclass
class SplitArrays:
    """The arrays of one split; ``labels`` for classification, ``masks`` for segmentation, either may be absent."""

    images: np.ndarray
    labels: np.ndarray | None = None
    masks: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.images)


@dataclass(frozen=True)
class DatasetSpec(ABC):
    """A registered dataset: provenance and terms, where its files come from, and how to build arrays from them."""

    name: str
    title: str
    tasks: tuple[str, ...]
    modality: str
    body_area: str
    license: str
    provenance: str
    synthetic: bool
    classes: tuple[str, ...] = ()
    mask_classes: tuple[str, ...] = ()
    files: tuple[RemoteFile, ...] = field(default=())

    @abstractmethod
    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        """Arrays per split from the fetched ``files`` (name -> path)."""

    def fetch(self, raw_dir: Path, progress: bool = True) -> dict[str, Path]:
        """Fetch and verify every file into ``raw_dir`` (local mirrors are tried first, so no network when present)."""
        raw_dir.mkdir(parents=True, exist_ok=True)
        return {f.name: fetch_file(f, raw_dir, progress=progress) for f in self.files}


def register_dataset(spec: DatasetSpec) -> DatasetSpec:
    """Add ``spec`` to the dataset registry with its listing metadata."""
    DATASETS.add(
        spec.name,
        spec,
        task=spec.tasks[0],
        tasks=list(spec.tasks),
        family="synthetic" if spec.synthetic else "real",
        modality=spec.modality,
        body_area=spec.body_area,
        license=spec.license,
        provenance=spec.provenance,
        synthetic=spec.synthetic,
        title=spec.title,
    )
    return spec


def seeded_split(n: int, fractions: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    """Disjoint index sets covering ``range(n)`` with the given fractions (the last split takes the remainder)."""
    order = np.random.default_rng(seed).permutation(n)
    out: dict[str, np.ndarray] = {}
    start = 0
    names = list(fractions)
    for i, name in enumerate(names):
        stop = n if i == len(names) - 1 else start + int(round(fractions[name] * n))
        out[name] = np.sort(order[start:stop])
        start = stop
    return out


def prepare(
    spec: DatasetSpec, config: DatasetConfig, raw_dir: Path, out_dir: Path, seed: int, progress: bool = True
) -> dict[str, Any]:
    """Fetch, build and write ``spec`` into ``out_dir`` atomically; returns the written ``meta.json`` content."""
    files = spec.fetch(raw_dir, progress=progress)
    splits = spec.build(files, config, seed)
    meta = {
        "name": spec.name,
        "title": spec.title,
        "tasks": list(spec.tasks),
        "classes": list(spec.classes),
        "mask_classes": list(spec.mask_classes),
        "image_size": config.image_size,
        "channels": int(splits["train"].images.shape[1]),
        "splits": {name: len(arrays) for name, arrays in splits.items()},
        "foreground_fraction": {
            name: round(float(np.mean(arrays.masks > 0)), 6)
            for name, arrays in splits.items()
            if arrays.masks is not None
        },
        "seed": seed,
        "config": {k: v for k, v in vars(config).items() if k != "name"},
        "license": spec.license,
        "provenance": spec.provenance,
        "synthetic": spec.synthetic,
        "sources": {name: sha256_file(path) for name, path in sorted(files.items())},
    }
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}."))
    tmp.chmod(0o755)
    try:
        for split, arrays in splits.items():
            np.save(tmp / f"{split}_images.npy", np.ascontiguousarray(arrays.images, dtype=np.uint8))
            if arrays.labels is not None:
                np.save(tmp / f"{split}_labels.npy", arrays.labels.astype(np.int64))
            if arrays.masks is not None:
                np.save(tmp / f"{split}_masks.npy", arrays.masks.astype(np.uint8))
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return meta


def read_meta(prepared_dir: Path) -> dict[str, Any]:
    """``meta.json`` of a prepared dataset; a missing folder says which stage creates it."""
    path = Path(prepared_dir) / "meta.json"
    if not path.is_file():
        raise DataMissingError(f"{prepared_dir}: no prepared dataset here; run `dvc repro` (stage prepare) first")
    return json.loads(path.read_text())


def load_split(prepared_dir: Path, split: str) -> SplitArrays:
    """Memory-mapped arrays of one split ("all" concatenates train, val and test)."""
    prepared_dir = Path(prepared_dir)
    read_meta(prepared_dir)
    if split == "all":
        parts = [load_split(prepared_dir, name) for name in SPLITS if (prepared_dir / f"{name}_images.npy").exists()]
        return SplitArrays(
            np.concatenate([p.images for p in parts]),
            None if parts[0].labels is None else np.concatenate([p.labels for p in parts]),
            None if parts[0].masks is None else np.concatenate([p.masks for p in parts]),
        )

    def optional(kind: str) -> np.ndarray | None:
        path = prepared_dir / f"{split}_{kind}.npy"
        return np.load(path, mmap_mode="r") if path.exists() else None

    images = optional("images")
    if images is None:
        raise DataMissingError(f"{prepared_dir}: split {split!r} not prepared; valid splits: {', '.join(SPLITS)}")
    return SplitArrays(images, optional("labels"), optional("masks"))
