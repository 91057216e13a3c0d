"""``medbench run``'s reuse stamp: a result is reused only on the device type that produced it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from benchmark.cli.run import run_stamp
from benchmark.config import RunConfig

RUN = RunConfig("lenet5-tiny", "lenet5", "tiny", 0, 1, 16)


def stamp_for(device: str) -> str:
    params = SimpleNamespace(device=device, num_workers=0)
    return run_stamp(params, RUN, code="code", data={"tiny": "data"})  # type: ignore[arg-type]


def test_stamp_holds_the_resolved_device_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    on_cpu = stamp_for("auto")
    assert on_cpu == stamp_for("cpu"), "auto on a CPU-only machine is the CPU"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    on_gpu = stamp_for("auto")
    assert on_gpu != on_cpu, "a CPU result must not be reused on a GPU box (mixed precision gives other numbers)"
    assert on_gpu == stamp_for("cuda")
