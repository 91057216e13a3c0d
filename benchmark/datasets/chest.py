"""Lungs/COVID-19 datasets of the survey's Table 4: Kermany pneumonia CXR, NIH ChestX-ray14, the COVID-19 image
data collection, LIDC-IDRI and COVID-19-NY-SBU.

Kermany's zip is a public download (pinned by the lock file on first use); ChestX-ray14 is public but spread over
12 Box archives placed by hand; the COVID-19 collection is a git repository pinned to a commit; LIDC-IDRI and
COVID-19-NY-SBU come through TCIA's NBIA Data Retriever. Official splits where they exist (Kermany's train/test
folders, ChestX-ray14's patient-disjoint test list), else seeded patient-level splits.
"""

from __future__ import annotations

from benchmark.datasets.base import Access, SurveyRow, register_dataset
from benchmark.datasets.builders import CsvImages, ImageFolder, labels_csv
from benchmark.datasets.download import RemoteFile

TCIA_RETRIEVER = "https://wiki.cancerimagingarchive.net/display/NBIA/Downloading+TCIA+Images"
NIH_FINDINGS = (
    "Atelectasis", "Cardiomegaly", "Effusion", "Infiltration", "Mass", "Nodule", "Pneumonia", "Pneumothorax",
    "Consolidation", "Edema", "Emphysema", "Fibrosis", "Pleural_Thickening", "Hernia",
)  # fmt: skip

register_dataset(
    ImageFolder(
        name="chest_xray_pneumonia",
        title="Chest X-Ray Images (Pneumonia), Kermany et al. 2018",
        tasks=("classification", "generation"),
        modality="X-ray (paediatric chest, JPEG)",
        body_area="chest",
        license="CC BY 4.0",
        provenance="Kermany et al., Cell 2018; Mendeley Data doi:10.17632/rscbjbr9sj.2 (ChestXRay2017.zip)",
        synthetic=False,
        classes=("NORMAL", "PNEUMONIA"),
        files=(
            RemoteFile(
                "ChestXRay2017.zip",
                (
                    "https://data.mendeley.com/datasets/rscbjbr9sj/2/files/41d542e7-7f91-47f6-9ff2-dd8e5a5a7861/"
                    "ChestXRay2017.zip",
                ),
            ),
        ),
        access=Access("public_http", "https://data.mendeley.com/datasets/rscbjbr9sj/2"),
        note="the file URL is the form public scripts use (its UUID is unverified); if it fails, download "
        "ChestXRay2017.zip from the Mendeley page and place it in data/raw/chest_xray_pneumonia/",
        size="5,856 images (5,232 train / 624 test), 1.2 GB",
        survey=SurveyRow(4, "Lungs / COVID-19", "ChestX-ray", "C / D / S", "5k+", "[117, 131, 151, 152]", "[150]"),
        archive="ChestXRay2017.zip",
        split_dirs=(("train", "train"), ("test", "test")),
        group_regex=r"^(person\d+|(?:NORMAL2-)?IM-\d+)",
    )
)

register_dataset(
    CsvImages(
        name="chestxray14",
        title="NIH ChestX-ray14 (ChestX-ray8)",
        tasks=("classification", "detection"),
        modality="X-ray (chest, PNG 1024^2)",
        body_area="chest",
        license="no restrictions on use; attribution required (NIH Clinical Center, Wang et al. CVPR 2017)",
        provenance="Wang et al., CVPR 2017; https://nihcc.app.box.com/v/ChestXray-NIHCC",
        synthetic=False,
        classes=NIH_FINDINGS,
        access=Access(
            "public_http",
            "https://nihcc.app.box.com/v/ChestXray-NIHCC",
            steps=(
                "download images_001.tar.gz ... images_012.tar.gz, Data_Entry_2017_v2020.csv, train_val_list.txt "
                "and test_list.txt from https://nihcc.app.box.com/v/ChestXray-NIHCC (or NIH's batch_download_zips.py)",
                "extract the archives into data/raw/chestxray14/images/",
            ),
            placed=("Data_Entry_2017*.csv", "train_val_list.txt", "test_list.txt", "images/*.png"),
        ),
        size="112,120 images from 30,805 patients, 14 findings, 42 GB",
        survey=SurveyRow(4, "Lungs / COVID-19", "ChestX-ray-NIHCC", "C / D", "112k+", "[66, 71, 118]", "[153]"),
        note="multi-label: labels are multi-hot rows over the 14 findings ('No Finding' is all zeros)",
        csvs=(("Data_Entry_2017*.csv", ""),),
        id_column="Image Index",
        label_column="Finding Labels",
        multilabel_sep="|",
        group_column="Patient ID",
        split_lists=(("train_val_list.txt", "train"), ("test_list.txt", "test")),
    )
)

register_dataset(
    CsvImages(
        name="covid_chestxray",
        title="COVID-19 Image Data Collection (Cohen et al., ieee8023)",
        tasks=("classification",),
        modality="X-ray and CT (JPEG/PNG)",
        body_area="chest",
        license="per image (metadata.csv 'license' column: Apache 2.0, CC BY-NC-SA 4.0, CC BY 4.0 ...); "
        "metadata CC BY-NC-SA 4.0",
        provenance="Cohen et al., arXiv:2006.11988; github.com/ieee8023/covid-chestxray-dataset at commit cec70df",
        synthetic=False,
        classes=("Pneumonia", "Viral", "Bacterial", "Fungal", "COVID-19", "Tuberculosis", "No Finding"),
        access=Access(
            "public_tool",
            "https://github.com/ieee8023/covid-chestxray-dataset",
            steps=(
                "git clone https://github.com/ieee8023/covid-chestxray-dataset data/raw/covid_chestxray",
                "git -C data/raw/covid_chestxray checkout cec70df (the pinned commit whose README gives the counts)",
            ),
            placed=("metadata.csv", "images/*"),
        ),
        size="~950 images; 481 PA/AP + 173 AP-supine frontal CXR usable (README at cec70df), 0.58 GB",
        survey=SurveyRow(4, "Lungs / COVID-19", "CIDC", "C / D", "600+", "[66, 152]", "[154]"),
        note="multi-label: the 'finding' path (e.g. Pneumonia/Viral/COVID-19) becomes a multi-hot row",
        csvs=(("metadata.csv", ""),),
        id_column="filename",
        label_column="finding",
        multilabel_sep="/",
        group_column="patientid",
    )
)

for _name, _title, _classes, _lic, _prov, _size, _row, _home, _labels in (
    (
        "lidc_idri",
        "LIDC-IDRI (Lung Image Database Consortium) thoracic CT",
        ("benign", "malignant"),
        "CC BY 3.0 (TCIA)",
        "Armato et al., Med. Phys. 2011; TCIA doi:10.7937/K9/TCIA.2015.LO9QL9SX",
        "1,018 CT scans from 1,010 patients with XML nodule reads, 124 GB",
        SurveyRow(4, "Lungs / COVID-19", "LIDC-IDRI", "C / D / S", "1k+", "[72]", "[155]"),
        "https://www.cancerimagingarchive.net/collection/lidc-idri/",
        "label (benign or malignant: median radiologist malignancy < 3 or >= 3 from the XML reads, e.g. with pylidc)",
    ),
    (
        "covid19_ny_sbu",
        "COVID-19-NY-SBU (Stony Brook University COVID-19 positive cases)",
        ("discharged", "deceased"),
        "CC BY 4.0 (TCIA)",
        "Saltz et al. 2021; TCIA doi:10.7937/TCIA.BBAG-2923",
        "1,384 patients, 562,376 DICOM files (CR, DX, CT, MR, PT, NM) + clinical data",
        SurveyRow(4, "Lungs / COVID-19", "COVID-19-NY-SBU", "C / D", "562k+", "-", "[156]"),
        "https://www.cancerimagingarchive.net/collection/covid-19-ny-sbu/",
        "label (discharged or deceased, from the collection's clinical data spreadsheet)",
    ),
):
    register_dataset(
        labels_csv(
            name=_name,
            title=_title,
            tasks=("classification",),
            modality="CT" if _name == "lidc_idri" else "X-ray (CR/DX) and CT",
            body_area="chest",
            license=_lic,
            provenance=_prov,
            synthetic=False,
            classes=_classes,
            access=Access(
                "public_tool",
                _home,
                steps=(
                    f"download the collection's .tcia manifest from {_home} and open it with the NBIA Data "
                    f"Retriever ({TCIA_RETRIEVER}) into data/raw/{_name}/dicom/",
                    f"write labels.csv with columns image (DICOM path relative to data/raw/{_name}), patient and "
                    + _labels,
                ),
                placed=("dicom/**/*.dcm", "labels.csv"),
            ),
            size=_size,
            survey=_row,
            label_column="label",
            group_column="patient",
        )
    )
