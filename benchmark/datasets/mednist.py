"""MedNIST (MONAI): 58,954 64 x 64 medical images in 6 classes, gathered from TCIA, RSNA Bone Age and NIH CXR.

Source: the MONAI-extra-test-data release 0.8.1, md5 from MONAI ``monai/apps/datasets.py`` MedNISTDataset. No official
split: seeded image-level train/val/test.
"""

from __future__ import annotations

from benchmark.datasets.base import Access, register_dataset
from benchmark.datasets.builders import ImageFolder
from benchmark.datasets.download import RemoteFile

register_dataset(
    ImageFolder(
        name="mednist",
        title="MedNIST",
        tasks=("classification", "generation"),
        modality="CT, MRI, X-ray (mixed, JPEG 64^2)",
        body_area="abdomen, breast, chest, hand, head",
        license="CC BY-SA 4.0 (MONAI tutorials; sources TCIA, RSNA Bone Age, NIH Chest X-ray)",
        provenance="MONAI (Project-MONAI/MONAI-extra-test-data release 0.8.1); collected by B. Erickson (Mayo)",
        synthetic=False,
        classes=("AbdomenCT", "BreastMRI", "CXR", "ChestCT", "Hand", "HeadCT"),
        files=(
            RemoteFile(
                "MedNIST.tar.gz",
                ("https://github.com/Project-MONAI/MONAI-extra-test-data/releases/download/0.8.1/MedNIST.tar.gz",),
                md5="0bc7306e7427e00ad1c5526a6677552d",
            ),
        ),
        access=Access("public_http", "https://github.com/Project-MONAI/tutorials"),
        size="58,954 images in 6 classes, 60 MB",
        note="derived medical benchmark (not in Tables 4-5)",
        archive="MedNIST.tar.gz",
    )
)
