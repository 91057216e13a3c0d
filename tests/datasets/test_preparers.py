"""Every preparer on a tiny fixture in its native format, built by the test; prepared arrays checked value by value.

Public datasets get their archives through a local mirror folder (the same fetch path as a download, pinned by the
fixture's sha256); manual datasets get their files placed under the raw folder as the steps describe.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import tarfile
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_formats import write_dicom

import benchmark
from benchmark.config import DatasetConfig
from benchmark.datasets.base import DatasetSpec, load_split, prepare, read_meta
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.formats import read_dicom
from benchmark.errors import ConfigError, DataMissingError


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz" if path.name.endswith(("gz", "tgz")) else "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def mirrored(spec: DatasetSpec, folder: Path) -> DatasetSpec:
    """``spec`` fetching every file of ``folder`` from that folder, pinned by its sha256."""
    files = tuple(
        RemoteFile(p.name, (str(folder),), sha256=hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(folder.iterdir())
    )
    return replace(spec, files=files)


def run_prepare(spec: DatasetSpec, tmp_path: Path, seed: int = 0, **config: object) -> dict:
    settings = {"image_size": 8, "val_fraction": 0.25, **config}
    meta = prepare(spec, DatasetConfig(spec.name, **settings), tmp_path / "raw", tmp_path / "out", seed, False)
    return meta


def split(tmp_path: Path, name: str):
    return load_split(tmp_path / "out", name)


def grey(value: int, shape: tuple[int, int] = (8, 8)) -> np.ndarray:
    return np.full(shape, value, dtype=np.uint8)


def test_cifar10_pickles(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    members, train = {}, []
    for i in range(1, 6):
        data = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
        train.append(data)
        members[f"cifar-10-batches-py/data_batch_{i}"] = pickle.dumps({b"data": data, b"labels": [i, i + 1]})
    test = rng.integers(0, 256, (3, 3072), dtype=np.uint8)
    members["cifar-10-batches-py/test_batch"] = pickle.dumps({b"data": test, b"labels": [0, 1, 2]})
    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "cifar-10-python.tar.gz", members)
    meta = run_prepare(mirrored(benchmark.get_dataset("cifar10"), tmp_path / "m"), tmp_path, image_size=32)
    assert meta["splits"] == {"train": 8, "val": 2, "test": 3}
    assert np.array_equal(split(tmp_path, "test").images, test.reshape(3, 3, 32, 32))
    assert np.array_equal(split(tmp_path, "test").labels, [0, 1, 2])
    all_train = np.concatenate(train).reshape(10, 3, 32, 32)
    labels = np.array([i + d for i in range(1, 6) for d in (0, 1)])
    for part in ("train", "val"):
        arrays = split(tmp_path, part)
        for image, label in zip(arrays.images, arrays.labels):
            match = np.flatnonzero((all_train == image).all(axis=(1, 2, 3)))
            assert len(match) == 1 and labels[match[0]] == label
    assert meta["classes"][0] == "airplane"


def medmnist_npz(path: Path, shape: tuple[int, ...], n: int = 4, multi: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    arrays = {}
    for part in ("train", "val", "test"):
        arrays[f"{part}_images"] = rng.integers(0, 256, (n, *shape), dtype=np.uint8)
        arrays[f"{part}_labels"] = rng.integers(0, 2, (n, multi or 1))
    np.savez(path, **arrays)
    return arrays


def test_medmnist_2d_picks_size_and_keeps_official_splits(tmp_path: Path) -> None:
    spec = benchmark.get_dataset("pneumoniamnist")
    assert [f.name for f in spec.sources(DatasetConfig("pneumoniamnist", 28))] == ["pneumoniamnist.npz"]
    assert [f.name for f in spec.sources(DatasetConfig("pneumoniamnist", 50))] == ["pneumoniamnist_64.npz"]
    (tmp_path / "m").mkdir()
    arrays = medmnist_npz(tmp_path / "m" / "pneumoniamnist.npz", (28, 28))
    meta = run_prepare(mirrored(spec, tmp_path / "m"), tmp_path, image_size=28, channels=3)
    assert meta["splits"] == {"train": 4, "val": 4, "test": 4} and meta["channels"] == 3
    val = split(tmp_path, "val")
    assert np.array_equal(val.images[:, 1], arrays["val_images"]) and np.array_equal(val.images[:, 0], val.images[:, 2])
    assert np.array_equal(val.labels, arrays["val_labels"].reshape(-1))


def test_medmnist_3d_volumes_and_multilabel_chest(tmp_path: Path) -> None:
    spec = benchmark.get_dataset("nodulemnist3d")
    with pytest.raises(ConfigError, match="valid choices: 28, 64"):
        spec.sources(DatasetConfig("nodulemnist3d", 32))
    (tmp_path / "m").mkdir()
    arrays = medmnist_npz(tmp_path / "m" / "nodulemnist3d.npz", (28, 28, 28))
    run_prepare(mirrored(spec, tmp_path / "m"), tmp_path, image_size=28)
    assert np.array_equal(split(tmp_path, "test").images, arrays["test_images"][:, None])
    chest = benchmark.get_dataset("chestmnist")
    (tmp_path / "c").mkdir()
    arrays = medmnist_npz(tmp_path / "c" / "chestmnist.npz", (28, 28), multi=14)
    run_prepare(mirrored(chest, tmp_path / "c"), tmp_path / "x", image_size=28)
    assert np.array_equal(load_split(tmp_path / "x" / "out", "train").labels, arrays["train_labels"])


def test_image_folder_official_split_dirs_and_patient_groups(tmp_path: Path) -> None:
    members, values = {}, {}
    for i in range(12):  # 6 patients x 2 images in train, 2 images in test
        name = f"person{i // 2}_bacteria_{i}.jpeg"
        members[f"chest_xray/train/PNEUMONIA/{name}"] = png(grey(10 * i))
        values[10 * i] = ("PNEUMONIA", f"person{i // 2}")
    members["chest_xray/test/NORMAL/IM-0001-0001.jpeg"] = png(grey(200))
    members["chest_xray/test/PNEUMONIA/person99_virus_1.jpeg"] = png(grey(210))
    members["chest_xray/__MACOSX/._x.jpeg"] = b"junk"  # outside every split folder: ignored
    (tmp_path / "m").mkdir()
    write_zip(tmp_path / "m" / "ChestXRay2017.zip", members)
    meta = run_prepare(mirrored(benchmark.get_dataset("chest_xray_pneumonia"), tmp_path / "m"), tmp_path, seed=4)
    assert meta["splits"] == {"train": 8, "val": 4, "test": 2}
    test = split(tmp_path, "test")
    assert sorted(test.images[:, 0, 0, 0].tolist()) == [200, 210] and sorted(test.labels.tolist()) == [0, 1]
    patients = {
        part: {values[int(v)][1] for v in split(tmp_path, part).images[:, 0, 0, 0]} for part in ("train", "val")
    }
    assert not patients["train"] & patients["val"] and len(patients["val"]) == 2


def test_csv_images_are_split_by_patient(tmp_path: Path) -> None:
    rows, members = ["image_name,patient_id,benign_malignant"], {}
    for i in range(20):
        rows.append(f"ISIC_{i:07d},IP_{i % 7},{'malignant' if i % 3 == 0 else 'benign'}")
        members[f"train/ISIC_{i:07d}.jpg"] = png(grey(i * 10))
    (tmp_path / "m").mkdir()
    write_zip(tmp_path / "m" / "ISIC_2020_Training_JPEG.zip", members)
    (tmp_path / "m" / "ISIC_2020_Training_GroundTruth_v2.csv").write_text("\n".join(rows) + "\n")
    meta = run_prepare(mirrored(benchmark.get_dataset("isic2020"), tmp_path / "m"), tmp_path, seed=2)
    assert sum(meta["splits"].values()) == 20 and meta["classes"] == ["benign", "malignant"]
    patients = {}
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        ids = arrays.images[:, 0, 0, 0].astype(int) // 10
        assert np.array_equal(arrays.labels, (ids % 3 == 0).astype(int))
        patients[part] = set((ids % 7).tolist())
    assert not patients["train"] & patients["val"] and not patients["train"] & patients["test"]
    assert not patients["val"] & patients["test"]


def test_placed_cbis_ddsm_dicom_with_official_csvs(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    header = "patient_id,pathology,image file path\n"
    csvs = {"mass_case_description_train_set.csv": [], "calc_case_description_train_set.csv": [],
            "mass_case_description_test_set.csv": [], "calc_case_description_test_set.csv": []}  # fmt: skip
    expected = {}
    for i in range(8):
        kind, part = ("Mass" if i % 2 else "Calc"), ("Training" if i < 6 else "Test")
        folder = f"{kind}-{part}_P_{i:05d}_LEFT_CC"
        path = raw / "CBIS-DDSM" / folder / "1.3.6.1" / "1.3.6.2" / "1-1.dcm"
        path.parent.mkdir(parents=True)
        write_dicom(path, np.array([[0, 500 * i + 100], [40, 4000]], dtype=np.uint16))
        pathology = ("BENIGN", "MALIGNANT", "BENIGN_WITHOUT_CALLBACK")[i % 3]
        csv = f"{kind.lower()}_case_description_{'train' if i < 6 else 'test'}_set.csv"
        csvs[csv].append(f"P_{i:05d},{pathology},{folder}/1.3.6.1.4/1.3.6.1.5/000000.dcm")
        expected[i] = (read_dicom(path), ("BENIGN", "BENIGN_WITHOUT_CALLBACK", "MALIGNANT").index(pathology))
    for name, lines in csvs.items():
        (raw / name).write_text(header + "".join(line + "\n" for line in lines))
    spec = replace(
        benchmark.get_dataset("cbis_ddsm"),
        files=tuple(
            RemoteFile(n, (str(raw),), sha256=hashlib.sha256((raw / n).read_bytes()).hexdigest()) for n in csvs
        ),
    )
    meta = run_prepare(spec, tmp_path, image_size=2, val_fraction=0.2)
    assert meta["splits"]["test"] == 2 and meta["access"] == "public_tool"
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        for image, label in zip(arrays.images, arrays.labels):
            match = [i for i, (pixels, _) in expected.items() if np.array_equal(pixels, image[0])]
            assert len(match) == 1 and expected[match[0]][1] == label
            assert (match[0] >= 6) == (part == "test")


def test_voc_masks_and_largest_object_labels(tmp_path: Path) -> None:
    root = "VOCdevkit/VOC2012"
    members = {}
    for i, (small, large) in enumerate((("dog", "cat"), ("person", "car"), ("bird", "boat"), ("cow", "sheep"))):
        mask = np.zeros((8, 8), dtype=np.uint8)
        mask[2:6, 2:6] = i + 1
        mask[1, :] = 255  # object border
        palette = Image.fromarray(mask, mode="P")
        palette.putpalette(list(range(256)) * 3)
        buffer = io.BytesIO()
        palette.save(buffer, format="PNG")
        members[f"{root}/SegmentationClass/2007_{i}.png"] = buffer.getvalue()
        members[f"{root}/JPEGImages/2007_{i}.jpg"] = png(grey(i * 50))
        members[f"{root}/Annotations/2007_{i}.xml"] = (
            f"<annotation><object><name>{small}</name><bndbox><xmin>0</xmin><ymin>0</ymin><xmax>2</xmax>"
            f"<ymax>2</ymax></bndbox></object><object><name>{large}</name><bndbox><xmin>0</xmin><ymin>0</ymin>"
            "<xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>"
        ).encode()
    members[f"{root}/JPEGImages/2008_9.jpg"] = png(grey(255))  # detection-only image: no mask, skipped
    members[f"{root}/ImageSets/Segmentation/train.txt"] = b"2007_0\n2007_1\n2007_2\n"
    members[f"{root}/ImageSets/Segmentation/val.txt"] = b"2007_3\n"
    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "VOCtrainval_11-May-2012.tar", members)
    meta = run_prepare(mirrored(benchmark.get_dataset("voc2012"), tmp_path / "m"), tmp_path, val_fraction=0.34)
    assert meta["splits"] == {"train": 2, "val": 1, "test": 1}
    test = split(tmp_path, "test")
    expected = np.zeros((8, 8), dtype=np.uint8)
    expected[2:6, 2:6] = 4
    assert np.array_equal(test.masks[0], expected)  # 255 border -> background
    assert test.labels.tolist() == [meta["classes"].index("sheep")] and test.images[0, 0, 0, 0] == 150
    for part in ("train", "val"):
        arrays = split(tmp_path, part)
        for image, label, mask in zip(arrays.images, arrays.labels, arrays.masks):
            i = int(image[0, 0, 0]) // 50
            assert meta["classes"][label] == ("cat", "car", "boat")[i] and mask.max() == i + 1


def test_nifti_volumes_msd_slices_with_masks_split_by_case(tmp_path: Path) -> None:
    import nibabel

    members = {}
    for case in range(1, 6):
        volume = np.zeros((4, 4, 3, 4), dtype=np.float32)  # x, y, z, modality
        volume[..., 0] = case * 10 + np.arange(3)[None, None, :]  # FLAIR: constant per slice
        volume[0, 0, 2, 0] = 0  # one background voxel
        labels = np.zeros((4, 4, 3), dtype=np.uint8)
        labels[1, 1, :] = 3
        for folder, array in (("imagesTr", volume), ("labelsTr", labels)):
            buffer = nibabel.Nifti1Image(array, np.eye(4)).to_bytes()
            members[f"Task01_BrainTumour/{folder}/BRATS_{case:03d}.nii"] = buffer
    members["Task01_BrainTumour/imagesTr/._BRATS_001.nii"] = b"macOS junk"
    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "Task01_BrainTumour.tar", members)
    spec = replace(
        benchmark.get_dataset("msd_brain_tumour"),
        image_glob="Task01_BrainTumour/imagesTr/BRATS_*.nii",
    )
    meta = run_prepare(mirrored(spec, tmp_path / "m"), tmp_path, image_size=4, slices="2.5d")
    assert sum(meta["splits"].values()) == 15 and meta["channels"] == 3  # 5 cases x 3 slices
    cases = {}
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        assert np.all(arrays.masks[:, 1, 1] == 3) and arrays.masks.sum() == 3 * len(arrays)
        # each case is scaled to its own 0.5-99.5 percentile window: slice 0 -> 0, slice 2 -> 255
        assert set(arrays.images[:, 1, 2, 2].tolist()) <= {0, 128, 255}
        cases[part] = len(arrays) // 3
    assert cases == {"train": 3, "val": 1, "test": 1}


def test_brain_tumor_matlab_v73_split_by_patient(tmp_path: Path) -> None:
    import h5py

    (tmp_path / "m").mkdir()
    for z in range(4):
        members = {}
        for j in range(3):
            i = z * 3 + j
            buffer = io.BytesIO()
            with h5py.File(buffer, "w") as mat:
                group = mat.create_group("cjdata")
                group["image"] = (np.arange(16, dtype=np.int16).reshape(4, 4) * 10 - 30).T
                group["label"] = np.array([[float(i % 3 + 1)]])
                group["PID"] = np.array([[ord(c)] for c in f"P{i // 2}"], dtype=np.uint16)
                mask = np.zeros((4, 4), dtype=np.uint8)
                mask[i % 4, :] = 1  # row and column encode the slice number i = 4 * column + row
                mask[:, i // 4] = 1
                group["tumorMask"] = mask.T
            members[f"{i + 1}.mat"] = buffer.getvalue()
        write_zip(tmp_path / "m" / benchmark.get_dataset("brain_tumor_figshare").files[z].name, members)
    spec = mirrored(benchmark.get_dataset("brain_tumor_figshare"), tmp_path / "m")
    meta = run_prepare(spec, tmp_path, image_size=4, val_fraction=0.2)
    assert sum(meta["splits"].values()) == 12 and meta["classes"] == ["meningioma", "glioma", "pituitary"]
    patients = {}
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        assert np.array_equal(
            arrays.images[:, 0], np.broadcast_to(np.round(np.arange(16) * 17).reshape(4, 4), (len(arrays), 4, 4))
        )
        slices = [
            4 * int(np.flatnonzero(m.all(axis=0))[0]) + int(np.flatnonzero(m.all(axis=1))[0]) for m in arrays.masks
        ]
        assert arrays.labels.tolist() == [i % 3 for i in slices]
        patients[part] = {i // 2 for i in slices}
    assert not patients["train"] & patients["val"] and not patients["train"] & patients["test"]
    assert not patients["val"] & patients["test"] and all(patients.values())


def test_pcam_hdf5_patches(tmp_path: Path) -> None:
    import gzip

    import h5py

    rng = np.random.default_rng(3)
    (tmp_path / "m").mkdir()
    expected = {}
    for stem in ("train", "valid", "test"):
        x = rng.integers(0, 256, (3, 96, 96, 3), dtype=np.uint8)
        y = np.array([0, 1, 1], dtype=np.uint8).reshape(3, 1, 1, 1)
        expected[stem] = (x, y)
        for key, value in (("x", x), ("y", y)):
            buffer = io.BytesIO()
            with h5py.File(buffer, "w") as h5:
                h5[key] = value
            name = f"camelyonpatch_level_2_split_{stem}_{key}.h5.gz"
            (tmp_path / "m" / name).write_bytes(gzip.compress(buffer.getvalue()))
    meta = run_prepare(mirrored(benchmark.get_dataset("pcam"), tmp_path / "m"), tmp_path, image_size=96)
    assert meta["splits"] == {"train": 3, "val": 3, "test": 3}
    val = split(tmp_path, "val")
    assert np.array_equal(val.images, np.moveaxis(expected["valid"][0], -1, 1)) and val.labels.tolist() == [0, 1, 1]


def test_coco_polygon_masks_and_largest_labels(tmp_path: Path) -> None:
    categories = [{"id": 1, "name": "person"}, {"id": 3, "name": "car"}]
    (tmp_path / "m").mkdir()
    annotations = {}
    for folder, n in (("train2017", 4), ("val2017", 1)):
        images = [{"id": i, "file_name": f"{i:012d}.jpg", "width": 4, "height": 4} for i in range(n)]
        anns = [
            {"image_id": i, "category_id": 1 + 2 * (i % 2), "area": 4.0, "segmentation": [[0, 0, 1, 0, 1, 1, 0, 1]]}
            for i in range(n)
        ]
        annotations[f"annotations/instances_{folder}.json"] = json.dumps(
            {"images": images, "annotations": anns, "categories": categories}
        ).encode()
        write_zip(tmp_path / "m" / f"{folder}.zip", {f"{folder}/{img['file_name']}": png(grey(i * 60, (4, 4)))
                                                       for i, img in enumerate(images)})  # fmt: skip
    write_zip(tmp_path / "m" / "annotations_trainval2017.zip", annotations)
    meta = run_prepare(mirrored(benchmark.get_dataset("coco2017"), tmp_path / "m"), tmp_path, image_size=4)
    assert meta["splits"] == {"train": 3, "val": 1, "test": 1} and meta["classes"] == ["person", "car"]
    expected = np.zeros((4, 4), dtype=np.uint8)
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        for image, label, mask in zip(arrays.images, arrays.labels, arrays.masks):
            i = int(image[0, 0, 0]) // 60
            expected[:2, :2] = 1 + i % 2
            assert label == i % 2 and np.array_equal(mask, expected)


def test_lsun_lmdb(tmp_path: Path) -> None:
    import lmdb

    db = tmp_path / "church_outdoor_train_lmdb"
    env = lmdb.open(str(db), map_size=1 << 22)
    with env.begin(write=True) as txn:
        for i in range(10):
            txn.put(f"{i:04d}".encode(), png(grey(i * 20, (4, 4))))
    env.close()
    (tmp_path / "m").mkdir()
    write_zip(tmp_path / "m" / "church_outdoor_train_lmdb.zip",
              {f"church_outdoor_train_lmdb/{p.name}": p.read_bytes() for p in db.iterdir()})  # fmt: skip
    meta = run_prepare(mirrored(benchmark.get_dataset("lsun"), tmp_path / "m"), tmp_path, image_size=4)
    assert meta["splits"] == {"train": 6, "val": 2, "test": 2}
    values = sorted(int(v) for part in ("train", "val", "test") for v in split(tmp_path, part).images[:, 0, 0, 0])
    assert values == [i * 20 for i in range(10)] and split(tmp_path, "train").labels is None


def test_cub_official_split_and_class_names(tmp_path: Path) -> None:
    root = "CUB_200_2011"
    members = {
        f"{root}/classes.txt": b"1 001.Black_footed_Albatross\n2 002.Laysan_Albatross\n",
        f"{root}/images.txt": b"1 001.a/a1.jpg\n2 001.a/a2.jpg\n3 002.b/b1.jpg\n4 002.b/b2.jpg\n5 002.b/b3.jpg\n",
        f"{root}/image_class_labels.txt": b"1 1\n2 1\n3 2\n4 2\n5 2\n",
        f"{root}/train_test_split.txt": b"1 1\n2 0\n3 1\n4 1\n5 0\n",
    }
    for i, rel in enumerate(("001.a/a1.jpg", "001.a/a2.jpg", "002.b/b1.jpg", "002.b/b2.jpg", "002.b/b3.jpg")):
        members[f"{root}/images/{rel}"] = png(grey(i * 40, (4, 4)))
    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "CUB_200_2011.tgz", members)
    meta = run_prepare(mirrored(benchmark.get_dataset("cub200"), tmp_path / "m"), tmp_path, image_size=4)
    assert meta["classes"] == ["001.Black_footed_Albatross", "002.Laysan_Albatross"]
    test = split(tmp_path, "test")
    assert test.images[:, 0, 0, 0].tolist() == [40, 160] and test.labels.tolist() == [0, 1]
    assert sum(meta["splits"].values()) == 5


def test_placed_nifti_with_labels_csv_and_missing_placement_exit_3(tmp_path: Path) -> None:
    import nibabel

    spec = benchmark.get_dataset("adni")
    with pytest.raises(DataMissingError, match=r"adni needs manual access \(registration.*labels\.csv") as err:
        run_prepare(spec, tmp_path)
    assert err.value.exit_code == 3 and "ida.loni.usc.edu" in str(err.value)
    raw = tmp_path / "raw"
    (raw / "images").mkdir(parents=True)
    rows = ["image,subject,diagnosis"]
    for i in range(10):
        volume = np.zeros((4, 4, 5), dtype=np.float32)
        volume[:, :, 2] = i + 1  # the central axial slice carries the subject's value
        volume[0, 0, 2] = 0
        nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), str(raw / "images" / f"scan_{i}.nii.gz"))
        rows.append(f"scan_{i}.nii.gz,S{i // 2},{('CN', 'MCI', 'AD')[i % 3]}")
    (raw / "labels.csv").write_text("\n".join(rows) + "\n")
    meta = run_prepare(spec, tmp_path, image_size=4)
    assert sum(meta["splits"].values()) == 10 and meta["access"] == "registration"
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        assert np.all(arrays.images[:, 0, 0, 0] == 0) and np.all(arrays.images[:, 0, 1, 1] == 255)
    assert read_meta(tmp_path / "out")["classes"] == ["CN", "MCI", "AD"]
