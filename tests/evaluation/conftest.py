"""A toy stand-in for the FID Inception, so evaluator tests build a real reference in seconds."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from benchmark.evaluation import reference

TOY = {"weights": "toy average-pool extractor (test only)", "dims": 16}


def toy_inception(device: torch.device | str = "cpu") -> tuple[nn.Module, dict]:
    """Every channel average-pooled to 4x4 and flattened (16 features per channel)."""
    return nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Flatten()), dict(TOY)


@pytest.fixture()
def toy_fid(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Reference building and loading use the toy extractor; returns its info."""
    monkeypatch.setattr(reference, "load_fid_inception", toy_inception)
    return dict(TOY)
