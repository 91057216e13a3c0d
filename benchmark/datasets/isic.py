"""Skin lesion datasets (survey Table 4, ISIC row): ISIC 2018 Task 1 (segmentation) and Task 3, ISIC 2019, ISIC 2020
and HAM10000.

The ISIC challenge files are public on the isic-challenge-data S3 bucket; no public loader pins their hashes, so
the first download records them in the lock file. HAM10000 is on Harvard Dataverse and is placed by hand.
Splits: seeded; grouped by patient (2020) or lesion (HAM10000) where the metadata names them.
"""

from __future__ import annotations

from benchmark.datasets.base import Access, SurveyRow, register_dataset
from benchmark.datasets.builders import ALL_ARCHIVES, CsvImages, MaskPairs
from benchmark.datasets.download import RemoteFile

S3 = "https://isic-challenge-data.s3.amazonaws.com"
ISIC_ROW = SurveyRow(4, "Other", "ISIC", "C / D / S", "40k+", "[64, 115, 116]", "[157]")
HAM_CLASSES = ("MEL", "NV", "BCC", "AKIEC", "BKL", "DF", "VASC")
ISIC2019_CLASSES = ("MEL", "NV", "BCC", "AK", "BKL", "DF", "VASC", "SCC")
LICENCE = "CC BY-NC 4.0 (ISIC archive terms; attribution to the challenge and source datasets)"
HOME = "https://challenge.isic-archive.com/data/"
# what every challenge set on the S3 bucket shares (HAM10000 is placed by hand from Dataverse)
S3_ENTRY = {
    "modality": "dermoscopy (JPEG)",
    "body_area": "skin",
    "license": LICENCE,
    "synthetic": False,
    "access": Access("public_http", HOME),
    "survey": ISIC_ROW,
    "archive": ALL_ARCHIVES,
}


def _s3(*names: str) -> tuple[RemoteFile, ...]:
    return tuple(RemoteFile(name.rsplit("/", 1)[-1], (f"{S3}/{name}",)) for name in names)


register_dataset(
    MaskPairs(
        name="isic2018_task1",
        title="ISIC 2018 Task 1: lesion boundary segmentation",
        tasks=("segmentation", "generation"),
        **S3_ENTRY,
        provenance="Codella et al., arXiv:1902.03368 (ISIC 2018); Tschandl et al., Sci. Data 2018",
        mask_classes=("background", "lesion"),
        files=_s3("2018/ISIC2018_Task1-2_Training_Input.zip", "2018/ISIC2018_Task1_Training_GroundTruth.zip"),
        size="2,594 training images with lesion masks, 10.4 GB",
        image_glob="ISIC2018_Task1-2_Training_Input.zip.d/**/ISIC_*.jpg",
        mask_sub=(
            r"ISIC2018_Task1-2_Training_Input\.zip\.d/.*?(ISIC_\d+)\.jpg$",
            r"ISIC2018_Task1_Training_GroundTruth.zip.d/ISIC2018_Task1_Training_GroundTruth/\1_segmentation.png",
        ),
        mask_lut=tuple(int(v > 127) for v in range(256)),
    )
)

register_dataset(
    CsvImages(
        name="isic2018_task3",
        title="ISIC 2018 Task 3: lesion diagnosis (HAM10000 images)",
        tasks=("classification", "generation"),
        **S3_ENTRY,
        provenance="Codella et al. 2019 (ISIC 2018); Tschandl et al., Sci. Data 2018 (HAM10000)",
        classes=HAM_CLASSES,
        files=_s3("2018/ISIC2018_Task3_Training_Input.zip", "2018/ISIC2018_Task3_Training_GroundTruth.zip"),
        size="10,015 training images, 7 classes, 2.6 GB",
        note="image-level seeded split (this release has no lesion ids; `ham10000` groups by lesion)",
        csvs=(("ISIC2018_Task3_Training_GroundTruth.zip.d/**/*.csv", ""),),
        id_column="image",
    )
)

register_dataset(
    CsvImages(
        name="isic2019",
        title="ISIC 2019: skin lesion classification",
        tasks=("classification", "generation"),
        **S3_ENTRY,
        provenance="Tschandl et al. 2018; Codella et al. 2018; Combalia et al. 2019 (BCN20000); URLs as in "
        "owkin/FLamby fed_isic2019 download_isic.py",
        classes=ISIC2019_CLASSES,
        files=_s3(
            "2019/ISIC_2019_Training_Input.zip",
            "2019/ISIC_2019_Training_GroundTruth.csv",
            "2019/ISIC_2019_Training_Metadata.csv",
        ),  # fmt: skip
        size="25,331 training images, 8 classes, 9.1 GB",
        note="image-level seeded split; the ground truth's ninth column (UNK) is empty for training images",
        csvs=(("ISIC_2019_Training_GroundTruth.csv", ""),),
        id_column="image",
    )
)

register_dataset(
    CsvImages(
        name="isic2020",
        title="ISIC 2020: SIIM-ISIC melanoma classification",
        tasks=("classification", "generation"),
        **S3_ENTRY,
        provenance="Rotemberg et al., Sci. Data 2021",
        classes=("benign", "malignant"),
        files=_s3("2020/ISIC_2020_Training_JPEG.zip", "2020/ISIC_2020_Training_GroundTruth_v2.csv"),
        size="33,126 training images (584 melanoma) from 2,056 patients, 23 GB",
        csvs=(("ISIC_2020_Training_GroundTruth_v2.csv", ""),),
        id_column="image_name",
        label_column="benign_malignant",
        group_column="patient_id",
    )
)

register_dataset(
    CsvImages(
        name="ham10000",
        title="HAM10000 (Human Against Machine with 10000 training images)",
        tasks=("classification", "generation"),
        modality="dermoscopy (JPEG)",
        body_area="skin",
        license="CC BY-NC 4.0 (Harvard Dataverse)",
        provenance="Tschandl, Rosendahl, Kittler, Sci. Data 5:180161 (2018); doi:10.7910/DVN/DBW86T",
        synthetic=False,
        classes=("mel", "nv", "bcc", "akiec", "bkl", "df", "vasc"),
        access=Access(
            "public_http",
            "https://doi.org/10.7910/DVN/DBW86T",
            steps=(
                "download HAM10000_images_part_1.zip, HAM10000_images_part_2.zip and HAM10000_metadata(.csv) from "
                "https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/DBW86T (no login)",
                "extract both image zips into data/raw/ham10000/images/ and save the metadata as HAM10000_metadata.csv",
            ),
            placed=("HAM10000_metadata*.csv", "images/*.jpg"),
        ),
        size="10,015 images of 7,470 lesions, 7 classes, 2.8 GB",
        survey=ISIC_ROW,
        note="placed by hand: Dataverse serves the files by numeric id, which no public loader maps to names",
        csvs=(("HAM10000_metadata*.csv", ""),),
        id_column="image_id",
        label_column="dx",
        group_column="lesion_id",
    )
)
