"""Readers for native file formats (one small pure function each)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

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


def resize_uint8(images: np.ndarray, size: int) -> np.ndarray:
    """Resize uint8 [N, C, H, W] to ``size`` x ``size`` (area when shrinking, bilinear when growing)."""
    if images.shape[-1] == size and images.shape[-2] == size:
        return images
    tensor = torch.from_numpy(np.ascontiguousarray(images)).float()
    mode = "area" if size < images.shape[-1] else "bilinear"
    out = F.interpolate(tensor, size=(size, size), mode=mode, **({} if mode == "area" else {"align_corners": False}))
    return out.round().clamp(0, 255).to(torch.uint8).numpy()
