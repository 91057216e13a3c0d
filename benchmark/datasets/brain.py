"""Brain datasets of the survey's Table 4 (ADNI, OASIS-3, Brain Tumor, BraTS, MOOD) and MSD Task01 (BraTS subset).

Only the figshare Brain Tumor set and MSD Task01 are plain public downloads. ADNI, OASIS-3 and MOOD need a data-use
agreement, BraTS 2018-2020 is no longer distributed (MSD Task01_BrainTumour is its public substitute); their files
are placed by hand under ``data/raw/NAME`` and validated. Splits are seeded and patient/subject-level.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, SurveyRow, extracted, register_dataset
from benchmark.datasets.builders import CatalogDataset, Items, NiftiVolumes, labels_csv
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_mat_v73, to_uint8

FIGSHARE = "https://ndownloader.figshare.com/files"
# (file id, name, bytes): sizes from a third-party config (see shared/datasets/catalog.md); hashes go to the lock file
_FIGSHARE_FILES = (
    (3381290, "brainTumorDataPublic_1-766.zip", 214401279),
    (3381296, "brainTumorDataPublic_767-1532.zip", 217848429),
    (3381293, "brainTumorDataPublic_1533-2298.zip", 215563856),
    (3381302, "brainTumorDataPublic_2299-3064.zip", 231679762),
)
TUMOURS = ("meningioma", "glioma", "pituitary")


@dataclass(frozen=True)
class BrainTumorMat(CatalogDataset):
    """Cheng et al.'s slices: one MATLAB v7.3 file per slice with ``cjdata.{image,label,PID,tumorMask}``.

    Labels 1..3 become 0..2 (meningioma, glioma, pituitary); the tumour mask is the segmentation target; slices
    are split by patient (PID), so no patient is in two splits.
    """

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        paths = sorted(p for f in self.files for p in extracted(files[f.name]).rglob("*.mat"))
        labels, groups = [], []
        for path in paths:
            data = read_mat_v73(path, "cjdata")
            labels.append(int(data["label"].reshape(-1)[0]) - 1)
            groups.append("".join(chr(int(c)) for c in data["PID"].reshape(-1)))
        return Items(paths, np.asarray(labels, dtype=np.int64), np.asarray(groups))

    def read(self, files: dict[str, Path], key: Path, config: DatasetConfig) -> list[tuple[np.ndarray, Any]]:
        data = read_mat_v73(key, "cjdata")
        return [(to_uint8(data["image"]), (data["tumorMask"] > 0).astype(np.uint8))]


register_dataset(
    BrainTumorMat(
        name="brain_tumor_figshare",
        title="Brain Tumor dataset (Cheng et al., figshare 1512427)",
        tasks=("classification", "segmentation"),
        modality="MRI (T1 contrast-enhanced)",
        body_area="brain",
        license="CC BY 4.0",
        provenance="Cheng et al., PLoS One 2015; figshare doi:10.6084/m9.figshare.1512427",
        synthetic=False,
        classes=TUMOURS,
        mask_classes=("background", "tumour"),
        files=tuple(RemoteFile(name, (f"{FIGSHARE}/{fid}",), size=size) for fid, name, size in _FIGSHARE_FILES),
        access=Access("public_http", "https://figshare.com/articles/dataset/brain_tumor_dataset/1512427"),
        size="3,064 slices from 233 patients (708 meningioma, 1,426 glioma, 930 pituitary), 880 MB",
        survey=SurveyRow(4, "Brain", "BT", "C / D", "3k+", "[99, 141]", "[140]"),
    )
)

BRATS_MASKS = ("background", "necrotic / non-enhancing core", "oedema", "enhancing tumour")
# BraTS stores labels 0, 1, 2, 4; 4 becomes 3 so that mask values are class indices
_BRATS_LUT = tuple({4: 3}.get(v, v) if v < 5 else 0 for v in range(256))

register_dataset(
    NiftiVolumes(
        name="msd_brain_tumour",
        title="Medical Segmentation Decathlon Task01_BrainTumour (BraTS 2016/17 subset)",
        tasks=("segmentation", "generation"),
        modality="MRI (FLAIR channel of FLAIR/T1w/T1gd/T2w)",
        body_area="brain",
        license="CC BY-SA 4.0 (Medical Segmentation Decathlon)",
        provenance="Antonelli et al., Nat. Commun. 2022 (MSD); md5 from MONAI monai/apps/datasets.py DecathlonDataset",
        synthetic=False,
        mask_classes=("background", "oedema", "non-enhancing tumour", "enhancing tumour"),
        files=(
            RemoteFile(
                "Task01_BrainTumour.tar",
                ("https://msd-for-monai.s3-us-west-2.amazonaws.com/Task01_BrainTumour.tar",),
                md5="240a19d752f0d9e9101544901065d872",
            ),
        ),
        access=Access("public_http", "http://medicaldecathlon.com/"),
        size="484 labelled 4-channel volumes (240 x 240 x 155), 7.1 GB",
        note="public substitute for BraTS (Table 4), whose 2018-2020 editions are no longer distributed",
        archive="Task01_BrainTumour.tar",
        image_glob="Task01_BrainTumour/imagesTr/BRATS_*.nii.gz",
        mask_sub=("imagesTr", "labelsTr"),
    )
)

register_dataset(
    NiftiVolumes(
        name="brats",
        title="BraTS (Brain Tumor Segmentation challenge, 2018-2020)",
        tasks=("segmentation", "generation"),
        modality="MRI (FLAIR of FLAIR/T1/T1Gd/T2)",
        body_area="brain",
        license="BraTS challenge terms (research use, cite Menze et al. 2015 and Bakas et al. 2017/2018)",
        provenance="Menze et al., IEEE TMI 2015; Bakas et al. 2017/2018; CBICA Image Processing Portal (retired)",
        synthetic=False,
        mask_classes=BRATS_MASKS,
        access=Access(
            "unavailable",
            "https://www.med.upenn.edu/cbica/brats2020/data.html",
            steps=(
                "BraTS 2018-2020 is no longer served by CBICA (requests for old editions are refused); if you hold "
                "a copy under its terms, use it; BraTS 2021 (same cases as BraTS 2023 GLI) needs a Synapse account "
                "at https://www.synapse.org/brats",
                "extract so that each case folder holds CASE_flair.nii.gz and CASE_seg.nii.gz",
            ),
            placed=("**/*_flair.nii.gz", "**/*_seg.nii.gz"),
            substitute="msd_brain_tumour",
        ),
        size="285 (2018) / 335 (2019) / 369 (2020) training cases, 240 x 240 x 155, four MRI sequences",
        survey=SurveyRow(4, "Brain", "BRATS", "S", "285 scans", "[109, 123]", "[142]"),
        image_glob="**/*_flair.nii.gz",
        mask_sub=(r"_flair\.nii\.gz$", "_seg.nii.gz"),
        mask_lut=_BRATS_LUT,
        group_regex=r"^(.*)_flair",
    )
)

register_dataset(
    NiftiVolumes(
        name="mood",
        title="MOOD (Medical Out-of-Distribution Analysis Challenge) brain MRI",
        tasks=("generation",),
        modality="MRI (T2)",
        body_area="brain",
        license="MOOD challenge data-use terms (research, no redistribution)",
        provenance="Zimmerer et al., IEEE TMI 2022 (MOOD); MIC-DKFZ/mood readme; HCP-derived brain scans",
        synthetic=False,
        access=Access(
            "registration",
            "http://medicalood.dkfz.de/web/",
            steps=(
                "join the challenge at http://medicalood.dkfz.de/web/ (Synapse account, https://www.synapse.org/mood) "
                "and accept the data terms",
                "download the brain training data (brain_train.zip) and extract it so that brain_train/*.nii.gz exist",
            ),
            placed=("brain_train/*.nii.gz",),
            token_env="SYNAPSE_AUTH_TOKEN",
        ),
        size="800 brain MRI training scans (256^3, no anomalies); 550 abdominal CT; test hidden",
        survey=SurveyRow(4, "Brain", "MOOD", "D", "800 scans", "[126]", "[143]"),
        image_glob="brain_train/*.nii.gz",
    )
)

register_dataset(
    labels_csv(
        name="adni",
        title="ADNI (Alzheimer's Disease Neuroimaging Initiative) T1 MRI",
        tasks=("classification",),
        modality="MRI (T1)",
        body_area="brain",
        license="ADNI data use agreement (no redistribution; publication and citation rules)",
        provenance="Jack et al., JMRI 2008; LONI Image and Data Archive",
        synthetic=False,
        classes=("CN", "MCI", "AD"),
        access=Access(
            "registration",
            "https://adni.loni.usc.edu/data-samples/access-data/",
            steps=(
                "apply at https://ida.loni.usc.edu/collaboration/access/appApply.jsp?project=ADNI and sign the ADNI "
                "DUA (approved by the ADNI Data and Publications Committee)",
                "download T1 MRI (NIfTI; convert DICOM with dcm2niix) into images/",
                "write labels.csv with columns image (file name), subject (RID), diagnosis (CN, MCI or AD) from "
                "ADNIMERGE.csv",
            ),
            placed=("labels.csv", "images/*.nii*"),
        ),
        size="850k+ images (survey); ~2,400 subjects with T1 MRI across ADNI 1/GO/2/3",
        survey=SurveyRow(4, "Brain", "ADNI", "C", "850k", "[114, 137, 138]", "[136]"),
        label_column="diagnosis",
        group_column="subject",
    )
)

register_dataset(
    labels_csv(
        name="oasis3",
        title="OASIS-3 (Open Access Series of Imaging Studies) T1 MRI",
        tasks=("classification",),
        modality="MRI (T1)",
        body_area="brain",
        license="OASIS data use terms (oasis-brains.org): no redistribution, cite LaMontagne et al. 2019",
        provenance="LaMontagne et al., medRxiv 2019 (OASIS-3); NITRC-IR; NrgXnat/oasis-scripts",
        synthetic=False,
        classes=("CDR0", "CDR0.5", "CDR1+"),
        access=Access(
            "registration",
            "https://www.oasis-brains.org/",
            steps=(
                "accept the OASIS data use terms at https://www.oasis-brains.org/ and get a NITRC-IR account",
                "download T1w NIfTI scans with NrgXnat/oasis-scripts download_scans/download_oasis_scans.sh "
                "into images/",
                "write labels.csv with columns image (file name), subject (OASIS id), cdr (CDR0, CDR0.5 or CDR1+) "
                "from the clinical data",
            ),
            placed=("labels.csv", "images/*.nii*"),
        ),
        size="1,378 participants, 2,842 MR sessions",
        survey=SurveyRow(4, "Brain", "OASIS-3", "C / D", "2k+", "[99, 138]", "[139]"),
        label_column="cdr",
        group_column="subject",
    )
)
