"""Format readers on tiny fixtures written by the test in each native format, checked value by value."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmark.datasets.formats import (
    coco_semantic_masks,
    read_cifar_batch,
    read_csv_rows,
    read_dicom,
    read_image,
    read_lmdb_values,
    read_mat_v73,
    read_nifti,
    read_voc_xml,
    resize_mask,
    to_chw,
    to_uint8,
    volume_slices,
)
from benchmark.errors import ConfigError


def test_read_image_grey_rgb_palette_and_16_bit(tmp_path: Path) -> None:
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    rgb = np.arange(36, dtype=np.uint8).reshape(3, 4, 3) * 7
    Image.fromarray(grey).save(tmp_path / "g.png")
    Image.fromarray(rgb).save(tmp_path / "c.png")
    palette = Image.fromarray(np.array([[0, 1], [255, 2]], dtype=np.uint8), mode="P")
    palette.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0] + [224, 224, 192] * 253)
    palette.save(tmp_path / "p.png")
    Image.fromarray(np.array([[0, 1000], [2000, 4000]], dtype=np.uint16)).save(tmp_path / "w.png")
    assert np.array_equal(read_image(tmp_path / "g.png"), grey)
    assert np.array_equal(read_image(tmp_path / "c.png"), rgb)
    assert np.array_equal(read_image((tmp_path / "c.png").read_bytes()), rgb)
    assert np.array_equal(read_image(tmp_path / "p.png"), [[0, 1], [255, 2]])  # palette indices, not colours
    assert np.array_equal(read_image(tmp_path / "w.png"), [[0, 64], [128, 255]])  # 0..4000 -> 0..255


def test_channel_conversion_uses_itu_601_luma() -> None:
    rgb = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]]], dtype=np.uint8)
    grey = to_chw(rgb, 1)
    expected = np.round(0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2])
    assert grey.shape == (1, 1, 4) and np.array_equal(grey[0], expected)
    assert np.array_equal(to_chw(rgb[..., 0], 3), np.stack([rgb[..., 0]] * 3))
    assert np.array_equal(to_chw(rgb, None), np.moveaxis(rgb, -1, 0))


def test_to_uint8_window_and_nearest_mask_resize() -> None:
    assert np.array_equal(to_uint8(np.array([-100.0, 0.0, 50.0, 100.0, 300.0]), 0, 100), [0, 0, 128, 255, 255])
    assert np.array_equal(to_uint8(np.full(3, 7.0)), [0, 0, 0])  # flat input: no division by zero
    mask = np.array([[0, 1], [2, 3]], dtype=np.uint8)
    assert np.array_equal(resize_mask(mask, 4), np.repeat(np.repeat(mask, 2, 0), 2, 1))
    big = np.arange(16, dtype=np.uint8).reshape(4, 4)
    assert np.array_equal(resize_mask(big, 2), big[[0, 2]][:, [0, 2]] + np.array([[5, 5], [5, 5]]))


def test_read_cifar_batch(tmp_path: Path) -> None:
    data = np.arange(2 * 3072, dtype=np.int64).reshape(2, 3072) % 256
    with open(tmp_path / "data_batch_1", "wb") as handle:
        pickle.dump({b"data": data.astype(np.uint8), b"labels": [3, 7], b"batch_label": b"x"}, handle)
    images, labels = read_cifar_batch(tmp_path / "data_batch_1")
    assert images.shape == (2, 3, 32, 32)
    assert images[1, 2, 31, 31] == data[1, 3071] and images[0, 1, 0, 0] == data[0, 1024]
    assert np.array_equal(labels["labels"], [3, 7])


def test_read_mat_v73_transposes_back(tmp_path: Path) -> None:
    import h5py

    image = np.arange(6, dtype=np.int16).reshape(2, 3)
    with h5py.File(tmp_path / "1.mat", "w") as mat:  # MATLAB v7.3 = HDF5, column-major (stored transposed)
        group = mat.create_group("cjdata")
        group["image"] = image.T
        group["label"] = np.array([[2.0]])
    data = read_mat_v73(tmp_path / "1.mat", "cjdata")
    assert np.array_equal(data["image"], image) and data["label"].item() == 2.0
    with pytest.raises(ConfigError, match="no variable"):
        read_mat_v73(tmp_path / "1.mat", "other")


def write_dicom(path: Path, pixels: np.ndarray, **tags: object) -> None:
    """A minimal single-frame DICOM file written with pydicom."""
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns = pixels.shape[-2:]
    ds.SamplesPerPixel, ds.BitsAllocated, ds.BitsStored, ds.HighBit = 1, 16, 16, 15
    ds.PixelRepresentation = 0
    ds.PhotometricInterpretation = "MONOCHROME2"
    if pixels.ndim == 3:
        ds.NumberOfFrames = len(pixels)
    for key, value in tags.items():
        setattr(ds, key, value)
    ds.PixelData = pixels.astype(np.uint16).tobytes()
    ds.save_as(str(path), enforce_file_format=True)


def test_read_dicom_rescale_window_and_monochrome1(tmp_path: Path) -> None:
    raw = np.array([[0, 100], [200, 400]], dtype=np.uint16)
    # rescale: value = 2 * raw - 100 -> [[-100, 100], [300, 700]]; window centre 300 width 400 -> [100, 500]
    write_dicom(tmp_path / "a.dcm", raw, RescaleSlope=2, RescaleIntercept=-100, WindowCenter=300, WindowWidth=400)
    assert np.array_equal(read_dicom(tmp_path / "a.dcm"), [[0, 0], [128, 255]])
    # an explicit window wins over the file's: [-100, 700] spans the full range
    assert np.array_equal(read_dicom(tmp_path / "a.dcm", window=(300, 800)), [[0, 64], [128, 255]])
    write_dicom(tmp_path / "b.dcm", raw, PhotometricInterpretation="MONOCHROME1")  # no window: min-max
    assert np.array_equal(read_dicom(tmp_path / "b.dcm"), 255 - np.array([[0, 64], [128, 255]]))
    frames = np.stack([raw, raw * 0 + 5, raw])
    frames[1, 0, 0] = 50
    write_dicom(tmp_path / "c.dcm", frames)
    assert np.array_equal(read_dicom(tmp_path / "c.dcm"), [[255, 0], [0, 0]])  # central frame, min-max


def test_nifti_and_2p5d_slices(tmp_path: Path) -> None:
    import nibabel

    volume = np.arange(2 * 2 * 3, dtype=np.float32).reshape(2, 2, 3)
    nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), str(tmp_path / "v.nii.gz"))
    assert np.array_equal(read_nifti(tmp_path / "v.nii.gz"), volume)
    flat = volume_slices(volume, 2, "2d")
    assert flat.shape == (3, 1, 2, 2) and np.array_equal(flat[1, 0], volume[:, :, 1])
    triplets = volume_slices(volume, 2, "2.5d")
    assert triplets.shape == (3, 3, 2, 2)
    assert np.array_equal(triplets[1], np.stack([volume[:, :, 0], volume[:, :, 1], volume[:, :, 2]]))
    assert np.array_equal(triplets[0], np.stack([volume[:, :, 0], volume[:, :, 0], volume[:, :, 1]]))  # edge repeats
    assert np.array_equal(triplets[2], np.stack([volume[:, :, 1], volume[:, :, 2], volume[:, :, 2]]))
    assert np.array_equal(volume_slices(volume, 0, "2d")[1, 0], volume[1])  # sagittal axis
    with pytest.raises(ConfigError, match="slices"):
        volume_slices(volume, 2, "3d")


def test_csv_and_voc_xml(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("\ufeffimage, dx ,lesion\nISIC_1,mel,L1\nISIC_2, nv ,L1\n")
    assert read_csv_rows(tmp_path / "a.csv") == [
        {"image": "ISIC_1", "dx": "mel", "lesion": "L1"},
        {"image": "ISIC_2", "dx": "nv", "lesion": "L1"},
    ]
    (tmp_path / "b.csv").write_text("File Name;Bi-Rads\n22678622;4a\n")
    assert read_csv_rows(tmp_path / "b.csv", ";") == [{"File Name": "22678622", "Bi-Rads": "4a"}]
    (tmp_path / "x.xml").write_text(
        "<annotation><object><name>dog</name><bndbox><xmin>1</xmin><ymin>2</ymin><xmax>30.5</xmax><ymax>40</ymax>"
        "</bndbox></object><object><name> cat </name><bndbox><xmin>5</xmin><ymin>6</ymin><xmax>7</xmax>"
        "<ymax>8</ymax></bndbox></object></annotation>"
    )
    assert read_voc_xml(tmp_path / "x.xml") == [("dog", (1, 2, 30, 40)), ("cat", (5, 6, 7, 8))]


def test_coco_polygons_become_category_masks() -> None:
    annotations = {
        "categories": [{"id": 18, "name": "dog"}, {"id": 1, "name": "person"}],
        "images": [{"id": 7, "file_name": "7.jpg", "width": 6, "height": 4}],
        "annotations": [
            {"image_id": 7, "category_id": 18, "segmentation": [[0, 0, 2, 0, 2, 2, 0, 2]]},
            {"image_id": 7, "category_id": 1, "segmentation": [[4, 1, 5, 1, 5, 3, 4, 3]]},
            {"image_id": 7, "category_id": 1, "segmentation": {"counts": [24], "size": [4, 6]}},  # RLE crowd: skipped
        ],
    }
    name, mask = coco_semantic_masks(annotations)[7]
    expected = np.zeros((4, 6), dtype=np.uint8)
    expected[0:3, 0:3] = 2  # dog: id 18 is the 2nd sorted category; PIL fills polygon edges inclusively
    expected[1:4, 4:6] = 1  # person: id 1 is the 1st
    assert name == "7.jpg" and np.array_equal(mask, expected)


def test_read_lmdb_values(tmp_path: Path) -> None:
    import lmdb

    env = lmdb.open(str(tmp_path / "db"), map_size=1 << 20)
    with env.begin(write=True) as txn:
        for key in (b"b", b"a", b"c"):
            txn.put(key, key * 3)
    env.close()
    assert list(read_lmdb_values(tmp_path / "db")) == [(b"a", b"aaa"), (b"b", b"bbb"), (b"c", b"ccc")]
    assert list(read_lmdb_values(tmp_path / "db", limit=1)) == [(b"a", b"aaa")]
