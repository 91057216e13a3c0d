"""Every registered segmentation loss against an independent numpy reference (and MONAI where it has the same loss),
on random cases and the extremes (empty target, all foreground, perfect, inverse), with finite gradients; plus the
identities between losses that the papers imply."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import torch

import benchmark
from benchmark.registry import LOSSES

S = 1e-5  # the default smoothing term of the region losses


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def probs_onehot(logits: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if logits.shape[1] == 1:
        return 1 / (1 + np.exp(-logits)), target.reshape(logits.shape).astype(float)
    return softmax(logits), np.moveaxis(np.eye(logits.shape[1])[target], -1, 1)


def counts(logits: np.ndarray, target: np.ndarray, include_background: bool = True) -> tuple[np.ndarray, ...]:
    """Soft TP, FP, FN per (image, class) by explicit loops."""
    p, g = probs_onehot(logits, target)
    if not include_background and p.shape[1] > 1:
        p, g = p[:, 1:], g[:, 1:]
    n, c = p.shape[:2]
    tp, fp, fn = (np.zeros((n, c)) for _ in range(3))
    for i in range(n):
        for k in range(c):
            tp[i, k] = (p[i, k] * g[i, k]).sum()
            fp[i, k] = (p[i, k] * (1 - g[i, k])).sum()
            fn[i, k] = ((1 - p[i, k]) * g[i, k]).sum()
    return tp, fp, fn


def dice_ref(logits, target, include_background=True, smooth=S) -> float:
    tp, fp, fn = counts(logits, target, include_background)
    return float(np.mean(1 - (2 * tp + smooth) / (2 * tp + fp + fn + smooth)))


def tversky_ref(logits, target, alpha=0.3, beta=0.7, include_background=True, smooth=S) -> float:
    tp, fp, fn = counts(logits, target, include_background)
    return float(np.mean(1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)))


def focal_tversky_ref(logits, target, alpha=0.3, beta=0.7, gamma=4 / 3, include_background=True) -> float:
    tp, fp, fn = counts(logits, target, include_background)
    return float(np.mean((1 - (tp + S) / (tp + alpha * fp + beta * fn + S)) ** (1 / gamma)))


def log_cosh_dice_ref(logits, target, include_background=True) -> float:
    return float(np.log(np.cosh(dice_ref(logits, target, include_background))))


def ce_ref(logits, target) -> float:
    p, g = probs_onehot(logits, target)
    if logits.shape[1] == 1:
        return float(-(g * np.log(p) + (1 - g) * np.log(1 - p)).mean())
    return float(-(g * np.log(p)).sum(1).mean())


def focal_ref(logits, target, gamma=2.0, alpha=None) -> float:
    p, g = probs_onehot(logits, target)
    if logits.shape[1] == 1:
        a1, a0 = (1.0, 1.0) if alpha is None else (alpha, 1 - alpha)
        loss = -(a1 * g * (1 - p) ** gamma * np.log(p) + a0 * (1 - g) * p**gamma * np.log(1 - p))
        return float(loss.mean())
    weights = np.ones(p.shape[1]) if alpha is None else np.asarray(alpha)
    loss = -(weights[None, :, None, None] * g * (1 - p) ** gamma * np.log(p)).sum(1)
    return float(loss.mean())


def combo_ref(logits, target, alpha=0.5, beta=0.5) -> float:
    p, g = probs_onehot(logits, target)
    mbce = -(beta * g * np.log(p) + (1 - beta) * (1 - g) * np.log(1 - p)).sum(1).mean()
    return float(alpha * mbce - (1 - alpha) * (1 - dice_ref(logits, target)))


def brute_contour(labels: np.ndarray) -> np.ndarray:
    """A pixel differing from one of its 4 neighbours (inside the image)."""
    out = np.zeros(labels.shape, dtype=bool)
    h, w = labels.shape
    for y in range(h):
        for x in range(w):
            for dy, dx in ((0, 1), (1, 0), (0, -1), (-1, 0)):
                yy, xx = y + dy, x + dx
                if 0 <= yy < h and 0 <= xx < w and labels[yy, xx] != labels[y, x]:
                    out[y, x] = True
    return out


def shape_aware_ref(logits, target, scale=1.0) -> float:
    p, g = probs_onehot(logits, target)
    if logits.shape[1] == 1:
        ce = -(g * np.log(p) + (1 - g) * np.log(1 - p))[:, 0]
        pred, labels = (p[:, 0] > 0.5).astype(int), g[:, 0].astype(int)
    else:
        ce = -(g * np.log(p)).sum(1)
        pred, labels = p.argmax(1), target
    total = 0.0
    for i in range(len(ce)):
        on_pred, on_target = brute_contour(pred[i]), brute_contour(labels[i])
        ty, tx = np.nonzero(on_target)
        weight = np.ones(ce[i].shape)
        for y, x in zip(*np.nonzero(on_pred)):
            nearest = np.sqrt((ty - y) ** 2 + (tx - x) ** 2).min() if len(ty) else math.hypot(*ce[i].shape)
            weight[y, x] += scale * nearest
        total += (weight * ce[i]).sum()
    return total / ce.size


# name -> (reference for multi-class and binary logits, loss params); each called as ref(logits, target)
REFERENCES: dict[str, Callable[..., float]] = {
    "ce": ce_ref,
    "bce": ce_ref,
    "focal": focal_ref,
    "dice": dice_ref,
    "tversky": tversky_ref,
    "focal_tversky": focal_tversky_ref,
    "log_cosh_dice": log_cosh_dice_ref,
    "combo": combo_ref,
    "shape_aware": shape_aware_ref,
}
MULTICLASS = [name for name in LOSSES.names() if name != "bce"]
BINARY = [name for name in LOSSES.names() if name != "ce"]


def test_every_registered_loss_has_a_reference() -> None:
    assert set(REFERENCES) == set(LOSSES.names(task="segmentation"))


def multiclass_case(seed: int, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    target = rng.integers(0, classes, size=(2, 7, 6))
    target[:, 2:5, 1:4] = 1  # a blob, so contours are not all noise
    return rng.normal(size=(2, classes, 7, 6)) * 2, target


def binary_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, 1, 7, 6)) * 2, rng.integers(0, 2, size=(2, 1, 7, 6)).astype(float)


def value(name: str, logits: np.ndarray, target: np.ndarray, **params) -> float:
    return benchmark.create_loss(name, **params)(torch.tensor(logits), torch.tensor(target)).item()


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", MULTICLASS)
def test_multiclass_matches_numpy(name: str, seed: int) -> None:
    logits, target = multiclass_case(seed)
    assert value(name, logits, target) == pytest.approx(REFERENCES[name](logits, target), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("name", BINARY)
def test_binary_matches_numpy(name: str, seed: int) -> None:
    logits, target = binary_case(seed)
    assert value(name, logits, target) == pytest.approx(REFERENCES[name](logits, target), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("name", "params", "reference"),
    [
        ("dice", {"include_background": False, "smooth": 0.5}, lambda lg, t: dice_ref(lg, t, False, 0.5)),
        (
            "tversky",
            {"alpha": 0.7, "beta": 0.2, "include_background": False},
            lambda lg, t: tversky_ref(lg, t, 0.7, 0.2, False),
        ),
        (
            "focal_tversky",
            {"gamma": 2.5, "include_background": False},
            lambda lg, t: focal_tversky_ref(lg, t, gamma=2.5, include_background=False),
        ),
        ("log_cosh_dice", {"include_background": False}, lambda lg, t: log_cosh_dice_ref(lg, t, False)),
        ("focal", {"gamma": 1.5, "alpha": [0.2, 0.3, 0.5]}, lambda lg, t: focal_ref(lg, t, 1.5, [0.2, 0.3, 0.5])),
        ("combo", {"alpha": 0.3, "beta": 0.8}, lambda lg, t: combo_ref(lg, t, 0.3, 0.8)),
        ("shape_aware", {"scale": 0.25}, lambda lg, t: shape_aware_ref(lg, t, 0.25)),
    ],
)
def test_parameters_match_numpy(name: str, params: dict, reference: Callable[..., float]) -> None:
    logits, target = multiclass_case(7)
    assert value(name, logits, target, **params) == pytest.approx(reference(logits, target), rel=1e-9)


def test_binary_focal_alpha_matches_numpy() -> None:
    logits, target = binary_case(5)
    expected = focal_ref(logits, target, gamma=3.0, alpha=0.25)
    assert value("focal", logits, target, gamma=3.0, alpha=0.25) == pytest.approx(expected, rel=1e-9)


def extreme(case: str, binary: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """2-class logits (or their binary form) of magnitude 20 for a target and a prediction of ``case``."""
    target = {"empty_target": torch.zeros(2, 6, 6), "all_foreground": torch.ones(2, 6, 6)}.get(
        case, torch.tensor([[[0, 1, 1, 1, 0, 0]] * 6] * 2)
    ).long()
    predicted = {"inverse": 1 - target, "empty_target": target, "all_foreground": target}.get(case, target)
    if case in ("empty_target", "all_foreground"):  # an imperfect prediction: a square of the other class
        predicted = target.clone()
        predicted[:, 1:3, 1:3] = 1 - predicted[:, 1:3, 1:3]
    sign = predicted.double() * 2 - 1
    if binary:
        return (20 * sign).unsqueeze(1).requires_grad_(True), target.double().unsqueeze(1)
    return (torch.stack([-sign, sign], dim=1) * 10).requires_grad_(True), target


@pytest.mark.parametrize("binary", [False, True], ids=["multiclass", "binary"])
@pytest.mark.parametrize("case", ["empty_target", "all_foreground", "perfect", "inverse"])
@pytest.mark.parametrize("name", LOSSES.names())
def test_extremes_match_numpy_with_finite_gradients(name: str, case: str, binary: bool) -> None:
    if name == ("ce" if binary else "bce"):
        pytest.skip(f"{name} takes {'multi-class' if binary else 'one-channel'} logits only")
    logits, target = extreme(case, binary)
    loss = benchmark.create_loss(name)(logits, target)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(logits.grad).all()
    expected = REFERENCES[name](logits.detach().numpy(), target.numpy().astype(float if binary else int))
    assert loss.item() == pytest.approx(expected, rel=1e-6, abs=1e-7)
    perfect_value = -0.5 if name == "combo" else 0.0  # combo = a mBCE - (1 - a) DSC, with a = 0.5
    if case == "perfect":
        assert loss.item() == pytest.approx(perfect_value, abs=1e-6)
    if case == "inverse":
        assert loss.item() > perfect_value + 0.3


@pytest.mark.parametrize("seed", range(3))
def test_identities(seed: int) -> None:
    logits, target = (torch.tensor(a) for a in multiclass_case(seed))
    b_logits, b_target = (torch.tensor(a) for a in binary_case(seed))

    def loss(name: str, lg: torch.Tensor = logits, t: torch.Tensor = target, **params) -> torch.Tensor:
        return benchmark.create_loss(name, **params)(lg, t)

    for lg, t in ((logits, target), (b_logits, b_target)):
        tversky_half = loss("tversky", lg, t, alpha=0.5, beta=0.5, smooth=0.0)
        torch.testing.assert_close(tversky_half, loss("dice", lg, t, smooth=0.0), rtol=1e-12, atol=0)
        torch.testing.assert_close(loss("focal_tversky", lg, t, gamma=1.0), loss("tversky", lg, t), rtol=1e-12, atol=0)
        torch.testing.assert_close(loss("log_cosh_dice", lg, t), torch.log(torch.cosh(loss("dice", lg, t))))
        parts = benchmark.create_loss("combo", alpha=0.3, beta=0.6)
        expected = 0.3 * parts.modified_cross_entropy(lg, t) - 0.7 * (1 - loss("dice", lg, t))
        torch.testing.assert_close(loss("combo", lg, t, alpha=0.3, beta=0.6), expected)
    torch.testing.assert_close(loss("focal", gamma=0.0), loss("ce"))
    torch.testing.assert_close(loss("focal", b_logits, b_target, gamma=0.0), loss("bce", b_logits, b_target))
    torch.testing.assert_close(loss("shape_aware", scale=0.0), loss("ce"))
    torch.testing.assert_close(loss("shape_aware", b_logits, b_target, scale=0.0), loss("bce", b_logits, b_target))
    # combo's mBCE with beta = 0.5 is half the BCE
    half = benchmark.create_loss("combo", beta=0.5).modified_cross_entropy(b_logits, b_target)
    torch.testing.assert_close(half, 0.5 * loss("bce", b_logits, b_target))


def test_shape_aware_contours_in_3d() -> None:
    """The 3D contour is face-neighbour based: a cube's faces are contour, its centre is not."""
    from benchmark.losses.boundary import contour

    labels = np.zeros((5, 5, 5), dtype=int)
    labels[1:4, 1:4, 1:4] = 1
    edge = contour(labels)
    assert edge[1, 1, 1] and edge[0, 1, 1] and not edge[2, 2, 2] and not edge[4, 4, 4]
    logits = torch.randn(1, 2, 5, 5, 5, requires_grad=True)
    benchmark.create_loss("shape_aware")(logits, torch.from_numpy(labels)[None]).backward()
    assert torch.isfinite(logits.grad).all()


monai_losses = pytest.importorskip("monai.losses")


@pytest.mark.parametrize("include_background", [True, False])
@pytest.mark.parametrize("seed", range(2))
def test_region_losses_match_monai(seed: int, include_background: bool) -> None:
    logits, target = (torch.tensor(a) for a in multiclass_case(seed))
    common = {"softmax": True, "to_onehot_y": True, "include_background": include_background}
    smooth = {"smooth_nr": S, "smooth_dr": S}
    ref_dice = monai_losses.DiceLoss(**common, **smooth)(logits, target[:, None])
    ours = benchmark.create_loss("dice", include_background=include_background)(logits, target)
    torch.testing.assert_close(ours, ref_dice, rtol=1e-9, atol=1e-12)
    ref_tversky = monai_losses.TverskyLoss(**common, **smooth, alpha=0.3, beta=0.7)(logits, target[:, None])
    ours = benchmark.create_loss("tversky", alpha=0.3, beta=0.7, include_background=include_background)(logits, target)
    torch.testing.assert_close(ours, ref_tversky, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(2))
def test_focal_matches_monai(seed: int) -> None:
    logits, target = (torch.tensor(a) for a in multiclass_case(seed))
    ref = monai_losses.FocalLoss(use_softmax=True, to_onehot_y=True, gamma=2.0, reduction="none")(
        logits, target[:, None]
    )
    torch.testing.assert_close(benchmark.create_loss("focal")(logits, target), ref.sum(1).mean(), check_dtype=False)
    b_logits, b_target = (torch.tensor(a) for a in binary_case(seed))
    ref = monai_losses.FocalLoss(gamma=2.0, alpha=0.25, reduction="mean")(b_logits, b_target)
    ours = benchmark.create_loss("focal", alpha=0.25)(b_logits, b_target)
    torch.testing.assert_close(ours, ref, check_dtype=False)


def test_wrong_channel_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="use bce"):
        benchmark.create_loss("ce")(torch.zeros(1, 1, 2, 2), torch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="use ce"):
        benchmark.create_loss("bce")(torch.zeros(1, 3, 2, 2), torch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="alpha has 2 weights for 3 classes"):
        benchmark.create_loss("focal", alpha=[0.5, 0.5])(torch.zeros(1, 3, 2, 2), torch.zeros(1, 2, 2).long())
