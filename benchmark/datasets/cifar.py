"""CIFAR-10 and CIFAR-100 (Krizhevsky 2009): 60k 32x32 colour images (survey Table 5), from the python pickles.

Source: cs.toronto.edu/~kriz; md5 from torchvision ``cifar.py``, sha256 of the CIFAR-10 tarball from keras
``cifar10.py`` (see ``shared/datasets/registry.yaml``). Official train/test split; validation is a seeded draw
from train.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import (
    Access,
    DatasetSpec,
    SplitArrays,
    SurveyRow,
    extracted,
    register_dataset,
    seeded_split,
)
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_cifar_batch, resize_uint8, to_chw

TORONTO = "https://www.cs.toronto.edu/~kriz"
CIFAR_ROW = SurveyRow(5, "General", "CIFAR-10", "C / G", "60k", "[9, 42, 46, 74, 75, 77, 104]", "[160]")
# the fine label names of the archive's ``meta`` file (alphabetical; label i is name i)
CIFAR100_CLASSES = tuple(
    """apple aquarium_fish baby bear beaver bed bee beetle bicycle bottle bowl boy bridge bus butterfly camel can
    castle caterpillar cattle chair chimpanzee clock cloud cockroach couch crab crocodile cup dinosaur dolphin
    elephant flatfish forest fox girl hamster house kangaroo keyboard lamp lawn_mower leopard lion lizard
    lobster man maple_tree motorcycle mountain mouse mushroom oak_tree orange orchid otter palm_tree pear
    pickup_truck pine_tree plain plate poppy porcupine possum rabbit raccoon ray road rocket rose sea seal shark
    shrew skunk skyscraper snail snake spider squirrel streetcar sunflower sweet_pepper table tank telephone
    television tiger tractor train trout tulip turtle wardrobe whale willow_tree wolf woman worm
    """.split()
)
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


@dataclass(frozen=True)
class Cifar(DatasetSpec):
    """CIFAR pickles: ``batches`` name the train and test batch files inside the archive's folder."""

    folder: str = ""
    train_batches: tuple[str, ...] = ()
    test_batch: str = ""
    label_key: str = "labels"

    def _read(self, root: Path, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        parts = [read_cifar_batch(root / self.folder / name) for name in names]
        return np.concatenate([p[0] for p in parts]), np.concatenate([p[1][self.label_key] for p in parts])

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        root = extracted(files[self.files[0].name])
        train_x, train_y = self._read(root, self.train_batches)
        test_x, test_y = self._read(root, (self.test_batch,))
        parts = seeded_split(len(train_x), {"val": config.val_fraction, "train": 1 - config.val_fraction}, seed)
        train_idx = parts["train"]
        if config.train_size is not None:
            train_idx = np.sort(np.random.default_rng(seed + 1).permutation(train_idx)[: config.train_size])

        def images(array: np.ndarray) -> np.ndarray:
            if config.channels == 1:
                array = np.stack([to_chw(np.moveaxis(a, 0, -1), 1) for a in array])
            return resize_uint8(array, config.image_size)

        return {
            "train": SplitArrays(images(train_x[train_idx]), train_y[train_idx]),
            "val": SplitArrays(images(train_x[parts["val"]]), train_y[parts["val"]]),
            "test": SplitArrays(images(test_x), test_y),
        }


_COMMON = dict(
    tasks=("classification", "generation"),
    modality="photograph (colour)",
    body_area="none (general)",
    license="no licence stated by the authors; cite Krizhevsky 2009",
    synthetic=False,
    access=Access("public_http", "https://www.cs.toronto.edu/~kriz/cifar.html"),
)

register_dataset(
    Cifar(
        name="cifar10",
        title="CIFAR-10",
        provenance="Krizhevsky 2009; md5 from torchvision cifar.py, sha256 from keras cifar10.py",
        classes=CIFAR10_CLASSES,
        files=(
            RemoteFile(
                "cifar-10-python.tar.gz",
                (f"{TORONTO}/cifar-10-python.tar.gz",),
                sha256="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                md5="c58f30108f718f92721af3b95e74349a",
            ),
        ),
        folder="cifar-10-batches-py",
        train_batches=tuple(f"data_batch_{i}" for i in range(1, 6)),
        test_batch="test_batch",
        label_key="labels",
        size="60,000 images (50,000 train / 10,000 test), 163 MB",
        survey=CIFAR_ROW,
        **_COMMON,
    )
)

register_dataset(
    Cifar(
        name="cifar100",
        title="CIFAR-100 (100 fine classes)",
        provenance="Krizhevsky 2009; md5 from torchvision cifar.py",
        classes=CIFAR100_CLASSES,
        files=(
            RemoteFile(
                "cifar-100-python.tar.gz",
                (f"{TORONTO}/cifar-100-python.tar.gz",),
                md5="eb9058c3a382ffc7106e4002c42a8d85",
            ),
        ),
        folder="cifar-100-python",
        train_batches=("train",),
        test_batch="test",
        label_key="fine_labels",
        size="60,000 images (50,000 train / 10,000 test), 161 MB",
        survey=CIFAR_ROW,
        note="the survey's CIFAR-10 row names CIFAR-100 as its 100-class sibling",
        **_COMMON,
    )
)
