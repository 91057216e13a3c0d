"""Tests parametrized over a model ``name`` are marked slow when the model's declared per-image cost is high."""

from __future__ import annotations

import pytest

from benchmark.registry import MODELS

HEAVY_FLOPS = 4e8  # declared forward FLOPs per image at the profile input (see benchmark.models.profile)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        name = getattr(item, "callspec", None) and item.callspec.params.get("name")
        if name in MODELS and MODELS.get(name).meta.get("profile", {}).get("flops", 0) > HEAVY_FLOPS:
            item.add_marker(pytest.mark.slow)
