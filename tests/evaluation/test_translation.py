"""The translation evaluator: Dice of translated masks against the real masks, with the protocol recorded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

import benchmark
from benchmark.config import DatasetConfig, RunConfig
from benchmark.evaluation.evaluate import EvalContext, evaluate
from benchmark.metrics.scoring import score_segmentation


def prepared(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    out = tmp_path / "prepared"
    out.mkdir()
    np.save(out / "test_images.npy", rng.integers(0, 256, size=(6, 1, 16, 16), dtype=np.uint8))
    np.save(out / "test_masks.npy", rng.integers(0, 3, size=(6, 16, 16), dtype=np.uint8))
    meta = {"classes": ["a", "b", "c"], "mask_classes": ["other", "grey", "white"], "channels": 1, "image_size": 16}
    (out / "meta.json").write_text(json.dumps(meta))
    return out


def test_image_to_mask_translation_is_scored_with_dice(tmp_path: Path) -> None:
    torch.manual_seed(0)
    model = benchmark.create_model("pix2pix", in_channels=1, num_classes=3, image_size=16, direction="image_to_mask")
    run = RunConfig(key="pix2pix-tiny", model="pix2pix", dataset="tiny", seed=0, epochs=1, batch_size=4)
    ctx = EvalContext(run, DatasetConfig("tiny", 16), prepared(tmp_path), tmp_path / "no_ref", torch.device("cpu"))
    result = evaluate(model.eval(), ctx)
    assert set(result.metrics) == {"dice"} and result.protocol["n"] == 6
    assert result.protocol["directions"] == ["mask"] and result.artifacts["samples"].shape == (6, 1, 16, 16)
    data, masks = np.load(ctx.prepared_dir / "test_images.npy"), np.load(ctx.prepared_dir / "test_masks.npy")
    batch = {"image": torch.from_numpy(data.astype(np.float32) / 255.0), "mask": torch.from_numpy(masks.astype(int))}
    with torch.no_grad():
        out = model.translate(batch)["mask"]
    expected = score_segmentation(masks, model.to_mask(out).numpy(), num_classes=3)["metrics"]["dice"]
    assert result.metrics["dice"] == expected
