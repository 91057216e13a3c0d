"""Natural-image datasets of the survey's Table 5: CUB-200-2011, ImageNet (ILSVRC2012), LSUN and MIRFLICKR-25k.

CUB, LSUN and MIRFLICKR are public downloads (sha256/size from tensorflow-datasets, md5s from public loaders);
ImageNet needs an image-net.org account, and its archives are placed by hand and verified against torchvision's
md5s. LSUN ships LMDB databases of encoded images; ImageNet's training archive holds one tar per class.
"""

from __future__ import annotations

import functools
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, SurveyRow, extracted, register_dataset
from benchmark.datasets.builders import CatalogDataset, ImageFolder, Items
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_image, read_lmdb_values


@dataclass(frozen=True)
class Cub(CatalogDataset):
    """CUB-200-2011 with its official train/test split (``train_test_split.txt``) and 200 species labels."""

    def _root(self, files: dict[str, Path]) -> Path:
        return extracted(files["CUB_200_2011.tgz"]) / "CUB_200_2011"

    def _table(self, path: Path) -> dict[str, str]:
        return dict(line.split(" ", 1) for line in path.read_text().splitlines() if line.strip())

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        root = self._root(files)
        images = self._table(root / "images.txt")
        labels = self._table(root / "image_class_labels.txt")
        is_train = self._table(root / "train_test_split.txt")
        ids = sorted(images, key=int)
        return Items(
            [root / "images" / images[i] for i in ids],
            np.array([int(labels[i]) - 1 for i in ids], dtype=np.int64),
            None,
            np.array(["train" if is_train[i].strip() == "1" else "test" for i in ids]),
        )

    def class_names(self, files: dict[str, Path]) -> tuple[str, ...]:
        table = self._table(self._root(files) / "classes.txt")
        return tuple(table[k].strip() for k in sorted(table, key=int))

    def read(self, files: dict[str, Path], key: Path, config: DatasetConfig) -> list[tuple[np.ndarray, Any]]:
        return [(read_image(key), None)]


register_dataset(
    Cub(
        name="cub200",
        title="CUB-200-2011 (Caltech-UCSD Birds)",
        tasks=("classification", "detection", "generation"),
        modality="photograph (colour)",
        body_area="none (general)",
        license="research use (Caltech); images from Flickr",
        provenance="Wah et al., Caltech CNS-TR-2011-001; sha256/size from tfds caltech_birds2011.txt, md5 as used "
        "by public loaders (e.g. Avalanche CUB200)",
        synthetic=False,
        files=(
            RemoteFile(
                "CUB_200_2011.tgz",
                ("https://data.caltech.edu/records/65de6-vp158/files/CUB_200_2011.tgz?download=1",),
                sha256="0c685df5597a8b24909f6a7c9db6d11e008733779a671760afef78feb49bf081",
                md5="97eceeb196236b17998738112f37df78",
                size=1150585339,
            ),
        ),
        access=Access("public_http", "https://www.vision.caltech.edu/datasets/cub_200_2011/"),
        size="11,788 images, 200 species (5,994 train / 5,794 test), 1.1 GB",
        survey=SurveyRow(5, "General", "CUB", "C / D / G", "11k+", "[124]", "[163]"),
    )
)


@functools.lru_cache(maxsize=1)
def _outer_tar(path: Path) -> tarfile.TarFile:
    return tarfile.open(path, "r:")


@dataclass(frozen=True)
class ImageNetTrain(CatalogDataset):
    """ILSVRC2012 training archive: one inner tar per class (WordNet id); labels follow the sorted WordNet ids,
    the order torchvision and timm use. The official validation labels need the devkit, so val and test are
    seeded draws from the training images."""

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        outer = _outer_tar(files["ILSVRC2012_img_train.tar"])
        keys, labels = [], []
        wnids = sorted(m.name for m in outer.getmembers() if m.name.endswith(".tar"))
        for label, wnid in enumerate(wnids):
            with tarfile.open(fileobj=outer.extractfile(wnid), mode="r:") as inner:
                for member in inner.getmembers():
                    if member.isfile():
                        keys.append((wnid, member.name))
                        labels.append(label)
        return Items(keys, np.asarray(labels, dtype=np.int64), np.asarray([k[0] + k[1] for k in keys]))

    def class_names(self, files: dict[str, Path]) -> tuple[str, ...]:
        outer = _outer_tar(files["ILSVRC2012_img_train.tar"])
        return tuple(sorted(m.name[: -len(".tar")] for m in outer.getmembers() if m.name.endswith(".tar")))

    def read(self, files: dict[str, Path], key: tuple[str, str], config: DatasetConfig) -> list[tuple]:
        outer = _outer_tar(files["ILSVRC2012_img_train.tar"])
        with tarfile.open(fileobj=outer.extractfile(key[0]), mode="r:") as inner:
            return [(read_image(inner.extractfile(key[1]).read()), None)]


register_dataset(
    ImageNetTrain(
        name="imagenet",
        title="ImageNet ILSVRC2012 (training archive)",
        tasks=("classification", "generation"),
        modality="photograph (colour)",
        body_area="none (general)",
        license="ImageNet terms of access: non-commercial research and education only",
        provenance="Russakovsky et al., IJCV 2015; md5 from torchvision imagenet.py, sha256/size from tfds "
        "imagenet2012 checksums.tsv",
        synthetic=False,
        files=(
            RemoteFile(
                "ILSVRC2012_img_train.tar",
                ("data/raw/imagenet",),
                sha256="b08200a27a8e34218a0e58fde36b0fe8f73bc377f4acea2d91602057c3ca45bb",
                md5="1d675b47d978889d74fa0da5fadfb00e",
                size=147897477120,
            ),
        ),
        access=Access(
            "registration",
            "https://image-net.org/download.php",
            steps=(
                "create an account at https://image-net.org/ and accept the terms of access",
                "download ILSVRC2012_img_train.tar (138 GB) from the ILSVRC2012 download page",
            ),
            placed=("ILSVRC2012_img_train.tar",),
        ),
        size="1,281,167 train / 50,000 val / 100,000 test images, 1,000 classes, 155 GB",
        survey=SurveyRow(
            5,
            "General",
            "ImageNet",
            "C / D / G",
            "1M+",
            "[42, 43, 47, 48, 52, 54, 55, 57, 59, 74, 75, 97, 102]",
            "[166]",
        ),  # fmt: skip
    )
)


@functools.lru_cache(maxsize=4)
def _lmdb_keys(path: Path) -> tuple[bytes, ...]:
    return tuple(key for key, _ in read_lmdb_values(path))


@dataclass(frozen=True)
class Lsun(CatalogDataset):
    """One LSUN scene category from its LMDB (values are encoded JPEG/WebP images); seeded image-level splits."""

    archive: str = ""

    def _db(self, files: dict[str, Path]) -> Path:
        return next(p.parent for p in extracted(files[self.archive]).rglob("data.mdb"))

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        return Items(list(_lmdb_keys(self._db(files))))

    def read(self, files: dict[str, Path], key: bytes, config: DatasetConfig) -> list[tuple[np.ndarray, Any]]:
        import lmdb

        env = lmdb.open(str(self._db(files)), readonly=True, lock=False, readahead=False)
        try:
            with env.begin() as txn:
                return [(read_image(bytes(txn.get(key))), None)]
        finally:
            env.close()


register_dataset(
    Lsun(
        name="lsun",
        title="LSUN church_outdoor (scene category, training LMDB)",
        tasks=("generation",),
        modality="photograph (colour)",
        body_area="none (general)",
        license="research use (LSUN); images collected from the web",
        provenance="Yu et al., arXiv:1506.03365 (2015); sha256/size from tfds url_checksums/lsun.txt",
        synthetic=False,
        files=(
            RemoteFile(
                "church_outdoor_train_lmdb.zip",
                ("http://dl.yf.io/lsun/scenes/church_outdoor_train_lmdb.zip",),
                sha256="91128ae026840ac0c5982b4445ab5fc4e092d6847cca76793b2b1a0815c2e74a",
                size=2448463466,
            ),
        ),
        access=Access("public_http", "https://www.yf.io/p/lsun"),
        size="126,227 church_outdoor training images (10 scene categories in all, ~1M per large category), 2.4 GB",
        survey=SurveyRow(5, "General", "LSUN", "C / D / S", "69M", "[48, 75, 83, 98, 102, 104]", "[168]"),
        note="one category (church_outdoor, the GAN literature's usual LSUN choice); the server is intermittently down",
        archive="church_outdoor_train_lmdb.zip",
    )
)

register_dataset(
    ImageFolder(
        name="mirflickr25k",
        title="MIRFLICKR-25000",
        tasks=("generation",),
        modality="photograph (colour)",
        body_area="none (general)",
        license="per image Creative Commons licences (licence files shipped in the archive)",
        provenance="Huiskes & Lew, ACM MIR 2008; md5 agreed by several public download scripts",
        synthetic=False,
        files=(
            RemoteFile(
                "mirflickr25k.zip",
                ("http://press.liacs.nl/mirflickr/mirflickr25k.v3b/mirflickr25k.zip",),
                md5="a23d0a8564ee84cda5622a6c2f947785",
                size=3069184257,
            ),
        ),
        access=Access("public_http", "https://press.liacs.nl/mirflickr/"),
        size="25,000 images with tags, EXIF and 24 concept annotations, 2.9 GB",
        survey=SurveyRow(5, "General", "Flickr25k", "D / G", "25k", "[97]", "[165]"),
        archive="mirflickr25k.zip",
    )
)
