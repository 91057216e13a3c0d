"""Readers for native file formats, one small pure function each, and the conversions to the prepared format.

Heavy or optional libraries (torch, PIL, pydicom, nibabel, h5py, lmdb) are imported inside the function that needs
them, so listing the dataset registry stays cheap.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import pickle
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.errors import ConfigError

_IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: Path) -> np.ndarray:
    """An IDX array (MNIST family), gzip-compressed or not, with the shape and dtype its header declares."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise ConfigError(f"{path}: not an IDX file (bad magic number)")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    array = np.frombuffer(data, dtype=_IDX_DTYPES[data[2]], offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise ConfigError(f"{path}: IDX header declares shape {shape} but holds {array.size} values")
    return array.reshape(shape).astype(array.dtype.newbyteorder("="))


def read_nifti(path: Path) -> np.ndarray:
    """The voxel array of a NIfTI file as float32 (scaling applied by nibabel)."""
    import nibabel

    return np.asarray(nibabel.load(str(path)).get_fdata(dtype=np.float32))


def read_image(source: Path | bytes) -> np.ndarray:
    """A PNG/JPEG/WebP/... image (path or encoded bytes) as uint8 [H, W] (grey) or [H, W, 3] (colour).

    Palette images keep their indices (VOC masks); 16-bit grey is scaled to 8 bits; alpha is dropped.
    """
    from PIL import Image

    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
        if image.mode in ("P", "L", "1"):
            return np.asarray(image.convert("L") if image.mode == "1" else image, dtype=np.uint8)
        if image.mode in ("I;16", "I;16B", "I", "F"):
            return to_uint8(np.asarray(image, dtype=np.float32))
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def to_uint8(array: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray:
    """Linearly map [low, high] (default: the array's min and max) to 0..255, clipping outside."""
    array = np.asarray(array, dtype=np.float32)
    low = float(array.min()) if low is None else low
    high = float(array.max()) if high is None else high
    scaled = (array - low) / (high - low) * 255.0 if high > low else np.zeros_like(array)
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


def to_chw(image: np.ndarray, channels: int | None) -> np.ndarray:
    """[H, W] or [H, W, C] uint8 to [C, H, W], converted to ``channels`` (1: ITU-R 601 luma, 3: grey repeated)."""
    chw = image[None] if image.ndim == 2 else np.moveaxis(image, -1, 0)
    if channels is None or chw.shape[0] == channels:
        return chw
    if channels == 3 and chw.shape[0] == 1:
        return np.repeat(chw, 3, axis=0)
    if channels == 1 and chw.shape[0] == 3:
        luma = 0.299 * chw[0] + 0.587 * chw[1] + 0.114 * chw[2]
        return np.clip(np.round(luma), 0, 255).astype(np.uint8)[None]
    raise ConfigError(f"cannot convert {chw.shape[0]} channels to {channels}")


def resize_uint8(images: np.ndarray, size: int) -> np.ndarray:
    """Resize uint8 [N, C, H, W] to ``size`` x ``size`` (area when shrinking, bilinear when growing)."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    import torch
    import torch.nn.functional as F

    tensor = torch.from_numpy(np.array(images, dtype=np.float32))  # a writable float copy
    mode = "area" if size < images.shape[-1] else "bilinear"
    out = F.interpolate(tensor, size=(size, size), mode=mode, **({} if mode == "area" else {"align_corners": False}))
    return out.round().clamp(0, 255).to(torch.uint8).numpy()


def resize_mask(mask: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour resize of an [H, W] label map to ``size`` x ``size`` (labels are never blended)."""
    h, w = mask.shape
    rows = np.minimum(((np.arange(size) + 0.5) * h / size).astype(int), h - 1)
    cols = np.minimum(((np.arange(size) + 0.5) * w / size).astype(int), w - 1)
    return np.ascontiguousarray(mask[rows][:, cols])


def read_cifar_batch(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A CIFAR-10/100 python pickle batch: uint8 [N, 3, 32, 32] images and its label arrays by key."""
    with open(path, "rb") as handle:
        batch = pickle.load(handle, encoding="bytes")
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    labels = {key.decode(): np.asarray(value, dtype=np.int64) for key, value in batch.items() if b"labels" in key}
    return images, labels


def read_mat_v73(path: Path, group: str) -> dict[str, np.ndarray]:
    """The datasets of one group of a MATLAB v7.3 (HDF5) file, transposed back to MATLAB's row-major view."""
    import h5py

    with h5py.File(path, "r") as mat:
        if group not in mat:
            raise ConfigError(f"{path}: MATLAB file has no variable {group!r}")
        return {key: np.asarray(value).T for key, value in mat[group].items() if isinstance(value, h5py.Dataset)}


def read_dicom(path: Path, window: tuple[float, float] | None = None) -> np.ndarray:
    """A DICOM image as uint8 [H, W] in display orientation (multi-frame: the central frame).

    Applies the modality rescale (RescaleSlope/Intercept), then a window: ``window`` (centre, width) if given,
    else the file's first WindowCenter/WindowWidth, else the full value range; MONOCHROME1 (white = low values)
    is inverted so that every image reads bright-on-dark the same way. Colour (RGB) images are returned as is.
    """
    import pydicom

    ds = pydicom.dcmread(str(path))
    pixels = ds.pixel_array
    if ds.get("PhotometricInterpretation", "MONOCHROME2") == "RGB":
        return np.asarray(pixels, dtype=np.uint8)
    if pixels.ndim == 3:  # multi-frame (e.g. tomosynthesis): the central frame
        pixels = pixels[len(pixels) // 2]
    values = pixels.astype(np.float32) * float(ds.get("RescaleSlope", 1)) + float(ds.get("RescaleIntercept", 0))
    if window is None and "WindowCenter" in ds and "WindowWidth" in ds:
        centre, width = (ds.WindowCenter, ds.WindowWidth)
        centre = centre[0] if isinstance(centre, pydicom.multival.MultiValue) else centre
        width = width[0] if isinstance(width, pydicom.multival.MultiValue) else width
        window = (float(centre), float(width))
    image = (
        to_uint8(values) if window is None else to_uint8(values, window[0] - window[1] / 2, window[0] + window[1] / 2)
    )
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        image = 255 - image
    return image


def volume_slices(volume: np.ndarray, axis: int, mode: str) -> np.ndarray:
    """Every slice of a 3D volume along ``axis`` as [n, C, H, W]: C = 1 for "2d", C = 3 for "2.5d".

    In 2.5D each slice carries its neighbours (i - 1, i, i + 1) as channels; the first and last slices repeat
    themselves where the neighbour does not exist.
    """
    stack = np.moveaxis(volume, axis, 0)
    if mode == "2d":
        return stack[:, None]
    if mode != "2.5d":
        raise ConfigError(f"slices: invalid value {mode!r}; valid choices: 2d, 2.5d")
    index = np.arange(len(stack))
    return np.stack([stack[np.maximum(index - 1, 0)], stack, stack[np.minimum(index + 1, len(stack) - 1)]], axis=1)


def read_csv_rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    """A CSV file with a header row as a list of dicts (column -> text), whitespace stripped."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [
            {key.strip(): (value or "").strip() for key, value in row.items() if key is not None}
            for row in csv.DictReader(handle, delimiter=delimiter)
        ]


def read_voc_xml(path: Path) -> list[tuple[str, tuple[int, int, int, int]]]:
    """The objects of a PASCAL VOC annotation: (class name, (xmin, ymin, xmax, ymax)) each."""
    root = ET.parse(path).getroot()
    objects = []
    for obj in root.iter("object"):
        box = obj.find("bndbox")
        coords = tuple(int(float(box.findtext(k, "0"))) for k in ("xmin", "ymin", "xmax", "ymax"))
        objects.append((obj.findtext("name", "").strip(), coords))
    return objects


def coco_semantic_masks(annotations: dict[str, Any]) -> dict[int, tuple[str, np.ndarray]]:
    """COCO instance annotations as one semantic mask per image: {image id: (file name, uint8 [H, W])}.

    Pixel values are 1-based indices into the sorted category ids (0 = background); polygons are filled in
    annotation order (later ones on top). Crowd annotations in RLE form are skipped.
    """
    from PIL import Image, ImageDraw

    category_index = {cid: i + 1 for i, cid in enumerate(sorted(c["id"] for c in annotations["categories"]))}
    canvases = {
        img["id"]: (img["file_name"], Image.new("L", (img["width"], img["height"]), 0)) for img in annotations["images"]
    }
    for ann in annotations["annotations"]:
        segmentation = ann.get("segmentation")
        if not isinstance(segmentation, list):
            continue
        draw = ImageDraw.Draw(canvases[ann["image_id"]][1])
        for polygon in segmentation:
            draw.polygon(
                [tuple(p) for p in np.asarray(polygon).reshape(-1, 2)], fill=category_index[ann["category_id"]]
            )
    return {key: (name, np.asarray(canvas, dtype=np.uint8)) for key, (name, canvas) in canvases.items()}


def read_json(path: Path) -> Any:
    """A JSON document."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def read_lmdb_values(path: Path, limit: int | None = None) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) pairs of an LMDB environment in key order (LSUN stores encoded images as values)."""
    import lmdb

    env = lmdb.open(str(path), readonly=True, lock=False, readahead=False, subdir=Path(path).is_dir())
    try:
        with env.begin() as txn:
            for count, (key, value) in enumerate(txn.cursor()):
                if limit is not None and count >= limit:
                    break
                yield bytes(key), bytes(value)
    finally:
        env.close()
