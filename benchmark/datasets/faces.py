"""Face datasets of the survey's Table 5: CelebA, LFW and FACES (MPIB), used there for image generation.

LFW is a public download from its figshare mirror (the original host is gone); CelebA's official host is Google
Drive (through gdown, often over quota), so its files are placed by hand and verified against torchvision's md5s;
FACES is released case by case after an application. Splits: CelebA's official partition; LFW and FACES seeded by
person, so no identity is in two splits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, SurveyRow, extracted, register_dataset
from benchmark.datasets.builders import CatalogDataset, ImageFolder, Items
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_image

CELEBA_SPLITS = {"0": "train", "1": "val", "2": "test"}
# (file, md5 from torchvision celeba.py, bytes from tfds celeb_a checksums.tsv where listed)
_CELEBA_FILES = (
    ("img_align_celeba.zip", "00d2c5bc6d35e252742224ab0c1e8fcb", 1443490838),
    ("list_eval_partition.txt", "d32c9cbf5e040fd4025c592c306e6668", 2836386),
    ("identity_CelebA.txt", "32bd1bd63d3c78cd57e08160ec5ed1e2", 3424458),
)


@dataclass(frozen=True)
class CelebA(CatalogDataset):
    """Aligned 178 x 218 CelebA faces with the official train/val/test partition (identity-disjoint)."""

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        root = extracted(files["img_align_celeba.zip"])
        index = {p.name: p for p in root.rglob("*.jpg")}
        rows = [line.split() for line in files["list_eval_partition.txt"].read_text().splitlines() if line.strip()]
        identity = dict(line.split() for line in files["identity_CelebA.txt"].read_text().splitlines() if line.strip())
        rows = [(name, split) for name, split in rows if name in index]
        return Items(
            [index[name] for name, _ in rows],
            None,
            np.array([identity.get(name, name) for name, _ in rows]),
            np.array([CELEBA_SPLITS[split] for _, split in rows]),
        )

    def read(self, files: dict[str, Path], key: Path, config: DatasetConfig) -> list[tuple[np.ndarray, Any]]:
        return [(read_image(key), None)]


register_dataset(
    CelebA(
        name="celeba",
        title="CelebA (CelebFaces Attributes), aligned and cropped",
        tasks=("generation",),
        modality="photograph (faces, colour)",
        body_area="none (general)",
        license="CelebA agreement: non-commercial research and education only",
        provenance="Liu et al., ICCV 2015; md5s from torchvision celeba.py",
        synthetic=False,
        files=tuple(RemoteFile(name, ("data/raw/celeba",), md5=md5, size=size) for name, md5, size in _CELEBA_FILES),
        access=Access(
            "public_tool",
            "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html",
            steps=(
                "download img_align_celeba.zip, list_eval_partition.txt and identity_CelebA.txt from the CelebA "
                "Google Drive (pip install gdown; torchvision's CelebA file ids) or its Kaggle mirror "
                "jessicali9530/celeba-dataset",
            ),
            placed=tuple(name for name, _, _ in _CELEBA_FILES),
        ),
        size="202,599 images of 10,177 identities (162,770 / 19,867 / 19,962), 1.4 GB",
        survey=SurveyRow(5, "General", "CelebA", "G", "200k+", "[75, 83, 98, 101, 104, 129]", "[159]"),
    )
)

register_dataset(
    ImageFolder(
        name="lfw",
        title="LFW (Labeled Faces in the Wild)",
        tasks=("generation",),
        modality="photograph (faces, colour)",
        body_area="none (general)",
        license="no licence stated; research use (UMass Amherst)",
        provenance="Huang et al., UMass TR 07-49 (2007); figshare mirror 5976018 as used by scikit-learn and tfds "
        "(sha256 from tfds lfw_dataset_builder.py)",
        synthetic=False,
        files=(
            RemoteFile(
                "lfw.tgz",
                ("https://ndownloader.figshare.com/files/5976018",),
                sha256="055f7d9c632d7370e6fb4afc7468d40f970c34a80d4c6f50ffec63f5a8d536c0",
                size=180566744,
            ),
        ),
        access=Access("public_http", "https://vis-www.cs.umass.edu/lfw/"),
        size="13,233 images of 5,749 people, 250 x 250, 173 MB",
        survey=SurveyRow(5, "General", "LFW", "G", "13k+", "[124]", "[167]"),
        note="the original host no longer resolves; the figshare copy is the mirror scikit-learn and tfds use",
        archive="lfw.tgz",
        group_regex=r"^(.*)_\d+\.jpg$",
    )
)

register_dataset(
    ImageFolder(
        name="faces",
        title="FACES (Max Planck Institute for Human Development) facial expressions",
        tasks=("generation", "classification"),
        modality="photograph (faces, colour)",
        body_area="none (general)",
        license="FACES release agreement: scientific use only, case-by-case approval (personal rights)",
        provenance="Ebner, Riediger, Lindenberger, Behav. Res. Methods 2010",
        synthetic=False,
        classes=("a", "d", "f", "h", "n", "s"),  # anger, disgust, fear, happiness, neutral, sadness (file-name code)
        access=Access(
            "registration",
            "https://faces.mpdl.mpg.de/imeji/",
            steps=(
                "register and apply at https://faces.mpdl.mpg.de/imeji/ (approved case by case)",
                "download the images (file names ID_age_gender_expression_set.jpg, e.g. 004_o_m_a_a.jpg) into "
                "data/raw/faces/",
            ),
            placed=("**/*.jpg",),
        ),
        size="2,052 images of 171 people (young, middle-aged, older), 6 expressions x 2 sets",
        survey=SurveyRow(5, "General", "Faces", "G", "2,052", "[48, 77, 102]", "[164]"),
        label_regex=r"^\d+_[a-z]+_[a-z]+_([a-z])_[a-z]",
        group_regex=r"^(\d+)_",
    )
)
