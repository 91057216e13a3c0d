"""Shared preparers: a dataset lists its items (a catalogue) and reads one item; splitting and stacking live here.

Splits: official ones where the dataset defines them (per item); otherwise seeded and *group-level* (patient,
subject, lesion or identity), so no group is in two splits. A missing validation split is carved out of train the
same way. Pixels are read only for the items that are kept (``train_size`` caps train before reading).
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import DatasetSpec, SplitArrays, extracted, group_split
from benchmark.datasets.formats import (
    read_csv_rows,
    read_dicom,
    read_image,
    read_nifti,
    resize_mask,
    resize_uint8,
    to_chw,
    to_uint8,
    volume_slices,
)
from benchmark.errors import ConfigError, DataMissingError

TEST_FRACTION = 0.2  # share of groups held out for test when a dataset has no official test split
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")
NIFTI_SUFFIXES = (".nii", ".nii.gz")


@dataclass
class Items:
    """A dataset's catalogue before pixels are read: one key per item plus labels, groups and official splits."""

    keys: list[Any]
    labels: np.ndarray | None = None
    groups: np.ndarray | None = None
    official: np.ndarray | None = None  # "train" / "val" / "test" per item, or None when there is no official split

    def __post_init__(self) -> None:
        if not self.keys:
            raise DataMissingError("no items found in the dataset's files; check the placed or extracted layout")


def split_indices(items: Items, config: DatasetConfig, seed: int) -> dict[str, np.ndarray]:
    """Train/val/test item indices: official splits first, then seeded group-level splits for what is missing."""
    n = len(items.keys)
    groups = items.groups if items.groups is not None else np.arange(n).astype(str)
    if items.official is None:
        parts = group_split(groups, {"test": TEST_FRACTION, "rest": 1 - TEST_FRACTION}, seed)
        parts = {"test": parts["test"], "train": parts["rest"]}
    else:
        parts = {name: np.flatnonzero(items.official == name) for name in ("train", "val", "test")}
        parts = {name: idx for name, idx in parts.items() if len(idx)}
    if "val" not in parts and config.val_fraction > 0:
        train = parts["train"]
        inner = group_split(groups[train], {"val": config.val_fraction, "train": 1 - config.val_fraction}, seed + 1)
        parts["val"], parts["train"] = train[inner["val"]], train[inner["train"]]
    if config.train_size is not None and config.train_size < len(parts["train"]):
        parts["train"] = np.sort(np.random.default_rng(seed + 2).permutation(parts["train"])[: config.train_size])
    return {name: parts[name] for name in ("train", "val", "test") if name in parts}


@dataclass(frozen=True)
class CatalogDataset(DatasetSpec):
    """A dataset prepared item by item: ``catalogue`` lists the items, ``read`` turns one into image(s) (+ mask)."""

    @abstractmethod
    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        """Every item with its label, group and official split."""

    @abstractmethod
    def read(self, files: dict[str, Path], key: Any, config: DatasetConfig) -> list[tuple[np.ndarray, Any]]:
        """The images of one item ([H, W] or [H, W, C] uint8; volumes give many) each with its mask or None."""

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        """Split the catalogue, then read, convert and resize item by item (memory holds prepared pixels only).

        With ``channels`` unset, every image takes the first image's channel count, so a folder mixing grey and
        colour files still stacks.
        """
        items = self.catalogue(files, config)
        size, channels = config.image_size, config.channels
        out = {}
        for split, indices in split_indices(items, config, seed).items():
            images, masks, labels = [], [], []
            for index in indices:
                for image, mask in self.read(files, items.keys[index], config):
                    chw = to_chw(image, channels)
                    channels = channels or chw.shape[0]
                    images.append(resize_uint8(to_chw(image, channels)[None], size)[0])
                    masks.append(None if mask is None else resize_mask(mask, size))
                    if items.labels is not None:
                        labels.append(items.labels[index])
            if not images:
                groups = len(set(items.groups.tolist())) if items.groups is not None else len(items.keys)
                raise ConfigError(
                    f"datasets.{self.name}: split {split!r} is empty ({len(items.keys)} items in {groups} groups); "
                    "lower val_fraction or place more data"
                )
            out[split] = SplitArrays(
                np.stack(images),
                np.asarray(labels, dtype=np.int64) if items.labels is not None else None,
                np.stack(masks) if masks[0] is not None else None,
            )
        return out


ALL_ARCHIVES = "*"


def root_of(files: dict[str, Path], archive: str | None) -> Path:
    """The folder holding a dataset's tree: the extracted ``archive``, the raw folder with every archive
    extracted beside it (``archive="*"``: ``<name>.d`` folders), or the placed raw folder."""
    if archive == ALL_ARCHIVES:
        archives = [
            p for p in files.values() if p.is_file() and p.name.lower().endswith((".zip", ".tar", ".tgz", ".gz"))
        ]
        for path in archives:
            extracted(path)
        return files["raw"] if "raw" in files else next(iter(files.values())).parent
    if archive:
        return extracted(files[archive])
    if "raw" not in files:
        raise ConfigError("no archive named and no placed folder: the entry's files are misconfigured")
    return files["raw"]


def find_files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Every file under ``root`` with one of ``suffixes`` (case-insensitive), sorted, hidden files skipped."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.name.lower().endswith(suffixes) and not any(part.startswith(".") for part in p.parts)
    )


def read_any(path: Path, config: DatasetConfig) -> list[np.ndarray]:
    """An image file by its format: DICOM, NIfTI (the central axial slice or 2.5D triplet) or a picture."""
    name = path.name.lower()
    if name.endswith(".dcm"):
        return [read_dicom(path)]
    if name.endswith(NIFTI_SUFFIXES):
        volume = read_nifti(path)
        volume = volume[..., 0] if volume.ndim == 4 else volume
        middle = volume_slices(volume, 2, config.slices)[volume.shape[2] // 2]
        return [np.moveaxis(to_uint8(middle), 0, -1) if len(middle) == 3 else to_uint8(middle[0])]
    return [read_image(path)]


@dataclass(frozen=True)
class ImageFolder(CatalogDataset):
    """Images whose class is a folder name (``class_level`` path parts above the file), or unlabelled.

    ``split_dirs`` maps a folder name anywhere in the path to an official split; ``group_regex`` (group 1 on
    the file name) names the patient/identity so that seeded splits keep a group together.
    """

    archive: str = ""
    split_dirs: tuple[tuple[str, str], ...] = ()
    class_level: int = 1
    group_regex: str = ""
    label_regex: str = ""  # when set, group 1 on the file name is the class (instead of a folder)

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        root = root_of(files, self.archive)
        paths = find_files(root, IMAGE_SUFFIXES + (".dcm",))
        split_of = dict(self.split_dirs)
        official = None
        if split_of:
            official = np.array(
                [next((split_of[p] for p in path.relative_to(root).parts if p in split_of), "") for path in paths]
            )
            keep = official != ""
            paths, official = [p for p, k in zip(paths, keep) if k], official[keep]
        labels = None
        if self.classes:
            names = [self._class_name(p) for p in paths]
            keep = [n in self.classes for n in names]
            paths = [p for p, k in zip(paths, keep) if k]
            official = official[np.asarray(keep, dtype=bool)] if official is not None else None
            labels = np.array([self.classes.index(n) for n, k in zip(names, keep) if k], dtype=np.int64)
        groups = None
        if self.group_regex:
            groups = np.array([_match(self.group_regex, p.name) for p in paths])
        return Items(paths, labels, groups, official)

    def _class_name(self, path: Path) -> str:
        return _match(self.label_regex, path.name) if self.label_regex else path.parts[-1 - self.class_level]

    def read(self, files: dict[str, Path], key: Path, config: DatasetConfig) -> list[tuple[np.ndarray, Any]]:
        return [(image, None) for image in read_any(key, config)]


def _match(pattern: str, text: str) -> str:
    """Group 1 of ``pattern`` searched in ``text``; the whole text when it does not match."""
    found = re.search(pattern, text)
    return found.group(1) if found else text


@dataclass(frozen=True)
class CsvImages(CatalogDataset):
    """Images listed in CSV files: an id column (file stem or relative path), a label, a group and a split.

    The label comes from ``label_column`` (text matched to ``classes``), or from one-hot columns named like
    ``classes`` (arg-max), or, with ``multilabel_sep``, from a separator-joined list (stored as a multi-hot row).
    ``csvs`` maps a CSV glob to the official split of its rows ("" means: use ``split_column`` or none).
    """

    archive: str = ""
    csvs: tuple[tuple[str, str], ...] = ()
    id_column: str = ""
    label_column: str = ""
    multilabel_sep: str = ""
    group_column: str = ""
    split_column: str = ""
    split_values: tuple[tuple[str, str], ...] = ()  # value in split_column -> train/val/test
    split_lists: tuple[tuple[str, str], ...] = ()  # file listing ids (one per line) -> train/val/test
    id_transform: Callable[[str], str] | None = None
    delimiter: str = ","

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        root = root_of(files, self.archive)
        index = _index_by_stem(root, files)
        rows, splits = [], []
        for pattern, split in self.csvs:
            matched = sorted(root.glob(pattern)) or ([files[pattern]] if pattern in files else [])
            if not matched:
                raise DataMissingError(f"{self.name}: no label file matches {pattern!r} under {root}")
            for path in matched:
                for row in read_csv_rows(path, self.delimiter):
                    rows.append(row)
                    splits.append(split)
        keys, labels, groups, official = [], [], [], []
        split_map = dict(self.split_values)
        listed = _listed_ids(root, self.split_lists)
        for row, split in zip(rows, splits):
            ident = row[self.id_column]
            ident = self.id_transform(ident) if self.id_transform else ident
            path = index.get(ident) or index.get(Path(ident).stem) or index.get(Path(ident).name.split(".")[0])
            label = self._label(row)
            if path is None or label is None:
                continue  # listed but not present (e.g. a partial placement), or a class outside ``classes``
            keys.append(path)
            labels.append(label)
            groups.append(row[self.group_column] if self.group_column else ident)
            if self.split_column:
                split = split_map.get(row.get(self.split_column, ""), "")
            official.append(listed.get(ident, "") if listed else split)
        has_official = any(official)
        return Items(
            keys,
            np.asarray(labels, dtype=np.int64),
            np.asarray(groups),
            np.asarray(official) if has_official else None,
        )

    def _label(self, row: dict[str, str]) -> Any:
        if self.multilabel_sep:
            present = set(row[self.label_column].split(self.multilabel_sep))
            return [int(name in present) for name in self.classes]
        if self.label_column:
            value = row[self.label_column]
            return self.classes.index(value) if value in self.classes else None
        return int(np.argmax([float(row[name]) for name in self.classes]))

    def read(self, files: dict[str, Path], key: Path, config: DatasetConfig) -> list[tuple[np.ndarray, Any]]:
        return [(image, None) for image in read_any(key, config)]


def labels_csv(label_column: str, group_column: str, **entry: Any) -> CsvImages:
    """A :class:`CsvImages` entry labelled by the ``labels.csv`` its access steps have the user write: one row per
    image, with columns ``image`` (file name or path), ``label_column`` and ``group_column`` (patient or subject)."""
    return CsvImages(
        csvs=(("labels.csv", ""),), id_column="image", label_column=label_column, group_column=group_column, **entry
    )


def _listed_ids(root: Path, lists: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Item id -> official split from id-list files (one id per line; a path's stem also counts)."""
    listed: dict[str, str] = {}
    for pattern, split in lists:
        for path in sorted(root.glob(pattern)):
            for line in path.read_text().splitlines():
                if line.strip():
                    listed[line.strip()] = split
    return listed


def _index_by_stem(root: Path, files: dict[str, Path]) -> dict[str, Path]:
    """Image files under ``root`` (and any extracted archives among ``files``) by relative path, stem, the stem's
    first ``_`` token and each folder of the relative path (first file wins), for CSV ids of any style."""
    index: dict[str, Path] = {}
    roots = [root] + [p.with_name(p.name + ".d") for p in files.values() if p.with_name(p.name + ".d").is_dir()]
    for folder in dict.fromkeys(roots):
        for path in find_files(folder, IMAGE_SUFFIXES + (".dcm",) + NIFTI_SUFFIXES):
            rel = path.relative_to(folder)
            stem = path.name.split(".")[0]
            for key in (rel.as_posix(), stem, stem.split("_")[0], *rel.parts[:-1]):
                index.setdefault(key, path)
    return index


@dataclass(frozen=True)
class MaskPairs(CatalogDataset):
    """Images with a segmentation mask each: ``image_glob`` under the root, ``mask_for`` maps an image to its mask.

    ``mask_lut`` (256 entries) maps stored mask values to class indices (e.g. Cityscapes ids -> train ids, VOC's
    255 border -> 0); the split comes from a folder name (``split_dirs``) or from VOC-style id lists.
    """

    archive: str = ""
    image_glob: str = ""
    mask_sub: tuple[str, str] = ("", "")  # regex, replacement on the image's relative path
    split_dirs: tuple[tuple[str, str], ...] = ()
    split_lists: tuple[tuple[str, str], ...] = ()  # id-list file glob -> split
    mask_lut: tuple[int, ...] = ()
    group_regex: str = ""

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        root = root_of(files, self.archive)
        pairs, official = [], []
        listed = _listed_ids(root, self.split_lists)
        split_of = dict(self.split_dirs)
        for image in sorted(root.glob(self.image_glob)):
            rel = image.relative_to(root).as_posix()
            mask = root / re.sub(self.mask_sub[0], self.mask_sub[1], rel)
            if not mask.is_file():
                continue
            parts = image.relative_to(root).parts
            split = next((split_of[p] for p in parts if p in split_of), "") or listed.get(image.stem, "")
            if (self.split_lists or self.split_dirs) and not split:
                continue  # outside every official list (VOC detection-only images, Cityscapes test without masks)
            pairs.append((image, mask))
            official.append(split)
        groups = np.array([_match(self.group_regex, p[0].name) for p in pairs]) if self.group_regex else None
        return Items(pairs, None, groups, np.asarray(official) if any(official) else None)

    def read(
        self, files: dict[str, Path], key: tuple[Path, Path], config: DatasetConfig
    ) -> list[tuple[np.ndarray, Any]]:
        image, mask = read_image(key[0]), read_image(key[1])
        if mask.ndim == 3:
            mask = mask[..., 0]
        if self.mask_lut:
            mask = np.asarray(self.mask_lut, dtype=np.uint8)[mask]
        return [(image, mask)]


@dataclass(frozen=True)
class NiftiVolumes(CatalogDataset):
    """3D NIfTI volumes (one per case, optionally with a label volume) cut into axial slices, split by case.

    ``channel`` picks one modality of 4D volumes; ``mask_sub`` maps an image path to its label volume (labels
    remapped by ``mask_lut``); ``min_foreground`` drops slices that are almost empty (below that fraction of
    non-zero voxels), so the prepared set is not dominated by air. Intensities are windowed per volume to the
    0.5-99.5 percentiles of its non-zero voxels.
    """

    archive: str = ""
    image_glob: str = ""
    mask_sub: tuple[str, str] = ("", "")
    channel: int = 0
    mask_lut: tuple[int, ...] = ()
    min_foreground: float = 0.05
    group_regex: str = r"^([^.]+)"

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        root = root_of(files, self.archive)
        images = [p for p in sorted(root.glob(self.image_glob)) if not p.name.startswith(".")]
        keys = [(p, self._mask_path(root, p)) for p in images]
        return Items(keys, None, np.array([_match(self.group_regex, p.name) for p in images]))

    def _mask_path(self, root: Path, image: Path) -> Path | None:
        if not self.mask_sub[0]:
            return None
        mask = root / re.sub(self.mask_sub[0], self.mask_sub[1], image.relative_to(root).as_posix())
        if not mask.is_file():
            raise DataMissingError(f"{self.name}: label volume {mask} for {image.name} is missing")
        return mask

    def read(self, files: dict[str, Path], key: tuple[Path, Path | None], config: DatasetConfig) -> list[tuple]:
        volume = read_nifti(key[0])
        volume = volume[..., self.channel] if volume.ndim == 4 else volume
        foreground = (volume > 0).mean(axis=(0, 1))  # per axial slice, before windowing
        low, high = np.percentile(volume[volume > 0], (0.5, 99.5)) if (volume > 0).any() else (0.0, 1.0)
        slices = volume_slices(to_uint8(volume, float(low), float(high)), 2, config.slices)
        labels = None
        if key[1] is not None:
            labels = np.rint(read_nifti(key[1])).astype(np.int64)
            lut = np.asarray(self.mask_lut or range(256), dtype=np.uint8)
            labels = np.moveaxis(lut[labels], 2, 0)
        kept = []
        for i, image in enumerate(slices):
            if foreground[i] < self.min_foreground:
                continue
            kept.append(
                (np.moveaxis(image, 0, -1) if len(image) == 3 else image[0], None if labels is None else labels[i])
            )
        return kept
