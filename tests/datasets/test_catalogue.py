"""The registry covers the survey's Tables 4-5 with complete access facts; fetch, lock file, gated exit 3, page."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from http_fixture import FileServer

import benchmark
from benchmark.datasets.base import ACCESS_CLASSES, Access
from benchmark.datasets.download import RemoteFile, fetch_file
from benchmark.errors import ChecksumError, DataMissingError
from benchmark.registry import DATASETS
from benchmark.reporting.datasets import datasets_markdown, local_status, write_datasets_page

#: the survey's rows (Table 4 medical, Table 5 general) as printed, and the canonical entry names that cover them
SURVEY_ROWS = {
    "ADNI": {"adni"}, "OASIS-3": {"oasis3"}, "BT": {"brain_tumor_figshare"}, "BRATS": {"brats"}, "MOOD": {"mood"},
    "Camelyon": {"camelyon16", "camelyon17"}, "DDSM": {"cbis_ddsm"}, "InBreast": {"inbreast"},
    "BCS-DBT": {"bcs_dbt"}, "ChestX-ray": {"chest_xray_pneumonia"}, "ChestX-ray-NIHCC": {"chestxray14"},
    "CIDC": {"covid_chestxray"}, "LIDC-IDRI": {"lidc_idri"}, "COVID-19-NY-SBU": {"covid19_ny_sbu"},
    "ISIC": {"isic2018_task1", "isic2018_task3", "isic2019", "isic2020", "ham10000"}, "Pancreas-CT": {"pancreas_ct"},
    "CelebA": {"celeba"}, "CIFAR-10": {"cifar10", "cifar100"}, "Cityscapes": {"cityscapes"}, "COCO": {"coco2017"},
    "CUB": {"cub200"}, "Faces": {"faces"}, "Flickr25k": {"mirflickr25k"}, "ImageNet": {"imagenet"}, "LFW": {"lfw"},
    "LSUN": {"lsun"}, "MNIST": {"mnist"}, "VOC": {"voc2012"},
}  # fmt: skip
TABLE5 = (
    "CelebA",
    "CIFAR-10",
    "Cityscapes",
    "COCO",
    "CUB",
    "Faces",
    "Flickr25k",
    "ImageNet",
    "LFW",
    "LSUN",
    "MNIST",
    "VOC",
)
MEDMNIST = (
    "pathmnist chestmnist dermamnist octmnist pneumoniamnist retinamnist breastmnist bloodmnist tissuemnist "
    "organamnist organcmnist organsmnist organmnist3d nodulemnist3d adrenalmnist3d fracturemnist3d vesselmnist3d "
    "synapsemnist3d"
).split()
EXTRA = {
    "fashion_mnist",
    "msd_brain_tumour",
    "pcam",
    "mednist",
    "mni152_slices",
    "mni152_wm",
    "mni152_wm_wide",
    "mni152_triplanar",
    "mni152_tissue_labels",
    "mni152_sequences",
}


def test_every_survey_row_has_its_canonical_entries_and_nothing_is_unaccounted() -> None:
    names = set(DATASETS.names())
    expected = set().union(*SURVEY_ROWS.values()) | set(MEDMNIST) | EXTRA
    assert names == expected
    for row, entries in SURVEY_ROWS.items():
        for name in entries:
            survey = benchmark.get_dataset(name).survey
            assert survey is not None and survey.name == row, name
            assert survey.table == (5 if row in TABLE5 else 4)


@pytest.mark.parametrize("name", DATASETS.names())
def test_every_entry_has_the_required_facts(name: str) -> None:
    spec = benchmark.get_dataset(name)
    assert spec.title and spec.modality and spec.body_area and spec.tasks and spec.license and spec.provenance
    assert spec.size, "size"
    assert spec.access.kind in ACCESS_CLASSES and spec.access.homepage.startswith("http")
    if spec.survey is not None:
        assert spec.survey.application and spec.survey.size and spec.survey.refs and spec.survey.cite.startswith("[")
    else:
        assert spec.note, "an entry outside Tables 4-5 says why it is registered"
    if spec.access.kind == "unavailable":
        assert spec.access.substitute in DATASETS, "an unavailable dataset names a registered substitute"
    if spec.access.kind in ("public_tool", "registration", "unavailable"):
        assert spec.access.manual and spec.access.steps, "gated datasets are placed by hand with exact steps"
    for remote in spec.files:
        assert remote.urls, remote.name


def test_missing_placement_exits_3_with_the_steps(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmark", "fetch", "cityscapes", "--params", "none.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        env={"PYTHONPATH": str(Path(benchmark.__file__).parents[1]), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("medbench: error: cityscapes needs manual access (registration")
    for fact in ("cityscapes-dataset.com/register", "csDownload", "leftImg8bit/train/*/*_leftImg8bit.png",
                 "$CITYSCAPES_PASSWORD"):  # fmt: skip
        assert fact in lines[0]
    assert "Traceback" not in result.stderr


def test_placed_file_is_verified_against_its_pinned_md5(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    spec = benchmark.get_dataset("celeba")
    for remote in spec.files:
        (raw / remote.name).write_bytes(b"not the real file")
    with pytest.raises(ChecksumError, match="img_align_celeba.zip failed verification"):
        spec.fetch(raw, progress=False)
    good = b"placed by hand"
    pinned = replace(spec, files=tuple(replace(r, md5=hashlib.md5(good).hexdigest(), size=None) for r in spec.files))
    for remote in spec.files:
        (raw / remote.name).write_bytes(good)
    found = pinned.fetch(raw, progress=False)
    assert found["raw"] == raw and found["img_align_celeba.zip"] == raw / "img_align_celeba.zip"


def test_md5_pinned_download_and_lock_file_for_unpinned(http_server: FileServer, tmp_path: Path) -> None:
    body = b"medmnist npz bytes" * 1000
    url = http_server.serve("/a.npz", body)
    got = fetch_file(RemoteFile("a.npz", (url,), md5=hashlib.md5(body).hexdigest()), tmp_path / "r1", progress=False)
    assert got.read_bytes() == body
    with pytest.raises(ChecksumError):
        fetch_file(RemoteFile("a.npz", (url,), md5="0" * 32), tmp_path / "r2", progress=False)
    assert not (tmp_path / "r2" / "a.npz").exists()
    # an unpinned public file: the dataset's fetch records its sha256 in the lock file, then verifies against it
    spec = replace(benchmark.get_dataset("isic2020"), files=(RemoteFile("gt.csv", (url,)),))
    lock = tmp_path / "datasets.lock.json"
    spec.fetch(tmp_path / "raw", progress=False, lock=lock)
    assert json.loads(lock.read_text()) == {"gt.csv": hashlib.sha256(body).hexdigest()}
    (tmp_path / "raw" / "gt.csv").unlink()
    http_server.serve("/a.npz", b"changed upstream")
    with pytest.raises(ChecksumError, match="lock file"):
        spec.fetch(tmp_path / "raw", progress=False, lock=lock)


def test_manual_message_lists_numbered_steps_and_substitute(tmp_path: Path) -> None:
    spec = benchmark.get_dataset("brats")
    with pytest.raises(DataMissingError) as err:
        spec.fetch(tmp_path, progress=False)
    text = str(err.value)
    assert "(1) BraTS 2018-2020 is no longer served" in text and "`medbench prepare msd_brain_tumour`" in text
    assert "\n" not in text


def test_datasets_page_rows_and_local_status(tmp_path: Path) -> None:
    records = [entry.describe() for entry in DATASETS]
    (tmp_path / "prepared" / "mnist").mkdir(parents=True)
    (tmp_path / "prepared" / "mnist" / "meta.json").write_text("{}")
    by_name = {r["name"]: r for r in records}
    assert local_status(by_name["mnist"], tmp_path / "prepared") == "prepared"
    assert local_status(by_name["cifar10"], tmp_path / "prepared") == "not fetched (public download)"
    assert local_status(by_name["adni"], tmp_path / "prepared") == "needs registration"
    assert local_status(by_name["ham10000"], tmp_path / "prepared").startswith("not placed (public, manual download")
    assert local_status(by_name["brats"], tmp_path / "prepared") == "unavailable; substitute `msd_brain_tumour`"
    text = write_datasets_page(records, tmp_path / "prepared", tmp_path / "datasets.md")
    assert (tmp_path / "datasets.md").read_text() == text
    table4 = text.split("## Table 4")[1].split("## Table 5")[0]
    table5 = text.split("## Table 5")[1].split("## Also registered")[0]
    extra = text.split("## Also registered")[1]
    assert "| Brain: ADNI | C | 850k | [114, 137, 138] | `adni`:" in table4
    assert "| General: MNIST | C / G | 70k | [9, 76, 77, 97, 103, 121] | `mnist`: MNIST handwritten digits | " \
           "public_http |" in table5  # fmt: skip
    assert "| prepared |" in table5 and "`pathmnist`" in extra and "`adni`" not in table5
    assert len([line for line in text.splitlines() if line.startswith("| ") and "`" in line]) == len(records)
    assert datasets_markdown(records, {r["name"]: "x" for r in records}).count("| x |") == len(records)


def test_reporting_page_does_not_import_training_code() -> None:
    code = (
        "import sys, benchmark.cli.datasets as d; from benchmark.registry import DATASETS; len(DATASETS); "
        "bad = [m for m in sys.modules if m.startswith(('torch', 'benchmark.training', 'benchmark.models'))]; "
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stdout + result.stderr


def test_access_kind_is_validated() -> None:
    with pytest.raises(Exception, match="valid choices"):
        Access("torrent", "https://example.org")
