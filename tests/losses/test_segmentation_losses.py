"""The foundation's losses against numpy references, including extreme cases, with finite gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import benchmark


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def onehot(target: np.ndarray, classes: int) -> np.ndarray:
    return np.moveaxis(np.eye(classes)[target], -1, 1)


def ce_reference(logits: np.ndarray, target: np.ndarray) -> float:
    p = softmax(logits)
    picked = np.take_along_axis(p, target[:, None], axis=1)
    return float(-np.log(picked).mean())


def dice_reference(logits: np.ndarray, target: np.ndarray, include_background: bool, smooth: float) -> float:
    if logits.shape[1] == 1:
        p, g = 1 / (1 + np.exp(-logits)), target.reshape(logits.shape).astype(float)
    else:
        p, g = softmax(logits), onehot(target, logits.shape[1])
        if not include_background:
            p, g = p[:, 1:], g[:, 1:]
    losses = []
    for i in range(p.shape[0]):
        for c in range(p.shape[1]):
            inter = (p[i, c] * g[i, c]).sum()
            losses.append(1 - (2 * inter + smooth) / (p[i, c].sum() + g[i, c].sum() + smooth))
    return float(np.mean(losses))


def cases(seed: int, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, classes, 5, 6)) * 2, rng.integers(0, classes, size=(2, 5, 6))


@pytest.mark.parametrize("seed", range(3))
def test_ce_matches_numpy(seed: int) -> None:
    logits, target = cases(seed)
    value = benchmark.create_loss("ce")(torch.tensor(logits), torch.tensor(target))
    assert value.item() == pytest.approx(ce_reference(logits, target), rel=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_bce_matches_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    logits, target = rng.normal(size=(2, 1, 4, 4)) * 3, rng.integers(0, 2, size=(2, 1, 4, 4)).astype(float)
    p = 1 / (1 + np.exp(-logits))
    expected = float(-(target * np.log(p) + (1 - target) * np.log(1 - p)).mean())
    value = benchmark.create_loss("bce")(torch.tensor(logits), torch.tensor(target))
    assert value.item() == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("include_background", [True, False])
def test_dice_matches_numpy(seed: int, include_background: bool) -> None:
    logits, target = cases(seed)
    loss = benchmark.create_loss("dice", include_background=include_background, smooth=1e-5)
    expected = dice_reference(logits, target, include_background, 1e-5)
    assert loss(torch.tensor(logits), torch.tensor(target)).item() == pytest.approx(expected, rel=1e-9)


def test_binary_dice_matches_numpy() -> None:
    rng = np.random.default_rng(4)
    logits, target = rng.normal(size=(2, 1, 4, 4)), rng.integers(0, 2, size=(2, 1, 4, 4)).astype(float)
    value = benchmark.create_loss("dice")(torch.tensor(logits), torch.tensor(target)).item()
    assert value == pytest.approx(dice_reference(logits, target, True, 1e-5), rel=1e-9)


@pytest.mark.parametrize("name", ["ce", "dice"])
@pytest.mark.parametrize("case", ["empty_target", "all_foreground", "perfect", "inverse"])
def test_extremes_are_finite_with_finite_gradients(name: str, case: str) -> None:
    target = {"empty_target": torch.zeros(1, 4, 4), "all_foreground": torch.ones(1, 4, 4)}.get(
        case, torch.tensor([[[0, 1, 1, 0]] * 4])
    )
    target = target.long()
    sign = {"perfect": 1.0, "inverse": -1.0}.get(case, 0.5)
    logits = (torch.stack([1 - target, target], dim=1).float() * 2 - 1) * 20 * sign
    logits.requires_grad_(True)
    value = benchmark.create_loss(name)(logits, target)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(logits.grad).all()
    if case == "perfect":
        assert value.item() == pytest.approx(0.0, abs=1e-6)
    if case == "inverse":
        assert value.item() > 0.9 if name == "dice" else value.item() > 10


def test_ce_refuses_one_channel_logits() -> None:
    with pytest.raises(ValueError, match="use bce"):
        benchmark.create_loss("ce")(torch.zeros(1, 1, 2, 2), torch.zeros(1, 2, 2))
