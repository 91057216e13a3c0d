"""Trained run -> metrics record. One evaluator per task, chosen by the model's task (not by its name)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from benchmark.config import DatasetConfig, RunConfig
from benchmark.datasets.base import SplitArrays, as_frames, load_split, read_meta
from benchmark.evaluation.predict import predict, sample_images, to_uint8
from benchmark.evaluation.reference import load_reference
from benchmark.metrics import generation, temporal
from benchmark.metrics.inception import extract_features
from benchmark.metrics.precision_recall import PR_K, precision_recall
from benchmark.metrics.scoring import score_classification, score_multilabel, score_regression, score_segmentation
from benchmark.models import BenchmarkModel
from benchmark.models.base import AutoencoderModel, GenerativeModel, TranslationModel
from benchmark.registry import METRICS
from benchmark.training.data import make_loader

EVAL_SPLIT = "test"
N_EXAMPLES = 16  # images kept for the report's example figures


@dataclass
class Evaluation:
    """Metrics and protocol for ``metrics/<run>.json``, plus arrays the report draws (never metrics)."""

    metrics: dict[str, float]
    protocol: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class EvalContext:
    """Everything an evaluator may read."""

    run: RunConfig
    dataset: DatasetConfig
    prepared_dir: Path
    reference_dir: Path
    device: torch.device
    progress: bool = True


def evaluate_classifier(model: BenchmarkModel, ctx: EvalContext) -> Evaluation:
    """Test-split class probabilities scored by the registered classification metrics (multi-label metrics for
    multi-hot labels)."""
    data = load_split(ctx.prepared_dir, EVAL_SPLIT)
    probs = predict(model, data, ctx.run.eval_batch_size, ctx.device, f"{ctx.run.key} test", ctx.progress)
    if np.ndim(data.labels) == 2:  # multi-hot labels: MedMNIST's multi-label rules, per-label scores
        scored = score_multilabel(np.asarray(data.labels), probs)
        return Evaluation(scored.pop("metrics"), {"split": EVAL_SPLIT, **scored.pop("protocol")}, scored)
    scored = score_classification(np.asarray(data.labels), probs=probs, num_classes=probs.shape[1])
    confusion = np.asarray(scored.pop("confusion_matrix"), dtype=np.int64)
    classes = np.asarray(read_meta(ctx.prepared_dir)["classes"])
    return Evaluation(
        scored.pop("metrics"),
        {"split": EVAL_SPLIT, **scored.pop("protocol")},
        scored,
        {"confusion_matrix": confusion, "classes": classes},
    )


def evaluate_segmenter(model: BenchmarkModel, ctx: EvalContext) -> Evaluation:
    """Test-split arg-max masks scored by the registered segmentation metrics (background excluded)."""
    data = load_split(ctx.prepared_dir, EVAL_SPLIT)
    masks = predict(model, data, ctx.run.eval_batch_size, ctx.device, f"{ctx.run.key} test", ctx.progress)
    num_classes = len(read_meta(ctx.prepared_dir)["mask_classes"])
    scored = score_segmentation(np.asarray(data.masks), masks, num_classes=num_classes)
    pick = np.linspace(0, len(data) - 1, min(N_EXAMPLES, len(data))).astype(int)
    artifacts = {
        "images": np.asarray(data.images[pick]),
        "targets": np.asarray(data.masks[pick]),
        "predictions": masks[pick].astype(np.uint8),
    }
    return Evaluation(scored.pop("metrics"), {"split": EVAL_SPLIT, **scored.pop("protocol")}, scored, artifacts)


def evaluate_regressor(model: BenchmarkModel, ctx: EvalContext) -> Evaluation:
    """Test-split predicted values scored by the registered regression metrics (RMSE, MAE)."""
    data = load_split(ctx.prepared_dir, EVAL_SPLIT)
    values = predict(model, data, ctx.run.eval_batch_size, ctx.device, f"{ctx.run.key} test", ctx.progress)
    scored = score_regression(np.asarray(data.values, dtype=np.float64), values.astype(np.float64))
    artifacts = {"targets": np.asarray(data.values), "predictions": values.astype(np.float32)}
    return Evaluation(scored["metrics"], {"split": EVAL_SPLIT, **scored["protocol"]}, artifacts=artifacts)


def evaluate_generator(model: GenerativeModel, ctx: EvalContext) -> Evaluation:
    """FID, KID and improved precision/recall of N samples against the cached real reference (with the real-vs-real
    floor at the same N), IS from the dataset's named domain classifier, and PSNR/SSIM of test reconstructions for
    autoencoders. A video generator's clips are scored frame by frame (frames as images, the first N frames of
    ceil(N / T) clips) plus the consecutive-frame difference gap to the dataset's real clips."""
    ref = load_reference(ctx.reference_dir, ctx.device)
    n = ref.n
    meta = read_meta(ctx.prepared_dir)
    frames = meta.get("frames", 1)
    clips = sample_images(model, -(-n // frames), seed=ctx.run.seed, batch_size=ctx.run.eval_batch_size)
    samples = as_frames(SplitArrays(clips), meta).images[:n]
    fake = extract_features(samples, ref.extractor, device=ctx.device, progress=ctx.progress)
    mu, sigma = generation.feature_stats(fake)
    kid_mean, kid_std = generation.kernel_inception_distance(ref.features, fake, seed=ctx.run.seed)
    precision, recall = precision_recall(ref.features, fake, PR_K)
    metrics = {
        "fid": generation.fid_from_stats(ref.mu, ref.sigma, n, mu, sigma, len(fake)),  # refuses N < FID_MIN_N
        "kid": kid_mean,
        "kid_std": kid_std,
        "improved_precision": precision,
        "improved_recall": recall,
        "fid_real_floor": ref.floor["fid"],
        "kid_real_floor": ref.floor["kid_mean"],
    }
    protocol = {
        **ref.protocol,
        "seed": ctx.run.seed,
        "feature_extractor": ref.protocol["extractor"],
        "kid_subset_size": generation.kid_subset_size(n, n, generation.KID_SUBSET_SIZE),
        "inception_score_classifier": ref.classifier_name,
        "precision_recall_k": PR_K,
    }
    if ref.classifier is not None:  # labelled datasets: IS and domain-feature FID/KID from the domain classifier
        is_mean, is_std = generation.inception_score(ref.classify(samples), splits=min(10, n // 10 or 1))
        domain_fake = ref.domain(samples)
        domain_kid, _ = generation.kernel_inception_distance(ref.domain_features, domain_fake, seed=ctx.run.seed)
        metrics.update(
            inception_score=is_mean,
            inception_score_std=is_std,
            fid_domain=generation.fid_from_features(ref.domain_features, domain_fake),
            kid_domain=domain_kid,
        )
        protocol["domain_extractor"] = ref.domain_protocol["extractor"]
        protocol["domain_feature_dims"] = ref.domain_protocol["extractor"]["dims"]
    del protocol["extractor"]
    if "frames_axis" in meta:
        gap = temporal.FrameDifferenceGap(meta["frames_axis"])
        gap.update(np.asarray(load_split(ctx.prepared_dir, ctx.dataset.reference_split).images), real=True)
        gap.update(clips, real=False)
        metrics.update(gap.compute())
        protocol["frames"] = frames
        protocol["n_clips"] = len(clips)
        protocol["per_frame_metrics"] = f"FID/KID/IS/precision/recall on the first N = {n} frames as images"
        protocol["temporal"] = (
            "mean |x[t+1] - x[t]| (intensity in [0, 1]) of generated clips vs all clips of the reference split "
            f"({ctx.dataset.reference_split})"
        )
    if isinstance(model, AutoencoderModel):
        data = load_split(ctx.prepared_dir, EVAL_SPLIT)
        images = torch.from_numpy(np.asarray(data.images, dtype=np.float32) / 255.0)
        recon = torch.cat(
            [model.reconstruct(chunk.to(ctx.device)).float().cpu() for chunk in images.split(ctx.run.eval_batch_size)]
        )
        recon = recon.clamp(0, 1)
        metrics["psnr"] = float(generation.psnr_per_image(recon, images).mean())
        metrics["ssim"] = float(generation.ssim_per_image(recon, images).mean())
        protocol["reconstruction_split"] = EVAL_SPLIT
        protocol["reconstruction_n"] = len(images)
    return Evaluation(metrics, protocol, artifacts={"samples": samples[:64]})


@torch.no_grad()
def evaluate_translator(model: TranslationModel, ctx: EvalContext) -> Evaluation:
    """Test-split translations: PSNR/SSIM against the paired T1 images and FID/KID of the translated images
    against the cached real reference (mask -> image), Dice of the translated masks (image -> mask)."""
    data = load_split(ctx.prepared_dir, EVAL_SPLIT)
    model.eval()
    outputs: dict[str, list[torch.Tensor]] = {}
    for batch in make_loader(data, ctx.run.eval_batch_size, shuffle=False):
        for key, value in model.translate({k: v.to(ctx.device) for k, v in batch.items()}).items():
            outputs.setdefault(key, []).append(value.float().clamp(0, 1).cpu())
    translated = {key: torch.cat(chunks) for key, chunks in outputs.items()}
    metrics: dict[str, float] = {}
    protocol: dict[str, Any] = {"split": EVAL_SPLIT, "n": len(data), "directions": sorted(translated)}
    artifacts: dict[str, np.ndarray] = {}
    if "mask" in translated:
        masks = model.to_mask(translated["mask"]).numpy()
        scored = score_segmentation(np.asarray(data.masks), masks, num_classes=model.num_mask_classes)
        metrics["dice"] = scored["metrics"]["dice"]
        protocol["mask_quantisation"] = "nearest grey level of mask / (classes - 1)"
        artifacts["samples"] = to_uint8(translated["mask"][:64])
    if "image" in translated:
        images = torch.from_numpy(np.asarray(data.images, dtype=np.float32) / 255.0)
        fake = translated["image"]
        metrics["psnr"] = float(generation.psnr_per_image(fake, images).mean())
        metrics["ssim"] = float(generation.ssim_per_image(fake, images).mean())
        ref = load_reference(ctx.reference_dir, ctx.device)
        samples = to_uint8(fake)
        features = extract_features(samples, ref.extractor, device=ctx.device, progress=ctx.progress)
        mu, sigma = generation.feature_stats(features)
        metrics["fid"] = generation.fid_from_stats(ref.mu, ref.sigma, ref.n, mu, sigma, len(features))
        metrics["kid"], metrics["kid_std"] = generation.kernel_inception_distance(
            ref.features, features, seed=ctx.run.seed
        )
        metrics["fid_real_floor"] = ref.floor["fid"]
        protocol.update({k: v for k, v in ref.protocol.items() if k != "extractor"})
        protocol.update({"feature_extractor": ref.protocol["extractor"], "n_translated": len(features), "n": len(data)})
        artifacts["samples"] = samples[:64]
    return Evaluation(metrics, protocol, artifacts=artifacts)


EVALUATORS: dict[str, Callable[[Any, EvalContext], Evaluation]] = {
    "classification": evaluate_classifier,
    "segmentation": evaluate_segmenter,
    "regression": evaluate_regressor,
    "generation": evaluate_generator,
    "translation": evaluate_translator,
}


def evaluate(model: BenchmarkModel, ctx: EvalContext) -> Evaluation:
    """Run the evaluator of the model's task."""
    return EVALUATORS[model.task](model, ctx)


def metrics_record(
    ctx: EvalContext, model_meta: dict[str, Any], result: Evaluation, dataset_meta: dict[str, Any]
) -> dict[str, Any]:
    """The JSON written to ``metrics/<run>.json``: deterministic (no times, dates or host names), rounded."""
    run = ctx.run
    return rounded(
        {
            "run": run.key,
            "model": run.model,
            "dataset": run.dataset,
            "task": model_meta["task"],
            "family": model_meta["family"],
            "synthetic_data": bool(dataset_meta.get("synthetic", False)),
            "metrics": result.metrics,
            "higher_is_better": {
                name: METRICS.get(name).meta["higher_is_better"] for name in result.metrics if name in METRICS
            },
            "protocol": {
                **result.protocol,
                "seed": run.seed,
                "epochs": run.epochs,
                "batch_size": run.batch_size,
                "optimizer": run.optimizer,
                "lr": run.lr,
                "image_size": ctx.dataset.image_size,
                "train_n": dataset_meta["splits"]["train"],
            },
            **result.extra,
        }
    )


def rounded(value: Any) -> Any:
    """Floats rounded to 6 decimals, recursively (stable, readable diffs)."""
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [rounded(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    return value
