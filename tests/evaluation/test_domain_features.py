"""The domain feature extractor (the dataset's own ResNet-18) used for FID/KID beside Inception."""

from __future__ import annotations

import numpy as np
import torch

import benchmark
from benchmark.evaluation.reference import domain_features
from benchmark.metrics import generation


def test_domain_features_are_the_pre_logits_of_the_classifier() -> None:
    torch.manual_seed(0)
    classifier = benchmark.create_model("resnet18", in_channels=1, num_classes=3, image_size=32).eval()
    images = np.random.default_rng(0).integers(0, 256, size=(5, 1, 32, 32), dtype=np.uint8)
    features = domain_features(classifier, images, torch.device("cpu"))
    assert features.shape == (5, 512) and features.dtype == np.float64
    with torch.no_grad():
        logits = classifier(torch.from_numpy(images.astype(np.float32) / 255.0))
        head = classifier.net.get_classifier()
        assert torch.allclose(head(torch.from_numpy(features).float()), logits, atol=1e-5)


def test_domain_fid_separates_shifted_images() -> None:
    torch.manual_seed(0)
    classifier = benchmark.create_model("resnet18", in_channels=1, num_classes=3, image_size=32).eval()
    rng = np.random.default_rng(1)
    real = rng.integers(0, 128, size=(60, 1, 32, 32), dtype=np.uint8)
    same = rng.integers(0, 128, size=(60, 1, 32, 32), dtype=np.uint8)
    shifted = rng.integers(128, 256, size=(60, 1, 32, 32), dtype=np.uint8)
    f = {k: domain_features(classifier, v, torch.device("cpu")) for k, v in (("r", real), ("s", same), ("x", shifted))}
    assert generation.fid_from_features(f["r"], f["s"]) < generation.fid_from_features(f["r"], f["x"])
