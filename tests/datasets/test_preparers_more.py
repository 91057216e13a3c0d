"""The remaining registry entries' preparers on native fixtures: placed layouts, label conventions, refusals."""

from __future__ import annotations

import io
import tarfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from test_preparers import grey, mirrored, png, run_prepare, split, write_tar, write_zip

import benchmark
from benchmark.datasets.base import load_split
from benchmark.errors import ConfigError


def place(root: Path, members: dict[str, bytes]) -> None:
    for name, data in members.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def values(tmp_path: Path, part: str) -> list[int]:
    return split(tmp_path, part).images[:, 0, 0, 0].astype(int).tolist()


def test_mnist_idx_official_test_split(tmp_path: Path) -> None:
    from test_prepare import idx_bytes

    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (8, 28, 28)),
        "train-labels-idx1-ubyte.gz": np.arange(8) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (3, 28, 28)),
        "t10k-labels-idx1-ubyte.gz": np.array([7, 2, 1]),
    }
    (tmp_path / "m").mkdir()
    import gzip

    for name, array in arrays.items():
        (tmp_path / "m" / name).write_bytes(gzip.compress(idx_bytes(array)))
    meta = run_prepare(mirrored(benchmark.get_dataset("mnist"), tmp_path / "m"), tmp_path, image_size=28, channels=3)
    test = split(tmp_path, "test")
    assert meta["splits"] == {"train": 6, "val": 2, "test": 3} and test.images.shape == (3, 3, 28, 28)
    assert np.array_equal(test.images[:, 2], arrays["t10k-images-idx3-ubyte.gz"]) and test.labels.tolist() == [7, 2, 1]


def test_mednist_class_folders_without_official_split(tmp_path: Path) -> None:
    classes = benchmark.get_dataset("mednist").classes
    members = {f"MedNIST/{c}/{i:06d}.jpeg": png(grey(40 * k + i)) for k, c in enumerate(classes) for i in range(5)}
    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "MedNIST.tar.gz", members)
    meta = run_prepare(mirrored(benchmark.get_dataset("mednist"), tmp_path / "m"), tmp_path, val_fraction=0.25)
    assert meta["splits"] == {"train": 18, "val": 6, "test": 6}
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        assert arrays.labels.tolist() == [v // 40 for v in arrays.images[:, 0, 0, 0].astype(int)]


def test_isic2018_task1_mask_pairs_across_two_archives(tmp_path: Path) -> None:
    inputs, truth = {}, {}
    for i in range(5):
        inputs[f"ISIC2018_Task1-2_Training_Input/ISIC_{i:07d}.jpg"] = png(grey(i * 50))
        mask = np.zeros((8, 8), dtype=np.uint8)
        mask[: i + 1] = 255
        truth[f"ISIC2018_Task1_Training_GroundTruth/ISIC_{i:07d}_segmentation.png"] = png(mask)
    inputs["ISIC2018_Task1-2_Training_Input/ISIC_0000099.jpg"] = png(grey(1))  # no mask: skipped
    (tmp_path / "m").mkdir()
    write_zip(tmp_path / "m" / "ISIC2018_Task1-2_Training_Input.zip", inputs)
    write_zip(tmp_path / "m" / "ISIC2018_Task1_Training_GroundTruth.zip", truth)
    meta = run_prepare(mirrored(benchmark.get_dataset("isic2018_task1"), tmp_path / "m"), tmp_path, val_fraction=0.25)
    assert sum(meta["splits"].values()) == 5
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        for image, mask in zip(arrays.images, arrays.masks):
            rows = int(image[0, 0, 0]) // 50 + 1
            assert mask[:rows].min() == 1 and mask[rows:].max(initial=0) == 0 and set(np.unique(mask)) <= {0, 1}


def test_isic2018_task3_one_hot_ground_truth(tmp_path: Path) -> None:
    classes = benchmark.get_dataset("isic2018_task3").classes
    rows = ["image," + ",".join(classes)]
    images = {}
    for i in range(7):
        rows.append(f"ISIC_{i:07d}," + ",".join("1.0" if k == i else "0.0" for k in range(7)))
        images[f"ISIC2018_Task3_Training_Input/ISIC_{i:07d}.jpg"] = png(grey(30 * i))
    (tmp_path / "m").mkdir()
    write_zip(tmp_path / "m" / "ISIC2018_Task3_Training_Input.zip", images)
    gt = {"ISIC2018_Task3_Training_GroundTruth/ISIC2018_Task3_Training_GroundTruth.csv": "\n".join(rows).encode()}
    write_zip(tmp_path / "m" / "ISIC2018_Task3_Training_GroundTruth.zip", gt)
    run_prepare(mirrored(benchmark.get_dataset("isic2018_task3"), tmp_path / "m"), tmp_path, val_fraction=0.2)
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        assert arrays.labels.tolist() == [v // 30 for v in arrays.images[:, 0, 0, 0].astype(int)]


def test_placed_chestxray14_multi_label_with_official_test_list(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    findings = ["Atelectasis|Effusion", "No Finding", "Hernia", "Mass|Nodule|Hernia", "No Finding", "Edema"]
    rows = ["Image Index,Finding Labels,Follow-up #,Patient ID"]
    for i, finding in enumerate(findings):
        rows.append(f"{i:08d}_000.png,{finding},0,{i // 2}")
        place(raw, {f"images/{i:08d}_000.png": png(grey(40 * i))})
    place(raw, {"Data_Entry_2017_v2020.csv": "\n".join(rows).encode(),
                "train_val_list.txt": b"00000000_000.png\n00000001_000.png\n00000002_000.png\n00000003_000.png\n",
                "test_list.txt": b"00000004_000.png\n00000005_000.png\n"})  # fmt: skip
    spec = benchmark.get_dataset("chestxray14")
    meta = run_prepare(spec, tmp_path, val_fraction=0.4)
    assert meta["splits"] == {"train": 2, "val": 2, "test": 2}
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        for image, row in zip(arrays.images, arrays.labels):
            finding = findings[int(image[0, 0, 0]) // 40]
            assert row.tolist() == [int(c in finding.split("|")) for c in spec.classes]
    assert sorted(values(tmp_path, "test")) == [160, 200]


def test_placed_inbreast_semicolon_sheet_and_birads_classes(tmp_path: Path) -> None:
    from test_formats import write_dicom

    raw = tmp_path / "raw"
    (raw / "AllDICOMs").mkdir(parents=True)
    rows = ["Patient ID;Patient age;Laterality;View;Acquisition date;File Name;ACR;Bi-Rads"]
    birads = ["1", "2", "4a", "5", "6", "3", "4c", "2", "1", "4b"]
    for i, grade in enumerate(birads):
        pixels = np.tile([0, 200 * i + 100, 2000], (3, 1))  # the middle column identifies the image
        write_dicom(raw / "AllDICOMs" / f"{2000 + i}_abcdef_MG_R_CC_ANON.dcm", pixels)
        rows.append(f"removed;;R;CC;201001;{2000 + i};1;{grade}")
    (raw / "INbreast.csv").write_text("\n".join(rows) + "\n")
    classes = benchmark.get_dataset("inbreast").classes
    meta = run_prepare(benchmark.get_dataset("inbreast"), tmp_path, image_size=3, val_fraction=0.25)
    assert sum(meta["splits"].values()) == 10 and meta["access"] == "unavailable"
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        ids = [
            int(np.argmin(np.abs(np.round((200 * np.arange(10) + 100) / 2000 * 255) - v)))
            for v in arrays.images[:, 0, 1, 1]
        ]
        assert arrays.labels.tolist() == [classes.index(birads[i]) for i in ids]


def test_celeba_official_partition_from_placed_files(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    names = [f"{i:06d}.jpg" for i in range(1, 7)]
    write_zip(raw / "img_align_celeba.zip", {f"img_align_celeba/{n}": png(grey(i * 30)) for i, n in enumerate(names)})
    (raw / "list_eval_partition.txt").write_text("".join(f"{n} {i % 3}\n" for i, n in enumerate(names)))
    (raw / "identity_CelebA.txt").write_text("".join(f"{n} {i}\n" for i, n in enumerate(names)))
    spec = benchmark.get_dataset("celeba")
    spec = replace(spec, files=mirrored(spec, raw).files)  # pinned to the fixture's bytes
    meta = run_prepare(spec, tmp_path)
    assert meta["splits"] == {"train": 2, "val": 2, "test": 2}
    assert values(tmp_path, "train") == [0, 90] and values(tmp_path, "val") == [30, 120]
    assert values(tmp_path, "test") == [60, 150] and split(tmp_path, "test").labels is None


def test_imagenet_nested_class_tars(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    outer = tarfile.open(raw / "ILSVRC2012_img_train.tar", "w")
    for k, wnid in enumerate(("n02", "n01")):  # stored unsorted: labels follow the sorted WordNet ids
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as inner:
            for i in range(5):
                data = png(grey(100 * k + i))
                info = tarfile.TarInfo(f"{wnid}_{i}.JPEG")
                info.size = len(data)
                inner.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo(f"{wnid}.tar")
        info.size = len(buffer.getvalue())
        outer.addfile(info, io.BytesIO(buffer.getvalue()))
    outer.close()
    spec = benchmark.get_dataset("imagenet")
    meta = run_prepare(replace(spec, files=mirrored(spec, raw).files), tmp_path, val_fraction=0.25)
    assert meta["classes"] == ["n01", "n02"] and sum(meta["splits"].values()) == 10
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        assert arrays.labels.tolist() == [0 if v >= 100 else 1 for v in arrays.images[:, 0, 0, 0].astype(int)]


def test_faces_expression_from_file_name_and_person_groups(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    codes = ("a", "d", "f", "h", "n", "s")
    for person in range(5):
        for k, code in enumerate(codes):
            place(raw, {f"{person:03d}_y_f_{code}_a.jpg": png(grey(50 * person + k))})
    run_prepare(benchmark.get_dataset("faces"), tmp_path, val_fraction=0.25)
    people = {}
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        assert arrays.labels.tolist() == [v % 50 for v in arrays.images[:, 0, 0, 0].astype(int)]
        people[part] = {v // 50 for v in arrays.images[:, 0, 0, 0].astype(int)}
    assert sum(len(p) for p in people.values()) == 5  # each person in exactly one split


def test_lfw_unlabelled_split_by_identity(tmp_path: Path) -> None:
    members = {f"lfw/Person_{p}/Person_{p}_{i:04d}.jpg": png(grey(40 * p + i)) for p in range(5) for i in range(3)}
    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "lfw.tgz", members)
    meta = run_prepare(mirrored(benchmark.get_dataset("lfw"), tmp_path / "m"), tmp_path, val_fraction=0.25)
    assert sum(meta["splits"].values()) == 15 and split(tmp_path, "train").labels is None
    people = [{v // 40 for v in values(tmp_path, part)} for part in ("train", "val", "test")]
    assert sum(len(p) for p in people) == 5


def test_placed_cityscapes_label_ids_to_train_ids(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    for part, cities in (("train", ("aachen", "bremen", "cologne", "dusseldorf")), ("val", ("frankfurt",))):
        for k, city in enumerate(cities):
            stem = f"{city}_000000_000019"
            labels = np.array([[7, 26], [0, 33]], dtype=np.uint8)  # road, car, unlabeled, bicycle
            place(raw, {f"leftImg8bit/{part}/{city}/{stem}_leftImg8bit.png": png(grey(10 * k, (2, 2))),
                        f"gtFine/{part}/{city}/{stem}_gtFine_labelIds.png": png(labels)})  # fmt: skip
    place(raw, {"leftImg8bit/test/berlin/berlin_0_0_leftImg8bit.png": png(grey(1, (2, 2)))})  # no labels: skipped
    meta = run_prepare(benchmark.get_dataset("cityscapes"), tmp_path, image_size=2, val_fraction=0.25)
    assert meta["splits"] == {"train": 3, "val": 1, "test": 1}
    names = meta["mask_classes"]
    expected = [[names.index("road"), names.index("car")], [0, names.index("bicycle")]]
    assert np.array_equal(load_split(tmp_path / "out", "all").masks, np.array([expected] * 5))


def test_placed_pancreas_ct_volumes_with_label_volumes(tmp_path: Path) -> None:
    import nibabel

    raw = tmp_path / "raw"
    (raw / "images").mkdir(parents=True)
    (raw / "labels").mkdir()
    for case in range(1, 6):
        volume = np.full((4, 4, 2), 100.0 * case, dtype=np.float32)
        labels = np.zeros((4, 4, 2), dtype=np.float32)
        labels[0, :, 1] = 1
        nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), str(raw / "images" / f"PANCREAS_{case:04d}.nii.gz"))
        nibabel.save(nibabel.Nifti1Image(labels, np.eye(4)), str(raw / "labels" / f"label{case:04d}.nii.gz"))
    meta = run_prepare(benchmark.get_dataset("pancreas_ct"), tmp_path, image_size=4, val_fraction=0.25)
    assert meta["splits"] == {"train": 6, "val": 2, "test": 2}  # 5 cases x 2 slices, split by case
    masks = load_split(tmp_path / "out", "all").masks
    assert masks.sum() == 5 * 4 and set(np.unique(masks)) == {0, 1}


def test_camelyon_whole_slides_refuse_with_a_pointer_to_pcam(tmp_path: Path) -> None:
    place(tmp_path / "raw", {"images/tumor_001.tif": b"II*\x00"})
    with pytest.raises(ConfigError, match="medbench prepare pcam"):
        run_prepare(benchmark.get_dataset("camelyon16"), tmp_path)
    assert not (tmp_path / "out").exists()


def test_covid_collection_multi_label_findings(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    findings = ["Pneumonia/Viral/COVID-19", "No Finding", "Pneumonia/Bacterial", "Pneumonia/Viral/COVID-19",
                "Tuberculosis", "Pneumonia/Fungal"]  # fmt: skip
    rows = ["patientid,finding,filename"]
    for i, finding in enumerate(findings):
        rows.append(f"{i},{finding},{i}.jpeg")
        place(raw, {f"images/{i}.jpeg": png(grey(40 * i))})
    place(raw, {"metadata.csv": "\n".join(rows).encode()})
    spec = benchmark.get_dataset("covid_chestxray")
    run_prepare(spec, tmp_path, val_fraction=0.25)
    for part in ("train", "val", "test"):
        arrays = split(tmp_path, part)
        for image, row in zip(arrays.images, arrays.labels):
            finding = findings[int(image[0, 0, 0]) // 40]
            assert row.tolist() == [int(c in finding.split("/")) for c in spec.classes]


def test_mixed_grey_and_colour_files_stack_and_an_empty_split_is_a_clear_error(tmp_path: Path) -> None:
    members = {f"MedNIST/Hand/{i}.jpeg": png(grey(10 * i, (6, 4))) for i in range(4)}
    members["MedNIST/Hand/9.jpeg"] = png(np.full((4, 4, 3), (30, 60, 90), dtype=np.uint8))  # colour, other size
    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "MedNIST.tar.gz", members)
    spec = mirrored(benchmark.get_dataset("mednist"), tmp_path / "m")
    run_prepare(spec, tmp_path, image_size=4, val_fraction=0.25)
    colour = load_split(tmp_path / "out", "all").images
    assert colour.shape == (5, 1, 4, 4)  # the first file is grey: all become grey
    assert round(0.299 * 30 + 0.587 * 60 + 0.114 * 90) in colour[:, 0, 0, 0].tolist()
    with pytest.raises(ConfigError, match="split 'val' is empty"):
        run_prepare(spec, tmp_path / "tiny", image_size=4, val_fraction=0.01)


@pytest.mark.parametrize("member", ["../escape.jpeg", "/abs/escape.jpeg"])
def test_hostile_archive_is_refused_by_prepare_and_nothing_is_written(tmp_path: Path, member: str) -> None:
    from benchmark.datasets.extract import UnsafeArchiveError

    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "MedNIST.tar.gz", {"MedNIST/Hand/0.jpeg": png(grey(1)), member: png(grey(2))})
    with pytest.raises(UnsafeArchiveError, match="nothing was extracted"):
        run_prepare(mirrored(benchmark.get_dataset("mednist"), tmp_path / "m"), tmp_path)
    assert not (tmp_path / "out").exists() and not (tmp_path / "escape.jpeg").exists()
    assert not (tmp_path / "raw" / "MedNIST.tar.gz.d").exists()


def test_bomb_like_archive_is_refused_by_prepare(tmp_path: Path) -> None:
    from benchmark.datasets.extract import UnsafeArchiveError

    (tmp_path / "m").mkdir()
    write_tar(tmp_path / "m" / "MedNIST.tar.gz", {"MedNIST/Hand/0.jpeg": bytes(50_000_000)})  # ~1000x expansion
    with pytest.raises(UnsafeArchiveError, match="expansion ratio"):
        run_prepare(mirrored(benchmark.get_dataset("mednist"), tmp_path / "m"), tmp_path)
    assert not (tmp_path / "raw" / "MedNIST.tar.gz.d").exists()
