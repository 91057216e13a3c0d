"""Generative metrics against closed forms and independent numpy/scipy references (small feature dims: fast)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from pytorch_fid.fid_score import calculate_frechet_distance
from scipy.signal import correlate2d
from torch import nn
from torchmetrics.image.kid import poly_mmd

from benchmark.errors import ConfigError, MedbenchError
from benchmark.metrics import generation as gen
from benchmark.registry import METRICS


def stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return features.mean(axis=0), np.cov(features, rowvar=False)


def fid_by_eigvals(mu1: np.ndarray, s1: np.ndarray, mu2: np.ndarray, s2: np.ndarray) -> float:
    """Reference FID from the (real, non-negative) eigenvalues of the non-symmetric product S1 S2."""
    eig = np.linalg.eigvals(s1 @ s2).real
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(eig, 0, None)).sum())


# --- FID ---------------------------------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:The `disp` argument is deprecated:DeprecationWarning")
@pytest.mark.parametrize(("n", "dim"), [(200, 16), (60, 32), (20, 64)])  # the last: rank-deficient covariances
def test_fid_matches_pytorch_fid_and_eigh_reference(n: int, dim: int) -> None:
    rng = np.random.default_rng(n)
    a, b = rng.normal(size=(n, dim)), rng.normal(size=(n, dim)) * 1.3 + 0.2
    args = (*stats(a), *stats(b))
    value = gen.frechet_distance(*args)
    # pytorch-fid adds 1e-6 to the diagonals when the product is singular, hence rel 1e-6 rather than 1e-9
    assert value == pytest.approx(float(calculate_frechet_distance(*args)), rel=1e-6)
    assert value == pytest.approx(fid_by_eigvals(*args), rel=1e-6)


def test_fid_equal_covariances_is_squared_mean_distance() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 8))
    sigma = np.cov(x, rowvar=False)
    mu1, mu2 = rng.normal(size=8), rng.normal(size=8)
    assert gen.frechet_distance(mu1, sigma, mu2, sigma) == pytest.approx(float(((mu1 - mu2) ** 2).sum()), rel=1e-8)


def test_fid_identical_statistics_is_zero() -> None:
    rng = np.random.default_rng(1)
    mu, sigma = stats(rng.normal(size=(30, 40)))  # singular covariance
    assert gen.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-9)
    assert gen.frechet_distance(mu, sigma, mu, sigma) >= 0


def test_fid_diagonal_covariances_closed_form() -> None:
    rng = np.random.default_rng(2)
    d1, d2 = rng.uniform(0.1, 4, size=6), rng.uniform(0.1, 4, size=6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(d1) - np.sqrt(d2)) ** 2).sum()
    assert gen.frechet_distance(mu1, np.diag(d1), mu2, np.diag(d2)) == pytest.approx(expected, rel=1e-10)


def test_fid_non_psd_covariance_is_one_line_error() -> None:
    with pytest.raises(MedbenchError, match="not positive semi-definite") as err:
        gen.frechet_distance(np.zeros(2), np.diag([1.0, -4.0]), np.zeros(2), np.eye(2))
    assert "\n" not in str(err.value)


def test_fid_large_negative_is_refused_not_clamped() -> None:
    with pytest.raises(MedbenchError, match="negative"):
        gen.frechet_distance(np.zeros(2), -np.eye(2), np.zeros(2), -np.eye(2))


def test_fid_shape_mismatch() -> None:
    with pytest.raises(ConfigError, match="shape"):
        gen.frechet_distance(np.zeros(3), np.eye(3), np.zeros(2), np.eye(2))


def test_fid_minimum_n() -> None:
    rng = np.random.default_rng(3)
    message = f"FID needs at least {gen.FID_MIN_N} samples per side (got 49); raise eval.n_samples or use KID"
    with pytest.raises(ConfigError) as err:
        gen.fid_from_features(rng.normal(size=(49, 4)), rng.normal(size=(80, 4)))
    assert str(err.value) == message
    with pytest.raises(ConfigError, match=r"\(got 10\)"):
        gen.fid_from_stats(np.zeros(2), np.eye(2), 100, np.zeros(2), np.eye(2), 10)
    assert gen.fid_from_features(rng.normal(size=(50, 4)), rng.normal(size=(50, 4))) > 0


def test_feature_stats_match_numpy() -> None:
    x = np.random.default_rng(4).normal(size=(30, 5)).astype(np.float32)
    mu, sigma = gen.feature_stats(torch.from_numpy(x))
    np.testing.assert_allclose(mu, x.astype(np.float64).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(sigma, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-12)
    with pytest.raises(ConfigError, match="NaN"):
        gen.feature_stats(np.full((3, 2), np.nan))


# --- KID ---------------------------------------------------------------------------------------------------------


def mmd2_loops(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3, written with explicit loops."""
    m, d = len(x), x.shape[1]

    def k(a: np.ndarray, b: np.ndarray) -> float:
        return (float(np.dot(a, b)) / d + 1.0) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_polynomial_mmd2_matches_loops_and_torchmetrics() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(12, 5)), rng.normal(size=(12, 5)) + 0.5
    assert gen.polynomial_mmd2(x, y) == pytest.approx(mmd2_loops(x, y), rel=1e-10)
    expected = float(poly_mmd(torch.from_numpy(x), torch.from_numpy(y), degree=3, gamma=1 / 5, coef=1.0))
    assert gen.polynomial_mmd2(x, y) == pytest.approx(expected, rel=1e-10)


def test_kid_full_subsets_equal_reference_with_zero_spread() -> None:
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(15, 4)), rng.normal(size=(15, 4)) * 2
    mean, std = gen.kernel_inception_distance(x, y, num_subsets=3, subset_size=1000, seed=0)  # clipped to 15
    assert mean == pytest.approx(mmd2_loops(x, y), rel=1e-9)
    assert std == pytest.approx(0.0, abs=1e-9)
    record = gen.kid_score(x, y, num_subsets=3, subset_size=1000, seed=0)
    assert record["kid_subset_size"] == 15


def test_kid_subsets_are_seeded_and_detect_shift() -> None:
    rng = np.random.default_rng(7)
    real, same, shifted = rng.normal(size=(200, 6)), rng.normal(size=(200, 6)), rng.normal(size=(200, 6)) + 1.0
    first = gen.kernel_inception_distance(real, shifted, num_subsets=20, subset_size=50, seed=1)
    assert first == gen.kernel_inception_distance(real, shifted, num_subsets=20, subset_size=50, seed=1)
    assert first != gen.kernel_inception_distance(real, shifted, num_subsets=20, subset_size=50, seed=2)
    null_mean, null_std = gen.kernel_inception_distance(real, same, num_subsets=20, subset_size=50, seed=1)
    assert abs(null_mean) < 3 * null_std + 1e-3 < first[0]


def test_kid_needs_two_samples() -> None:
    with pytest.raises(ConfigError, match="at least 2"):
        gen.kernel_inception_distance(np.ones((1, 3)), np.ones((5, 3)))


# --- Inception Score ---------------------------------------------------------------------------------------------


def is_reference(probs: np.ndarray, splits: int) -> tuple[float, float]:
    """IS with explicit per-sample KL sums over contiguous near-equal splits (as np.array_split)."""
    n = len(probs)
    sizes = [n // splits + (1 if i < n % splits else 0) for i in range(splits)]
    bounds = [0, *itertools.accumulate(sizes)]
    scores = []
    for lo, hi in itertools.pairwise(bounds):
        part = probs[lo:hi]
        marginal = part.mean(axis=0)
        kls = [sum(p * math.log(p / q) for p, q in zip(row, marginal) if p > 0) for row in part]
        scores.append(math.exp(sum(kls) / len(kls)))
    return float(np.mean(scores)), float(np.std(scores))


def test_inception_score_matches_reference() -> None:
    logits = np.random.default_rng(8).normal(size=(53, 7)) * 2
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    mean, std = gen.inception_score(probs, splits=4)
    ref_mean, ref_std = is_reference(probs, 4)
    assert mean == pytest.approx(ref_mean, rel=1e-10)
    assert std == pytest.approx(ref_std, rel=1e-8)


def test_inception_score_extremes() -> None:
    classes = 5
    assert gen.inception_score(np.full((40, classes), 1 / classes), splits=2) == pytest.approx((1.0, 0.0))
    one_hot = np.eye(classes)[np.arange(40) % classes]  # every split holds every class equally often
    assert gen.inception_score(one_hot, splits=4) == pytest.approx((classes, 0.0))


def test_inception_score_rejects_logits_and_bad_splits() -> None:
    with pytest.raises(ConfigError, match="softmax"):
        gen.inception_score(np.array([[2.0, -1.0], [0.5, 0.5]]), splits=1)
    with pytest.raises(ConfigError, match="splits"):
        gen.inception_score(np.full((3, 2), 0.5), splits=4)


def test_inception_score_metric_records_classifier() -> None:
    metric = METRICS.get("inception_score").obj(classifier="fashion_mnist_resnet18", splits=2)
    probs = np.eye(4)[np.arange(16) % 4]
    metric.update(probs[:7])
    metric.update(probs[7:])
    result = metric.compute()
    assert result["classifier"] == "fashion_mnist_resnet18"
    assert result["n"] == 16
    assert result["inception_score_mean"] == pytest.approx(gen.inception_score(probs, 2)[0])


# --- PSNR / SSIM -------------------------------------------------------------------------------------------------


def ssim_reference(x: np.ndarray, y: np.ndarray) -> float:
    """Wang et al. SSIM of one [C, H, W] pair: 11x11 Gaussian (sigma 1.5), population moments, valid positions."""
    taps = np.exp(-0.5 * (np.arange(11) - 5.0) ** 2 / 1.5**2)
    window = np.outer(taps, taps) / taps.sum() ** 2
    c1, c2 = 0.01**2, 0.03**2
    maps = []
    for a, b in zip(x, y):
        mu_a, mu_b = correlate2d(a, window, "valid"), correlate2d(b, window, "valid")
        var_a = correlate2d(a * a, window, "valid") - mu_a**2
        var_b = correlate2d(b * b, window, "valid") - mu_b**2
        cov = correlate2d(a * b, window, "valid") - mu_a * mu_b
        maps.append((2 * mu_a * mu_b + c1) * (2 * cov + c2) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)))
    return float(np.mean(maps))


@pytest.fixture()
def image_pairs() -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    target = torch.rand(4, 3, 28, 24, generator=g, dtype=torch.float64)
    preds = (target + 0.15 * torch.randn(4, 3, 28, 24, generator=g, dtype=torch.float64)).clamp(0, 1)
    return preds, target


def test_psnr_matches_numpy(image_pairs: tuple[torch.Tensor, torch.Tensor]) -> None:
    preds, target = image_pairs
    mse = ((preds - target) ** 2).numpy().reshape(4, -1).mean(axis=1)
    expected = 10 * np.log10(1.0 / mse)
    np.testing.assert_allclose(gen.psnr_per_image(preds, target).numpy(), expected, rtol=1e-6)
    metric = METRICS.get("psnr").obj()
    metric.update(preds[:1], target[:1])
    metric.update(preds[1:], target[1:])
    assert metric.compute() == pytest.approx(expected.mean(), rel=1e-6)
    assert metric(preds[:2], target[:2]) == pytest.approx(expected[:2].mean(), rel=1e-6)
    assert math.isinf(gen.psnr_per_image(target, target)[0])


def test_ssim_matches_numpy_reference(image_pairs: tuple[torch.Tensor, torch.Tensor]) -> None:
    preds, target = image_pairs
    expected = [ssim_reference(p.numpy(), t.numpy()) for p, t in zip(preds, target)]
    np.testing.assert_allclose(gen.ssim_per_image(preds, target).numpy(), expected, rtol=1e-6)
    metric = METRICS.get("ssim").obj()
    metric.update(preds, target)
    assert metric.compute() == pytest.approx(np.mean(expected), rel=1e-6)


def test_ssim_identities(image_pairs: tuple[torch.Tensor, torch.Tensor]) -> None:
    preds, target = image_pairs
    np.testing.assert_allclose(gen.ssim_per_image(target, target).numpy(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(gen.ssim_per_image(preds, target), gen.ssim_per_image(target, preds), rtol=1e-12)
    assert (gen.ssim_per_image(preds, target) < 1).all()


def test_ssim_matches_skimage_if_installed(image_pairs: tuple[torch.Tensor, torch.Tensor]) -> None:
    metrics = pytest.importorskip("skimage.metrics")
    preds, target = image_pairs
    expected = [
        metrics.structural_similarity(
            p.numpy(),
            t.numpy(),
            channel_axis=0,
            data_range=1.0,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
        for p, t in zip(preds, target)
    ]
    np.testing.assert_allclose(gen.ssim_per_image(preds, target).numpy(), expected, rtol=1e-5)


def test_paired_inputs_are_validated(image_pairs: tuple[torch.Tensor, torch.Tensor]) -> None:
    preds, target = image_pairs
    with pytest.raises(ConfigError, match="shape"):
        gen.psnr_per_image(preds[:2], target)
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        gen.psnr_per_image(preds * 255, target)
    with pytest.raises(ConfigError, match="at least 11x11"):
        gen.ssim_per_image(preds[..., :8, :8], target[..., :8, :8])


# --- reference statistics cache and the real-vs-real floor -------------------------------------------------------

INFO = {"extractor": "toy", "weights": "toy weights", "feature_dims": 6}


def test_reference_stats_round_trip(tmp_path) -> None:
    features = np.random.default_rng(9).normal(size=(70, 6)).astype(np.float32)
    protocol = gen.reference_protocol(INFO, "fashion_mnist", "test", 70, (28, 28))
    path = tmp_path / "ref" / "stats.npz"
    gen.save_reference_stats(path, features, protocol)
    assert [p.name for p in path.parent.iterdir()] == ["stats.npz"]  # no temp file left behind
    loaded, mu, sigma, stored = gen.load_reference_stats(
        path, gen.reference_protocol(INFO, "fashion_mnist", "test", 70, [28, 28])
    )
    np.testing.assert_array_equal(loaded, features)
    np.testing.assert_allclose(mu, features.astype(np.float64).mean(axis=0))
    np.testing.assert_allclose(sigma, np.cov(features.astype(np.float64), rowvar=False))
    assert stored == protocol | {"image_size": [28, 28]}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"n": 80}, "n"),
        ({"split": "train"}, "split"),
        ({"image_size": (32, 32)}, "image_size"),
        ({"extractor": INFO | {"weights": "pytorch-fid official"}}, "extractor.weights"),
    ],
)
def test_reference_stats_protocol_mismatch_is_refused(tmp_path, change: dict, key: str) -> None:
    protocol = gen.reference_protocol(INFO, "fashion_mnist", "test", 70, (28, 28))
    path = tmp_path / "stats.npz"
    gen.save_reference_stats(path, np.random.default_rng(10).normal(size=(70, 6)), protocol)
    with pytest.raises(ConfigError, match=f"another protocol \\({key}: cached") as err:
        gen.load_reference_stats(path, protocol | change)
    assert "\n" not in str(err.value)


def test_reference_stats_bad_inputs(tmp_path) -> None:
    protocol = gen.reference_protocol(INFO, "fashion_mnist", "test", 70, (28, 28))
    with pytest.raises(ConfigError, match="n=70"):
        gen.save_reference_stats(tmp_path / "a.npz", np.zeros((60, 6)), protocol)
    (tmp_path / "b.npz").write_bytes(b"not an npz")
    with pytest.raises(MedbenchError, match="unreadable"):
        gen.load_reference_stats(tmp_path / "b.npz", protocol)


def test_real_vs_real_floor_uses_disjoint_halves() -> None:
    first, second = gen.disjoint_halves(300, 120, seed=3)
    assert len(first) == len(second) == 120
    assert not set(first) & set(second)
    with pytest.raises(ConfigError, match="needs 400 real samples"):
        gen.disjoint_halves(300, 200, seed=0)
    features = np.random.default_rng(11).normal(size=(300, 6))
    floor = gen.real_vs_real_floor(features[first], features[second], seed=3)
    assert floor["fid"] == pytest.approx(gen.fid_from_features(features[first], features[second]))
    assert floor["kid_mean"] == pytest.approx(
        gen.kernel_inception_distance(features[first], features[second], seed=3)[0]
    )
    assert (floor["n"], floor["seed"], floor["kid_subset_size"]) == (120, 3, 120)
    with pytest.raises(ConfigError, match="equal size"):
        gen.real_vs_real_floor(features[:100], features[100:250])


# --- registry and the stateful feature metrics -------------------------------------------------------------------


def test_registry_metadata() -> None:
    expected = {"fid": False, "kid": False, "inception_score": True, "psnr": True, "ssim": True}
    for name, higher in expected.items():
        entry = METRICS.get(name)
        assert entry.meta["task"] == "generation"
        assert entry.meta["higher_is_better"] is higher
        assert entry.meta["description"]
    assert callable(METRICS.get("psnr").obj())


@pytest.fixture()
def toy_extractor() -> tuple[nn.Module, dict]:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 6)), INFO


def test_feature_metrics_accumulate_images_and_features(toy_extractor: tuple[nn.Module, dict]) -> None:
    g = torch.Generator().manual_seed(1)
    real, fake = torch.rand(60, 1, 8, 8, generator=g), torch.rand(55, 1, 8, 8, generator=g) ** 2
    model = toy_extractor[0]
    with torch.no_grad():
        real_feats, fake_feats = model(real).numpy(), model(fake).numpy()
    fid = METRICS.get("fid").obj(extractor=toy_extractor, batch_size=16)
    fid.update(real[:30], real=True)
    fid.update_features(real_feats[30:], real=True, extractor_info=INFO)
    fid.update((fake * 255).round().to(torch.uint8), real=False)
    result = fid.compute()
    expected_fake = model((fake * 255).round() / 255).detach().numpy()
    assert result["fid"] == pytest.approx(gen.fid_from_features(real_feats, expected_fake), rel=1e-5)
    assert (result["n_real"], result["n_fake"], result["extractor"]) == (60, 55, INFO)
    assert fid(real, fake)["fid"] == pytest.approx(gen.fid_from_features(real_feats, fake_feats), rel=1e-5)

    kid = METRICS.get("kid").obj(num_subsets=5, subset_size=100, seed=2, extractor=toy_extractor)
    outcome = kid(real, fake)
    assert outcome["kid_subset_size"] == 55
    assert outcome["kid_mean"] == pytest.approx(
        gen.kernel_inception_distance(real_feats, fake_feats, 5, 100, 2)[0], rel=1e-5
    )


def test_feature_metrics_refuse_mixed_extractors(toy_extractor: tuple[nn.Module, dict]) -> None:
    fid = METRICS.get("fid").obj(extractor=toy_extractor)
    fid.update_features(np.zeros((60, 6)), real=True, extractor_info=INFO)
    with pytest.raises(ConfigError, match="different extractors"):
        fid.update_features(np.zeros((60, 6)), real=False, extractor_info=INFO | {"weights": "other"})
    with pytest.raises(ConfigError, match="both real and generated"):
        fid.compute()
