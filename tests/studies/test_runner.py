"""Study runner: every (arm, seed) cell trained and scored, cached results reused, deterministic records."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

from benchmark.config import GENERATED_MARKER, load_params
from benchmark.paths import study_dir
from benchmark.studies import runner

DEVICE = torch.device("cpu")


@pytest.fixture()
def study_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A project folder with a tiny prepared segmentation dataset and a two-arm, two-seed U-Net study."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    prepared = tmp_path / "data" / "prepared" / "mni152_slices"
    prepared.mkdir(parents=True)
    for split, n in (("train", 64), ("val", 8), ("test", 16)):
        masks = np.zeros((n, 16, 16), dtype=np.uint8)
        masks[:, 4:12, 4:12] = 1
        images = (masks[:, None] * 200 + rng.integers(0, 40, (n, 1, 16, 16))).astype(np.uint8)
        np.save(prepared / f"{split}_images.npy", images)
        np.save(prepared / f"{split}_labels.npy", np.zeros(n, dtype=np.int64))
        np.save(prepared / f"{split}_masks.npy", masks)
    meta = {
        "channels": 1,
        "image_size": 16,
        "classes": ["x"],
        "mask_classes": ["background", "square"],
        "splits": {"train": 64, "val": 8, "test": 16},
    }
    (prepared / "meta.json").write_text(json.dumps(meta))
    suite = {
        "datasets": {"mni152_slices": {"image_size": 16}},
        "runs": {},
        "studies": {
            "lr": {
                "title": "Learning rate",
                "base": {
                    "model": "unet",
                    "dataset": "mni152_slices",
                    "epochs": 2,
                    "batch_size": 8,
                    "model_args": {"base_channels": 4, "depth": 2},
                },
                "arms": {"fast": {"lr": 0.01}, "frozen": {"lr": 1e-9}},
                "seeds": [0, 1],
                "metric": "dice",
                "claim": {"text": "a usable learning rate beats a frozen one", "better": ["fast", "frozen"]},
            }
        },
    }
    raw = {"seed": 0, "device": "cpu", "suites": {"default": suite, "quick": suite, "full": suite}}
    text = yaml.safe_dump(raw, sort_keys=False)
    generated = yaml.safe_dump({"suite": "default", **suite}, sort_keys=False)
    (tmp_path / "params.yaml").write_text(f"{text}\n{GENERATED_MARKER}\n{generated}")
    return load_params(tmp_path / "params.yaml")


def test_study_trains_every_cell_and_judges_the_claim(study_project, tmp_path: Path) -> None:
    study = study_project.studies["lr"]
    seen = []
    record, timing = runner.run_study(study, study_project, DEVICE, tmp_path / "cells", False, seen.append)
    assert [(c.arm, c.seed) for c in seen] == [("fast", 0), ("fast", 1), ("frozen", 0), ("frozen", 1)]
    assert record["task"] == "segmentation" and record["higher_is_better"] is True
    fast, frozen = record["arms"]["fast"], record["arms"]["frozen"]
    assert fast["settings"] == {"lr": 0.01} and frozen["settings"] == {"lr": 1e-9}
    assert fast["seeds"] == [0, 1] and len(fast["values"]) == 2
    assert fast["summary"]["dice"]["mean"] == pytest.approx(np.mean(fast["values"]), abs=1e-6)
    assert min(fast["values"]) > max(frozen["values"]), "training with a real learning rate must beat frozen weights"
    assert record["claim"]["kind"] == "better" and record["claim"]["ranking"] == ["fast", "frozen"]
    assert {c["arm"] for c in timing["cells"]} == {"fast", "frozen"} and "train_seconds" not in json.dumps(record)
    assert sorted(p.parent.name for p in (tmp_path / "cells").rglob(runner.RESULT)) == ["s0", "s0", "s1", "s1"]
    assert not list((tmp_path / "cells").rglob("*.pt")), "no arm starts from another: scored cells keep no weights"


def test_cells_that_other_arms_start_from_keep_their_weights(study_project, tmp_path: Path) -> None:
    study = study_project.studies["lr"]
    tuned = replace(study.arms["frozen"], init_from="fast")
    study = replace(study, arms={"fast": study.arms["fast"], "tuned": tuned}, claim=None)
    cells = tmp_path / study_dir("lr")  # where init_from looks for the source arm's weights
    record, _ = runner.run_study(study, study_project, DEVICE, cells, False)
    kept = sorted(str(p.relative_to(cells)) for p in cells.rglob("*.pt"))
    assert kept == ["fast/s0/model.pt", "fast/s1/model.pt"]
    assert record["arms"]["tuned"]["values"] == pytest.approx(record["arms"]["fast"]["values"], abs=0.05)


def test_finished_cells_are_reused_and_changed_arms_retrain(study_project, tmp_path, monkeypatch) -> None:
    study = study_project.studies["lr"]
    first, _ = runner.run_study(study, study_project, DEVICE, tmp_path / "cells", False)

    def no_training(*args, **kwargs):
        raise AssertionError("a finished cell was retrained")

    monkeypatch.setattr(runner, "train", no_training)
    again, _ = runner.run_study(study, study_project, DEVICE, tmp_path / "cells", False)
    assert again == first
    result = tmp_path / "cells" / "fast" / "s0" / runner.RESULT
    stale = json.loads(result.read_text())
    stale["run"]["lr"] = 0.5  # as if the arm's settings had changed since
    result.write_text(json.dumps(stale))
    with pytest.raises(AssertionError, match="retrained"):
        runner.run_study(study, study_project, DEVICE, tmp_path / "cells", False)


def test_same_seeds_give_the_same_record(study_project, tmp_path: Path) -> None:
    study = study_project.studies["lr"]
    a, _ = runner.run_study(study, study_project, DEVICE, tmp_path / "a", False)
    b, _ = runner.run_study(study, study_project, DEVICE, tmp_path / "b", False)
    assert a == b
