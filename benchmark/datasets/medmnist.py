"""MedMNIST v2 (Yang et al., Sci. Data 2023): 12 2D and 6 3D standardised medical subsets with official splits.

One registry entry per subset, named as the ``medmnist`` package names them. The subset's ``.npz`` is chosen by the
dataset's ``image_size`` (the smallest published size >= it: 28/64/128/224 for 2D, 28/64 for 3D; 2D images are then
resized to exactly ``image_size``). URLs and md5s are copied from ``medmnist/info.py`` of medmnist 3.0.2 (Zenodo
record 10519652, MedMNIST+), so the package is not a runtime dependency. 3D subsets are stored as
[N, 1, D, H, W] volumes; multi-label ChestMNIST stores a multi-hot label row per image.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmark.config import DatasetConfig
from benchmark.datasets.base import Access, DatasetSpec, SplitArrays, register_dataset
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import resize_uint8, to_chw
from benchmark.errors import ConfigError

ZENODO = "https://zenodo.org/records/10519652/files"
SIZES_2D = (28, 64, 128, 224)
SIZES_3D = (28, 64)
# the three 2D Organ{A,C,S}MNIST views share one label list (OrganMNIST3D lists the same organs in another order)
ORGAN_CLASSES = (
    "bladder",
    "femur-left",
    "femur-right",
    "heart",
    "kidney-left",
    "kidney-right",
    "liver",
    "lung-left",
    "lung-right",
    "pancreas",
    "spleen",
)

# flag: (python class, task, channels, n train, n val, n test, licence, {size: md5}, labels) from medmnist/info.py
INFO = {
    "pathmnist": (
        "PathMNIST",
        "multi-class",
        3,
        89996,
        10004,
        7180,
        "CC BY 4.0",
        {
            28: "a8b06965200029087d5bd730944a56c1",
            64: "55aa9c1e0525abe5a6b9d8343a507616",
            128: "ac42d08fb904d92c244187169d1fd1d9",
            224: "2c51a510bcdc9cf8ddb2af93af1eadec",
        },
        (
            "adipose",
            "background",
            "debris",
            "lymphocytes",
            "mucus",
            "smooth muscle",
            "normal colon mucosa",
            "cancer-associated stroma",
            "colorectal adenocarcinoma epithelium",
        ),
    ),
    "chestmnist": (
        "ChestMNIST",
        "multi-label, binary-class",
        1,
        78468,
        11219,
        22433,
        "CC BY 4.0",
        {
            28: "02c8a6516a18b556561a56cbdd36c4a8",
            64: "9de6cd0b934ebb5b7426cfba5efbae16",
            128: "db107e5590b27930b62dbaf558aebee3",
            224: "45bd33e6f06c3e8cdb481c74a89152aa",
        },
        (
            "atelectasis",
            "cardiomegaly",
            "effusion",
            "infiltration",
            "mass",
            "nodule",
            "pneumonia",
            "pneumothorax",
            "consolidation",
            "edema",
            "emphysema",
            "fibrosis",
            "pleural",
            "hernia",
        ),
    ),
    "dermamnist": (
        "DermaMNIST",
        "multi-class",
        3,
        7007,
        1003,
        2005,
        "CC BY-NC 4.0",
        {
            28: "0744692d530f8e62ec473284d019b0c7",
            64: "b70a2f5635c6199aeaa28c31d7202e1f",
            128: "2defd784463fa5243564e855ed717de1",
            224: "8974907d8e169bef5f5b96bc506ae45d",
        },
        (
            "actinic keratoses and intraepithelial carcinoma",
            "basal cell carcinoma",
            "benign keratosis-like lesions",
            "dermatofibroma",
            "melanoma",
            "melanocytic nevi",
            "vascular lesions",
        ),
    ),
    "octmnist": (
        "OCTMNIST",
        "multi-class",
        1,
        97477,
        10832,
        1000,
        "CC BY 4.0",
        {
            28: "c68d92d5b585d8d81f7112f81e2d0842",
            64: "e229e9440236b774d9f0dfef9d07bdaf",
            128: "0a97e76651ace45c5d943ee3f65b63ae",
            224: "abc493b6d529d5de7569faaef2773ba3",
        },
        ("choroidal neovascularization", "diabetic macular edema", "drusen", "normal"),
    ),
    "pneumoniamnist": (
        "PneumoniaMNIST",
        "binary-class",
        1,
        4708,
        524,
        624,
        "CC BY 4.0",
        {
            28: "28209eda62fecd6e6a2d98b1501bb15f",
            64: "8f4eceb4ccffa70c672198ea285246c6",
            128: "05b46931834c231683c68f40c47b2971",
            224: "d6a3c71de1b945ea11211b03746c1fe1",
        },
        ("normal", "pneumonia"),
    ),
    "retinamnist": (
        "RetinaMNIST",
        "ordinal-regression",
        3,
        1080,
        120,
        400,
        "CC BY 4.0",
        {
            28: "bd4c0672f1bba3e3a89f0e4e876791e4",
            64: "afda852cc34dcda56f86ad2b2457dbcc",
            128: "e48e916a24454daf90583d4e6efb1a18",
            224: "eae7e3b6f3fcbda4ae613ebdcbe35348",
        },
        ("0", "1", "2", "3", "4"),
    ),
    "breastmnist": (
        "BreastMNIST",
        "binary-class",
        1,
        546,
        78,
        156,
        "CC BY 4.0",
        {
            28: "750601b1f35ba3300ea97c75c52ff8f6",
            64: "742edef2a1fd1524b2efff4bd7ba9364",
            128: "363e4b3f8d712e9b5de15470a2aaadf1",
            224: "b56378a6eefa9fed602bb16d192d4c8b",
        },
        ("malignant", "normal, benign"),
    ),
    "bloodmnist": (
        "BloodMNIST",
        "multi-class",
        3,
        11959,
        1712,
        3421,
        "CC BY 4.0",
        {
            28: "7053d0359d879ad8a5505303e11de1dc",
            64: "2b94928a2ae4916078ca51e05b6b800b",
            128: "adace1e0ed228fccda1f39692059dd4c",
            224: "b718ff6835fcbdb22ba9eacccd7b2601",
        },
        (
            "basophil",
            "eosinophil",
            "erythroblast",
            "immature granulocytes(myelocytes, metamyelocytes and promyelocytes)",
            "lymphocyte",
            "monocyte",
            "neutrophil",
            "platelet",
        ),
    ),
    "tissuemnist": (
        "TissueMNIST",
        "multi-class",
        1,
        165466,
        23640,
        47280,
        "CC BY 4.0",
        {
            28: "ebe78ee8b05294063de985d821c1c34b",
            64: "123ece2eba09d0aa5d698fda57103344",
            128: "61b955355d7425a89687b06cca3ce0c2",
            224: "b077128c4a949f0a4eb01517f9037b9c",
        },
        (
            "Collecting Duct, Connecting Tubule",
            "Distal Convoluted Tubule",
            "Glomerular endothelial cells",
            "Interstitial endothelial cells",
            "Leukocytes",
            "Podocytes",
            "Proximal Tubule Segments",
            "Thick Ascending Limb",
        ),
    ),
    "organamnist": (
        "OrganAMNIST",
        "multi-class",
        1,
        34561,
        6491,
        17778,
        "CC BY 4.0",
        {
            28: "68e3f8846a6bd62f0c9bf841c0d9eacc",
            64: "2dcccc29b88e6da5a01161ef20cda288",
            128: "eeae80d0a227a8d099027e1b3cfd3b60",
            224: "50747347e05c87dd3aaf92c49f9f3170",
        },
        ORGAN_CLASSES,
    ),
    "organcmnist": (
        "OrganCMNIST",
        "multi-class",
        1,
        12975,
        2392,
        8216,
        "CC BY 4.0",
        {
            28: "b9ceb9546e10131b32923c5bbeaea2b1",
            64: "3ce34a8724ea6f548e6db4744d03b6a9",
            128: "773c1f009daa3fe5d9a2a201b2a7ed94",
            224: "050f5e875dc056f6768abf94ec9995d1",
        },
        ORGAN_CLASSES,
    ),
    "organsmnist": (
        "OrganSMNIST",
        "multi-class",
        1,
        13932,
        2452,
        8827,
        "CC BY 4.0",
        {
            28: "9ab87b696fb54e2a387ebe992d6ed5f1",
            64: "53a6d115339d874c25e309a994ff46d3",
            128: "ded0c5fa01a95dc4978b956f613e9b8e",
            224: "b354719e553fbbb2513d5533f52a4cb1",
        },
        ORGAN_CLASSES,
    ),
    "organmnist3d": (
        "OrganMNIST3D",
        "multi-class",
        1,
        971,
        161,
        610,
        "CC BY 4.0",
        {28: "a0c5a1ff56af4f155c46d46fbb45a2fe", 64: "58a2205adf14a9d0a189cb06dc78bf10"},
        (
            "liver",
            "kidney-right",
            "kidney-left",
            "femur-right",
            "femur-left",
            "bladder",
            "heart",
            "lung-right",
            "lung-left",
            "spleen",
            "pancreas",
        ),
    ),
    "nodulemnist3d": (
        "NoduleMNIST3D",
        "binary-class",
        1,
        1158,
        165,
        310,
        "CC BY 4.0",
        {28: "8755a7e9e05a4d9ce80a24c3e7a256f3", 64: "c47c5b7d457bf6332200d2ea6d64ecd8"},
        ("benign", "malignant"),
    ),
    "adrenalmnist3d": (
        "AdrenalMNIST3D",
        "binary-class",
        1,
        1188,
        98,
        298,
        "CC BY 4.0",
        {28: "bbd3c5a5576322bc4cdfea780653b1ce", 64: "17721accfe9fb005146a47d33bc54b2f"},
        ("normal", "hyperplasia"),
    ),
    "fracturemnist3d": (
        "FractureMNIST3D",
        "multi-class",
        1,
        1027,
        103,
        240,
        "CC BY 4.0",
        {28: "6aa7b0143a6b42da40027a9dda61302f", 64: "f01d7e6316aedf4210da0da5b7437b42"},
        ("buckle rib fracture", "nondisplaced rib fracture", "displaced rib fracture"),
    ),
    "vesselmnist3d": (
        "VesselMNIST3D",
        "binary-class",
        1,
        1335,
        191,
        382,
        "CC BY 4.0",
        {28: "b41fd4f7e7e2feedddb201585ecafa1b", 64: "6bb274a8846e1097066dcd64e2c4520f"},
        ("vessel", "aneurysm"),
    ),
    "synapsemnist3d": (
        "SynapseMNIST3D",
        "binary-class",
        1,
        1230,
        177,
        352,
        "CC BY 4.0",
        {28: "1235b78a3cd6280881dd7850a78eadb6", 64: "43bd14ebf3af9d3dd072446fedc14d5e"},
        ("inhibitory synapse", "excitatory synapse"),
    ),
}
# modality and body area per subset (MedMNIST v2 paper, Table 1)
MODALITY = {
    "pathmnist": ("colon pathology (H&E)", "colon"),
    "chestmnist": ("chest X-ray", "chest"),
    "dermamnist": ("dermatoscopy", "skin"),
    "octmnist": ("retinal OCT", "eye"),
    "pneumoniamnist": ("chest X-ray", "chest"),
    "retinamnist": ("fundus photography", "eye"),
    "breastmnist": ("breast ultrasound", "breast"),
    "bloodmnist": ("blood cell microscopy", "blood"),
    "tissuemnist": ("kidney cortex microscopy", "kidney"),
    "organamnist": ("abdominal CT (axial)", "abdomen"),
    "organcmnist": ("abdominal CT (coronal)", "abdomen"),
    "organsmnist": ("abdominal CT (sagittal)", "abdomen"),
    "organmnist3d": ("abdominal CT (3D)", "abdomen"),
    "nodulemnist3d": ("chest CT (3D)", "lungs"),
    "adrenalmnist3d": ("shape from abdominal CT (3D)", "adrenal gland"),
    "fracturemnist3d": ("chest CT (3D)", "ribs"),
    "vesselmnist3d": ("shape from brain MRA (3D)", "brain vessels"),
    "synapsemnist3d": ("electron microscopy (3D)", "brain synapses"),
}


@dataclass(frozen=True)
class MedMNIST(DatasetSpec):
    """One MedMNIST subset: official train/val/test from its ``.npz`` (``{split}_images``, ``{split}_labels``)."""

    flag: str = ""

    @property
    def is_3d(self) -> bool:
        return self.flag.endswith("3d")

    def npz_size(self, image_size: int) -> int:
        """The published size this configuration downloads (an error names the valid sizes for 3D)."""
        sizes = SIZES_3D if self.is_3d else SIZES_2D
        if self.is_3d and image_size not in sizes:
            raise ConfigError(f"datasets.{self.name}.image_size: {image_size} for a 3D subset; valid choices: 28, 64")
        return next((s for s in sizes if s >= image_size), sizes[-1])

    def sources(self, config: DatasetConfig | None) -> tuple[RemoteFile, ...]:
        if config is None:
            return self.files
        wanted = npz_name(self.flag, self.npz_size(config.image_size))
        return tuple(f for f in self.files if f.name == wanted)

    def build(self, files: dict[str, Path], config: DatasetConfig, seed: int) -> dict[str, SplitArrays]:
        data = np.load(files[npz_name(self.flag, self.npz_size(config.image_size))])
        multi_label = INFO[self.flag][1].startswith("multi-label")
        out = {}
        for split in ("train", "val", "test"):
            images = np.asarray(data[f"{split}_images"], dtype=np.uint8)
            labels = np.asarray(data[f"{split}_labels"], dtype=np.int64)
            labels = labels if multi_label else labels.reshape(-1)
            if config.train_size is not None and split == "train":
                keep = np.sort(np.random.default_rng(seed).permutation(len(images))[: config.train_size])
                images, labels = images[keep], labels[keep]
            if self.is_3d:
                images = images[:, None]  # [N, D, H, W] -> [N, 1, D, H, W]
            else:
                images = np.stack([to_chw(image, config.channels) for image in images])
                images = resize_uint8(images, config.image_size)
            out[split] = SplitArrays(images, labels)
        return out


def npz_name(flag: str, size: int) -> str:
    return f"{flag}.npz" if size == 28 else f"{flag}_{size}.npz"


for _flag, (_cls, _task, _channels, _n_train, _n_val, _n_test, _licence, _md5s, _labels) in INFO.items():
    _modality, _area = MODALITY[_flag]
    register_dataset(
        MedMNIST(
            name=_flag,
            title=f"MedMNIST v2 {_cls} ({_task})",
            tasks=("classification", "generation"),
            modality=_modality,
            body_area=_area,
            license=_licence,
            provenance="Yang et al., Sci. Data 10:41 (2023), MedMNIST v2; Zenodo 10519652; md5s from medmnist 3.0.2 "
            "medmnist/info.py",
            synthetic=False,
            classes=_labels,
            files=tuple(
                RemoteFile(npz_name(_flag, size), (f"{ZENODO}/{npz_name(_flag, size)}?download=1",), md5=md5)
                for size, md5 in _md5s.items()
            ),
            access=Access("public_http", "https://medmnist.com/"),
            size=f"{_n_train + _n_val + _n_test:,} {'volumes' if _flag.endswith('3d') else 'images'} "
            f"({_n_train:,} / {_n_val:,} / {_n_test:,}), sizes {'/'.join(str(s) for s in _md5s)}",
            note="derived medical benchmark (not in Tables 4-5); standardised from public sources",
            flag=_flag,
        )
    )
