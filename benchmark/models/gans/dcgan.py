"""DCGAN (Radford et al. 2016): all-convolutional generator and discriminator.

Generator: latent -> 4x4 by a transposed convolution, then stride-2 transposed convolutions with batch norm and ReLU,
tanh output. Discriminator: stride-2 convolutions with LeakyReLU(0.2), batch norm on all but the first layer, no
pooling or fully connected hidden layers. Non-saturating GAN loss (Goodfellow et al. 2014) with logits.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import Batch, GenerativeModel, ModelOutput
from benchmark.models.layers.conv import doublings_from_4
from benchmark.registry import MODELS


def _init_weights(module: nn.Module) -> None:
    """DCGAN initialisation: conv weights ~ N(0, 0.02), batch-norm scale ~ N(1, 0.02)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class Generator(nn.Sequential):
    """latent [N, Z] -> image [N, C, S, S] in [-1, 1]."""

    def __init__(self, latent_dim: int, channels: int, image_size: int, width: int) -> None:
        levels = doublings_from_4(image_size, "dcgan")
        widths = [width * 2 ** (levels - 1 - i) for i in range(levels)]
        layers: list[nn.Module] = [
            nn.Unflatten(1, (latent_dim, 1, 1)),
            nn.ConvTranspose2d(latent_dim, widths[0], 4, 1, 0, bias=False),
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(True),
        ]
        for w_in, w_out in zip(widths, widths[1:]):
            layers += [nn.ConvTranspose2d(w_in, w_out, 4, 2, 1, bias=False), nn.BatchNorm2d(w_out), nn.ReLU(True)]
        layers += [nn.ConvTranspose2d(widths[-1], channels, 4, 2, 1, bias=False), nn.Tanh()]
        super().__init__(*layers)


class Discriminator(nn.Sequential):
    """image [N, C, S, S] -> one logit per image."""

    def __init__(self, channels: int, image_size: int, width: int) -> None:
        levels = doublings_from_4(image_size, "dcgan")
        widths = [width * 2**i for i in range(levels)]
        layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for w_in, w_out in zip(widths, widths[1:]):
            layers += [nn.Conv2d(w_in, w_out, 4, 2, 1, bias=False), nn.BatchNorm2d(w_out), nn.LeakyReLU(0.2, True)]
        layers += [nn.Conv2d(widths[-1], 1, 4, 1, 0), nn.Flatten(0)]
        super().__init__(*layers)


@MODELS.register(
    "dcgan",
    family="gan",
    task="generation",
    min_size=16,
    channels=(1, 3),
    source="own implementation (Radford et al. 2016)",
    adapted="width parameter; depth follows image size",
)
class DCGAN(GenerativeModel):
    """Generator and discriminator trained alternately, discriminator first."""

    def __init__(
        self, in_channels: int, num_classes: int, image_size: int, latent_dim: int = 64, width: int = 32
    ) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = Generator(latent_dim, in_channels, image_size, width)
        self.discriminator = Discriminator(in_channels, image_size, width)
        self.apply(_init_weights)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"discriminator": list(self.discriminator.parameters()), "generator": list(self.generator.parameters())}

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real = batch["image"] * 2 - 1
        fake = self.generator(self.noise(len(real)))
        if group == "discriminator":
            real_logits, fake_logits = self.discriminator(real), self.discriminator(fake.detach())
            loss = F.binary_cross_entropy_with_logits(
                real_logits, torch.ones_like(real_logits)
            ) + F.binary_cross_entropy_with_logits(fake_logits, torch.zeros_like(fake_logits))
            return ModelOutput(loss, {"d_loss": loss.detach()})
        fake_logits = self.discriminator(fake)
        loss = F.binary_cross_entropy_with_logits(fake_logits, torch.ones_like(fake_logits))  # non-saturating
        return ModelOutput(loss, {"g_loss": loss.detach()})

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return (self.generator(self.noise(n, generator)) + 1) / 2
