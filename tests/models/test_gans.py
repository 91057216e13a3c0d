"""The GAN zoo: every GAN's steps and samples, plus one check per defining mechanism, against independent formulas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import benchmark
from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.models.base import ConditionalGenerativeModel, TranslationModel
from benchmark.models.gans.biggan import truncated_noise
from benchmark.models.gans.pggan import schedule
from benchmark.models.layers import adversarial
from benchmark.models.layers.quantize import VectorQuantizer
from benchmark.registry import MODELS
from benchmark.training.loop import ModelSpec, load_model, train

GANS = MODELS.names(family="gan")
SIZE = 16


def build(name: str, size: int = SIZE, **kw: object) -> nn.Module:
    torch.manual_seed(0)
    return benchmark.create_model(name, in_channels=1, num_classes=3, image_size=size, **kw)


def batch(n: int = 6, size: int = SIZE, frames: int | None = None) -> dict[str, torch.Tensor]:
    """Random images [n, 1, S, S], or clips [n, 1, T, S, S] with ``frames``, with labels and masks."""
    gen = torch.Generator().manual_seed(0)
    return {
        "image": torch.rand(n, 1, *((frames,) if frames else ()), size, size, generator=gen),
        "label": torch.arange(n) % 3,
        "mask": torch.randint(0, 3, (n, size, size), generator=gen),
    }


def test_registry_lists_the_zoo() -> None:
    expected = {"biggan", "cgan", "controllable_gan", "cyclegan", "dcgan", "gan", "pggan", "pix2pix", "stylegan"}
    assert expected | {"tgan", "vqgan", "wgan"} <= set(GANS)


@pytest.mark.parametrize("name", GANS)
def test_one_discriminator_and_one_generator_step_change_only_their_own_weights(name: str) -> None:
    model = build(name)
    groups = model.optimizer_groups()
    owned = [id(p) for params in groups.values() for p in params]
    assert len(owned) == len(set(owned)), "a parameter is in two optimizer groups"
    model.train()
    for group, params in groups.items():
        optimizer = torch.optim.Adam(params, lr=1e-2)
        ids = {id(p) for p in params}
        others = {n: p.detach().clone() for n, p in model.named_parameters() if id(p) not in ids}
        out = model.step(batch(frames=model.frames if MODELS.get(name).meta.get("temporal") else None), group)
        assert torch.isfinite(out.loss) and all(np.isfinite(float(v)) for v in out.logs.values()), group
        optimizer.zero_grad()
        out.loss.backward()
        optimizer.step()
        for n, p in model.named_parameters():
            if n in others:
                assert torch.equal(p.detach(), others[n]), f"{group} step changed {n}"


@pytest.mark.parametrize("name", MODELS.names(task="translation"))
def test_translations_have_the_image_shape_and_range(name: str) -> None:
    model = build(name).eval()
    out = model.translate(batch())
    assert out and all(v.shape == (6, 1, SIZE, SIZE) and v.min() >= 0 and v.max() <= 1 for v in out.values())
    assert isinstance(model, TranslationModel)
    masks = model.to_mask(model.mask_image(batch()["mask"]))
    assert torch.equal(masks, batch()["mask"]), "mask -> grey level -> mask is lossless"


@pytest.mark.parametrize("name", MODELS.names(conditional=True))
def test_conditional_generators_respond_to_the_label(name: str) -> None:
    model = build(name).eval()
    assert isinstance(model, ConditionalGenerativeModel)
    zeros = model.sample_labelled(torch.zeros(4, dtype=torch.long), torch.Generator().manual_seed(1))
    ones = model.sample_labelled(torch.ones(4, dtype=torch.long), torch.Generator().manual_seed(1))
    again = model.sample_labelled(torch.zeros(4, dtype=torch.long), torch.Generator().manual_seed(1))
    assert torch.equal(zeros, again)
    assert (zeros - ones).abs().mean() > 1e-4


def test_adversarial_losses_match_numpy() -> None:
    logits = torch.tensor([-3.0, -0.5, 0.0, 0.7, 4.0], dtype=torch.float64)
    other = torch.tensor([1.5, -2.0, 0.3, -0.1, 2.0], dtype=torch.float64)
    sig = 1 / (1 + np.exp(-logits.numpy()))
    sig_other = 1 / (1 + np.exp(-other.numpy()))
    assert adversarial.generator_bce(logits, "minimax").item() == pytest.approx(np.mean(np.log(1 - sig)))
    assert adversarial.generator_bce(logits).item() == pytest.approx(-np.mean(np.log(sig)))
    d = adversarial.discriminator_bce(other, logits).item()
    assert d == pytest.approx(-np.mean(np.log(sig_other)) - np.mean(np.log(1 - sig)))
    hinge = adversarial.discriminator_hinge(other, logits).item()
    expected = np.mean(np.maximum(0, 1 - other.numpy())) + np.mean(np.maximum(0, 1 + logits.numpy()))
    assert hinge == pytest.approx(expected)


def test_gan_minimax_and_non_saturating_generator_losses_differ() -> None:
    minimax, saturating = build("gan", loss="minimax"), build("gan", loss="non_saturating")
    torch.manual_seed(3)
    a = minimax.step(batch(), "generator").loss
    torch.manual_seed(3)
    b = saturating.step(batch(), "generator").loss
    assert a.item() < 0 < b.item()  # log(1 - D) is negative, -log D positive
    with pytest.raises(ValueError, match="loss must be one of"):
        build("gan", loss="wasserstein")


def test_gradient_penalty_of_a_linear_critic_is_known() -> None:
    weight = torch.tensor([[[[0.6, 0.0], [0.0, 0.0]]]]) * 3  # ||w|| = 1.8 everywhere, so penalty = 0.8^2

    def critic(x: torch.Tensor) -> torch.Tensor:
        return (x * weight).flatten(1).sum(1)

    real, fake = torch.rand(5, 1, 2, 2), torch.rand(5, 1, 2, 2)
    penalty = adversarial.gradient_penalty(critic, real, fake, torch.rand(5))
    assert penalty.item() == pytest.approx(0.64, rel=1e-5)
    with torch.no_grad():  # validation passes still get the penalty
        assert adversarial.gradient_penalty(critic, real, fake, torch.rand(5)).item() == pytest.approx(0.64, rel=1e-5)


def test_wgan_clip_variant_clamps_critic_weights_and_takes_n_critic_updates() -> None:
    model = build("wgan", variant="clip", clip_value=0.01, n_critic=4)
    assert model.updates_per_batch("critic") == 4 and model.updates_per_batch("generator") == 1
    model.after_update("critic")
    assert max(p.abs().max().item() for p in model.critic.parameters()) <= 0.01
    assert max(p.abs().max().item() for p in model.generator.parameters()) > 0.01
    with pytest.raises(ValueError, match="variant"):
        build("wgan", variant="spectral")


def test_loop_gives_the_critic_n_critic_steps_per_generator_step(tmp_path: Path, monkeypatch) -> None:
    from benchmark.models.gans.wgan import WGAN

    calls: list[str] = []
    original = WGAN.step

    def counting(self, batch, group):  # noqa: ANN001, ANN202
        if self.training:
            calls.append(group)
        return original(self, batch, group)

    monkeypatch.setattr(WGAN, "step", counting)
    rng = np.random.default_rng(0)
    data = SplitArrays(rng.integers(0, 256, size=(32, 1, 16, 16), dtype=np.uint8))
    run = RunConfig(key="wgan-tiny", model="wgan", dataset="tiny", seed=0, epochs=1, batch_size=16)
    spec = ModelSpec("wgan", 1, 1, 16, {"latent_dim": 4, "width": 4, "n_critic": 3})
    history = train(run, spec, data, None, torch.device("cpu"), tmp_path, progress=False)
    assert calls == (["critic"] * 3 + ["generator"]) * 2  # two batches
    assert np.isfinite(history[-1]["train_critic_loss"]) and np.isfinite(history[-1]["train_g_loss"])
    assert isinstance(load_model(tmp_path / "model.pt"), WGAN)


def test_cyclegan_cycle_loss_is_zero_for_identity_generators() -> None:
    model = build("cyclegan")
    a, b = model.domains(batch())
    assert model.cycle_loss(a, b).item() > 0
    model.g_ab, model.g_ba = nn.Identity(), nn.Identity()
    assert model.cycle_loss(a, b).item() == 0.0


def test_cyclegan_never_pairs_a_mask_with_its_own_image() -> None:
    model = build("cyclegan")
    data = batch()
    a, b = model.domains(data)
    assert torch.equal(b[1], data["image"][0] * 2 - 1) and not torch.equal(b[0], data["image"][0] * 2 - 1)


def test_pggan_alpha_schedule_fades_in_each_resolution() -> None:
    assert schedule(0.0, 2) == (0, 1.0)  # 5 phases: stable 4, fade 8, stable 8, fade 16, stable 16
    stage, alpha = schedule(0.3, 2)
    assert stage == 1 and alpha == pytest.approx(0.5)
    assert schedule(0.5, 2) == (1, 1.0)
    assert schedule(0.7, 2) == (2, pytest.approx(0.5))
    assert schedule(0.99, 2) == (2, 1.0)
    alphas = [schedule(p, 2)[1] for p in np.linspace(0.2, 0.39, 10)]
    assert alphas == sorted(alphas), "alpha rises monotonically during a fade-in"


def test_pggan_fade_in_blends_the_upsampled_old_output() -> None:
    model = build("pggan").eval()
    z = torch.randn(3, model.latent_dim)
    model.on_progress(0.25)  # fading in 8x8 with alpha 0.25 * 5 - 1 = 0.25
    assert int(model.stage) == 1 and float(model.alpha) == pytest.approx(0.25)
    with torch.no_grad():
        g = model.generator
        x4 = g.blocks[0](z)
        old = torch.nn.functional.interpolate(g.to_rgb[0](x4), scale_factor=2, mode="nearest")
        new = g.to_rgb[1](g.blocks[1](x4))
        assert torch.allclose(g(z, 1, 0.25), 0.25 * new + 0.75 * old, atol=1e-6)
        assert torch.allclose(g(z, 1, 0.0), old, atol=1e-6)
    assert model.sample(2).shape == (2, 1, SIZE, SIZE)


def test_stylegan_mixing_and_truncation() -> None:
    model = build("stylegan", noise_mode="const").eval()
    with torch.no_grad():
        w1, w2 = model.map(torch.randn(2, model.latent_dim)), model.map(torch.randn(2, model.latent_dim))
        mixed = model.mix(w1, w2, 2)
        assert torch.equal(mixed[:, :2], w1[:, None].expand(-1, 2, -1))
        assert torch.equal(mixed[:, 2:], w2[:, None].expand(-1, model.num_layers - 2, -1))
        pure = model.synthesize(model.mix(w1, w1, 2))
        assert not torch.allclose(model.synthesize(mixed), pure)
        model.w_avg.copy_(torch.randn(model.w_dim))
        centre = model.sample(4, torch.Generator().manual_seed(0), truncation=0.0)
        assert torch.allclose(centre, centre[:1].expand_as(centre), atol=1e-6), "psi = 0 collapses to w_avg"
        spread = model.sample(4, torch.Generator().manual_seed(0), truncation=1.0)
        assert (spread - spread[:1]).abs().max() > 1e-3
        z = torch.randn(3, model.latent_dim)
        assert torch.allclose(model.map(z, 0.5), model.w_avg + 0.5 * (model.map(z) - model.w_avg), atol=1e-6)


def test_biggan_truncation_bounds_the_latents_and_narrows_samples() -> None:
    z = truncated_noise(500, 16, 0.5, torch.Generator().manual_seed(0))
    assert z.abs().max() <= 0.5 and z.std() > 0.2
    assert torch.equal(z, truncated_noise(500, 16, 0.5, torch.Generator().manual_seed(0)))
    model = build("biggan").eval()
    labels = torch.zeros(16, dtype=torch.long)
    narrow = model.sample_labelled(labels, torch.Generator().manual_seed(0), truncation=0.05)
    wide = model.sample_labelled(labels, torch.Generator().manual_seed(0))
    assert narrow.std(dim=0).mean() < wide.std(dim=0).mean()


def test_biggan_orthogonal_penalty_matches_numpy() -> None:
    from benchmark.models.gans.biggan import orthogonal_penalty

    w = torch.randn(4, 2, 3, 3, dtype=torch.float64)
    flat = w.reshape(4, -1).numpy()
    gram = flat @ flat.T
    expected = ((gram * (1 - np.eye(4))) ** 2).sum()
    assert orthogonal_penalty([w]).item() == pytest.approx(expected)


def test_vector_quantizer_nearest_codes_usage_and_straight_through() -> None:
    torch.manual_seed(0)
    vq = VectorQuantizer(8, 4)
    with torch.no_grad():
        vq.codebook.weight.copy_(torch.randn(8, 4))
    z = torch.randn(2, 4, 3, 3, requires_grad=True)
    q = vq(z)
    flat = z.detach().permute(0, 2, 3, 1).reshape(-1, 4).numpy()
    codes = vq.codebook.weight.detach().numpy()
    expected = ((flat[:, None] - codes[None]) ** 2).sum(-1).argmin(1)
    assert np.array_equal(q.indices.flatten().numpy(), expected)
    assert torch.allclose(q.latents, vq.lookup(q.indices))
    counts = np.bincount(expected, minlength=8) / len(expected)
    nz = counts[counts > 0]
    assert q.perplexity.item() == pytest.approx(np.exp(-(nz * np.log(nz)).sum()), rel=1e-4)
    assert q.perplexity.item() > 2, "random latents use several codes"
    upstream = torch.randn_like(z)
    (q.latents * upstream).sum().backward()
    assert torch.allclose(z.grad, upstream), "straight-through: the decoder's gradient reaches the encoder unchanged"


def test_vqgan_prior_is_causal_and_samples_decode() -> None:
    model = build("vqgan", width=8, downsamplings=2).eval()
    indices = torch.randint(0, 64, (2, model.grid * model.grid))
    changed = indices.clone()
    changed[:, 5] = (changed[:, 5] + 1) % 64
    with torch.no_grad():
        a, b = model.prior(indices), model.prior(changed)
    assert torch.allclose(a[:, :6], b[:, :6], atol=1e-5), "position t sees only indices < t"
    assert not torch.allclose(a[:, 6:], b[:, 6:])
    samples = model.sample(2, torch.Generator().manual_seed(0))
    assert samples.shape == (2, 1, SIZE, SIZE)


def test_controllable_gan_steering_raises_the_target_class_probability() -> None:
    model = build("controllable_gan").train()  # batch statistics: at init, eval-mode G(z) barely depends on z
    model.classifier = nn.Sequential(nn.Flatten(), nn.Linear(SIZE * SIZE, 3))  # a classifier that sees every pixel
    z, labels = torch.randn(6, model.latent_dim), torch.zeros(6, dtype=torch.long)

    def prob(latents: torch.Tensor) -> float:
        with torch.no_grad():
            return model.classifier(model.generate(latents, labels)).softmax(1)[:, 2].mean().item()

    before = prob(z)
    steered = model.steer(z, labels, target=2, steps=20, lr=5.0)
    assert prob(steered) > before + 0.01
    assert all(p.grad is None for p in model.parameters()), "steering leaves the networks untouched"
