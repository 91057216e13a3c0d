"""A dataset without class labels (CelebA, ISIC 2018 task 1) gets Inception statistics and the real-vs-real floor,
no classifier; its generators are scored by FID/KID/precision/recall with the missing IS stated in the protocol."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

import benchmark
from benchmark.config import DatasetConfig, RunConfig
from benchmark.evaluation import reference
from benchmark.evaluation.evaluate import EvalContext, evaluate


def test_unlabelled_reference_and_generator_evaluation(tmp_path: Path, toy_fid: dict) -> None:
    rng = np.random.default_rng(0)
    prepared = tmp_path / "prepared"
    prepared.mkdir()
    for split in ("train", "test"):
        np.save(prepared / f"{split}_images.npy", rng.integers(0, 256, size=(60, 3, 16, 16), dtype=np.uint8))
    meta = {"classes": [], "mask_classes": [], "channels": 3, "image_size": 16, "splits": {"train": 60, "test": 60}}
    (prepared / "meta.json").write_text(json.dumps(meta))
    config = DatasetConfig("faces", 16, reference_split="all", reference_n=50)
    info = reference.build_reference(config, prepared, tmp_path / "ref", torch.device("cpu"), seed=0, progress=False)
    assert info["classifier"] is None and info["reference_n"] == 50
    assert (
        not (tmp_path / "ref" / reference.CLASSIFIER).exists()
        and not (tmp_path / "ref" / reference.DOMAIN_STATS).exists()
    )
    torch.manual_seed(0)
    model = benchmark.create_model("dcgan", in_channels=3, num_classes=1, image_size=16, latent_dim=8, width=4)
    run = RunConfig(key="dcgan-faces", model="dcgan", dataset="faces", seed=0, epochs=1, batch_size=16)
    result = evaluate(model.eval(), EvalContext(run, config, prepared, tmp_path / "ref", torch.device("cpu"), False))
    assert {"fid", "kid", "improved_precision", "improved_recall", "fid_real_floor"} <= set(result.metrics)
    assert not {"inception_score", "fid_domain", "kid_domain"} & set(result.metrics)
    assert result.protocol["inception_score_classifier"] == reference.UNLABELLED
    assert result.protocol["feature_extractor"] == toy_fid and result.artifacts["samples"].shape[1:] == (3, 16, 16)
