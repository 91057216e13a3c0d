"""Every registered segmenter, parametrized over the registry: binary heads, 2.5D input, and learning (Dice rises)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import benchmark
from benchmark.errors import ConfigError
from benchmark.registry import LOSSES, MODELS
from benchmark.training.loop import ModelSpec

SEGMENTERS = MODELS.names(task="segmentation")


def blobs(n: int, size: int, channels: int = 1, seed: int = 0) -> dict[str, torch.Tensor]:
    """Bright random rectangles (class 1) on dark noise: a tiny, learnable segmentation set."""
    gen = torch.Generator().manual_seed(seed)
    images = torch.rand(n, channels, size, size, generator=gen) * 0.2
    masks = torch.zeros(n, size, size, dtype=torch.long)
    for i in range(n):
        y, x, h, w = torch.randint(1, size // 2, (4,), generator=gen).tolist()
        masks[i, y : y + h, x : x + w] = 1
    images += masks[:, None].float() * 0.6
    return {"image": images, "mask": masks}


def hard_dice(pred: torch.Tensor, target: torch.Tensor) -> float:
    """Foreground Dice of class-index masks, numpy."""
    p, t = pred.numpy() == 1, target.numpy() == 1
    return float(2 * (p & t).sum() / max(p.sum() + t.sum(), 1))


def small(name: str) -> dict[str, int]:
    """Cheap settings: 4 base maps, and 3 levels where the model has a ``depth``."""
    has_depth = "depth" in inspect.signature(MODELS.get(name).obj).parameters
    return {"base_channels": 4, **({"depth": 3} if has_depth else {})}


@pytest.mark.parametrize("name", SEGMENTERS)
def test_a_few_steps_improve_dice_on_a_tiny_set(name: str) -> None:
    torch.manual_seed(0)
    model = benchmark.create_model(name, 1, 2, 16, loss="dice", **small(name))
    batch = blobs(8, 16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

    def dice_now() -> float:  # batch statistics (train mode), as the steps saw them
        with torch.no_grad():
            return hard_dice(model.masks(model(batch["image"])), batch["mask"])

    model.train()
    before = dice_now()
    for _ in range(40):
        out = model.step(batch, "model")
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
    after = dice_now()
    assert after > max(before + 0.3, 0.8), (before, after)


@pytest.mark.parametrize("name", SEGMENTERS)
def test_binary_loss_gets_one_logit_channel_and_masks_threshold_at_zero(name: str) -> None:
    model = benchmark.create_model(name, 1, 2, 16, loss="bce", **small(name))
    logits = model(torch.rand(2, 1, 16, 16))
    assert logits.shape == (2, 1, 16, 16)
    assert torch.equal(model.masks(logits), (logits[:, 0] > 0).long())
    multi = benchmark.create_model(
        name, 1, 2, 16, base_channels=4, loss="dice", loss_args={"include_background": False}
    )
    assert multi(torch.rand(2, 1, 16, 16)).shape == (2, 2, 16, 16)
    assert multi.criterion.include_background is False


@pytest.mark.parametrize("name", SEGMENTERS)
def test_three_channel_25d_input(name: str) -> None:
    model = benchmark.create_model(name, 3, 3, 16, **small(name))
    assert model(torch.rand(2, 3, 16, 16)).shape == (2, 3, 16, 16)


@pytest.mark.parametrize("loss", LOSSES.names())
def test_every_loss_trains_a_unet_step(loss: str) -> None:
    model = benchmark.create_model("unet", 1, 2, 16, base_channels=4, depth=2, loss=loss)
    out = model.step(blobs(2, 16), "model")
    out.loss.backward()
    assert torch.isfinite(out.loss)
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


def test_bad_loss_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="model_args.loss: unknown loss 'dyce'; valid choices: bce, ce"):
        ModelSpec("unet", 1, 3, 16, {"loss": "dyce"}).build()
    with pytest.raises(ConfigError, match="takes one-channel logits for 2 classes, but the task has 3"):
        ModelSpec("unet", 1, 3, 16, {"loss": "bce"}).build()
    with pytest.raises(ConfigError, match="unexpected keyword argument 'gama'"):
        ModelSpec("unet", 1, 3, 16, {"loss": "focal", "loss_args": {"gama": 2}}).build()


def test_vgg16_encoder_follows_the_vgg16_layout() -> None:
    model = benchmark.create_model("vgg16_unet", 1, 2, 32, base_channels=64)
    convs = [[m.out_channels for m in block if isinstance(m, torch.nn.Conv2d)] for block in model.blocks]
    assert convs == [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
    model3d = benchmark.create_model("vgg16_unet", 1, 2, 16, base_channels=8, spatial_dims=3)
    convs3d = [[m.out_channels for m in block if isinstance(m, torch.nn.Conv3d)] for block in model3d.blocks]
    assert convs3d == [[8, 8], [16, 16], [32, 32, 32], [64, 64, 64], [64, 64, 64]]


def test_msunet_blocks_run_one_path_per_kernel_size() -> None:
    model = benchmark.create_model("msunet", 1, 2, 16, base_channels=4, depth=2, kernel_sizes=(3, 5, 7))
    kernels = [path[0].kernel_size for path in model.down[0].paths]
    assert kernels == [(3, 3), (5, 5), (7, 7)]
    assert np.isfinite(model(torch.rand(1, 1, 16, 16)).detach().numpy()).all()
