"""TGAN (Saito et al. 2017, "Temporal Generative Adversarial Nets with Singular Value Clipping"): video generation.

Generator in two parts: the temporal generator G0 turns one latent z0 into T frame latents z1_1..z1_T with 1D
transposed convolutions along time (batch norm, ReLU, tanh output); the image generator G1 draws frame t from
(z0, z1_t), here DCGAN's generator on the concatenated latents (its first 1x1 -> 4x4 transposed convolution is the
paper's pair of linear maps of z0 and z1_t, joined). The discriminator is a video critic of 3D convolutions over
(time, height, width), stride 2 in every axis, LeakyReLU, no batch norm, one unbounded score per clip.
Loss: WGAN (critic maximises E[D(x)] - E[D(G(z))]). ``clipping: svc`` (the paper's) clips the singular values of
every critic weight, reshaped to [out, in * kernel], to at most 1 after each critic update (the paper clips every
5 iterations and also bounds batch-norm scales; this critic has no batch norm); ``clipping: weight`` is WGAN's
weight clamping to [-c, c]. Data: clips uint8 [N, C, T, H, W] (frames along axis 2), e.g. ``mni152_sequences``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from benchmark.errors import ConfigError
from benchmark.models.base import Batch, GenerativeModel, ModelOutput
from benchmark.models.gans.dcgan import Generator, _init_weights
from benchmark.models.layers.adversarial import clip_singular_values
from benchmark.models.layers.conv import doublings_from_4
from benchmark.registry import MODELS

CLIPPINGS = ("svc", "weight")


def _doublings(frames: int) -> int:
    """log2(frames); frames must be a power of two >= 2 (time is halved by each stride-2 layer)."""
    levels = frames.bit_length() - 1
    if frames < 2 or 2**levels != frames:
        raise ValueError(f"tgan: frames must be a power of two >= 2, got {frames}")
    return levels


class TemporalGenerator(nn.Sequential):
    """z0 [N, Z0] -> frame latents [N, Z1, T] in [-1, 1]: a kernel-2 transposed convolution (length 1 -> 2), then
    stride-2 transposed convolutions doubling the length up to T."""

    def __init__(self, latent_dim: int, frame_latent_dim: int, frames: int, width: int) -> None:
        levels = _doublings(frames)
        widths = [width] * (levels - 1) + [frame_latent_dim]
        layers: list[nn.Module] = [nn.Unflatten(1, (latent_dim, 1))]
        for i, (w_in, w_out) in enumerate(zip([latent_dim] + widths[:-1], widths)):
            layers.append(
                nn.ConvTranspose1d(w_in, w_out, 2, 1, 0) if i == 0 else nn.ConvTranspose1d(w_in, w_out, 4, 2, 1)
            )
            layers += [nn.BatchNorm1d(w_out), nn.ReLU(True)] if i < levels - 1 else [nn.Tanh()]
        super().__init__(*layers)


class VideoCritic(nn.Sequential):
    """clip [N, C, T, S, S] -> one unbounded score: 3D convolutions, stride 2 in time (while T > 1) and space."""

    def __init__(self, channels: int, frames: int, image_size: int, width: int) -> None:
        _doublings(frames)
        levels = doublings_from_4(image_size, "tgan")
        layers: list[nn.Module] = []
        w_in, t = channels, frames
        for i in range(levels):
            w_out = width * 2**i
            kt, st, pt = (4, 2, 1) if t > 1 else (1, 1, 0)
            layers += [nn.Conv3d(w_in, w_out, (kt, 4, 4), (st, 2, 2), (pt, 1, 1)), nn.LeakyReLU(0.2, True)]
            w_in, t = w_out, max(t // 2, 1)
        layers += [nn.Conv3d(w_in, 1, (t, 4, 4)), nn.Flatten(0)]
        super().__init__(*layers)


@MODELS.register(
    "tgan",
    family="gan",
    task="generation",
    min_size=16,
    channels=(1, 3),
    temporal=True,
    source="own implementation (Saito et al. 2017)",
    adapted="DCGAN image generator on joined (z0, z1_t); critic without batch norm; SVC after every critic "
    "update; frames, widths, clipping and n_critic are parameters",
)
class TGAN(GenerativeModel):
    """Temporal generator + image generator against a 3D-convolutional video critic (WGAN loss with SVC)."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        frames: int = 8,
        latent_dim: int = 100,
        frame_latent_dim: int = 100,
        width: int = 32,
        temporal_width: int = 64,
        clipping: str = "svc",
        clip_value: float = 0.01,
        n_critic: int = 1,
    ) -> None:
        super().__init__()
        if clipping not in CLIPPINGS:
            raise ValueError(f"tgan: clipping must be one of {', '.join(CLIPPINGS)}, got {clipping!r}")
        if n_critic < 1:
            raise ValueError(f"tgan: n_critic must be >= 1, got {n_critic}")
        self.frames, self.latent_dim, self.frame_latent_dim = frames, latent_dim, frame_latent_dim
        self.clipping, self.clip_value, self.n_critic = clipping, clip_value, n_critic
        self.temporal = TemporalGenerator(latent_dim, frame_latent_dim, frames, temporal_width)
        self.image = Generator(latent_dim + frame_latent_dim, in_channels, image_size, width)
        self.critic = VideoCritic(in_channels, frames, image_size, width)
        self.apply(_init_weights)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        generator = list(self.temporal.parameters()) + list(self.image.parameters())
        return {"critic": list(self.critic.parameters()), "generator": generator}

    def updates_per_batch(self, group: str) -> int:
        return self.n_critic if group == "critic" else 1

    def after_update(self, group: str) -> None:
        if group != "critic":
            return
        with torch.no_grad():
            for module in self.critic.modules():
                if not isinstance(module, nn.Conv3d):
                    continue
                if self.clipping == "svc":
                    clip_singular_values(module.weight)
                else:
                    for p in module.parameters():
                        p.clamp_(-self.clip_value, self.clip_value)

    def generate(self, z0: Tensor) -> Tensor:
        """Clips [N, C, T, S, S] in [-1, 1]: frame t from (z0, z1_t), z1 = G0(z0)."""
        z1 = self.temporal(z0)  # [N, Z1, T]
        n, t = len(z0), z1.shape[-1]
        latents = torch.cat([z0[:, None].expand(-1, t, -1), z1.transpose(1, 2)], dim=2).flatten(0, 1)
        frames = self.image(latents)  # [N * T, C, S, S]
        return frames.unflatten(0, (n, t)).transpose(1, 2)

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real = batch["image"] * 2 - 1
        if real.dim() != 5 or real.shape[2] != self.frames:
            raise ConfigError(
                f"model_args.frames of 'tgan': {self.frames}, but the data holds clips of shape "
                f"{tuple(real.shape[1:])}; use a sequence dataset (frames along axis 2) with that many frames"
            )
        fake = self.generate(self.noise(len(real)))
        if group == "critic":
            distance = self.critic(real).mean() - self.critic(fake.detach()).mean()
            return ModelOutput(-distance, {"critic_loss": -distance.detach(), "wasserstein": distance.detach()})
        loss = -self.critic(fake).mean()
        return ModelOutput(loss, {"g_loss": loss.detach()})

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return (self.generate(self.noise(n, generator)) + 1) / 2
