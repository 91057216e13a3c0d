"""Shared fixtures: ``device`` runs a test on the CPU and, where a GPU is present, again on CUDA (AMP path)."""

from __future__ import annotations

import pytest
import torch

DEVICES = [
    pytest.param("cpu"),
    pytest.param(
        "cuda", marks=[pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]
    ),
]


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> torch.device:
    """The device under test: ``cpu`` always, ``cuda`` (skipped without a GPU)."""
    return torch.device(request.param)
