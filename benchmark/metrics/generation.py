"""Generative-model metrics: FID, KID and Inception Score on sets of samples; PSNR and SSIM on image pairs.

One functional core (small pure functions on features, probabilities or image tensors) serves the registered
stateful metrics, the reference-statistics cache and the real-vs-real floor. torchmetrics'
``FrechetInceptionDistance``/``KernelInceptionDistance`` accept a custom extractor, but FID keeps only running
sums and evaluates its own eigenvalue formula (no cached reference features, not pytorch-fid's
``calculate_frechet_distance``), and KID draws its subsets from torch's global RNG (not seedable per call); so
the registry holds small wrappers around the core instead. PSNR and SSIM use torchmetrics' functionals.

Protocol notes recorded with every value: FID is strongly biased at small N (two disjoint halves of the
Fashion-MNIST test set gave FID 22.7 at N=1000), so compare models at equal N and print
``real_vs_real_floor`` beside them; KID is unbiased and preferable at small N.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.special import rel_entr
from torch import nn
from torchmetrics.functional.image import (
    peak_signal_noise_ratio,
    structural_similarity_index_measure,
)

from benchmark.errors import ConfigError, MedbenchError
from benchmark.metrics.inception import extract_features, load_fid_inception
from benchmark.registry import METRICS

#: Fewest samples per side accepted for FID: below it the covariance estimate is so rank-deficient that FID
#: mostly measures N (it is already strongly biased at N=1000); use KID for smaller sets.
FID_MIN_N = 50
#: Images for PSNR/SSIM are floats in [0, 1].
DATA_RANGE = 1.0
#: SSIM as in Wang et al. 2004 and skimage (gaussian_weights=True, use_sample_covariance=False): an 11x11
#: Gaussian window (sigma 1.5), averaged over the positions where the window fits inside the image.
SSIM_SIGMA = 1.5
SSIM_WINDOW = 11
#: KID defaults of Binkowski et al.: 100 subsets of 1000 samples (clipped to the smaller set).
KID_NUM_SUBSETS = 100
KID_SUBSET_SIZE = 1000
#: A negative FID is rounding only if it is above -FID_NEGATIVE_TOLERANCE * (1 + tr(sigma1) + tr(sigma2)).
FID_NEGATIVE_TOLERANCE = 1e-6

Extractor = tuple[nn.Module, dict]


def check_fid_n(n: int) -> None:
    """Refuse FID on fewer than ``FID_MIN_N`` samples per side."""
    if n < FID_MIN_N:
        raise ConfigError(f"FID needs at least {FID_MIN_N} samples per side (got {n}); raise eval.n_samples or use KID")


def as_features(features: np.ndarray | torch.Tensor, what: str = "features") -> np.ndarray:
    """A finite 2-D float64 array [N, D]."""
    array = np.asarray(features.detach().cpu() if isinstance(features, torch.Tensor) else features, np.float64)
    if array.ndim != 2 or len(array) == 0:
        raise ConfigError(f"{what} must be a non-empty [N, D] array, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ConfigError(f"{what} contain NaN or infinite values")
    return array


def feature_stats(features: np.ndarray | torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean [D] and unbiased covariance [D, D] of features [N, D] (float64), as pytorch-fid computes them."""
    array = as_features(features)
    if len(array) < 2:
        raise ConfigError(f"a covariance needs at least 2 feature vectors, got {len(array)}")
    return array.mean(axis=0), np.cov(array, rowvar=False)


def _require_psd(eigvals: np.ndarray, what: str) -> None:
    """Refuse a matrix whose eigenvalues are negative beyond rounding (it is not a covariance)."""
    scale = max(float(np.abs(eigvals).max(initial=0.0)), 1.0)
    if eigvals.size and eigvals.min() < -1e-8 * scale:
        raise MedbenchError(
            f"FID: {what} is not positive semi-definite (negative eigenvalue "
            f"{eigvals.min():.3g}); the feature statistics are degenerate"
        )


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Frechet distance between N(mu1, sigma1) and N(mu2, sigma2), exact for PSD covariances.

    ||mu1 - mu2||^2 + tr(S1) + tr(S2) - 2 tr((S1 S2)^1/2), with the trace read from the eigenvalues of the symmetric
    PSD matrix S1^1/2 S2 S1^1/2 (same spectrum as S1 S2). This equals pytorch-fid's ``calculate_frechet_distance``
    (the tests check it) but needs two symmetric eigendecompositions instead of ``scipy.linalg.sqrtm``: about 9x
    faster at 2048 dimensions on CPU, with no complex parts and no ad-hoc diagonal offset for singular
    covariances (N < 2048). Only a tiny negative result (rounding) is clamped to 0.
    """
    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    dim = mu1.shape[0]
    if mu1.shape != (dim,) or mu2.shape != (dim,) or sigma1.shape != (dim, dim) or sigma2.shape != (dim, dim):
        raise ConfigError(
            f"FID statistics disagree in shape: mu {mu1.shape} / {mu2.shape}, sigma {sigma1.shape} / {sigma2.shape}"
        )
    if not (
        np.isfinite(sigma1).all() and np.isfinite(sigma2).all() and np.isfinite(mu1).all() and np.isfinite(mu2).all()
    ):
        raise MedbenchError("FID is not finite; the feature statistics contain NaN or infinity")
    eigvals, eigvecs = np.linalg.eigh((sigma1 + sigma1.T) / 2)
    _require_psd(eigvals, "the first covariance")
    root1 = (eigvecs * np.sqrt(np.clip(eigvals, 0, None))) @ eigvecs.T
    product = root1 @ sigma2 @ root1
    product_eigvals = np.linalg.eigvalsh((product + product.T) / 2)
    _require_psd(product_eigvals, "S1^1/2 S2 S1^1/2 (the second covariance)")
    trace_sqrt = np.sqrt(np.clip(product_eigvals, 0, None)).sum()
    value = float(((mu1 - mu2) ** 2).sum() + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_sqrt)
    if value < 0:
        if value < -FID_NEGATIVE_TOLERANCE * (1 + np.trace(sigma1) + np.trace(sigma2)):
            raise MedbenchError(f"FID is negative ({value:.6g}); a covariance is not positive semi-definite")
        value = 0.0
    return value


def fid_from_stats(
    mu_real: np.ndarray, sigma_real: np.ndarray, n_real: int, mu_fake: np.ndarray, sigma_fake: np.ndarray, n_fake: int
) -> float:
    """FID from precomputed statistics (e.g. a cached reference); the sample counts enforce ``FID_MIN_N``."""
    check_fid_n(n_real)
    check_fid_n(n_fake)
    return frechet_distance(mu_real, sigma_real, mu_fake, sigma_fake)


def fid_from_features(feats_real: np.ndarray | torch.Tensor, feats_fake: np.ndarray | torch.Tensor) -> float:
    """FID between two feature sets [N, D]."""
    real, fake = as_features(feats_real, "real features"), as_features(feats_fake, "generated features")
    return fid_from_stats(*feature_stats(real), len(real), *feature_stats(fake), len(fake))


def polynomial_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with k(a, b) = (a.b / D + 1)^3 between equal-sized samples [m, D] (Binkowski et al.).

    Within-set sums leave out the diagonal (i == j); numpy, as torch's per-op overhead dominates small subsets.
    """
    m, dim = x.shape
    k_xx, k_yy, k_xy = ((a @ b.T / dim + 1.0) ** 3 for a, b in ((x, x), (y, y), (x, y)))
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.mean())


def kid_subset_size(n_real: int, n_fake: int, subset_size: int) -> int:
    """The subset size KID actually uses: ``subset_size`` clipped to the smaller set (at least 2)."""
    size = min(subset_size, n_real, n_fake)
    if size < 2:
        raise ConfigError(f"KID needs at least 2 samples per side (got {n_real} real, {n_fake} generated)")
    return size


def kernel_inception_distance(
    feats_real: np.ndarray | torch.Tensor,
    feats_fake: np.ndarray | torch.Tensor,
    num_subsets: int = KID_NUM_SUBSETS,
    subset_size: int = KID_SUBSET_SIZE,
    seed: int = 0,
) -> tuple[float, float]:
    """KID (Binkowski et al. 2018): mean and std of the unbiased polynomial MMD^2 over random subsets.

    Each subset draws ``kid_subset_size(...)`` samples without replacement from each side, seeded by ``seed``.
    """
    real, fake = as_features(feats_real, "real features"), as_features(feats_fake, "generated features")
    if real.shape[1] != fake.shape[1]:
        raise ConfigError(f"feature dims differ: real {real.shape[1]}, generated {fake.shape[1]}")
    if num_subsets < 1:
        raise ConfigError(f"KID needs num_subsets >= 1, got {num_subsets}")
    size = kid_subset_size(len(real), len(fake), subset_size)
    rng = np.random.default_rng(seed)
    values = [
        polynomial_mmd2(
            real[rng.choice(len(real), size, replace=False)], fake[rng.choice(len(fake), size, replace=False)]
        )
        for _ in range(num_subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def inception_score(probs: np.ndarray | torch.Tensor, splits: int = 10) -> tuple[float, float]:
    """Inception Score exp(E_x KL(p(y|x) || p(y))) of class probabilities [N, C]: mean and std over splits."""
    p = as_features(probs, "class probabilities")
    if (p < 0).any() or np.abs(p.sum(axis=1) - 1).max() > 1e-3:
        raise ConfigError("class probabilities must be non-negative rows summing to 1 (apply softmax to logits)")
    if not 1 <= splits <= len(p):
        raise ConfigError(f"Inception Score needs 1 <= splits <= N (got splits={splits}, N={len(p)})")
    scores = [
        np.exp(rel_entr(part, part.mean(axis=0, keepdims=True)).sum(axis=1).mean())
        for part in np.array_split(p, splits)
    ]
    return float(np.mean(scores)), float(np.std(scores))


def disjoint_halves(n_total: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Two disjoint random index sets of size ``n`` from ``range(n_total)``."""
    if 2 * n > n_total:
        raise ConfigError(f"the real-vs-real floor at N={n} needs {2 * n} real samples (got {n_total})")
    order = np.random.default_rng(seed).permutation(n_total)
    return order[:n], order[n : 2 * n]


def real_vs_real_floor(
    first: np.ndarray | torch.Tensor, second: np.ndarray | torch.Tensor, seed: int = 0
) -> dict[str, Any]:
    """FID and KID between two disjoint real feature sets of equal size n (see :func:`disjoint_halves`): the value
    a perfect generator would get at this N, to print beside a model's FID at the same N."""
    a, b = as_features(first, "real features"), as_features(second, "real features")
    if len(a) != len(b):
        raise ConfigError(f"the real-vs-real floor needs two halves of equal size (got {len(a)} and {len(b)})")
    kid_mean, kid_std = kernel_inception_distance(a, b, seed=seed)
    return {
        "n": len(a),
        "seed": seed,
        "fid": fid_from_features(a, b),
        "kid_mean": kid_mean,
        "kid_std": kid_std,
        "kid_subset_size": kid_subset_size(len(a), len(b), KID_SUBSET_SIZE),
    }


def reference_protocol(
    extractor_info: dict, dataset: str, split: str, n: int, image_size: tuple[int, ...] | list[int]
) -> dict[str, Any]:
    """The protocol a cached reference-statistics file must match exactly."""
    return {
        "extractor": dict(extractor_info),
        "dataset": dataset,
        "split": split,
        "n": int(n),
        "image_size": [int(s) for s in image_size],
    }


def _canonical(protocol: Any) -> str:
    """Protocol as sorted JSON, so tuples and lists compare equal."""
    return json.dumps(protocol, sort_keys=True)


def _flatten(protocol: dict, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted keys (``extractor.weights``), for naming what differs."""
    flat: dict[str, Any] = {}
    for key, value in protocol.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def protocol_differences(stored: dict, requested: dict) -> list[str]:
    """``key: cached X vs requested Y`` for every (dotted) key whose values differ."""
    old, new = _flatten(stored), _flatten(requested)
    return [
        f"{key}: cached {old.get(key)!r} vs requested {new.get(key)!r}"
        for key in sorted(set(old) | set(new))
        if _canonical(old.get(key)) != _canonical(new.get(key))
    ]


def save_reference_stats(path: str | Path, features: np.ndarray | torch.Tensor, protocol: dict) -> None:
    """Write real features, their mean/covariance and the protocol to one .npz, atomically."""
    real = as_features(features, "reference features")
    if "n" in protocol and protocol["n"] != len(real):
        raise ConfigError(f"protocol says n={protocol['n']} but {len(real)} reference features were given")
    mu, sigma = feature_stats(real)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp.npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle, features=real.astype(np.float32), mu=mu, sigma=sigma, protocol=np.array(_canonical(protocol))
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_reference_stats(path: str | Path, protocol: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """(features, mu, sigma, protocol) from a reference .npz; a file made under another protocol is refused."""
    try:
        with np.load(path, allow_pickle=False) as data:
            features, mu, sigma, stored = data["features"], data["mu"], data["sigma"], json.loads(str(data["protocol"]))
    except (OSError, KeyError, ValueError) as err:
        raise MedbenchError(f"{path}: unreadable reference statistics ({err}); delete it to recompute") from None
    differences = protocol_differences(stored, protocol)
    if differences:
        raise ConfigError(
            f"{path} was computed under another protocol ({'; '.join(differences)}); delete it to recompute"
        )
    return features, mu, sigma, stored


def psnr_per_image(preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """PSNR in dB of each image pair [N, C, H, W] in [0, 1] (inf for identical images)."""
    check_pair(preds, target)
    return peak_signal_noise_ratio(preds, target, data_range=DATA_RANGE, reduction="none", dim=(1, 2, 3))


def ssim_per_image(preds: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """SSIM of each image pair [N, C, H, W] in [0, 1], over the valid window positions (Wang et al.).

    torchmetrics' full SSIM map is cropped by the window radius: its reflection-padded border is not part of
    the reference definition and would weigh heavily on 28x28 images.
    """
    check_pair(preds, target)
    radius = SSIM_WINDOW // 2
    if min(preds.shape[-2:]) < SSIM_WINDOW:
        raise ConfigError(f"SSIM needs images of at least {SSIM_WINDOW}x{SSIM_WINDOW}, got {tuple(preds.shape[-2:])}")
    _, full = structural_similarity_index_measure(
        preds.double(),
        target.double(),
        gaussian_kernel=True,
        sigma=SSIM_SIGMA,
        kernel_size=SSIM_WINDOW,
        data_range=DATA_RANGE,
        reduction="none",
        return_full_image=True,
    )
    return full[..., radius:-radius, radius:-radius].mean(dim=(1, 2, 3)).to(preds.dtype)


def check_pair(preds: torch.Tensor, target: torch.Tensor) -> None:
    """Paired float images of equal shape [N, C, H, W]."""
    if preds.shape != target.shape or preds.ndim != 4:
        raise ConfigError(
            f"paired images must share a [N, C, H, W] shape, got {tuple(preds.shape)} and {tuple(target.shape)}"
        )
    if not (preds.is_floating_point() and target.is_floating_point()):
        raise ConfigError(f"paired images must be float in [0, 1], got {preds.dtype} and {target.dtype}")
    low, high = min(preds.min(), target.min()).item(), max(preds.max(), target.max()).item()
    if low < 0 or high > DATA_RANGE:
        raise ConfigError(f"paired images must lie in [0, 1], got values in [{low:.4g}, {high:.4g}]")


class PairedImageMetric:
    """Mean of a per-image score over every pair passed to ``update``; calling it scores one batch alone."""

    def __init__(self, per_image: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> None:
        self.per_image = per_image
        self.reset()

    def reset(self) -> None:
        """Forget all pairs."""
        self.values: list[torch.Tensor] = []

    def update(self, preds: torch.Tensor, target: torch.Tensor) -> None:
        """Score a batch of pairs and keep the per-image values."""
        self.values.append(self.per_image(preds, target).detach().cpu())

    def compute(self) -> float:
        """Mean over all images seen."""
        if not self.values:
            raise ConfigError("no image pairs were given to the metric")
        return float(torch.cat(self.values).double().mean())

    def __call__(self, preds: torch.Tensor, target: torch.Tensor) -> float:
        return float(self.per_image(preds, target).double().mean())


class FeatureSetMetric:
    """Collects FID-Inception features of real and generated samples; ``compute`` applies ``score`` to the sets.

    Features can come from images (extracted with the lazily loaded extractor) or precomputed ones (a cached
    reference); every feature set must come from the same extractor, which the result records.
    """

    def __init__(
        self,
        score: Callable[[np.ndarray, np.ndarray], dict[str, Any]],
        extractor: Extractor | None = None,
        device: torch.device | str = "cpu",
        batch_size: int = 50,
    ) -> None:
        self.score = score
        self.device = device
        self.batch_size = batch_size
        self._extractor = extractor
        self.reset()

    def reset(self) -> None:
        """Forget all features."""
        self.features: dict[bool, list[np.ndarray]] = {True: [], False: []}
        self.extractor_info: dict | None = None

    def extractor(self) -> Extractor:
        """The (model, info) pair, loaded on first use."""
        if self._extractor is None:
            self._extractor = load_fid_inception(self.device)
        return self._extractor

    def update(self, images: np.ndarray | torch.Tensor, real: bool) -> None:
        """Extract and keep features of images [N, C, H, W] (uint8 or float in [0, 1])."""
        model, info = self.extractor()
        self.update_features(extract_features(images, model, self.batch_size, self.device), real, info)

    def update_features(self, features: np.ndarray | torch.Tensor, real: bool, extractor_info: dict) -> None:
        """Keep precomputed features produced by the extractor described by ``extractor_info``."""
        array = as_features(features)
        kept = self.features[True] + self.features[False]
        if kept and kept[0].shape[1] != array.shape[1]:
            raise ConfigError(f"feature dims differ: {kept[0].shape[1]} kept, {array.shape[1]} given")
        if self.extractor_info is None:
            self.extractor_info = dict(extractor_info)
        elif _canonical(self.extractor_info) != _canonical(extractor_info):
            raise ConfigError(
                f"features from different extractors: {self.extractor_info.get('weights')!r} vs "
                f"{extractor_info.get('weights')!r}"
            )
        self.features[real].append(array)

    def compute(self) -> dict[str, Any]:
        """The score of all real vs all generated features, with N per side and the extractor info."""
        if not self.features[True] or not self.features[False]:
            raise ConfigError("both real and generated samples are needed before compute()")
        real, fake = np.concatenate(self.features[True]), np.concatenate(self.features[False])
        return {**self.score(real, fake), "n_real": len(real), "n_fake": len(fake), "extractor": self.extractor_info}

    def __call__(
        self, real_images: np.ndarray | torch.Tensor, fake_images: np.ndarray | torch.Tensor
    ) -> dict[str, Any]:
        """Score these two image sets alone (the accumulated state is untouched)."""
        once = FeatureSetMetric(self.score, self.extractor(), self.device, self.batch_size)
        once.update(real_images, real=True)
        once.update(fake_images, real=False)
        return once.compute()


class InceptionScoreMetric:
    """Inception Score of class probabilities from a named classifier, which the result records."""

    def __init__(self, classifier: str, splits: int = 10) -> None:
        self.classifier = classifier
        self.splits = splits
        self.reset()

    def reset(self) -> None:
        """Forget all probabilities."""
        self.probs: list[np.ndarray] = []

    def update(self, probs: np.ndarray | torch.Tensor) -> None:
        """Keep class probabilities [N, C] of generated samples."""
        self.probs.append(as_features(probs, "class probabilities"))

    def compute(self) -> dict[str, Any]:
        """IS over all probabilities seen."""
        if not self.probs:
            raise ConfigError("no class probabilities were given to the metric")
        return self(np.concatenate(self.probs))

    def __call__(self, probs: np.ndarray | torch.Tensor) -> dict[str, Any]:
        mean, std = inception_score(probs, self.splits)
        return {
            "inception_score_mean": mean,
            "inception_score_std": std,
            "classifier": self.classifier,
            "splits": self.splits,
            "n": len(probs),
        }


def fid_score(real: np.ndarray, fake: np.ndarray) -> dict[str, Any]:
    """FID as a result record."""
    return {"fid": fid_from_features(real, fake)}


def kid_score(real: np.ndarray, fake: np.ndarray, num_subsets: int, subset_size: int, seed: int) -> dict[str, Any]:
    """KID as a result record, with the subset size actually used."""
    mean, std = kernel_inception_distance(real, fake, num_subsets, subset_size, seed)
    return {
        "kid_mean": mean,
        "kid_std": std,
        "kid_subset_size": kid_subset_size(len(real), len(fake), subset_size),
        "kid_num_subsets": num_subsets,
        "kid_seed": seed,
    }


def register_feature_set_metric(
    name: str, score: Callable[[np.ndarray, np.ndarray], dict[str, Any]], summary: str, **meta: Any
) -> None:
    """Register ``name`` as a factory of :class:`FeatureSetMetric` applying ``score`` (``summary``: its docstring);
    the factory takes the ``extractor``, ``device`` and ``batch_size`` every feature-set metric takes."""

    def factory(
        extractor: Extractor | None = None, device: torch.device | str = "cpu", batch_size: int = 50
    ) -> FeatureSetMetric:
        return FeatureSetMetric(score, extractor, device, batch_size)

    factory.__doc__ = summary
    METRICS.add(name, factory, task="generation", **meta)


register_feature_set_metric(
    "fid",
    fid_score,
    "FID between real and generated image sets.",
    higher_is_better=False,
    description=f"Frechet Inception Distance (pytorch-fid Inception pool3; N >= {FID_MIN_N} per side)",
)


@METRICS.register(
    "kid",
    task="generation",
    higher_is_better=False,
    description="Kernel Inception Distance (unbiased cubic-polynomial MMD^2 over random subsets)",
)
def kid(
    num_subsets: int = KID_NUM_SUBSETS,
    subset_size: int = KID_SUBSET_SIZE,
    seed: int = 0,
    extractor: Extractor | None = None,
    device: torch.device | str = "cpu",
    batch_size: int = 50,
) -> FeatureSetMetric:
    """KID between real and generated image sets."""
    score = partial(kid_score, num_subsets=num_subsets, subset_size=subset_size, seed=seed)
    return FeatureSetMetric(score, extractor, device, batch_size)


@METRICS.register(
    "inception_score",
    task="generation",
    higher_is_better=True,
    description="Inception Score exp(E KL(p(y|x) || p(y))) from a named classifier's probabilities",
)
def inception_score_metric(classifier: str, splits: int = 10) -> InceptionScoreMetric:
    """IS of generated samples' class probabilities under ``classifier``."""
    return InceptionScoreMetric(classifier, splits)


@METRICS.register("psnr", task="generation", higher_is_better=True, description="mean per-image PSNR (dB), range 1")
def psnr() -> PairedImageMetric:
    """PSNR of paired images in [0, 1], averaged over images."""
    return PairedImageMetric(psnr_per_image)


@METRICS.register(
    "ssim",
    task="generation",
    higher_is_better=True,
    description="mean per-image SSIM (11x11 Gaussian window, sigma 1.5, valid positions), range 1",
)
def ssim() -> PairedImageMetric:
    """SSIM of paired images in [0, 1], averaged over images."""
    return PairedImageMetric(ssim_per_image)
