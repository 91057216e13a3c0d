"""Convolutional VAE (Kingma and Welling 2014).

Encoder: stride-2 convolutions to 4x4, then linear maps to the mean and log-variance of q(z|x). Decoder: the mirror
image with a sigmoid output read as Bernoulli means. Loss: the negative ELBO per image,
BCE(x, x_hat) summed over pixels + beta * KL(q(z|x) || N(0, I)) (beta = 1 is the original VAE).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import AutoencoderModel, Batch, ModelOutput
from benchmark.models.layers.conv import doublings_from_4
from benchmark.registry import MODELS


@MODELS.register(
    "vae",
    family="vae",
    task="generation",
    min_size=16,
    channels=(1, 3),
    source="own implementation (Kingma and Welling 2014)",
    adapted="convolutional encoder/decoder",
)
class VAE(AutoencoderModel):
    """Gaussian latent, Bernoulli decoder, reparameterisation trick."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 32,
        width: int = 32,
        beta: float = 1.0,
    ) -> None:
        super().__init__()
        levels = doublings_from_4(image_size, "vae")
        self.latent_dim, self.beta = latent_dim, beta
        widths = [width * 2**i for i in range(levels)]
        enc: list[nn.Module] = []
        for w_in, w_out in zip([in_channels] + widths[:-1], widths):
            enc += [nn.Conv2d(w_in, w_out, 4, 2, 1), nn.BatchNorm2d(w_out), nn.LeakyReLU(0.2, True)]
        self.encoder = nn.Sequential(*enc, nn.Flatten())
        flat = widths[-1] * 16
        self.to_stats = nn.Linear(flat, 2 * latent_dim)
        dec: list[nn.Module] = [nn.Linear(latent_dim, flat), nn.Unflatten(1, (widths[-1], 4, 4))]
        for w_in, w_out in zip(widths[::-1], widths[::-1][1:]):
            dec += [nn.ConvTranspose2d(w_in, w_out, 4, 2, 1), nn.BatchNorm2d(w_out), nn.ReLU(True)]
        dec += [nn.ConvTranspose2d(widths[0], in_channels, 4, 2, 1)]
        self.decoder = nn.Sequential(*dec)

    def encode(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Mean and log-variance of q(z|x)."""
        mean, logvar = self.to_stats(self.encoder(images)).chunk(2, dim=1)
        return mean, logvar.clamp(-30, 20)

    def decode_logits(self, z: Tensor) -> Tensor:
        """Bernoulli logits of p(x|z)."""
        return self.decoder(z)

    def step(self, batch: Batch, group: str) -> ModelOutput:
        images = batch["image"]
        mean, logvar = self.encode(images)
        z = mean + torch.randn_like(mean) * (0.5 * logvar).exp()
        logits = self.decode_logits(z)
        recon = F.binary_cross_entropy_with_logits(logits, images, reduction="none").flatten(1).sum(1).mean()
        kl = (-0.5 * (1 + logvar - mean.pow(2) - logvar.exp()).sum(1)).mean()
        loss = recon + self.beta * kl
        return ModelOutput(loss, {"loss": loss.detach(), "recon": recon.detach(), "kl": kl.detach()})

    @torch.no_grad()
    def reconstruct(self, images: Tensor) -> Tensor:
        """Decoder means at the posterior means (deterministic), in [0, 1]."""
        return torch.sigmoid(self.decode_logits(self.encode(images)[0]))

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return torch.sigmoid(self.decode_logits(self.noise(n, generator)))
