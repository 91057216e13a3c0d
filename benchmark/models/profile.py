"""Parameter count and FLOPs of a registered classifier at its declared default input.

Each classifier's registration states ``profile={"image_size", "params", "flops"}`` so listings and reports can
show the cost of an architecture without building it; the tests recompute both numbers here and compare. FLOPs are
what ``torch.utils.flop_counter.FlopCounterMode`` counts for one forward pass of one image (a multiply-add is two
FLOPs; convolutions and matrix products only), for a grey input and ``PROFILE_CLASSES`` outputs.
"""

from __future__ import annotations

import torch
from torch.utils.flop_counter import FlopCounterMode

from benchmark import create_model
from benchmark.registry import MODELS

PROFILE_CLASSES = 3  # the anatomical planes of mni152_slices, the default classification task


def profile(name: str) -> dict[str, int]:
    """``{"image_size", "params", "flops"}`` of model ``name`` with its default arguments, measured."""
    size = MODELS.get(name).meta["profile"]["image_size"]
    torch.manual_seed(0)
    model = create_model(name, in_channels=1, num_classes=PROFILE_CLASSES, image_size=size).eval()
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        model(torch.zeros(1, 1, size, size))
    params = sum(p.numel() for p in model.parameters())
    return {"image_size": size, "params": params, "flops": int(counter.get_total_flops())}
