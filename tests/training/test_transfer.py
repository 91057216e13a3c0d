"""Transfer learning: weights come from another run, only the last layers train, bad settings are one-line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from benchmark.config import GENERATED_MARKER, RunConfig, load_params, write_suite
from benchmark.datasets.base import SplitArrays
from benchmark.errors import ConfigError, DataMissingError
from benchmark.paths import model_dir
from benchmark.training.loop import FINAL, ModelSpec, load_model, train

DEVICE = torch.device("cpu")
ROOT = Path(__file__).resolve().parents[2]


def data(classes: int, seed: int) -> SplitArrays:
    rng = np.random.default_rng(seed)
    return SplitArrays(rng.integers(0, 256, (32, 1, 28, 28), dtype=np.uint8), rng.integers(0, classes, 32))


def run(key: str, **kw: object) -> RunConfig:
    return RunConfig(key=key, model="lenet5", dataset="x", seed=0, epochs=2, batch_size=8, lr=0.01, **kw)


@pytest.fixture()
def pretrained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, torch.Tensor]:
    """A 10-class LeNet-5 trained as run ``lenet5-source`` under ``models/`` of a temporary project root."""
    monkeypatch.chdir(tmp_path)
    spec = ModelSpec("lenet5", 1, 10, 28, {})
    train(run("lenet5-source"), spec, data(10, 0), None, DEVICE, model_dir("lenet5-source"), progress=False)
    return load_model(model_dir("lenet5-source") / FINAL).state_dict()


def test_fine_tuning_starts_from_the_source_and_trains_only_the_last_layers(pretrained: dict) -> None:
    spec = ModelSpec("lenet5", 1, 3, 32, {})
    target = run("lenet5-target", init_from="lenet5-source", trainable_layers=2)
    train(target, spec, data(3, 1), None, DEVICE, model_dir("lenet5-target"), progress=False)
    tuned = load_model(model_dir("lenet5-target") / FINAL).state_dict()
    linear = sorted({k.rsplit(".", 1)[0] for k in tuned if k.endswith("weight")}, key=lambda k: int(k.split(".")[1]))
    frozen, head = linear[:-2], linear[-2:]
    for layer in frozen:
        assert torch.equal(tuned[f"{layer}.weight"], pretrained[f"{layer}.weight"]), layer
    assert not torch.equal(tuned[f"{head[0]}.weight"], pretrained[f"{head[0]}.weight"]), "F6 was fine-tuned"
    assert tuned[f"{head[1]}.weight"].shape == (3, 84), "the 3-class head is new (10 classes in the source)"


def test_without_freezing_every_layer_moves(pretrained: dict) -> None:
    spec = ModelSpec("lenet5", 1, 3, 28, {})
    train(run("lenet5-all", init_from="lenet5-source"), spec, data(3, 1), None, DEVICE, Path("m"), progress=False)
    tuned = load_model(Path("m") / FINAL).state_dict()
    assert not torch.equal(tuned["net.0.weight"], pretrained["net.0.weight"])


def test_missing_source_and_wrong_architecture_are_one_line_errors(pretrained: dict) -> None:
    with pytest.raises(DataMissingError, match="train run 'nope' first"):
        train(run("a", init_from="nope"), ModelSpec("lenet5", 1, 3, 28, {}), data(3, 1), None, DEVICE, Path("m"))
    spec = ModelSpec("shallow_nn", 1, 3, 28, {"hidden": 8})
    wrong = RunConfig(
        key="b", model="shallow_nn", dataset="x", seed=0, epochs=1, batch_size=8, init_from="lenet5-source"
    )
    with pytest.raises(ConfigError, match="no weight of run 'lenet5-source' fits model 'shallow_nn'"):
        train(wrong, spec, data(3, 1), None, DEVICE, Path("m"))
    with pytest.raises(ConfigError, match="trainable_layers is 9 but the model has 5 layers"):
        train(run("c", trainable_layers=9), ModelSpec("lenet5", 1, 3, 28, {}), data(3, 1), None, DEVICE, Path("m"))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"init_from": "nope-mni152_slices"}, r"init_from: unknown run 'nope-mni152_slices'; valid choices: "),
        ({"trainable_layers": -1}, r"trainable_layers: invalid value -1; expected an integer >= 0"),
    ],
)
def test_bad_transfer_settings_name_the_key(tmp_path: Path, settings: dict, message: str) -> None:
    path = tmp_path / "params.yaml"
    shutil.copy(ROOT / "params.yaml", path)
    raw = yaml.safe_load(path.read_text().split(GENERATED_MARKER)[0])
    raw["suites"]["default"]["runs"]["lenet5-mni152_slices"].update(settings)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ConfigError, match=message):
        write_suite(path, "default")
    with pytest.raises(ConfigError, match=message):
        load_params(path, check_materialised=False)


def test_a_study_cell_starts_from_the_same_seed_cell_of_an_earlier_arm() -> None:
    from benchmark.training.transfer import source_path

    cell = RunConfig("transfer/fine_tuned/s2", "lenet5", "x", seed=2, epochs=1, batch_size=8, init_from="source")
    assert source_path(cell) == Path("models/studies/transfer/source/s2/model.pt")
    assert source_path(run("lenet5-b", init_from="lenet5-a")) == Path("models/runs/lenet5-a/model.pt")


def test_a_study_arm_may_start_only_from_an_earlier_arm(tmp_path: Path) -> None:
    path = tmp_path / "params.yaml"
    shutil.copy(ROOT / "params.yaml", path)
    raw = yaml.safe_load(path.read_text().split(GENERATED_MARKER)[0])
    arms = raw["suites"]["default"]["studies"]["transfer"]["arms"]
    arms["source"]["init_from"] = "fine_tuned"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.raises(ConfigError, match=r"studies.transfer.arms.source.init_from: unknown arm 'fine_tuned'"):
        write_suite(path, "default")
