"""Precise BatchNorm statistics: running stats equal the population statistics of each layer's train-mode input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.models.base import ClassifierModel
from benchmark.training.batchnorm import recalibrate_batchnorm
from benchmark.training.data import make_loader
from benchmark.training.loop import FINAL, ModelSpec, load_model, train


def bn_net(seed: int = 0) -> ClassifierModel:
    torch.manual_seed(seed)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Dropout(0.3),
        nn.Conv2d(4, 6, 3, stride=2, padding=1),
        nn.BatchNorm2d(6),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(6 * 4 * 4, 5),
        nn.BatchNorm1d(5),
        nn.Linear(5, 3),
    )
    return ClassifierModel(net)


def split(n: int = 45, seed: int = 0) -> SplitArrays:
    rng = np.random.default_rng(seed)
    return SplitArrays(rng.integers(0, 256, size=(n, 1, 8, 8), dtype=np.uint8), rng.integers(0, 3, size=n))


def layer_inputs(
    model: nn.Module, data: SplitArrays, batch_size: int, device: torch.device
) -> dict[nn.Module, list[np.ndarray]]:
    """Per BatchNorm layer, its input of every batch of a train-mode pass on ``device`` (the independent oracle)."""
    seen: dict[nn.Module, list[np.ndarray]] = {}
    hooks = [
        m.register_forward_pre_hook(lambda mod, inp: seen.setdefault(mod, []).append(inp[0].double().cpu().numpy()))
        for m in model.modules()
        if isinstance(m, nn.modules.batchnorm._BatchNorm)
    ]
    model.train()
    with torch.no_grad():
        for batch in make_loader(data, batch_size, shuffle=False):
            model(batch["image"].to(device))
    for hook in hooks:
        hook.remove()
    return seen


def population_stats(batches: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Mean and unbiased variance per channel over every batch and spatial position."""
    flat = np.concatenate([np.moveaxis(b, 1, -1).reshape(-1, b.shape[1]) for b in batches])
    return flat.mean(0), flat.var(0, ddof=1)


def host(tensor: torch.Tensor) -> np.ndarray:
    return tensor.double().cpu().numpy()


def test_running_stats_are_population_stats_of_train_mode_inputs(device: torch.device) -> None:
    data, model = split(), bn_net().to(device)
    model.net[1].running_mean.fill_(5.0)  # stale statistics that must not survive
    momenta = [m.momentum for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    params = {k: v.clone() for k, v in model.named_parameters()}
    torch.manual_seed(3)
    rng_before = torch.get_rng_state(), torch.cuda.get_rng_state_all() if device.type == "cuda" else []
    # batch 16 over 45 images: a smaller last batch, which must count for its 13 images only
    assert recalibrate_batchnorm(model, make_loader(data, 16, shuffle=False), device) == 3
    rng_after = torch.get_rng_state(), torch.cuda.get_rng_state_all() if device.type == "cuda" else []
    assert torch.equal(rng_after[0], rng_before[0]), "dropout draws must not move the training RNG stream"
    assert all(torch.equal(a, b) for a, b in zip(rng_after[1], rng_before[1], strict=True)), "nor the CUDA one"
    assert model.training, "the mode it was called in (a fresh module trains) is restored"
    oracle = bn_net().to(device)
    oracle.load_state_dict(model.state_dict())
    torch.manual_seed(3)  # the same dropout masks as inside the recalibration
    inputs = layer_inputs(oracle, data, 16, device)
    layers = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    oracle_layers = [m for m in oracle.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    for layer, oracle_layer in zip(layers, oracle_layers, strict=True):
        mean, var = population_stats(inputs[oracle_layer])
        np.testing.assert_allclose(host(layer.running_mean), mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(host(layer.running_var), var, rtol=1e-5, atol=1e-6)
    assert [m.momentum for m in layers] == momenta
    for name, value in model.named_parameters():
        assert torch.equal(value, params[name]), name


def test_eval_output_matches_full_split_train_mode_forward(device: torch.device) -> None:
    """Recalibrated over the whole split as one batch, eval-mode outputs equal a train-mode forward of that batch
    (up to the unbiased running variance against the biased batch variance, a factor n / (n - 1))."""
    data, model = split(n=40), bn_net().to(device)
    model.net[3].p = 0.0  # no dropout, so train and eval mode differ only by BatchNorm
    images = next(iter(make_loader(data, len(data), shuffle=False)))["image"].to(device)
    model.eval()
    with torch.no_grad():
        stale = model(images)
    recalibrate_batchnorm(model, make_loader(data, len(data), shuffle=False), device)
    assert not model.training
    with torch.no_grad():
        evaluated = model(images)
        expected = model.train()(images)
    scale = expected.abs().max()
    assert (evaluated - expected).abs().max() < 0.03 * scale
    assert (stale - expected).abs().max() > 0.1 * scale, "the test must distinguish stale from recalibrated stats"


def test_mode_is_restored_and_models_without_batchnorm_are_untouched() -> None:
    cpu = torch.device("cpu")
    data = split()
    model = bn_net().eval()
    recalibrate_batchnorm(model, make_loader(data, 16, shuffle=False), cpu)
    assert not model.training
    plain = ClassifierModel(nn.Sequential(nn.Flatten(), nn.Linear(64, 3)))
    before = {k: v.clone() for k, v in plain.state_dict().items()}
    assert recalibrate_batchnorm(plain, make_loader(data, 16, shuffle=False), cpu) == 0
    for key, value in plain.state_dict().items():
        assert torch.equal(value, before[key])


def run_config(**kw: object) -> RunConfig:
    return RunConfig(key="resnet18-tiny", model="resnet18", dataset="tiny", seed=3, epochs=1, batch_size=16, **kw)


def test_training_loop_recalibrates_and_the_setting_switches_it_off(tmp_path: Path, device: torch.device) -> None:
    """On CUDA the loop trains under AMP; the recalibration pass itself runs in full precision."""
    data = split(n=48)
    data = SplitArrays(np.repeat(np.repeat(data.images, 2, axis=2), 2, axis=3), data.labels)
    spec = ModelSpec("resnet18", 1, 3, 16, {})
    train(run_config(), spec, data, data, device, tmp_path / "on", progress=False)
    train(run_config(bn_recalibration=False), spec, data, data, device, tmp_path / "off", progress=False)
    on, off = load_model(tmp_path / "on" / FINAL, device), load_model(tmp_path / "off" / FINAL, device)
    saved = {name: host(m.running_mean).copy() for name, m in bn_layers(on)}
    for (name, layer), (_, off_layer) in zip(bn_layers(on), bn_layers(off), strict=True):
        mean, _ = population_stats(layer_inputs(on, data, 16, device)[layer])  # this train-mode pass moves the stats
        np.testing.assert_allclose(saved[name], mean, rtol=1e-5, atol=1e-6)
        assert not np.allclose(host(off_layer.running_mean), mean, rtol=1e-3, atol=1e-4), name


def bn_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    return [(n, m) for n, m in model.named_modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)][:3]
