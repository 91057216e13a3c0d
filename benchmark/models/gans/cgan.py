"""Conditional GAN (Mirza and Osindero 2014): the class label, one-hot, is joined to G's noise and to D's input.

G(z, y) = MLP([z, onehot(y)]); D(x, y) = MLP([flatten(x), onehot(y)]). Non-saturating GAN loss. Sampling with a
chosen label draws images of that class, which is what the GAN data-augmentation study uses.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import Batch, ConditionalGenerativeModel, ModelOutput
from benchmark.models.gans.gan import mlp
from benchmark.models.layers.adversarial import discriminator_bce, generator_bce
from benchmark.registry import MODELS


@MODELS.register(
    "cgan",
    family="gan",
    task="generation",
    conditional=True,
    min_size=8,
    channels=(1, 3),
    source="own implementation (Mirza and Osindero 2014)",
    adapted="one-hot label concatenated (no separate label embedding layers); LeakyReLU discriminator",
)
class ConditionalGAN(ConditionalGenerativeModel):
    """Label-conditioned MLP generator and discriminator."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 64,
        hidden: int = 256,
        layers: int = 2,
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.shape = (in_channels, image_size, image_size)
        pixels = in_channels * image_size * image_size
        self.generator = nn.Sequential(
            *mlp([latent_dim + num_classes] + [hidden] * layers + [pixels], nn.ReLU(True)),
            nn.Tanh(),
            nn.Unflatten(1, self.shape),
        )
        self.discriminator = nn.Sequential(
            *mlp([pixels + num_classes] + [hidden] * layers + [1], nn.LeakyReLU(0.2, True), dropout), nn.Flatten(0)
        )

    def generate(self, z: Tensor, labels: Tensor) -> Tensor:
        """Images in [-1, 1] for latents ``z`` and class indices ``labels``."""
        return self.generator(torch.cat([z, F.one_hot(labels, self.num_classes).to(z)], dim=1))

    def discriminate(self, images: Tensor, labels: Tensor) -> Tensor:
        """One logit per (image, label) pair."""
        return self.discriminator(torch.cat([images.flatten(1), F.one_hot(labels, self.num_classes).to(images)], 1))

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"discriminator": list(self.discriminator.parameters()), "generator": list(self.generator.parameters())}

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real, labels = batch["image"] * 2 - 1, batch["label"]
        fake = self.generate(self.noise(len(real)), labels)
        if group == "discriminator":
            loss = discriminator_bce(self.discriminate(real, labels), self.discriminate(fake.detach(), labels))
            return ModelOutput(loss, {"d_loss": loss.detach()})
        loss = generator_bce(self.discriminate(fake, labels))
        return ModelOutput(loss, {"g_loss": loss.detach()})

    @torch.no_grad()
    def sample_labelled(self, labels: Tensor, generator: torch.Generator | None = None) -> Tensor:
        z = self.noise(len(labels), generator)
        return (self.generate(z, labels.to(z.device)) + 1) / 2
