"""The classifier zoo, parametrized over the registry: declared cost, smallest input, and refused sizes."""

from __future__ import annotations

import pytest
import torch

import benchmark
from benchmark.models.layers.pooling import AdaptiveAvgPool2d
from benchmark.models.profile import PROFILE_CLASSES, profile
from benchmark.registry import MODELS

CLASSIFIERS = MODELS.names(task="classification")


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_registered_params_and_flops_match_a_measurement(name: str) -> None:
    meta = MODELS.get(name).meta
    assert meta["adapted"] and meta["source"] and meta["family"] in {"mlp", "cnn", "transformer"}
    assert profile(name) == meta["profile"]


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_forward_and_backward_at_the_smallest_supported_input(name: str) -> None:
    size = MODELS.get(name).meta["min_size"]
    torch.manual_seed(0)
    model = benchmark.create_model(name, in_channels=1, num_classes=PROFILE_CLASSES, image_size=size)
    images = torch.rand(2, 1, size, size)
    logits = model(images)
    assert logits.shape == (2, PROFILE_CLASSES)
    out = model.step({"image": images, "label": torch.tensor([0, 2])}, "model")
    assert torch.isfinite(out.loss)
    out.loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)


@pytest.mark.parametrize(("name", "size"), [("vgg19", 28), ("inception_v3", 28), ("inception_v4", 28), ("vit", 30)])
def test_unsupported_sizes_are_refused_with_the_reason(name: str, size: int) -> None:
    with pytest.raises(ValueError, match=str(size)):
        benchmark.create_model(name, image_size=size)


def test_rgb_input_and_model_args() -> None:
    model = benchmark.create_model("vgg19", in_channels=3, num_classes=4, image_size=32, width=0.125, hidden=32)
    assert model(torch.rand(2, 3, 32, 32)).shape == (2, 4)
    model = benchmark.create_model("dnn", in_channels=3, num_classes=4, image_size=16, hidden=[32, 16])
    assert [m.out_features for m in model.net if isinstance(m, torch.nn.Linear)] == [32, 16, 4]
    with pytest.raises(ValueError, match="hidden must list at least one layer"):
        benchmark.create_model("dnn", image_size=16, hidden=[])


@pytest.mark.parametrize(("size_in", "size_out"), [(13, 6), (7, 6), (3, 6), (1, 6), (6, 6), (16, 5), (5, 3)])
def test_matrix_adaptive_pool_equals_torch_adaptive_pool(size_in: int, size_out: int) -> None:
    """AlexNet's deterministic adaptive pool: values and input gradients of nn.AdaptiveAvgPool2d, down- and up-."""
    x = torch.randn(2, 3, size_in, size_in + 1, dtype=torch.float64, requires_grad=True)
    ours = AdaptiveAvgPool2d((size_out, size_out))(x)
    theirs = torch.nn.AdaptiveAvgPool2d((size_out, size_out))(x)
    torch.testing.assert_close(ours, theirs)
    weights = torch.randn_like(theirs)
    (grad_ours,) = torch.autograd.grad((ours * weights).sum(), x)
    (grad_theirs,) = torch.autograd.grad((theirs * weights).sum(), x)
    torch.testing.assert_close(grad_ours, grad_theirs)
