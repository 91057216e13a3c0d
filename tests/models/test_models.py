"""Every registered model, parametrized over the registry: shapes, finite losses, gradients, and learning."""

from __future__ import annotations

import pytest
import torch

import benchmark
from benchmark.models.base import AutoencoderModel, GenerativeModel
from benchmark.registry import MODELS

NUM_CLASSES = 3


def make_model(name: str, size: int | None = None, **kw: object):
    meta = MODELS.get(name).meta
    size = size or max(meta["min_size"], 16)
    torch.manual_seed(0)
    return benchmark.create_model(name, in_channels=1, num_classes=NUM_CLASSES, image_size=size, **kw), size


def separable_batch(size: int, n: int = 8) -> dict[str, torch.Tensor]:
    """Two easy classes: dark images with class 0 masks, bright squares with class 1 in the square."""
    gen = torch.Generator().manual_seed(1)
    images = torch.rand(n, 1, size, size, generator=gen) * 0.1
    labels = torch.arange(n) % 2
    masks = torch.zeros(n, size, size, dtype=torch.long)
    for i in range(n):
        if labels[i]:
            images[i, :, 4:-4, 4:-4] += 0.8
            masks[i, 4:-4, 4:-4] = 1
    images = images.clamp(0, 1)
    return {"image": images, "label": labels, "mask": masks, "value": images.mean(dim=(1, 2, 3))}


def batch_for(model: torch.nn.Module, name: str, size: int) -> dict[str, torch.Tensor]:
    """``separable_batch``; for video models (``temporal`` metadata) each image becomes a clip of model.frames
    frames growing brighter over time, [N, 1, T, S, S]."""
    batch = separable_batch(size)
    if MODELS.get(name).meta.get("temporal"):
        ramp = torch.linspace(0.5, 1.0, model.frames).view(1, 1, -1, 1, 1)
        batch["image"] = batch["image"][:, :, None] * ramp
    return batch


@pytest.mark.parametrize("name", MODELS.names())
def test_step_gives_finite_loss_and_gradients_for_every_group(name: str) -> None:
    model, size = make_model(name)
    batch = batch_for(model, name, size)
    for group, params in model.optimizer_groups().items():
        model.zero_grad()
        out = model.step(batch, group)
        assert out.loss.ndim == 0 and torch.isfinite(out.loss), group
        out.loss.backward()
        grads = [p.grad for p in params if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads), group
        logs = out.logs.values()
        assert all(isinstance(v, float) or (v.ndim == 0 and not v.requires_grad) for v in logs), "detached scalars"


@pytest.mark.parametrize("name", MODELS.names(task="classification"))
def test_classifier_output_shape(name: str) -> None:
    model, size = make_model(name)
    assert model(torch.rand(2, 1, size, size)).shape == (2, NUM_CLASSES)


@pytest.mark.parametrize("name", MODELS.names(task="segmentation"))
@pytest.mark.parametrize("spatial_dims", [2, 3])
def test_segmenter_output_shape_2d_and_3d(name: str, spatial_dims: int) -> None:
    if spatial_dims not in MODELS.get(name).meta["spatial_dims"]:
        pytest.skip(f"{name} is 2D only")
    model, size = make_model(name, 16, spatial_dims=spatial_dims, base_channels=4)
    shape = (2, 1) + (size,) * spatial_dims
    logits = model(torch.rand(shape))
    assert logits.shape == (2, NUM_CLASSES) + (size,) * spatial_dims
    target = torch.randint(0, NUM_CLASSES, (2,) + (size,) * spatial_dims)
    loss = model.criterion(logits, target)
    loss.backward()
    assert torch.isfinite(loss)


@pytest.mark.parametrize("name", MODELS.names(task="generation"))
def test_generator_samples_have_declared_shape_range_and_seed(name: str) -> None:
    model, size = make_model(name, 32)
    model.eval()
    first = model.sample(5, torch.Generator().manual_seed(3))
    again = model.sample(5, torch.Generator().manual_seed(3))
    assert isinstance(model, GenerativeModel)
    frames = (model.frames,) if MODELS.get(name).meta.get("temporal") else ()
    assert first.shape == (5, 1, *frames, size, size)
    assert first.min() >= 0 and first.max() <= 1
    assert torch.equal(first, again)
    if isinstance(model, AutoencoderModel):
        images = torch.rand(3, 1, size, size)
        assert model.reconstruct(images).shape == images.shape


@pytest.mark.parametrize(
    "name", MODELS.names(task="classification") + MODELS.names(task="segmentation") + MODELS.names(task="regression")
)
def test_a_few_steps_reduce_the_loss_on_a_separable_batch(name: str) -> None:
    model, size = make_model(name, 32)
    batch = separable_batch(size)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    losses = []
    for _ in range(8):
        out = model.step(batch, "model")
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
        losses.append(out.loss.item())
    assert losses[-1] < losses[0]


def test_dcgan_rejects_sizes_that_are_not_powers_of_two() -> None:
    with pytest.raises(ValueError, match="power of two"):
        benchmark.create_model("dcgan", image_size=28)
