"""The translation evaluator: Dice of translated masks against the real masks, with the protocol recorded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import benchmark
from benchmark.config import DatasetConfig, RunConfig
from benchmark.datasets.base import load_split
from benchmark.evaluation import reference
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


def rgb_paired(tmp_path: Path) -> Path:
    """A paired RGB fixture: binary lesion masks and colour images whose red channel follows the mask."""
    rng = np.random.default_rng(1)
    out = tmp_path / "rgb"
    out.mkdir()
    for split in ("train", "test"):
        masks = (rng.random((60, 16, 16)) > 0.5).astype(np.uint8)
        images = rng.integers(0, 120, size=(60, 3, 16, 16)).astype(np.uint8)
        images[:, 0] += (masks * 120).astype(np.uint8)
        np.save(out / f"{split}_images.npy", images)
        np.save(out / f"{split}_masks.npy", masks)
        np.save(out / f"{split}_labels.npy", np.arange(60) % 2)
    meta = {"classes": ["a", "b"], "mask_classes": ["skin", "lesion"], "channels": 3, "image_size": 16}
    (out / "meta.json").write_text(json.dumps({**meta, "splits": {"train": 60, "test": 60}}))
    return out


@pytest.mark.parametrize("name", ["pix2pix", "cyclegan"])
def test_mask_to_rgb_translation_trains_and_is_scored_on_three_channels(
    tmp_path: Path, toy_fid: dict, name: str
) -> None:
    prepared = rgb_paired(tmp_path)
    config = DatasetConfig("rgb", 16, reference_split="all", reference_n=50, classifier_epochs=1)
    reference.build_reference(config, prepared, tmp_path / "ref", torch.device("cpu"), seed=0, progress=False)
    torch.manual_seed(0)
    model = benchmark.create_model(name, in_channels=3, num_classes=2, image_size=16, width=4)
    data = load_split(prepared, "train")
    batch = {
        "image": torch.from_numpy(data.images[:4] / 255.0).float(),
        "mask": torch.from_numpy(np.array(data.masks[:4])),
    }
    model.train()
    for group in model.optimizer_groups():
        out = model.step(batch, group)
        assert torch.isfinite(out.loss)
        out.loss.backward()
    run = RunConfig(key=f"{name}-rgb", model=name, dataset="rgb", seed=0, epochs=1, batch_size=16)
    ctx = EvalContext(run, config, prepared, tmp_path / "ref", torch.device("cpu"), progress=False)
    result = evaluate(model.eval(), ctx)
    assert {"psnr", "ssim", "fid", "kid"} <= set(result.metrics) and result.protocol["n"] == 60
    assert result.artifacts["samples"].shape[1] == 3 and result.protocol["feature_extractor"] == toy_fid
    real = np.load(prepared / "test_images.npy").astype(np.float64) / 255
    with torch.no_grad():
        fake = (
            model.translate(
                {
                    "image": torch.from_numpy(real).float(),
                    "mask": torch.from_numpy(np.load(prepared / "test_masks.npy").astype(int)),
                }
            )["image"]
            .clamp(0, 1)
            .double()
            .numpy()
        )
    assert fake.shape == real.shape, "mask -> RGB image"
    mse = ((fake - real) ** 2).reshape(60, -1).mean(1)  # PSNR over all three channels, per image
    assert result.metrics["psnr"] == pytest.approx(np.mean(10 * np.log10(1 / mse)), rel=1e-4)
    assert 0 < result.metrics["ssim"] < 1
