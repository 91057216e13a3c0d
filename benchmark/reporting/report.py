"""``reports/index.md`` and ``reports/index.html``: leaderboards, figures and provenance of one pipeline run.

Reads only params.yaml (as plain YAML), ``metrics/``, ``logs/`` and ``leaderboards/``.
"""

from __future__ import annotations

import hashlib
import html
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmark.io import write_text_atomic
from benchmark.reporting import figures
from benchmark.reporting.leaderboard import TASK_COLUMNS, leaderboard, markdown_table
from benchmark.reporting.published import MEDMNIST_RESNET18_28, MEDMNIST_V2
from benchmark.reporting.studies import arms_table, claim_paragraph, comparisons_table

VERSIONED = ("torch", "torchvision", "timm", "torchmetrics", "pytorch-fid", "numpy", "pandas", "seaborn", "dvc")
TASK_NOTES = {
    "classification": "Test split; macro averages over classes; AUROC is one-vs-rest on predicted probabilities.",
    "regression": "Test split; RMSE and MAE pooled over all test images (for mni152_slices: the slice's "
    "brain-tissue area fraction, 0 to 1).",
    "segmentation": "Test split; Dice, IoU and HD95 (pixels, lower is better) are means over foreground classes "
    "(background excluded); HD95 is averaged per image and class, Dice and IoU pool the pixels first.",
    "generation": "FID and KID use Inception pool3 features (the weights are named in each metrics file) of N "
    "samples against N real images; `*_real_floor` is the same metric between two disjoint real "
    "halves of N each, i.e. the best value reachable at this N. FID is strongly biased at small N: "
    "compare models at equal N only, and prefer KID (unbiased). The Inception Score uses a domain "
    "classifier trained on the same dataset (named in the metrics file), not ImageNet Inception. "
    "`fid_domain`/`kid_domain` use that domain classifier's pooled pre-logit features instead of Inception's "
    "(no real-vs-real floor; compare at equal N). Improved precision/recall (Kynkaenniemi et al. 2019, k = 3, "
    "Inception features) separate fidelity from coverage. Video generators (TGAN on `mni152_sequences`) are scored "
    "frame by frame (the first N frames of their clips as images, against N real frames) and by "
    "`frame_difference_gap`: |mean consecutive-frame difference of generated clips - that of the real clips| "
    "(0 is best).",
    "translation": "Test split, tissue mask <-> T1 slice: PSNR and SSIM of translated T1 images against the paired "
    "real ones, FID/KID of the translations against the cached real reference (N translations vs the reference's "
    "N, floor as for generation), Dice of translated masks (nearest grey level) against the real masks.",
}


@dataclass
class Section:
    """A titled block of the report: paragraphs, an optional table and figures (paths relative to reports/)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: pd.DataFrame | None = None
    figures: list[tuple[str, str]] = field(default_factory=list)  # (caption, relative path)
    after: list[tuple[str, pd.DataFrame]] = field(default_factory=list)  # (lead-in paragraph, table) below figures


def git_commit(root: Path) -> str:
    """``HEAD`` of the repository at ``root`` (with ``+dirty`` for uncommitted changes), or ``unknown``."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def provenance(params_path: Path, suite: str) -> Section:
    """Commit, params hash, suite and package versions."""
    versions = []
    for name in VERSIONED:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    digest = hashlib.sha256(params_path.read_bytes()).hexdigest()[:16]
    return Section(
        "Provenance",
        [
            f"Git commit: `{git_commit(params_path.parent)}`; suite: `{suite}`; params.yaml sha256: `{digest}`.",
            "Packages: " + ", ".join(versions) + ".",
            "Wall times, devices and hosts of each run are in `logs/runs/<run>/*_info.json` (kept out of the metrics).",
        ],
    )


def run_sections(task: str, records: list[dict[str, Any]], logs: Path, fig_dir: Path) -> list[Section]:
    """One section per run of ``task``: training curves plus the task's figure."""
    sections = []
    for record in records:
        run = record["run"]
        section = Section(f"{run}", [_protocol_line(record)])
        history = logs / "history" / f"{run}.csv"
        if history.is_file():
            path = figures.training_curves(
                pd.read_csv(history), f"{run}: training history", fig_dir / f"{run}_history.png"
            )
            section.figures.append(("training history", _rel(path, fig_dir)))
        artifacts_path = logs / "runs" / run / "artifacts.npz"
        if artifacts_path.is_file():
            with np.load(artifacts_path) as artifacts:
                section.figures.extend(_task_figures(task, run, artifacts, fig_dir))
        sections.append(section)
    return sections


def _task_figures(task: str, run: str, artifacts: Any, fig_dir: Path) -> list[tuple[str, str]]:
    if task == "classification":
        if "confusion_matrix" not in artifacts:  # multi-label runs have per-label scores, no confusion matrix
            return []
        path = figures.confusion_matrix(
            artifacts["confusion_matrix"],
            [str(c) for c in artifacts["classes"]],
            f"{run}: confusion matrix",
            fig_dir / f"{run}_confusion.png",
        )
        return [("confusion matrix (row-normalised)", _rel(path, fig_dir))]
    if task == "regression":
        path = figures.regression_scatter(
            artifacts["targets"], artifacts["predictions"], f"{run}: test predictions", fig_dir / f"{run}_scatter.png"
        )
        return [("predicted against true value", _rel(path, fig_dir))]
    if task == "segmentation":
        path = figures.segmentation_examples(
            artifacts["images"],
            artifacts["targets"],
            artifacts["predictions"],
            f"{run}: test examples",
            fig_dir / f"{run}_examples.png",
        )
        return [("test examples", _rel(path, fig_dir))]
    path = figures.image_grid(artifacts["samples"], f"{run}: samples", fig_dir / f"{run}_samples.png")
    return [("samples (seeded, not cherry-picked)", _rel(path, fig_dir))]


def _rel(path: Path, fig_dir: Path) -> str:
    return f"{fig_dir.name}/{path.name}"


def _protocol_line(record: dict[str, Any]) -> str:
    proto = record["protocol"]
    keys = ("split", "n", "seed", "epochs", "batch_size", "optimizer", "lr", "image_size", "train_n")
    text = ", ".join(f"{k} {proto[k]}" for k in keys if k in proto)
    data = "SYNTHETIC data" if record.get("synthetic_data") else "real data"
    extractor = proto.get("feature_extractor")
    extra = f"; features: {extractor.get('name', extractor)}" if isinstance(extractor, dict) else ""
    return f"Model `{record['model']}` ({record['family']}) on `{record['dataset']}` ({data}): {text}{extra}."


def study_sections(studies: list[dict[str, Any]], fig_dir: Path) -> list[Section]:
    """One section per study: arms table (mean ± sd, 95% CI), seed plot, and the survey claim with effect sizes."""
    sections = []
    for record in studies:
        section = Section(f"Study: {record['title']}")
        proto = record["protocol"]
        section.paragraphs.append(
            f"Study `{record['study']}` ({record['task']}): {len(record['arms'])} arms x {len(record['seeds'])} seeds "
            f"({', '.join(map(str, record['seeds']))}); {proto['epochs']} epochs, batch {proto['batch_size']}; "
            f"metric `{record['metric']}` on the {proto['eval_split']} split. {record.get('notes', '')}".rstrip()
        )
        section.table = arms_table(record)
        path = figures.study_results(record, fig_dir / f"study_{record['study']}.png")
        section.figures.append(("per-seed values, mean and 95% CI per arm", _rel(path, fig_dir)))
        claim, comparisons = claim_paragraph(record), comparisons_table(record)
        if claim is not None and comparisons is not None:
            section.after.append((claim, comparisons))
        sections.append(section)
    return sections


def medmnist_section(records: list[dict[str, Any]]) -> Section:
    """Published MedMNIST v2 ResNet-18 (28) test AUC / ACC beside ours, one row per replicated run (every row is
    shown; runs the active suite did not evaluate say so)."""
    by_run = {r["run"]: r for r in records}
    rows = []
    for paper in MEDMNIST_RESNET18_28:
        ours = by_run.get(paper.run, {}).get("metrics", {})
        auc, acc = ours.get("auroc"), ours.get("accuracy")
        status = "ours" if paper.run in by_run else "not run in this suite"
        rows.append(
            {
                "run": paper.run,
                "paper AUC": paper.auc,
                "our AUC": auc,
                "AUC diff": None if auc is None else auc - paper.auc,
                "paper ACC": paper.acc,
                "our ACC": acc,
                "ACC diff": None if acc is None else acc - paper.acc,
                "status": status,
                "published value": "verified" if paper.verified else paper.note,
            }
        )
    lead = (
        f"Published: {MEDMNIST_V2} (test split; Adam 1e-3, 100 epochs, batch 128, MultiStepLR x0.1 at 50% and 75%, "
        "epoch of best validation AUC). Ours: the same recipe on the official MedMNIST splits at 28 px "
        "(`select_by: auroc`)."
    )
    paragraphs = [lead]
    if not any(paper.run in by_run for paper in MEDMNIST_RESNET18_28):
        paragraphs.append(
            "None of these runs is in the active suite; `medbench suite full` (then `dvc repro`, on a GPU) trains "
            "and evaluates them."
        )
    return Section("MedMNIST v2: paper vs ours", paragraphs, pd.DataFrame(rows))


def build_sections(
    records: list[dict[str, Any]],
    params_path: Path,
    suite: str,
    logs: Path,
    fig_dir: Path,
    studies: list[dict[str, Any]] | None = None,
) -> list[Section]:
    """The report's sections: provenance, per task a leaderboard and per-run figures, the MedMNIST v2 replication
    (paper vs ours), then the studies."""
    sections = [provenance(params_path, suite)]
    for task in TASK_COLUMNS:
        task_records = [r for r in records if r["task"] == task]
        if not task_records:
            continue
        board = leaderboard(records, task)
        overview = Section(f"{task.capitalize()}", [TASK_NOTES[task]], board)
        if task == "generation":
            path = figures.fid_against_floor(board, fig_dir / "generation_fid_floor.png")
            overview.figures.append(("FID against the real-vs-real floor", _rel(path, fig_dir)))
        sections.append(overview)
        sections.extend(run_sections(task, task_records, logs, fig_dir))
    sections.append(medmnist_section(records))
    sections.extend(study_sections(studies or [], fig_dir))
    return sections


def to_markdown(sections: list[Section], title: str) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        if section.table is not None:
            lines += [markdown_table(section.table)]
        for caption, path in section.figures:
            lines += [f"![{caption}]({path})", ""]
        for paragraph, table in section.after:
            lines += [paragraph, "", markdown_table(table)]
    return "\n".join(lines).rstrip() + "\n"


def to_html(sections: list[Section], title: str) -> str:
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:13px}img{max-width:100%}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        parts += [f"<p>{html.escape(p)}</p>" for p in section.paragraphs]
        if section.table is not None:
            parts.append(section.table.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep=""))
        parts += [
            f"<figure><img src='{html.escape(p)}' alt='{html.escape(c)}'><figcaption>{html.escape(c)}"
            "</figcaption></figure>"
            for c, p in section.figures
        ]
        for paragraph, table in section.after:
            parts += [f"<p>{html.escape(paragraph)}</p>", table.to_html(index=False, na_rep="")]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(
    records: list[dict[str, Any]],
    params_path: Path,
    suite: str,
    logs: Path,
    out_dir: Path,
    studies: list[dict[str, Any]] | None = None,
) -> Path:
    """Render the report into ``out_dir`` (index.md, index.html, figures/)."""
    sections = build_sections(records, params_path, suite, logs, out_dir / "figures", studies)
    title = f"medbench report: suite {suite}"
    write_text_atomic(out_dir / "index.md", to_markdown(sections, title))
    write_text_atomic(out_dir / "index.html", to_html(sections, title))
    return out_dir / "index.md"
