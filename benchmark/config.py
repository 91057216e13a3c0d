"""Typed, validated view of ``params.yaml``.

``params.yaml`` holds three suites (``default``, ``quick``, ``full``) under ``suites``. DVC cannot choose a suite by
name inside ``dvc.yaml`` templates, so the active suite is *materialised* into the top-level ``datasets``, ``runs``
and ``studies`` mappings that the ``foreach`` stages iterate; ``medbench suite NAME`` rewrites them and every stage
checks that they still match ``suites[suite]``. Every bad key or value raises :class:`ConfigError` with one line
naming it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from benchmark.errors import ConfigError

SUITES = ("default", "quick", "full")
DEVICES = ("auto", "cpu", "cuda")
OPTIMIZERS = ("sgd", "momentum", "adagrad", "rmsprop", "adam", "adadelta")
SCHEDULERS = ("none", "cosine", "multistep")
AUGMENTATIONS = ("none", "flip_shift")  # see benchmark/training/augment.py
SLICE_MODES = ("2d", "2.5d")  # see benchmark/datasets/formats.py volume_slices


@dataclass(frozen=True)
class DatasetConfig:
    """How one dataset is prepared and, for generative runs, which real images form the reference set."""

    name: str
    image_size: int
    train_size: int | None = None
    val_fraction: float = 0.1
    reference_split: str = "test"
    reference_n: int = 0  # 0: no generative run uses this dataset, no Inception statistics
    classifier_epochs: int = 2  # epochs of the named domain classifier used for the Inception Score
    channels: int | None = None  # 1 (grey) or 3 (RGB); None keeps the dataset's native channel count
    slices: str = "2d"  # volumes: "2d" one slice per image, "2.5d" each slice with its two neighbours as channels
    frames: int = 8  # sequence datasets: frames (consecutive slices) per clip


@dataclass(frozen=True)
class RunConfig:
    """One training run: a registered model on a registered dataset under one seed and budget."""

    key: str
    model: str
    dataset: str
    seed: int
    epochs: int
    batch_size: int
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    scheduler: str = "none"
    augment: str = "none"
    model_args: dict[str, Any] = field(default_factory=dict)
    eval_batch_size: int = 256
    synthetic: dict[str, Any] = field(default_factory=dict)  # {generator, fraction}; see training/synthetic.py
    init_from: str = (
        ""  # transfer learning: a run of the suite (in a study: an earlier arm) whose weights start this one
    )
    trainable_layers: int = 0  # > 0: freeze all but the last this many layers with parameters (0: train all)
    bn_recalibration: bool = True  # precise BatchNorm statistics after each epoch; see training/batchnorm.py
    select_by: str = ""  # a classification metric: keep the epoch of best validation score ("": the last epoch)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (recorded in checkpoints and metrics files)."""
        record = asdict(self)
        record["betas"] = list(self.betas)
        return record


@dataclass(frozen=True)
class StudyConfig:
    """A controlled comparison: arms (run settings that differ in one factor) trained under several seeds.

    ``arms`` holds one fully validated run per arm (its ``seed`` is replaced by each of ``seeds``); ``metric`` is the
    headline metric of the task's evaluator; ``claim`` is the survey's statement the report checks (see
    :func:`benchmark.stats.judge_claim`), or ``None``.
    """

    name: str
    title: str
    metric: str
    seeds: tuple[int, ...]
    arms: dict[str, RunConfig]
    claim: dict[str, Any] | None = None
    notes: str = ""


@dataclass(frozen=True)
class Params:
    """The whole validated parameter file."""

    suite: str
    seed: int
    device: str
    num_workers: int
    datasets: dict[str, DatasetConfig]
    runs: dict[str, RunConfig]
    studies: dict[str, StudyConfig]
    raw: dict[str, Any]


def _typed(cls: type, key: str, values: dict[str, Any], extra: dict[str, Any]) -> Any:
    """Build dataclass ``cls`` from ``values``; an unknown field names the key and the valid ones."""
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        valid = ", ".join(sorted(names - set(extra)))
        raise ConfigError(f"{key}: unknown setting {unknown[0]!r}; valid settings: {valid}")
    try:
        return cls(**extra, **values)
    except TypeError as err:
        raise ConfigError(f"{key}: {err}") from None


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def parse_run(key: str, spec: dict[str, Any], seed: int, where: str | None = None) -> RunConfig:
    """Validate one run spec; model and dataset names are checked against the registries."""
    from benchmark import DATASETS, MODELS  # registries populated on package import

    where = where or f"runs.{key}"
    _check(isinstance(spec, dict), f"{where}: expected a mapping of settings, got {type(spec).__name__}")
    spec = dict(spec)
    if "betas" in spec:
        spec["betas"] = tuple(spec["betas"])
    spec.setdefault("seed", seed)
    for required in ("model", "dataset", "epochs", "batch_size"):
        _check(required in spec, f"{where}: missing required setting {required!r}")
    run = _typed(RunConfig, where, spec, {"key": key})
    MODELS.get(run.model, key=f"{where}.model")
    DATASETS.get(run.dataset, key=f"{where}.dataset")
    _check(
        run.optimizer in OPTIMIZERS,
        f"{where}.optimizer: invalid value {run.optimizer!r}; valid choices: {', '.join(OPTIMIZERS)}",
    )
    _check(
        run.scheduler in SCHEDULERS,
        f"{where}.scheduler: invalid value {run.scheduler!r}; valid choices: {', '.join(SCHEDULERS)}",
    )
    _check(
        run.augment in AUGMENTATIONS,
        f"{where}.augment: invalid value {run.augment!r}; valid choices: {', '.join(AUGMENTATIONS)}",
    )
    for name in ("epochs", "batch_size", "eval_batch_size"):
        value = getattr(run, name)
        _check(
            isinstance(value, int) and value >= 1, f"{where}.{name}: invalid value {value!r}; expected an integer >= 1"
        )
    _check(
        isinstance(run.lr, (int, float)) and run.lr > 0, f"{where}.lr: invalid value {run.lr!r}; expected a number > 0"
    )
    _check(isinstance(run.model_args, dict), f"{where}.model_args: expected a mapping, got {run.model_args!r}")
    check_synthetic(run.synthetic, f"{where}.synthetic", run.dataset, run.seed)
    _check(
        isinstance(run.trainable_layers, int) and run.trainable_layers >= 0,
        f"{where}.trainable_layers: invalid value {run.trainable_layers!r}; expected an integer >= 0 (0: train all)",
    )
    _check(isinstance(run.init_from, str), f"{where}.init_from: invalid value {run.init_from!r}; expected a run key")
    _check(
        isinstance(run.bn_recalibration, bool),
        f"{where}.bn_recalibration: invalid value {run.bn_recalibration!r}; expected true or false",
    )
    _check_select_by(f"{where}.select_by", run.select_by, run.model)
    return run


def _check_select_by(where: str, metric: Any, model: str) -> None:
    """``select_by``: empty (keep the last epoch) or a classification metric, for a classification model."""
    from benchmark import METRICS

    if metric == "":
        return
    valid = METRICS.names(task="classification") + METRICS.names(task="multilabel")
    _check(
        _task(model) == "classification",
        f'{where}: model {model!r} is not a classifier; selection by a validation metric needs one (use "")',
    )
    _check(
        metric in valid,
        f'{where}: invalid value {metric!r}; valid choices: {", ".join(valid)} (or "" for the last epoch)',
    )


def check_synthetic(spec: Any, where: str, dataset: str, seed: int) -> None:
    """``synthetic: {generator: RUN SETTINGS, fraction: F}``: a valid class-conditional run and 0 < F < 1."""
    from benchmark import MODELS

    _check(isinstance(spec, dict), f"{where}: expected a mapping, got {spec!r}")
    if not spec:
        return
    unknown = sorted(set(spec) - {"generator", "fraction"})
    _check(
        not unknown, f"{where}: unknown setting {unknown[0] if unknown else ''!r}; valid settings: fraction, generator"
    )
    _check("generator" in spec and "fraction" in spec, f"{where}: needs both generator and fraction")
    fraction = spec["fraction"]
    _check(
        isinstance(fraction, (int, float)) and 0 < fraction < 1,
        f"{where}.fraction: invalid value {fraction!r}; expected a number in (0, 1)",
    )
    generator = spec["generator"]
    _check(isinstance(generator, dict), f"{where}.generator: expected a mapping of run settings, got {generator!r}")
    for fixed in ("dataset", "seed", "synthetic"):
        _check(fixed not in generator, f"{where}.generator: {fixed!r} is the augmented run's, not set here")
    conditional = MODELS.names(conditional=True)
    _check(
        generator.get("model") in conditional,
        f"{where}.generator.model: invalid value {generator.get('model')!r}; class-conditional choices: "
        + ", ".join(conditional),
    )
    parse_run("generator", {**generator, "dataset": dataset}, seed, where=f"{where}.generator")


def parse_dataset(name: str, spec: dict[str, Any]) -> DatasetConfig:
    """Validate one dataset spec; the name is checked against the dataset registry."""
    from benchmark import DATASETS

    where = f"datasets.{name}"
    DATASETS.get(name, key="datasets")
    _check(isinstance(spec, dict), f"{where}: expected a mapping of settings, got {type(spec).__name__}")
    _check("image_size" in spec, f"{where}: missing required setting 'image_size'")
    config = _typed(DatasetConfig, where, spec, {"name": name})
    _check(
        isinstance(config.image_size, int) and 8 <= config.image_size <= 1024,
        f"{where}.image_size: invalid value {config.image_size!r}; expected an integer in [8, 1024]",
    )
    _check(
        config.reference_split in ("train", "val", "test", "all"),
        f"{where}.reference_split: invalid value {config.reference_split!r}; valid choices: train, val, test, all",
    )
    _check(
        config.channels in (None, 1, 3),
        f"{where}.channels: invalid value {config.channels!r}; valid choices: 1, 3 (or leave unset for native)",
    )
    _check(
        config.slices in SLICE_MODES,
        f"{where}.slices: invalid value {config.slices!r}; valid choices: {', '.join(SLICE_MODES)}",
    )
    _check(
        isinstance(config.frames, int) and 2 <= config.frames <= 64,
        f"{where}.frames: invalid value {config.frames!r}; expected an integer in [2, 64]",
    )
    _check(
        0.0 <= config.val_fraction < 0.5,
        f"{where}.val_fraction: invalid value {config.val_fraction!r}; expected a number in [0, 0.5)",
    )
    return config


STUDY_KEYS = ("title", "base", "arms", "seeds", "metric", "claim", "notes")


def parse_study(name: str, spec: Any, seed: int) -> StudyConfig:
    """Validate one study: every arm is ``base`` updated by the arm's overrides, validated as a run."""
    from benchmark.stats import CLAIM_KINDS

    where = f"studies.{name}"
    _check(isinstance(spec, dict), f"{where}: expected a mapping of settings, got {type(spec).__name__}")
    unknown = sorted(set(spec) - set(STUDY_KEYS))
    _check(
        not unknown,
        f"{where}: unknown setting {unknown[0] if unknown else ''!r}; valid settings: " + ", ".join(STUDY_KEYS),
    )
    for required in ("title", "base", "arms", "seeds", "metric"):
        _check(required in spec, f"{where}: missing required setting {required!r}")
    base, arms, seeds = spec["base"], spec["arms"], spec["seeds"]
    _check(isinstance(base, dict), f"{where}.base: expected a mapping of run settings, got {base!r}")
    _check(
        isinstance(arms, dict) and len(arms) >= 2,
        f"{where}.arms: expected a mapping of at least two arms (name -> run setting overrides), got {arms!r}",
    )
    _check(
        isinstance(seeds, list)
        and len(seeds) >= 2
        and all(isinstance(s, int) for s in seeds)
        and len(set(seeds)) == len(seeds),
        f"{where}.seeds: expected a list of at least two distinct integers, got {seeds!r}",
    )
    _check(isinstance(spec["metric"], str), f"{where}.metric: expected a metric name, got {spec['metric']!r}")
    runs = {}
    for arm, overrides in arms.items():
        _check(
            isinstance(overrides, dict) or overrides is None,
            f"{where}.arms.{arm}: expected a mapping of run setting overrides, got {overrides!r}",
        )
        _check("seed" not in (overrides or {}), f"{where}.arms.{arm}: 'seed' is set by {where}.seeds, not per arm")
        runs[str(arm)] = parse_run(
            f"{name}/{arm}", {**base, **(overrides or {})}, seeds[0], where=f"{where}.arms.{arm}"
        )
    for index, (arm, run) in enumerate(runs.items()):
        earlier = list(runs)[:index]
        _check(
            not run.init_from or run.init_from in earlier,
            f"{where}.arms.{arm}.init_from: unknown arm {run.init_from!r}; valid choices (earlier arms, whose cell "
            f"of the same seed gives the weights): {', '.join(earlier) or '(none)'}",
        )
    tasks = {_task(run.model) for run in runs.values()}
    _check(len(tasks) == 1, f"{where}.arms: every arm must train models of one task, got {', '.join(sorted(tasks))}")
    _check_metric(f"{where}.metric", spec["metric"], tasks.pop())
    claim = spec.get("claim")
    if claim is not None:
        _check(
            isinstance(claim, dict)
            and isinstance(claim.get("text"), str)
            and sum(kind in claim for kind in CLAIM_KINDS) == 1,
            f"{where}.claim: expected {{text: ..., and one of {', '.join(CLAIM_KINDS)}}}, got {claim!r}",
        )
        if "best" in claim:
            named = [claim["best"]]
        elif "better" in claim:
            named = claim["better"]
            _check(isinstance(named, list) and len(named) == 2, f"{where}.claim.better: expected [A, B], got {named!r}")
        else:
            among = claim["among_best"]
            _check(
                isinstance(among, dict) and isinstance(among.get("arms"), list) and isinstance(among.get("k"), int),
                f"{where}.claim.among_best: expected {{arms: [...], k: K}}, got {among!r}",
            )
            named = among["arms"]
        for arm in named:
            _check(arm in runs, f"{where}.claim: unknown arm {arm!r}; valid choices: {', '.join(runs)}")
    return StudyConfig(name, str(spec["title"]), spec["metric"], tuple(seeds), runs, claim, str(spec.get("notes", "")))


def _task(model: str) -> str:
    from benchmark import MODELS

    return MODELS.get(model).meta["task"]


def _check_metric(where: str, metric: str, task: str) -> None:
    """``metric`` must be a registered metric of ``task`` (its metadata says which way is better)."""
    from benchmark import METRICS

    valid = [name for name in METRICS.names() if METRICS.get(name).meta.get("task") == task]
    _check(metric in valid, f"{where}: invalid value {metric!r} for {task} models; valid choices: {', '.join(valid)}")


def materialise(raw: dict[str, Any], suite: str) -> dict[str, Any]:
    """The top-level ``datasets``/``runs``/``studies`` that ``suites[suite]`` expands to (what DVC iterates)."""
    suites = raw.get("suites")
    _check(isinstance(suites, dict), "suites: missing; params.yaml must define suites default, quick and full")
    _check(suite in suites, f"suite: unknown suite {suite!r}; valid choices: {', '.join(sorted(suites))}")
    chosen = suites[suite] or {}
    runs: dict[str, Any] = {}
    for key, spec in (chosen.get("runs") or {}).items():
        model, sep, dataset = str(key).partition("-")
        _check(bool(sep and model and dataset), f"suites.{suite}.runs: run key {key!r} must read MODEL-DATASET")
        runs[key] = {"model": model, "dataset": dataset, **(spec or {})}
    return {
        "datasets": dict(chosen.get("datasets") or {}),
        "runs": runs,
        "studies": dict(chosen.get("studies") or {}),
    }


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loading that refuses a key repeated in one mapping (plain YAML keeps the last one silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise yaml.YAMLError(f"duplicate key {key!r} on line {line}; each name may appear once per mapping")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_params(path: str | os.PathLike[str] = "params.yaml", check_materialised: bool = True) -> Params:
    """Read and validate ``params.yaml``; with ``check_materialised``, stale ``runs``/``datasets`` raise."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: parameter file not found; run from the project root or pass --params")
    try:
        raw = yaml.load(path.read_text(), Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    suite = raw.get("suite", "default")
    expected = materialise(raw, suite)
    if check_materialised:
        for key in ("datasets", "runs", "studies"):
            _check(
                raw.get(key) == expected[key],
                f"{path}: '{key}' does not match suites.{suite}; run `medbench suite {suite}` to rewrite it",
            )
    seed = raw.get("seed", 0)
    _check(isinstance(seed, int), f"seed: invalid value {seed!r}; expected an integer")
    device = raw.get("device", "auto")
    _check(device in DEVICES, f"device: invalid value {device!r}; valid choices: {', '.join(DEVICES)}")
    num_workers = raw.get("num_workers", 0)
    _check(
        isinstance(num_workers, int) and num_workers >= 0,
        f"num_workers: invalid value {num_workers!r}; expected an integer >= 0",
    )
    datasets = {name: parse_dataset(name, spec) for name, spec in expected["datasets"].items()}
    runs = {key: parse_run(key, spec, seed) for key, spec in expected["runs"].items()}
    studies = {name: parse_study(name, spec, seed) for name, spec in expected["studies"].items()}
    used = [(f"runs.{run.key}", run) for run in runs.values()]
    used += [(f"studies.{s.name}.arms.{arm}", run) for s in studies.values() for arm, run in s.arms.items()]
    for where, run in used:
        _check(
            run.dataset in datasets,
            f"suites.{suite}.{where}: dataset {run.dataset!r} is not listed in suites.{suite}.datasets",
        )
    for run in runs.values():
        _check(
            not run.init_from or (run.init_from in runs and run.init_from != run.key),
            f"suites.{suite}.runs.{run.key}.init_from: unknown run {run.init_from!r}; "
            f"valid choices: {', '.join(k for k in runs if k != run.key)}",
        )
    return Params(suite, seed, device, num_workers, datasets, runs, studies, raw)


GENERATED_MARKER = "# --- generated by `medbench suite NAME` from suites[NAME]; edit the suites above, not below ---"


def write_suite(path: str | os.PathLike[str], suite: str) -> Params:
    """Point ``params.yaml`` at ``suite``: rewrite what follows the generated marker, atomically.

    Everything above the marker (comments included) is kept verbatim.
    """
    path = Path(path)
    text = path.read_text()
    head = text.split(GENERATED_MARKER)[0].rstrip("\n")
    raw = load_params(path, check_materialised=False).raw
    generated = {"suite": suite, **materialise(raw, suite)}
    body = yaml.safe_dump(generated, sort_keys=False, width=110)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".params.", suffix=".yaml")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{head}\n\n{GENERATED_MARKER}\n{body}")
        validated = load_params(tmp)  # never leave an invalid params file behind
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return validated
