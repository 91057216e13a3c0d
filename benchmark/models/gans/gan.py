"""GAN (Goodfellow et al. 2014): multilayer-perceptron generator and discriminator on flattened images.

The original adversarial game: D maximises log D(x) + log(1 - D(G(z))); G minimises log(1 - D(G(z))) (``minimax``)
or, as the paper recommends against early saturation, maximises log D(G(z)) (``non_saturating``). Hidden layers use
ReLU in G and LeakyReLU with dropout in D (the paper's maxout units are replaced by LeakyReLU).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from benchmark.models.base import Batch, GenerativeModel, ModelOutput
from benchmark.models.layers.adversarial import GAN_LOSSES, discriminator_bce, generator_bce
from benchmark.registry import MODELS


def mlp(sizes: list[int], activation: nn.Module, dropout: float = 0.0) -> list[nn.Module]:
    """Linear layers of ``sizes`` with ``activation`` (and dropout) between them, none after the last."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers += [activation, nn.Dropout(dropout)] if dropout else [activation]
    return layers


@MODELS.register(
    "gan",
    family="gan",
    task="generation",
    min_size=8,
    channels=(1, 3),
    source="own implementation (Goodfellow et al. 2014)",
    adapted="LeakyReLU instead of maxout; hidden width and depth are parameters",
)
class GAN(GenerativeModel):
    """MLP generator z -> image (tanh) and MLP discriminator image -> logit."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 64,
        hidden: int = 256,
        layers: int = 2,
        dropout: float = 0.3,
        loss: str = "non_saturating",
    ) -> None:
        super().__init__()
        if loss not in GAN_LOSSES:
            raise ValueError(f"gan: loss must be one of {', '.join(GAN_LOSSES)}, got {loss!r}")
        self.latent_dim, self.loss_kind = latent_dim, loss
        self.shape = (in_channels, image_size, image_size)
        pixels = in_channels * image_size * image_size
        self.generator = nn.Sequential(
            *mlp([latent_dim] + [hidden] * layers + [pixels], nn.ReLU(True)), nn.Tanh(), nn.Unflatten(1, self.shape)
        )
        self.discriminator = nn.Sequential(
            nn.Flatten(), *mlp([pixels] + [hidden] * layers + [1], nn.LeakyReLU(0.2, True), dropout), nn.Flatten(0)
        )

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"discriminator": list(self.discriminator.parameters()), "generator": list(self.generator.parameters())}

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real = batch["image"] * 2 - 1
        fake = self.generator(self.noise(len(real)))
        if group == "discriminator":
            loss = discriminator_bce(self.discriminator(real), self.discriminator(fake.detach()))
            return ModelOutput(loss, {"d_loss": loss.detach()})
        loss = generator_bce(self.discriminator(fake), self.loss_kind)
        return ModelOutput(loss, {"g_loss": loss.detach()})

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return (self.generator(self.noise(n, generator)) + 1) / 2
