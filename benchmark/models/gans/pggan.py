"""PGGAN (Karras et al. 2018): progressive growing of generator and discriminator from 4x4 to the image size.

Training starts at 4x4; each new resolution is faded in: the output mixes the upsampled old ``to_rgb`` image and the
new block's image with weight ``alpha`` rising 0 -> 1, then trains stable. The schedule is a function of training
progress (``on_progress``), split evenly into 1 + 2 * growths phases (stable 4x4, then fade + stable per level).
Equalized learning rate, pixel norm in G, minibatch standard deviation in D, WGAN-GP loss with drift penalty.
Samples at lower stages are upsampled (nearest) to the full size.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import Batch, GenerativeModel, ModelOutput
from benchmark.models.layers.adversarial import gradient_penalty
from benchmark.models.layers.conv import doublings_from_4
from benchmark.models.layers.progressive import EqualizedConv2d, MinibatchStdDev, PixelNorm
from benchmark.registry import MODELS

DRIFT = 1e-3  # epsilon_drift * E[D(x)^2] keeps critic scores near zero


def schedule(progress: float, growths: int) -> tuple[int, float]:
    """(stage, alpha) at ``progress`` in [0, 1]: stage k means resolution 4 * 2**k; alpha < 1 while fading in."""
    phases = 2 * growths + 1
    position = min(max(progress, 0.0), 1.0) * phases
    phase = min(int(position), phases - 1)
    stage = (phase + 1) // 2
    alpha = position - phase if phase % 2 == 1 else 1.0
    return stage, alpha


def _conv_block(c_in: int, c_out: int, pixel_norm: bool) -> list[nn.Module]:
    layers: list[nn.Module] = [EqualizedConv2d(c_in, c_out, 3, padding=1), nn.LeakyReLU(0.2)]
    return layers + [PixelNorm()] if pixel_norm else layers


class ProgressiveGenerator(nn.Module):
    """latent -> images at every stage; ``forward(z, stage, alpha)``."""

    def __init__(self, latent_dim: int, channels: int, widths: list[int]) -> None:
        super().__init__()
        first = nn.Sequential(
            PixelNorm(),
            nn.Unflatten(1, (latent_dim, 1, 1)),
            nn.ConvTranspose2d(latent_dim, widths[0], 4),  # 1x1 -> 4x4 (the paper's 4x4 dense layer)
            nn.LeakyReLU(0.2),
            PixelNorm(),
            *_conv_block(widths[0], widths[0], True),
        )
        self.blocks = nn.ModuleList([first])
        for w_in, w_out in zip(widths, widths[1:]):
            self.blocks.append(
                nn.Sequential(
                    nn.Upsample(scale_factor=2), *_conv_block(w_in, w_out, True), *_conv_block(w_out, w_out, True)
                )
            )
        self.to_rgb = nn.ModuleList([EqualizedConv2d(w, channels, 1) for w in widths])

    def forward(self, z: Tensor, stage: int, alpha: float) -> Tensor:
        x = self.blocks[0](z)
        for block in self.blocks[1 : stage + 1]:
            previous, x = x, block(x)
        image = self.to_rgb[stage](x)
        if stage > 0 and alpha < 1:
            old = F.interpolate(self.to_rgb[stage - 1](previous), scale_factor=2, mode="nearest")
            image = alpha * image + (1 - alpha) * old
        return image


class ProgressiveDiscriminator(nn.Module):
    """images at a stage's resolution -> one score; ``forward(x, stage, alpha)``."""

    def __init__(self, channels: int, widths: list[int]) -> None:
        super().__init__()
        self.from_rgb = nn.ModuleList(
            [nn.Sequential(EqualizedConv2d(channels, w, 1), nn.LeakyReLU(0.2)) for w in widths]
        )
        self.blocks = nn.ModuleList(
            [
                nn.Sequential(
                    MinibatchStdDev(),
                    *_conv_block(widths[0] + 1, widths[0], False),
                    nn.Flatten(),
                    nn.Linear(widths[0] * 16, widths[0]),
                    nn.LeakyReLU(0.2),
                    nn.Linear(widths[0], 1),
                    nn.Flatten(0),
                )
            ]
        )
        for w_in, w_out in zip(widths, widths[1:]):  # block k maps stage k features to stage k-1 features
            self.blocks.append(
                nn.Sequential(*_conv_block(w_out, w_out, False), *_conv_block(w_out, w_in, False), nn.AvgPool2d(2))
            )

    def forward(self, x: Tensor, stage: int, alpha: float) -> Tensor:
        h = self.from_rgb[stage](x)
        if stage > 0:
            h = self.blocks[stage](h)
            if alpha < 1:
                h = alpha * h + (1 - alpha) * self.from_rgb[stage - 1](F.avg_pool2d(x, 2))
            for block in self.blocks[stage - 1 : 0 : -1]:
                h = block(h)
        return self.blocks[0](h)


@MODELS.register(
    "pggan",
    family="gan",
    task="generation",
    min_size=16,
    channels=(1, 3),
    source="own implementation (Karras et al. 2018)",
    adapted="growth schedule spread evenly over the run's epochs; widths halve per level from a parameter",
)
class PGGAN(GenerativeModel):
    """Progressively grown generator and discriminator sharing one (stage, alpha) schedule."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 64,
        width: int = 64,
        min_width: int = 16,
        gp_weight: float = 10.0,
    ) -> None:
        super().__init__()
        self.growths = doublings_from_4(image_size, "pggan")
        self.latent_dim, self.image_size, self.gp_weight = latent_dim, image_size, gp_weight
        widths = [max(width // 2**i, min_width) for i in range(self.growths + 1)]
        self.generator = ProgressiveGenerator(latent_dim, in_channels, widths)
        self.discriminator = ProgressiveDiscriminator(in_channels, widths)
        self.register_buffer("stage", torch.tensor(self.growths))  # trained models sample at full resolution
        self.register_buffer("alpha", torch.tensor(1.0))

    def on_progress(self, progress: float) -> None:
        stage, alpha = schedule(progress, self.growths)
        self.stage.fill_(stage)
        self.alpha.fill_(alpha)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"discriminator": list(self.discriminator.parameters()), "generator": list(self.generator.parameters())}

    def step(self, batch: Batch, group: str) -> ModelOutput:
        stage, alpha = int(self.stage), float(self.alpha)
        real = F.adaptive_avg_pool2d(batch["image"] * 2 - 1, 4 * 2**stage)
        fake = self.generator(self.noise(len(real)), stage, alpha)
        if group == "discriminator":
            real_score = self.discriminator(real, stage, alpha)
            fake_score = self.discriminator(fake.detach(), stage, alpha)
            penalty = gradient_penalty(
                lambda x: self.discriminator(x, stage, alpha), real, fake, torch.rand(len(real), device=real.device)
            )
            loss = fake_score.mean() - real_score.mean() + self.gp_weight * penalty + DRIFT * real_score.pow(2).mean()
            return ModelOutput(loss, {"d_loss": loss.detach(), "stage": float(stage), "alpha": alpha})
        loss = -self.discriminator(fake, stage, alpha).mean()
        return ModelOutput(loss, {"g_loss": loss.detach()})

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        images = self.generator(self.noise(n, generator), int(self.stage), float(self.alpha))
        images = F.interpolate(images, size=self.image_size, mode="nearest")
        return ((images + 1) / 2).clamp(0, 1)
