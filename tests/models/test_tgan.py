"""TGAN's defining mechanisms: per-frame latents from one z0, a 3D-convolutional video critic, singular value
clipping, and training through the one loop on clips."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import benchmark
from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.errors import ConfigError
from benchmark.models.gans.tgan import TGAN
from benchmark.training.loop import ModelSpec, load_model, train

SIZE, FRAMES = 16, 8


def build(**kw: object) -> TGAN:
    torch.manual_seed(0)
    args = {"frames": FRAMES, "latent_dim": 8, "frame_latent_dim": 6, "width": 4, "temporal_width": 8} | kw
    return benchmark.create_model("tgan", in_channels=1, num_classes=3, image_size=SIZE, **args)


def test_temporal_generator_gives_t_distinct_frame_latents_and_frames() -> None:
    model = build().eval()
    z0 = torch.randn(4, model.latent_dim)
    with torch.no_grad():
        z1 = model.temporal(z0)
        clips = model.generate(z0)
    assert z1.shape == (4, 6, FRAMES) and z1.abs().max() <= 1
    gaps = (z1[:, :, :, None] - z1[:, :, None, :]).abs().sum(1)  # [N, T, T] distances between frame latents
    off_diagonal = gaps[:, ~torch.eye(FRAMES, dtype=torch.bool)]
    assert off_diagonal.min() > 1e-4, "every frame has its own latent"
    assert clips.shape == (4, 1, FRAMES, SIZE, SIZE)
    frame_gaps = (clips[:, :, 1:] - clips[:, :, :-1]).abs().flatten(2).sum(-1)
    assert frame_gaps.min() > 1e-4, "consecutive frames differ"
    with torch.no_grad():  # frame t is G1(z0, z1_t): rebuilt one frame at a time
        t = 3
        frame = model.image(torch.cat([z0, z1[:, :, t]], dim=1))
    assert torch.allclose(frame, clips[:, :, t], atol=1e-5)


def test_critic_is_3d_convolutional_over_time() -> None:
    model = build().eval()
    convs = [m for m in model.critic.modules() if isinstance(m, nn.Conv2d | nn.Conv3d | nn.Linear)]
    assert convs and all(isinstance(m, nn.Conv3d) for m in convs)
    assert convs[0].stride == (2, 2, 2) and convs[0].kernel_size[0] > 1, "the first layer strides over time"
    clips = torch.rand(3, 1, FRAMES, SIZE, SIZE)
    with torch.no_grad():
        score, reversed_score = model.critic(clips), model.critic(clips.flip(2))
    assert score.shape == (3,)
    assert not torch.allclose(score, reversed_score), "frame order changes the score (a per-frame critic would not)"


def test_singular_value_clipping_bounds_every_critic_layer() -> None:
    model = build(clipping="svc")
    with torch.no_grad():
        for p in model.critic.parameters():
            p.normal_(0, 3)
    convs = [m for m in model.critic.modules() if isinstance(m, nn.Conv3d)]
    before = [m.weight.detach().reshape(m.weight.shape[0], -1).numpy().astype(np.float64) for m in convs]
    generator = {n: p.detach().clone() for n, p in model.named_parameters() if not n.startswith("critic")}
    assert max(np.linalg.svd(w, compute_uv=False).max() for w in before) > 1
    model.after_update("critic")
    for module, matrix in zip(convs, before):
        u, s, vh = np.linalg.svd(matrix, full_matrices=False)
        expected = (u * np.minimum(s, 1.0)) @ vh
        after = module.weight.detach().reshape(module.weight.shape[0], -1).numpy()
        np.testing.assert_allclose(after, expected, atol=1e-4)
        assert np.linalg.svd(after, compute_uv=False).max() <= 1 + 1e-4
    assert all(torch.equal(p, generator[n]) for n, p in model.named_parameters() if n in generator)
    model.after_update("generator")  # generator updates leave the critic alone


def test_weight_clipping_variant_and_bad_settings() -> None:
    model = build(clipping="weight", clip_value=0.01)
    model.after_update("critic")
    assert max(p.abs().max().item() for p in model.critic.parameters()) <= 0.01
    with pytest.raises(ValueError, match="clipping"):
        build(clipping="spectral")
    with pytest.raises(ValueError, match="power of two"):
        build(frames=6)
    with pytest.raises(ConfigError, match="model_args.frames"):
        build().step({"image": torch.rand(2, 1, 4, SIZE, SIZE)}, "critic")


def test_tgan_trains_on_clips_through_the_loop(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    data = SplitArrays(rng.integers(0, 256, size=(12, 1, FRAMES, SIZE, SIZE), dtype=np.uint8))
    run = RunConfig(key="tgan-tiny", model="tgan", dataset="tiny", seed=0, epochs=1, batch_size=6)
    args = {"frames": FRAMES, "latent_dim": 8, "frame_latent_dim": 6, "width": 4, "temporal_width": 8}
    history = train(run, ModelSpec("tgan", 1, 1, SIZE, args), data, None, torch.device("cpu"), tmp_path, progress=False)
    assert np.isfinite(history[-1]["train_critic_loss"]) and np.isfinite(history[-1]["train_g_loss"])
    model = load_model(tmp_path / "model.pt")
    assert isinstance(model, TGAN) and model.sample(2).shape == (2, 1, FRAMES, SIZE, SIZE)
