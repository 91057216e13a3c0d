"""MNIST (LeCun et al. 1998): 70k 28x28 handwritten digits, 10 classes (survey Table 5), and the IDX preparer.

Sources: torchvision's mirror (ossci S3) then yann.lecun.com; md5s from torchvision ``mnist.py``, sizes and sha256
from tensorflow-datasets ``url_checksums/mnist.txt`` (same files; see ``shared/datasets/registry.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, DatasetSpec, SplitArrays, SurveyRow, register_dataset, seeded_split
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_idx, resize_uint8, to_chw

OSSCI = "https://ossci-datasets.s3.amazonaws.com/mnist"
LECUN = "http://yann.lecun.com/exdb/mnist"
IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
# (file, sha256 as hosted, size in bytes): tfds url_checksums/mnist.txt
_PINS = (
    (IDX_FILES[0], "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422),
    (IDX_FILES[1], "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881),
    (IDX_FILES[2], "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877),
    (IDX_FILES[3], "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542),
)


@dataclass(frozen=True)
class IdxDataset(DatasetSpec):
    """MNIST-format IDX files: official train/test split; validation and the optional training subset are
    seeded draws from train."""

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        train_x = read_idx(files[IDX_FILES[0]])[:, None]
        train_y = read_idx(files[IDX_FILES[1]]).astype(np.int64)
        test_x = read_idx(files[IDX_FILES[2]])[:, None]
        test_y = read_idx(files[IDX_FILES[3]]).astype(np.int64)
        parts = seeded_split(len(train_x), {"val": config.val_fraction, "train": 1 - config.val_fraction}, seed)
        train_idx = parts["train"]
        if config.train_size is not None:
            train_idx = np.sort(np.random.default_rng(seed + 1).permutation(train_idx)[: config.train_size])

        def images(array: np.ndarray) -> np.ndarray:
            converted = array if config.channels in (None, 1) else np.stack([to_chw(a[0], 3) for a in array])
            return resize_uint8(converted, config.image_size)

        return {
            "train": SplitArrays(images(train_x[train_idx]), train_y[train_idx]),
            "val": SplitArrays(images(train_x[parts["val"]]), train_y[parts["val"]]),
            "test": SplitArrays(images(test_x), test_y),
        }


register_dataset(
    IdxDataset(
        name="mnist",
        title="MNIST handwritten digits",
        tasks=("classification", "generation"),
        modality="scanned handwriting (grey)",
        body_area="none (general)",
        license="CC BY-SA 3.0 (as stated by the torchvision/tfds mirrors; no licence on the original page)",
        provenance="LeCun, Cortes, Burges 1998; files from torchvision's ossci mirror, pinned by tfds sha256",
        synthetic=False,
        classes=tuple(str(d) for d in range(10)),
        files=tuple(
            RemoteFile(name, (f"{OSSCI}/{name}", f"{LECUN}/{name}"), sha256=sha, size=size) for name, sha, size in _PINS
        ),
        access=Access("public_http", "http://yann.lecun.com/exdb/mnist/"),
        size="70,000 images (60,000 train / 10,000 test), 11 MB",
        survey=SurveyRow(5, "General", "MNIST", "C / G", "70k", "[9, 76, 77, 97, 103, 121]", "[169]"),
    )
)
