"""Real reference for generative metrics, computed once per dataset and protocol and cached as a DVC output.

``data/reference/<dataset>/`` holds: ``stats.npz`` (Inception pool3 features of N real images and their protocol),
``reference.json`` (protocol, the real-vs-real FID/KID floor between two disjoint real halves of N each, and the
domain classifier's test accuracy), and ``classifier/model.pt``: a ResNet-18 trained on the same dataset's labels,
whose class probabilities give the Inception Score (the FID Inception has no logits). Evaluating K generators then
costs K feature passes, not 2K. A dataset without class labels (CelebA, ISIC 2018 task 1) gets the Inception
statistics and floor only: no classifier, so no Inception Score or domain features (``reference.json`` says so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from benchmark.config import DatasetConfig, RunConfig
from benchmark.datasets.base import as_frames, load_split, read_meta
from benchmark.errors import ConfigError, DataMissingError
from benchmark.evaluation.predict import predict
from benchmark.metrics import generation
from benchmark.metrics.inception import extract_features, load_fid_inception
from benchmark.models import BenchmarkModel
from benchmark.training.loop import ModelSpec, load_model, train

STATS, INFO, CLASSIFIER = "stats.npz", "reference.json", "classifier"
DOMAIN_STATS = "domain_stats.npz"
UNLABELLED = "none: the dataset has no class labels, so no Inception Score or domain features"
CLASSIFIER_MODEL = "resnet18"


@dataclass
class Reference:
    """A loaded reference: real features and statistics, the floor, the extractor and the IS classifier."""

    features: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray
    floor: dict[str, Any]
    protocol: dict[str, Any]
    extractor: nn.Module
    classifier: BenchmarkModel | None  # None: the dataset has no class labels
    classifier_name: str
    device: torch.device
    domain_features: np.ndarray | None
    domain_protocol: dict[str, Any] | None

    @property
    def n(self) -> int:
        return len(self.features)

    def classify(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities of uint8 images under the domain classifier."""
        from benchmark.datasets.base import SplitArrays

        return predict(self.classifier, SplitArrays(images), 256, self.device, "IS classifier", progress=False)

    def domain(self, images: np.ndarray) -> np.ndarray:
        """Domain-feature vectors of uint8 images (see :func:`domain_features`)."""
        return domain_features(self.classifier, images, self.device)


@torch.no_grad()
def domain_features(classifier: BenchmarkModel, images: np.ndarray, device: torch.device) -> np.ndarray:
    """Pooled pre-logit features [N, D] of the dataset's own domain classifier (a timm ResNet-18).

    FID/KID on these features compare images in a space trained on the same medical data, beside ImageNet
    Inception features, which may miss what distinguishes a brain slice from a plausible-looking blur.
    """
    classifier.eval()
    x = torch.from_numpy(np.asarray(images, dtype=np.float32) / 255.0)
    net = classifier.net
    chunks = [net.forward_head(net.forward_features(c.to(device)), pre_logits=True).float().cpu() for c in x.split(256)]
    return torch.cat(chunks).numpy().astype(np.float64)


def _classifier_run(config: DatasetConfig, seed: int) -> RunConfig:
    return RunConfig(
        key=f"{CLASSIFIER_MODEL}-{config.name}-is_classifier",
        model=CLASSIFIER_MODEL,
        dataset=config.name,
        seed=seed,
        epochs=config.classifier_epochs,
        batch_size=32,
        scheduler="cosine",
        augment="flip_shift",  # a few hundred slices: without it the ResNet memorises the training slabs
    )


def build_reference(
    config: DatasetConfig, prepared_dir: Path, out_dir: Path, device: torch.device, seed: int, progress: bool = True
) -> dict[str, Any]:
    """Compute and write the reference of ``config.name`` (see module docstring); returns ``reference.json``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if config.reference_n == 0:
        info: dict[str, Any] = {
            "dataset": config.name,
            "reference_n": 0,
            "note": "no generative run uses this dataset in the active suite",
        }
        (out_dir / INFO).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
        return info
    pool = as_frames(load_split(prepared_dir, config.reference_split), read_meta(prepared_dir))
    n = min(config.reference_n, len(pool) // 2)
    if n < generation.FID_MIN_N:
        raise ConfigError(
            f"datasets.{config.name}.reference_n: only {len(pool)} images in split "
            f"{config.reference_split!r}, so N = {n} per half < {generation.FID_MIN_N} needed for FID; "
            "use reference_split: all or a larger dataset"
        )
    first, second = generation.disjoint_halves(len(pool), n, seed)
    extractor, extractor_info = load_fid_inception(device)
    feats = extract_features(
        np.concatenate([pool.images[np.sort(first)], pool.images[np.sort(second)]]),
        extractor,
        device=device,
        progress=progress,
    )
    half_a, half_b = feats[:n], feats[n:]
    floor = generation.real_vs_real_floor(half_a, half_b, seed=seed)
    protocol = generation.reference_protocol(
        extractor_info, config.name, config.reference_split, n, (config.image_size, config.image_size)
    )
    generation.save_reference_stats(out_dir / STATS, half_a, protocol)
    classifier_info = None
    if load_split(prepared_dir, "train").labels is not None:
        classifier_info = _train_classifier(config, prepared_dir, out_dir / CLASSIFIER, device, seed, progress)
        write_domain_stats(config, prepared_dir, out_dir, device, seed)
    info = {
        "dataset": config.name,
        "reference_n": n,
        "protocol": protocol,
        "floor": floor,
        "classifier": classifier_info,
    }
    (out_dir / INFO).write_text(json.dumps(info, indent=2, sort_keys=True, default=float) + "\n")
    return info


def write_domain_stats(
    config: DatasetConfig, prepared_dir: Path, out_dir: Path, device: torch.device, seed: int
) -> None:
    """Cache the domain classifier's features of the same real half whose Inception features are cached."""
    pool = as_frames(load_split(prepared_dir, config.reference_split), read_meta(prepared_dir))
    n = min(config.reference_n, len(pool) // 2)
    first, _ = generation.disjoint_halves(len(pool), n, seed)
    classifier = load_model(out_dir / CLASSIFIER / "model.pt", device)
    features = domain_features(classifier, pool.images[np.sort(first)], device)
    info = {"name": f"{CLASSIFIER_MODEL} domain classifier of {config.name} (pooled pre-logit features)"}
    protocol = generation.reference_protocol(
        {**info, "dims": int(features.shape[1])},
        config.name,
        config.reference_split,
        n,
        (config.image_size, config.image_size),
    )
    generation.save_reference_stats(out_dir / DOMAIN_STATS, features, protocol)


def _train_classifier(
    config: DatasetConfig, prepared_dir: Path, out_dir: Path, device: torch.device, seed: int, progress: bool
) -> dict[str, Any]:
    """Train the named domain classifier used for the Inception Score; returns its name and test accuracy."""
    meta = read_meta(prepared_dir)
    train_split, test_split = (as_frames(load_split(prepared_dir, split), meta) for split in ("train", "test"))
    run = _classifier_run(config, seed)
    spec = ModelSpec(CLASSIFIER_MODEL, meta["channels"], len(meta["classes"]), config.image_size, {})
    train(run, spec, train_split, None, device, out_dir, progress=progress)
    model = load_model(out_dir / "model.pt", device)
    probs = predict(model, test_split, 256, device, "IS classifier test", progress)
    accuracy = float((probs.argmax(1) == np.asarray(test_split.labels)).mean())
    return {
        "name": f"{CLASSIFIER_MODEL} trained on {config.name} labels ({', '.join(meta['classes'])}), "
        f"{run.epochs} epochs (cosine, flip_shift), seed {seed}",
        "test_accuracy": accuracy,
    }


def load_reference(ref_dir: Path, device: torch.device) -> Reference:
    """Load what :func:`build_reference` wrote; a missing reference names the stage that makes it."""
    info_path = ref_dir / INFO
    if not info_path.is_file():
        raise DataMissingError(f"{ref_dir}: no reference statistics; run `dvc repro` (stage reference) first")
    info = json.loads(info_path.read_text())
    if info["reference_n"] == 0:
        raise ConfigError(
            f"datasets.{info['dataset']}.reference_n is 0 but a generative run uses this dataset; "
            "set reference_n (e.g. 500) in the suite's datasets"
        )
    extractor, extractor_info = load_fid_inception(device)
    stored = info["protocol"]
    requested = generation.reference_protocol(
        extractor_info, stored["dataset"], stored["split"], stored["n"], stored["image_size"]
    )  # refuses statistics of other weights
    features, mu, sigma, protocol = generation.load_reference_stats(ref_dir / STATS, requested)
    if info["classifier"] is None:  # unlabelled dataset: Inception statistics only
        return Reference(features, mu, sigma, info["floor"], protocol, extractor, None, UNLABELLED, device, None, None)
    classifier = load_model(ref_dir / CLASSIFIER / "model.pt", device)
    domain_path = ref_dir / DOMAIN_STATS
    if not domain_path.is_file():
        raise DataMissingError(
            f"{ref_dir}: no domain-feature statistics; rerun `medbench reference {stored['dataset']}`"
        )
    with np.load(domain_path, allow_pickle=False) as data:
        domain_protocol = json.loads(str(data["protocol"]))
    domain, _, _, _ = generation.load_reference_stats(domain_path, domain_protocol)
    return Reference(
        features,
        mu,
        sigma,
        info["floor"],
        protocol,
        extractor,
        classifier,
        info["classifier"]["name"],
        device,
        domain,
        domain_protocol,
    )
