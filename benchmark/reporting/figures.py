"""Report figures (seaborn/matplotlib, Agg backend), each drawn from files the pipeline wrote."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

SAVE = {"dpi": 110, "bbox_inches": "tight", "metadata": {"Software": None}}  # no version stamp: stable bytes


def _save(fig: plt.Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, **SAVE)
    plt.close(fig)
    return path


def training_curves(history: pd.DataFrame, title: str, path: Path) -> Path:
    """Every logged quantity per epoch, train and validation side by side."""
    long = history.melt(id_vars="epoch", var_name="series", value_name="value").dropna()
    long["split"] = long["series"].str.split("_").str[0]
    long["quantity"] = long["series"].str.split("_", n=1).str[1]
    grid = sns.relplot(
        data=long,
        x="epoch",
        y="value",
        hue="split",
        col="quantity",
        kind="line",
        marker="o",
        col_wrap=min(3, long["quantity"].nunique()),
        height=2.6,
        facet_kws={"sharey": False},
    )
    grid.figure.suptitle(title, y=1.03)
    return _save(grid.figure, path)


def confusion_matrix(matrix: np.ndarray, classes: list[str], title: str, path: Path) -> Path:
    """Row-normalised confusion matrix heatmap (rows: true class)."""
    norm = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(0.55 * len(classes) + 2.5, 0.5 * len(classes) + 2))
    sns.heatmap(
        norm,
        annot=len(classes) <= 12,
        fmt=".2f",
        cmap="Blues",
        vmin=0,
        vmax=1,
        ax=ax,
        xticklabels=classes,
        yticklabels=classes,
        cbar_kws={"label": "fraction of true class"},
    )
    ax.set(xlabel="predicted", ylabel="true", title=title)
    return _save(fig, path)


def image_grid(images: np.ndarray, title: str, path: Path, columns: int = 8) -> Path:
    """uint8 images [N, C, H, W] tiled in a grid (grey or RGB)."""
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 0.9 + 0.4), squeeze=False)
    for ax, image in zip(axes.flat, images):
        ax.imshow(image[0] if image.shape[0] == 1 else image.transpose(1, 2, 0), cmap="gray", vmin=0, vmax=255)
    for ax in axes.flat:
        ax.axis("off")
    fig.suptitle(title)
    return _save(fig, path)


def segmentation_examples(
    images: np.ndarray, targets: np.ndarray, predictions: np.ndarray, title: str, path: Path, count: int = 6
) -> Path:
    """Image, ground truth and prediction for ``count`` test examples."""
    count = min(count, len(images))
    fig, axes = plt.subplots(3, count, figsize=(count * 1.4, 4.6), squeeze=False)
    top = max(int(targets.max()), int(predictions.max()), 1)
    for i in range(count):
        for row, (array, cmap, vmax) in enumerate(
            ((images[i, 0], "gray", 255), (targets[i], "viridis", top), (predictions[i], "viridis", top))
        ):
            axes[row, i].imshow(array, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
            axes[row, i].axis("off")
    for row, label in enumerate(("image", "target", "prediction")):
        axes[row, 0].set_title(label, loc="left", fontsize=8)
    fig.suptitle(title)
    return _save(fig, path)


def fid_against_floor(frame: pd.DataFrame, path: Path) -> Path:
    """Each generative run's FID beside the real-vs-real floor at the same N."""
    long = frame.melt(id_vars="run", value_vars=["fid", "fid_real_floor"], var_name="measure", value_name="FID")
    long["measure"] = long["measure"].map({"fid": "model vs real", "fid_real_floor": "real vs real (floor)"})
    fig, ax = plt.subplots(figsize=(max(4, 1.6 * len(frame)), 3))
    sns.barplot(data=long, x="run", y="FID", hue="measure", ax=ax)
    ax.set(xlabel="", title="FID at the recorded N (lower is better; the floor is what N allows)")
    return _save(fig, path)


def study_results(record: dict, path: Path) -> Path:
    """Per-seed values of the study's metric per arm, with each arm's mean and 95% confidence interval."""
    metric = record["metric"]
    arms = list(record["arms"])
    points = pd.DataFrame(
        [(arm, value) for arm in arms for value in record["arms"][arm]["values"]], columns=["arm", metric]
    )
    summaries = [record["arms"][arm]["summary"][metric] for arm in arms]
    fig, ax = plt.subplots(figsize=(max(4, 0.9 * len(arms) + 1.5), 3.2))
    sns.stripplot(data=points, x="arm", y=metric, order=arms, color="0.45", size=4, jitter=0.12, ax=ax)
    means = [s["mean"] for s in summaries]
    errors = [[s["mean"] - s["ci_low"] for s in summaries], [s["ci_high"] - s["mean"] for s in summaries]]
    ax.errorbar(range(len(arms)), means, yerr=errors, fmt="o", color="C3", capsize=4, label="mean, 95% CI")
    better = "higher" if record["higher_is_better"] else "lower"
    ax.set(xlabel="", title=f"{record['title']} ({better} {metric} is better)")
    ax.tick_params(axis="x", rotation=30 if len(arms) > 4 else 0)
    ax.legend(loc="best", fontsize=8)
    return _save(fig, path)
