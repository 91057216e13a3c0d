"""Registry behaviour and the public API: duplicates raise, lookups fail helpfully, every entry is usable."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import benchmark
from benchmark.errors import ConfigError, UnknownNameError
from benchmark.registry import DATASETS, LOSSES, METRICS, MODELS, Registry


def test_duplicate_names_raise() -> None:
    registry: Registry[object] = Registry("widget", ("task",))
    registry.register("a", task="x")(object)
    with pytest.raises(ValueError, match="duplicate widget name 'a'"):
        registry.register("a", task="y")(object)


def test_required_metadata_is_enforced() -> None:
    registry: Registry[object] = Registry("widget", ("task",))
    with pytest.raises(ValueError, match="lacks required metadata"):
        registry.add("b", object)


def test_unknown_name_lists_choices_and_is_a_config_error() -> None:
    with pytest.raises(UnknownNameError) as err:
        MODELS.get("resnet_does_not_exist", key="runs.x.model")
    message = str(err.value)
    assert message.startswith("runs.x.model: unknown model 'resnet_does_not_exist'; valid choices: ")
    assert "resnet18" in message and "unet" in message
    assert isinstance(err.value, ConfigError) and err.value.exit_code == 2


def test_names_filter_on_metadata() -> None:
    assert benchmark.list_models(task="segmentation") == ["unet"]
    assert set(benchmark.list_models(task="generation")) >= {"dcgan", "vae"}
    assert "accuracy" in benchmark.list_metrics(task="classification")
    assert "fid" not in benchmark.list_metrics(task="classification")


def test_foundation_components_are_registered() -> None:
    assert {"resnet18", "unet", "dcgan", "vae"} <= set(benchmark.list_models())
    assert {"fashion_mnist", "mni152_slices"} <= set(benchmark.list_datasets())
    assert {"ce", "bce", "dice"} <= set(benchmark.list_losses())
    expected = {
        "accuracy",
        "specificity",
        "recall",
        "precision",
        "f1",
        "auroc",
        "rmse",
        "mae",
        "pixel_accuracy",
        "iou",
        "dice",
        "fid",
        "kid",
        "inception_score",
        "psnr",
        "ssim",
    }
    assert expected <= set(benchmark.list_metrics())


@pytest.mark.parametrize("name", LOSSES.names())
def test_every_loss_is_constructible(name: str) -> None:
    assert callable(benchmark.create_loss(name))


@pytest.mark.parametrize("name", METRICS.names())
def test_every_metric_declares_direction_and_builds(name: str) -> None:
    entry = METRICS.get(name)
    assert isinstance(entry.meta["higher_is_better"], bool)
    params = {"num_classes": 3} if entry.meta["task"] in ("classification", "segmentation") else {}
    if entry.meta["task"] == "multilabel":
        params = {"num_labels": 3}
    if name == "inception_score":
        params = {"classifier": "test classifier"}
    assert benchmark.create_metric(name, **params) is not None


@pytest.mark.parametrize("name", DATASETS.names())
def test_every_dataset_states_provenance_licence_and_verified_sources(name: str) -> None:
    spec = benchmark.get_dataset(name)
    assert spec.license and spec.provenance and spec.modality and spec.tasks
    assert isinstance(spec.synthetic, bool)
    assert spec.files or spec.access.manual, "a dataset needs source files or a manual placement"
    # a file no public source pins is verified against the committed lock file after its first download
    unpinned = [remote.name for remote in spec.files if not remote.pinned]
    assert not unpinned or spec.access.kind == "public_http", f"{unpinned}: unpinned files must be public downloads"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "benchmark", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("kind", ["models", "datasets", "losses", "metrics"])
def test_cli_list_json(kind: str) -> None:
    result = run_cli("list", kind, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    registry = {"models": MODELS, "datasets": DATASETS, "losses": LOSSES, "metrics": METRICS}[kind]
    assert [row["name"] for row in rows] == registry.names()
    for row in rows:
        assert row["task"] and ("family" in row or "kind" in row)


def test_cli_list_table() -> None:
    result = run_cli("list", "models")
    assert result.returncode == 0
    header, rule, *rows = result.stdout.splitlines()
    assert header.split()[:3] == ["name", "family", "task"]
    assert len(rows) == len(MODELS)
