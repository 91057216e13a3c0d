"""Dataset entries and the prepared on-disk format that training reads.

A dataset entry knows where its files come from (``files``: pinned sources, local mirrors first) and how to turn
them into arrays (``build``). :func:`prepare` writes the arrays in one format for every dataset:
``<split>_images.npy`` (uint8 [N, C, H, W], or [N, C, D, H, W] for volumes), optional ``<split>_labels.npy``
(int64 [N], or [N, K] multi-hot for multi-label sets), ``<split>_masks.npy`` (uint8 [N, H, W]) and
``<split>_values.npy`` (float32 [N], a regression target), plus ``meta.json`` (classes, split sizes, resolution,
source checksums, licence; sequence datasets store clips [N, C, T, H, W] and record ``layout``, ``frames_axis`` and
``frames`` there). The folder is built beside its destination and renamed into place, so a failed prepare
leaves nothing half-written.

Every entry also records the survey facts (its Table 4/5 row) and how it can be obtained (:class:`Access`): public
HTTP files are fetched and verified; datasets behind a tool, a registration or a data-use agreement are placed by
hand under ``data/raw/NAME`` and validated, and a missing placement exits 3 with the exact steps.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.download import RemoteFile, fetch_file, sha256_file
from benchmark.datasets.extract import safe_extract
from benchmark.errors import ConfigError, DataMissingError
from benchmark.paths import DATASET_LOCK
from benchmark.registry import DATASETS

SPLITS = ("train", "val", "test")
#: public_http: plain downloads; public_tool: public but through a tool or API (TCIA NBIA, Kaggle, gdown, aws s3);
#: registration: an account or data-use agreement; unavailable: no longer distributed (see ``substitute``).
ACCESS_CLASSES = ("public_http", "public_tool", "registration", "unavailable")
EXTRACT_MIN_BOUND = 20 * 2**30  # bytes an archive may always expand to (see ``extracted``)


@dataclass(frozen=True)
class SurveyRow:
    """The dataset's row in the survey (Celard et al. 2022), as printed: Table 4 (medical) or 5 (general)."""

    table: int
    area: str
    name: str
    application: str
    size: str
    refs: str
    cite: str


@dataclass(frozen=True)
class Access:
    """How to obtain a dataset: its access class, where it lives and, for manual access, the exact steps.

    ``placed`` lists glob patterns (relative to ``data/raw/NAME``) that must each match at least one file before
    a manually obtained dataset is prepared; ``token_env`` names the environment variable holding a token.
    """

    kind: str
    homepage: str
    steps: tuple[str, ...] = ()
    placed: tuple[str, ...] = ()
    token_env: str | None = None
    substitute: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ACCESS_CLASSES:
            raise ConfigError(f"access kind {self.kind!r}; valid choices: {', '.join(ACCESS_CLASSES)}")

    @property
    def manual(self) -> bool:
        """Whether files are placed by hand (anything but a plain public download)."""
        return bool(self.placed)


@dataclass
class SplitArrays:
    """The arrays of one split; ``labels`` for classification, ``masks`` for segmentation, ``values`` for regression;
    each may be absent."""

    images: np.ndarray
    labels: np.ndarray | None = None
    masks: np.ndarray | None = None
    values: np.ndarray | None = None

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
    access: Access = field(default=Access("public_http", ""))
    size: str = ""
    survey: SurveyRow | None = None
    note: str = ""  # e.g. "public substitute for brats" or "derived benchmark, not in Tables 4-5"

    @abstractmethod
    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        """Arrays per split from the fetched ``files`` (name -> path; placed datasets also get "raw" -> folder)."""

    def class_names(self, files: dict[str, Path]) -> tuple[str, ...]:
        """Label names in label order (``classes``, unless the dataset reads them from its files)."""
        return self.classes

    def layout(self, config: DatasetConfig) -> dict[str, Any]:
        """Extra ``meta.json`` keys describing a non-default array layout (sequence datasets: frames axis)."""
        return {}

    def sources(self, config: DatasetConfig | None) -> tuple[RemoteFile, ...]:
        """The files this configuration needs (all of ``files`` unless a subclass picks, e.g. by image size)."""
        return self.files

    def fetch(
        self,
        raw_dir: Path,
        progress: bool = True,
        config: DatasetConfig | None = None,
        lock: Path = DATASET_LOCK,
    ) -> dict[str, Path]:
        """Fetch and verify the files into ``raw_dir``, or validate what was placed there by hand.

        Public files come from their sources in order (local mirrors first); a file with no public pin is
        verified against ``lock`` (its hash is recorded there on first download). Manual datasets raise
        DataMissingError (exit 3) with the exact steps while a placed pattern matches nothing.
        """
        raw_dir.mkdir(parents=True, exist_ok=True)
        found: dict[str, Path] = {}
        if self.access.manual:
            missing = [pattern for pattern in self.access.placed if not any(raw_dir.glob(pattern))]
            if missing:
                raise DataMissingError(self.manual_message(raw_dir, missing))
            found = {"raw": raw_dir}
        for remote in self.sources(config):
            if self.access.manual:  # placed by hand: verify the placed file itself against its public pin
                remote = replace(remote, urls=(str(raw_dir),))
            found[remote.name] = fetch_file(
                remote,
                raw_dir,
                progress=progress,
                token_env=self.access.token_env,
                lock=None if remote.pinned else lock,
            )
        return found

    def manual_message(self, raw_dir: Path, missing: list[str]) -> str:
        """One line: what is missing, and the numbered steps that obtain and place it."""
        steps = [f"({i}) {step}" for i, step in enumerate(self.access.steps, 1)]
        steps.append(
            f"({len(steps) + 1}) place the files so that these patterns match under {raw_dir}/: "
            + ", ".join(self.access.placed)
        )
        if self.access.token_env:
            steps.append(f"({len(steps) + 1}) a token, if the tool needs one, goes in ${self.access.token_env}")
        if self.access.substitute:
            steps.append(f"public substitute: `medbench prepare {self.access.substitute}`")
        return (
            f"{self.name} needs manual access ({self.access.kind}, {self.access.homepage}); "
            f"missing under {raw_dir}: {', '.join(missing)}; " + "; ".join(steps) + "; then rerun"
        )


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
        access=spec.access.kind,
        manual=spec.access.manual,
        homepage=spec.access.homepage,
        substitute=spec.access.substitute,
        size=spec.size,
        survey_table=spec.survey.table if spec.survey else None,
        survey_name=spec.survey.name if spec.survey else None,
        survey_application=spec.survey.application if spec.survey else None,
        survey_size=spec.survey.size if spec.survey else None,
        survey_refs=spec.survey.refs if spec.survey else None,
        survey_area=spec.survey.area if spec.survey else None,
        note=spec.note,
    )
    return spec


def extracted(archive: Path) -> Path:
    """The folder ``archive`` unpacks to (``<archive>.d`` beside it), extracted safely on first use.

    The size bound is 20 GiB or four times the archive, whichever is larger (image archives barely compress, so
    this admits ISIC 2020's 23 GB zip); the expansion-ratio bound (200x) still refuses bombs.
    """
    dest = archive.with_name(archive.name + ".d")
    if not dest.is_dir():
        safe_extract(archive, dest, max_total_bytes=max(EXTRACT_MIN_BOUND, 4 * archive.stat().st_size))
    return dest


def group_split(groups: np.ndarray, fractions: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    """Seeded split by group (patient, subject, lesion): every group lands in exactly one split.

    The groups are shuffled with ``seed`` and cut by the fractions of *groups*; returns sorted item indices.
    """
    unique, inverse = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    parts = seeded_split(len(unique), fractions, seed)
    return {name: np.sort(np.flatnonzero(np.isin(inverse, chosen))) for name, chosen in parts.items()}


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
    files = spec.fetch(raw_dir, progress=progress, config=config)
    splits = spec.build(files, config, seed)
    meta = {
        "name": spec.name,
        "title": spec.title,
        "tasks": list(spec.tasks),
        "classes": list(spec.class_names(files)),
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
        "access": spec.access.kind,
        "sources": {name: sha256_file(path) for name, path in sorted(files.items()) if path.is_file()},
        **spec.layout(config),
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
            if arrays.values is not None:
                np.save(tmp / f"{split}_values.npy", arrays.values.astype(np.float32))
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
            None if parts[0].values is None else np.concatenate([p.values for p in parts]),
        )

    def optional(kind: str) -> np.ndarray | None:
        path = prepared_dir / f"{split}_{kind}.npy"
        return np.load(path, mmap_mode="r") if path.exists() else None

    images = optional("images")
    if images is None:
        raise DataMissingError(f"{prepared_dir}: split {split!r} not prepared; valid splits: {', '.join(SPLITS)}")
    return SplitArrays(images, optional("labels"), optional("masks"), optional("values"))


def as_frames(arrays: SplitArrays, meta: dict[str, Any]) -> SplitArrays:
    """A sequence dataset's clips as single frames [N * T, C, H, W], each frame keeping its clip's label, so image
    metrics and the reference's classifier treat frames as images; other datasets are returned unchanged."""
    if "frames_axis" not in meta:
        return arrays
    clips = np.moveaxis(np.asarray(arrays.images), meta["frames_axis"], 1)  # [N, T, C, H, W]
    labels = None if arrays.labels is None else np.repeat(np.asarray(arrays.labels), clips.shape[1], axis=0)
    return SplitArrays(clips.reshape(-1, *clips.shape[2:]), labels)
