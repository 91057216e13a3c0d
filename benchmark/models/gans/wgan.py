"""WGAN (Arjovsky et al. 2017) and WGAN-GP (Gulrajani et al. 2017): a critic estimating the Wasserstein-1 distance.

The critic outputs an unbounded score (no sigmoid) and minimises E[f(G(z))] - E[f(x)]; the generator minimises
-E[f(G(z))]. The critic must be 1-Lipschitz: ``variant: clip`` clamps its weights to [-c, c] after every update
(the original, with RMSprop in the paper), ``variant: gp`` adds lambda * (||grad f(x_hat)|| - 1)^2 at random
interpolates (no batch norm in the critic, as the GP paper requires). The critic takes ``n_critic`` updates per
generator update (on the same real batch with fresh noise). The generator is DCGAN's.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from benchmark.models.base import Batch, GenerativeModel, ModelOutput
from benchmark.models.gans.dcgan import Generator, _init_weights
from benchmark.models.layers.adversarial import gradient_penalty
from benchmark.models.layers.conv import doublings_from_4
from benchmark.registry import MODELS

VARIANTS = ("clip", "gp")


class Critic(nn.Sequential):
    """image -> one unbounded score; stride-2 convolutions with LeakyReLU and no normalisation."""

    def __init__(self, channels: int, image_size: int, width: int) -> None:
        levels = doublings_from_4(image_size, "wgan")
        widths = [width * 2**i for i in range(levels)]
        layers: list[nn.Module] = [nn.Conv2d(channels, widths[0], 4, 2, 1), nn.LeakyReLU(0.2, True)]
        for w_in, w_out in zip(widths, widths[1:]):
            layers += [nn.Conv2d(w_in, w_out, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        layers += [nn.Conv2d(widths[-1], 1, 4, 1, 0), nn.Flatten(0)]
        super().__init__(*layers)


@MODELS.register(
    "wgan",
    family="gan",
    task="generation",
    min_size=16,
    channels=(1, 3),
    source="own implementation (Arjovsky et al. 2017; Gulrajani et al. 2017)",
    adapted="DCGAN generator; variant (clip or gp), clip value, penalty weight and n_critic are parameters",
)
class WGAN(GenerativeModel):
    """DCGAN generator against a Lipschitz-constrained critic."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 64,
        width: int = 32,
        variant: str = "gp",
        n_critic: int = 5,
        clip_value: float = 0.01,
        gp_weight: float = 10.0,
    ) -> None:
        super().__init__()
        if variant not in VARIANTS:
            raise ValueError(f"wgan: variant must be one of {', '.join(VARIANTS)}, got {variant!r}")
        if n_critic < 1:
            raise ValueError(f"wgan: n_critic must be >= 1, got {n_critic}")
        self.latent_dim, self.variant, self.n_critic = latent_dim, variant, n_critic
        self.clip_value, self.gp_weight = clip_value, gp_weight
        self.generator = Generator(latent_dim, in_channels, image_size, width)
        self.critic = Critic(in_channels, image_size, width)
        self.apply(_init_weights)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"critic": list(self.critic.parameters()), "generator": list(self.generator.parameters())}

    def updates_per_batch(self, group: str) -> int:
        return self.n_critic if group == "critic" else 1

    def after_update(self, group: str) -> None:
        if group == "critic" and self.variant == "clip":
            with torch.no_grad():
                for p in self.critic.parameters():
                    p.clamp_(-self.clip_value, self.clip_value)

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real = batch["image"] * 2 - 1
        fake = self.generator(self.noise(len(real)))
        if group == "critic":
            distance = self.critic(real).mean() - self.critic(fake.detach()).mean()
            loss = -distance
            logs = {"wasserstein": distance.detach()}
            if self.variant == "gp":
                penalty = gradient_penalty(self.critic, real, fake, torch.rand(len(real), device=real.device))
                loss = loss + self.gp_weight * penalty
                logs["gradient_penalty"] = penalty.detach()
            return ModelOutput(loss, {"critic_loss": loss.detach(), **logs})
        loss = -self.critic(fake).mean()
        return ModelOutput(loss, {"g_loss": loss.detach()})

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        return (self.generator(self.noise(n, generator)) + 1) / 2
