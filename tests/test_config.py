"""params.yaml validation: every bad key or value is one line naming it, exit code 2, and nothing written."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from benchmark.config import GENERATED_MARKER, load_params, write_suite
from benchmark.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def params_file(tmp_path: Path) -> Path:
    path = tmp_path / "params.yaml"
    shutil.copy(ROOT / "params.yaml", path)
    return path


def edit_suite(path: Path, mutate) -> None:
    """Apply ``mutate`` to the raw params, then re-materialise the default suite."""
    text = path.read_text().split(GENERATED_MARKER)[0]
    raw = yaml.safe_load(text)
    mutate(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    write_suite(path, "default")


def test_repository_params_are_valid_for_every_suite(params_file: Path) -> None:
    for suite in ("quick", "full", "default"):
        params = write_suite(params_file, suite)
        assert params.suite == suite and params.runs
        assert all(run.dataset in params.datasets for run in params.runs.values())
        assert all("-" in key for key in params.runs)


def test_every_registered_model_is_in_every_suite(params_file: Path) -> None:
    from benchmark import list_models

    raw = yaml.safe_load(params_file.read_text())
    for suite, spec in raw["suites"].items():
        models = {key.split("-")[0] for key in spec["runs"]}
        if suite != "quick":  # quick is one model per family
            assert models == set(list_models()), suite
    quick_families = {key.split("-")[0] for key in raw["suites"]["quick"]["runs"]}
    assert len(quick_families) == len(raw["suites"]["quick"]["runs"])


def test_write_suite_keeps_comments_and_rewrites_only_the_generated_block(params_file: Path) -> None:
    head = params_file.read_text().split(GENERATED_MARKER)[0]
    write_suite(params_file, "quick")
    text = params_file.read_text()
    assert text.startswith(head.rstrip("\n")) and "# medbench parameters" in text
    assert yaml.safe_load(text)["suite"] == "quick"


def test_stale_generated_block_is_refused(params_file: Path) -> None:
    head, block = params_file.read_text().split(GENERATED_MARKER)
    stale = re.sub(r"epochs: (\d+)", lambda m: f"epochs: {int(m.group(1)) + 1}", block, count=1)
    assert stale != block
    params_file.write_text(head + GENERATED_MARKER + stale)
    with pytest.raises(ConfigError, match=r"does not match suites.default; run `medbench suite default`"):
        load_params(params_file)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda raw: raw["suites"]["default"]["runs"].update(
                {"nosuchnet-fashion_mnist": {"epochs": 1, "batch_size": 2}}
            ),
            r"runs.nosuchnet-fashion_mnist.model: unknown model 'nosuchnet'; valid choices: .*resnet18",
        ),
        (
            lambda raw: raw["suites"]["default"]["runs"]["resnet18-fashion_mnist"].update({"optimizer": "adamw"}),
            r"runs.resnet18-fashion_mnist.optimizer: invalid value 'adamw'; valid choices: sgd, momentum",
        ),
        (
            lambda raw: raw["suites"]["default"]["runs"]["resnet18-fashion_mnist"].update({"epochs": 0}),
            r"runs.resnet18-fashion_mnist.epochs: invalid value 0; expected an integer >= 1",
        ),
        (
            lambda raw: raw["suites"]["default"]["runs"]["resnet18-fashion_mnist"].update({"learning_rate": 1}),
            r"runs.resnet18-fashion_mnist: unknown setting 'learning_rate'; valid settings: .*lr",
        ),
        (
            lambda raw: raw["suites"]["default"]["datasets"].update({"imagenet_typo": {"image_size": 28}}),
            r"datasets: unknown dataset 'imagenet_typo'; valid choices: .*fashion_mnist",
        ),
        (lambda raw: raw.update({"device": "tpu"}), r"device: invalid value 'tpu'; valid choices: auto, cpu, cuda"),
        (
            lambda raw: raw["suites"]["default"]["runs"]["resnet18-fashion_mnist"].update({"bn_recalibration": "no"}),
            r"runs.resnet18-fashion_mnist.bn_recalibration: invalid value 'no'; expected true or false",
        ),
        (
            lambda raw: raw["suites"]["default"]["runs"]["resnet18-fashion_mnist"].update({"select_by": "val_auc"}),
            r"runs.resnet18-fashion_mnist.select_by: invalid value 'val_auc'; valid choices: accuracy, auroc",
        ),
        (
            lambda raw: raw["suites"]["default"]["runs"]["unet-mni152_slices"].update({"select_by": "auroc"}),
            r"runs.unet-mni152_slices.select_by: model 'unet' is not a classifier",
        ),
    ],
)
def test_bad_values_name_the_key_and_choices(params_file: Path, mutate, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as err:
        edit_suite(params_file, mutate)
    assert "\n" not in str(err.value)
    assert GENERATED_MARKER not in params_file.read_text(), "the refused suite was not written"
    assert list(params_file.parent.glob(".params.*")) == [], "no temp file left behind"


def test_cli_bad_params_exit_2_one_line_no_outputs(tmp_path: Path) -> None:
    params = tmp_path / "params.yaml"
    shutil.copy(ROOT / "params.yaml", params)
    params.write_text(params.read_text().replace("    model: resnet18\n", "    model: resnet19\n", 1))
    result = subprocess.run(
        [sys.executable, "-m", "benchmark", "train", "resnet18-fashion_mnist", "--params", str(params)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("medbench: error: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["params.yaml"], "no partial outputs"


def test_cli_unknown_run_exit_2(tmp_path: Path) -> None:
    shutil.copy(ROOT / "params.yaml", tmp_path / "params.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "benchmark", "evaluate", "nope-fashion_mnist"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 2
    assert (
        "unknown run 'nope-fashion_mnist'" in result.stderr and "valid choices: resnet18-fashion_mnist" in result.stderr
    )


STUDY = {
    "title": "t",
    "base": {"model": "unet", "dataset": "mni152_slices", "epochs": 1, "batch_size": 4},
    "arms": {"a": {"lr": 0.01}, "b": {"lr": 0.001}},
    "seeds": [0, 1],
    "metric": "dice",
}


def with_study(**changes):
    def mutate(raw):
        raw["suites"]["default"].setdefault("studies", {})["s"] = {**STUDY, **changes}

    return mutate


def test_study_arms_are_validated_runs_with_the_study_seeds(params_file: Path) -> None:
    edit_suite(params_file, with_study())
    study = load_params(params_file).studies["s"]
    assert study.seeds == (0, 1) and list(study.arms) == ["a", "b"]
    assert study.arms["a"].lr == 0.01 and study.arms["b"].model == "unet" and study.arms["a"].key == "s/a"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"arms": {"a": {}}}, r"studies\.s\.arms: expected a mapping of at least two arms"),
        ({"seeds": [0]}, r"studies\.s\.seeds: expected a list of at least two distinct integers"),
        ({"seeds": [1, 1]}, r"studies\.s\.seeds"),
        ({"metric": "fid"}, r"studies\.s\.metric: invalid value 'fid' for segmentation models; valid choices: dice"),
        ({"arms": {"a": {"optimiser": "sgd"}, "b": {}}}, r"studies\.s\.arms\.a: unknown setting 'optimiser'"),
        ({"arms": {"a": {"seed": 3}, "b": {}}}, r"studies\.s\.arms\.a: 'seed' is set by studies\.s\.seeds"),
        ({"arms": {"a": {"model": "resnet18"}, "b": {}}}, r"every arm must train models of one task"),
        ({"arms": {"a": {"dataset": "fashion_mnist"}, "b": {}}}, r"dataset 'fashion_mnist' is not listed"),
        ({"claim": {"text": "x", "best": "c"}}, r"studies\.s\.claim: unknown arm 'c'; valid choices: a, b"),
        ({"claim": {"text": "x"}}, r"studies\.s\.claim: expected \{text: \.\.\., and one of best, better"),
        ({"extra": 1}, r"studies\.s: unknown setting 'extra'"),
    ],
)
def test_bad_studies_name_the_key(params_file: Path, changes: dict, message: str) -> None:
    def mutate(raw):
        with_study(**changes)(raw)
        if "dataset 'fashion_mnist'" in message:
            raw["suites"]["default"]["datasets"].pop("fashion_mnist")
            raw["suites"]["default"]["runs"].pop("resnet18-fashion_mnist")

    with pytest.raises(ConfigError, match=message):
        edit_suite(params_file, mutate)


def test_a_repeated_key_is_refused_not_silently_overwritten(params_file: Path) -> None:
    text = params_file.read_text().replace("suites:\n  default:\n", "suites:\n  default:\n    runs: {}\n", 1)
    params_file.write_text(text)
    with pytest.raises(ConfigError, match=r"not valid YAML \(duplicate key 'runs' on line \d+"):
        load_params(params_file)
