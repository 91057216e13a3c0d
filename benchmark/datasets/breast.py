"""Breast datasets of the survey's Table 4: Camelyon16/17 (and the PCam patches), CBIS-DDSM, INbreast, BCS-DBT.

PCam is a public download; Camelyon's whole-slide images come through the AWS CLI; CBIS-DDSM and BCS-DBT through
TCIA's NBIA Data Retriever; INbreast by request (reported expired). Placed DICOM files are read with pydicom
(rescale, window, MONOCHROME1 inversion; see ``formats.read_dicom``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, DatasetSpec, SplitArrays, SurveyRow, extracted, register_dataset
from benchmark.datasets.builders import CsvImages, labels_csv
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import resize_uint8, to_chw
from benchmark.errors import ConfigError

PCAM = "https://zenodo.org/record/2546921/files"
PCAM_SPLITS = (("train", "train"), ("val", "valid"), ("test", "test"))
TCIA_RETRIEVER = "https://wiki.cancerimagingarchive.net/display/NBIA/Downloading+TCIA+Images"


@dataclass(frozen=True)
class PCam(DatasetSpec):
    """PatchCamelyon: 96 x 96 RGB patches from Camelyon16 with a tumour/no-tumour label; official splits.

    The HDF5 files (``x``: [N, 96, 96, 3] uint8, ``y``: [N, 1, 1, 1]) are read lazily, so ``train_size`` reads only
    the kept patches.
    """

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        import h5py

        out = {}
        for split, stem in PCAM_SPLITS:
            paths = [extracted(files[f"camelyonpatch_level_2_split_{stem}_{k}.h5.gz"]) for k in ("x", "y")]
            with h5py.File(next(paths[0].iterdir()), "r") as fx, h5py.File(next(paths[1].iterdir()), "r") as fy:
                n = len(fx["x"])
                keep = np.arange(n)
                if split == "train" and config.train_size is not None:
                    keep = np.sort(np.random.default_rng(seed).permutation(n)[: config.train_size])
                images = np.stack([to_chw(image, config.channels) for image in fx["x"][keep]])
                labels = np.asarray(fy["y"][keep], dtype=np.int64).reshape(-1)
            out[split] = SplitArrays(resize_uint8(images, config.image_size), labels)
        return out


register_dataset(
    PCam(
        name="pcam",
        title="PatchCamelyon (PCam) patches from Camelyon16",
        tasks=("classification", "generation"),
        modality="histopathology (H&E, lymph node)",
        body_area="breast (sentinel lymph nodes)",
        license="CC0 1.0",
        provenance="Veeling et al., MICCAI 2018; Zenodo record 2546921",
        synthetic=False,
        classes=("no tumour", "tumour"),
        files=tuple(
            RemoteFile(name, (f"{PCAM}/{name}?download=1",))
            for _, stem in PCAM_SPLITS
            for name in (f"camelyonpatch_level_2_split_{stem}_{k}.h5.gz" for k in ("x", "y"))
        ),
        access=Access("public_http", "https://github.com/basveeling/pcam"),
        size="327,680 patches (262,144 / 32,768 / 32,768), 7.5 GB",
        note="derived from Camelyon16 (Table 4); the patch-level substitute for the whole-slide images",
    )
)


@dataclass(frozen=True)
class WholeSlides(DatasetSpec):
    """Camelyon whole-slide images: fetched and validated here; tiling them needs a WSI reader (OpenSlide).

    ``medbench prepare`` on these refuses with a one-line pointer to ``pcam``, the public patch benchmark built
    from Camelyon16 by Veeling et al., rather than producing an untested tiling.
    """

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        raise ConfigError(
            f"{self.name}: whole-slide TIFFs are validated but not tiled by medbench (needs OpenSlide); "
            "use the Camelyon16 patch benchmark `pcam` (medbench prepare pcam)"
        )


_CAMELYON_COMMON = dict(
    tasks=("classification", "segmentation"),
    modality="histopathology whole-slide images (H&E)",
    body_area="breast (sentinel lymph nodes)",
    license="CC0 1.0 (camelyon17.grand-challenge.org/Data)",
    synthetic=False,
    classes=("normal", "tumour"),
    survey=SurveyRow(4, "Breast", "Camelyon", "C / D / S", "1k", "[72]", "[144]"),
)

for _name, _folder, _size in (
    ("camelyon16", "CAMELYON16", "399 WSIs (270 train / 129 test) with lesion XML annotations, ~700 GB"),
    (
        "camelyon17",
        "CAMELYON17",
        "1,000 WSIs from 5 centres (500 train / 500 test), 50 with lesion annotations, ~2.3 TB",
    ),
):
    register_dataset(
        WholeSlides(
            name=_name,
            title=f"{_folder} (lymph node metastases whole-slide images)",
            provenance="Bejnordi et al., JAMA 2017 (C16); Bandi et al., IEEE TMI 2019 (C17); AWS Open Data",
            access=Access(
                "public_tool",
                "https://camelyon17.grand-challenge.org/Data/",
                steps=(
                    "install the AWS CLI (no account needed)",
                    f"aws s3 cp --no-sign-request --recursive s3://camelyon-dataset/{_folder}/ "
                    f"data/raw/{_name}/  (verify with the checksums.md5 shipped in the bucket)",
                ),
                placed=("**/*.tif",),
                substitute="pcam",
            ),
            size=_size,
            **_CAMELYON_COMMON,
        )
    )

# sha256 and sizes of the four official description CSVs: tfds url_checksums/curated_breast_imaging_ddsm.txt
_CBIS_CSVS = (
    ("mass_case_description_train_set.csv", "a4bcc1c32bfd040212737e6e8c304819334abe717cfefff56431dc50ae6db723", 772727),
    ("mass_case_description_test_set.csv", "60f0b4504ec024106bbdd1555030d220163ea9da0ea4688473a4c9c3e8ab0457", 217038),
    ("calc_case_description_train_set.csv", "3c7b07e8202f66709f446b9695e96c5d17484a65fda6a24d0170a0c1b81d56e3", 925310),
    ("calc_case_description_test_set.csv", "03a2f72efb6ed29f417e07f4598950e6a1e02e6b11250ff516ebe7924ace3689", 190388),
)

register_dataset(
    CsvImages(
        name="cbis_ddsm",
        title="CBIS-DDSM (Curated Breast Imaging Subset of DDSM)",
        tasks=("classification",),
        modality="mammography (scanned film, DICOM)",
        body_area="breast",
        license="CC BY 3.0 (TCIA)",
        provenance="Lee et al., Sci. Data 2017; TCIA doi:10.7937/K9/TCIA.2016.7O02S9CY; CSV sha256 from tfds",
        synthetic=False,
        classes=("BENIGN", "BENIGN_WITHOUT_CALLBACK", "MALIGNANT"),
        files=tuple(RemoteFile(name, ("data/raw/cbis_ddsm",), sha256=sha, size=size) for name, sha, size in _CBIS_CSVS),
        access=Access(
            "public_tool",
            "https://www.cancerimagingarchive.net/collection/cbis-ddsm/",
            steps=(
                "download the collection manifest https://wiki.cancerimagingarchive.net/download/attachments/"
                "22516629/CBIS-DDSM-All-doiJNLP-zzWs5zfZ.tcia?version=1&modificationDate=1534787024127&api=v2",
                f"open it with the NBIA Data Retriever ({TCIA_RETRIEVER}), 'Descriptive Directory Name' layout, "
                "into data/raw/cbis_ddsm/CBIS-DDSM/",
                "download the four *_case_description_*_set.csv files from the collection page into "
                "data/raw/cbis_ddsm/",
            ),
            placed=("CBIS-DDSM/**/*.dcm", "*_case_description_*_set.csv"),
        ),
        size="10,239 images, 1,566 participants, 6,775 studies, 163.6 GB",
        survey=SurveyRow(4, "Breast", "DDSM", "C / D", "10k", "[146]", "[145]"),
        note="the original DDSM (USF FTP, LJPEG) is unavailable; CBIS-DDSM is its curated DICOM successor",
        csvs=(
            ("mass_case_description_train_set.csv", "train"),
            ("calc_case_description_train_set.csv", "train"),
            ("mass_case_description_test_set.csv", "test"),
            ("calc_case_description_test_set.csv", "test"),
        ),
        id_column="image file path",
        id_transform=lambda path: path.split("/")[0],
        label_column="pathology",
        group_column="patient_id",
    )
)

register_dataset(
    CsvImages(
        name="inbreast",
        title="INbreast full-field digital mammograms",
        tasks=("classification",),
        modality="mammography (full-field digital, DICOM)",
        body_area="breast",
        license="INbreast data agreement (request to INESC Porto / Univ. Porto; no redistribution)",
        provenance="Moreira et al., Acad. Radiol. 2012",
        synthetic=False,
        classes=("1", "2", "3", "4a", "4b", "4c", "5", "6"),
        access=Access(
            "unavailable",
            "http://medicalresearch.inescporto.pt/breastresearch/index.php/Get_INbreast_Database",
            steps=(
                "request the database with the form at the homepage (the link was reported expired in 2021; "
                "ask the authors, Moreira et al. 2012)",
                "place AllDICOMs/*.dcm and INbreast.csv (semicolon-separated sheet with 'File Name' and 'Bi-Rads')",
            ),
            placed=("AllDICOMs/*.dcm", "INbreast.csv"),
            substitute="cbis_ddsm",
        ),
        size="115 cases, 410 images",
        survey=SurveyRow(4, "Breast", "InBreast", "C / D / S", "410", "[146]", "[147]"),
        csvs=(("INbreast.csv", ""),),
        id_column="File Name",
        label_column="Bi-Rads",
        delimiter=";",
    )
)

register_dataset(
    labels_csv(
        name="bcs_dbt",
        title="BCS-DBT (Breast Cancer Screening - Digital Breast Tomosynthesis)",
        tasks=("classification", "detection"),
        modality="digital breast tomosynthesis (DICOM; central slice)",
        body_area="breast",
        license="TCIA data usage policy of the collection (CC BY-NC 4.0 per the collection page)",
        provenance="Buda et al., JAMA Netw. Open 2021; TCIA doi:10.7937/E4WT-CD02",
        synthetic=False,
        classes=("normal", "actionable", "benign", "cancer"),
        access=Access(
            "public_tool",
            "https://www.cancerimagingarchive.net/collection/breast-cancer-screening-dbt/",
            steps=(
                f"download the collection's .tcia manifest and open it with the NBIA Data Retriever ({TCIA_RETRIEVER}) "
                "into data/raw/bcs_dbt/dicom/",
                "write labels.csv with columns image (DICOM file path relative to data/raw/bcs_dbt), patient "
                "(PatientID) and label (normal, actionable, benign or cancer) from BCS-DBT-labels and -file-paths CSVs",
            ),
            placed=("dicom/**/*.dcm", "labels.csv"),
        ),
        size="22,032 volumes, 5,610 studies, 5,060 patients, 1.63 TB",
        survey=SurveyRow(4, "Breast", "BCS-DBT", "C / D / S", "22k+", "[149]", "[148]"),
        label_column="label",
        group_column="patient",
    )
)
