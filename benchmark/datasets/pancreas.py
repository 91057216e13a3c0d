"""Pancreas-CT (survey Table 4, "Other"): 82 contrast-enhanced abdominal CT scans with pancreas masks (TCIA).

The CT series come through TCIA's NBIA Data Retriever and are converted to NIfTI (dcm2niix); the labels are
TCIA's NIfTI zip. Prepared as axial slices with pancreas masks, split by patient.
"""

from __future__ import annotations

from benchmark.datasets.base import Access, SurveyRow, register_dataset
from benchmark.datasets.builders import NiftiVolumes

register_dataset(
    NiftiVolumes(
        name="pancreas_ct",
        title="Pancreas-CT (NIH Clinical Center)",
        tasks=("segmentation",),
        modality="CT (abdomen, contrast-enhanced)",
        body_area="pancreas",
        license="CC BY 3.0 (TCIA)",
        provenance="Roth et al., MICCAI 2015; TCIA doi:10.7937/K9/TCIA.2016.tNB1kqBU",
        synthetic=False,
        mask_classes=("background", "pancreas"),
        access=Access(
            "public_tool",
            "https://www.cancerimagingarchive.net/collection/pancreas-ct/",
            steps=(
                "download the collection's .tcia manifest and open it with the NBIA Data Retriever "
                "(https://wiki.cancerimagingarchive.net/display/NBIA/Downloading+TCIA+Images)",
                "convert each series to NIfTI with dcm2niix as images/PANCREAS_00XX.nii.gz",
                "download TCIA_pancreas_labels-02-05-2017.zip and extract it as labels/label00XX.nii.gz",
            ),
            placed=("images/PANCREAS_*.nii.gz", "labels/label*.nii.gz"),
        ),
        size="82 CT scans from 80 subjects (18,942 slices), 512 x 512",
        survey=SurveyRow(4, "Other", "Pancreas-CT", "C / S", "18k+", "[69]", "[158]"),
        image_glob="images/PANCREAS_*.nii.gz",
        mask_sub=(r"images/PANCREAS_(\d+)\.nii\.gz$", r"labels/label\1.nii.gz"),
        mask_lut=tuple(int(v > 0) for v in range(256)),
        min_foreground=0.02,
    )
)
