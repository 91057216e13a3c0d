"""StyleGAN (Karras et al. 2019): mapping network, AdaIN style modulation, noise injection, style mixing, truncation.

z -> (pixel norm, MLP with equalized LR and 0.01 learning-rate multiplier) -> w. The synthesis network starts from a
learned constant 4x4 map; each layer is conv -> per-pixel noise scaled per channel -> LeakyReLU -> AdaIN whose scale
and bias come from an affine map of that layer's w. Training mixes styles: with probability ``mixing_prob`` the
layers after a random crossover use the w of a second latent. A running mean of w (``w_avg``) gives the truncation
trick w' = w_avg + psi (w - w_avg). The discriminator is PGGAN's (fixed resolution) with minibatch std; the loss is
the non-saturating logistic loss.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import Batch, GenerativeModel, ModelOutput
from benchmark.models.layers.adversarial import discriminator_bce, generator_bce
from benchmark.models.layers.conv import doublings_from_4
from benchmark.models.layers.progressive import EqualizedConv2d, EqualizedLinear, MinibatchStdDev, PixelNorm
from benchmark.registry import MODELS

NOISE_MODES = ("random", "const")
W_AVG_BETA = 0.995


class StyledLayer(nn.Module):
    """conv -> noise injection -> LeakyReLU -> AdaIN(style); noise comes in as an argument [N, 1, H, W]."""

    def __init__(self, c_in: int, c_out: int, w_dim: int, upsample: bool) -> None:
        super().__init__()
        self.upsample = upsample
        self.conv = EqualizedConv2d(c_in, c_out, 3, padding=1)
        self.noise_strength = nn.Parameter(torch.zeros(1, c_out, 1, 1))
        self.style = EqualizedLinear(w_dim, 2 * c_out, bias_init=0.0)
        with torch.no_grad():
            self.style.bias[:c_out] = 1.0  # AdaIN scale starts at 1

    def forward(self, x: Tensor, w: Tensor, noise: Tensor) -> Tensor:
        if self.upsample:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        x = F.leaky_relu(self.conv(x) + self.noise_strength * noise, 0.2)
        scale, bias = self.style(w)[:, :, None, None].chunk(2, dim=1)
        return scale * F.instance_norm(x) + bias


@MODELS.register(
    "stylegan",
    family="gan",
    task="generation",
    min_size=16,
    channels=(1, 3),
    source="own implementation (Karras et al. 2019)",
    adapted="mapping depth, widths and noise mode are parameters; bilinear upsampling; no R1, no progressive growing",
)
class StyleGAN(GenerativeModel):
    """Style-based generator (mapping + synthesis) against a minibatch-std discriminator."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 64,
        w_dim: int = 64,
        mapping_layers: int = 4,
        width: int = 64,
        min_width: int = 16,
        mixing_prob: float = 0.9,
        truncation: float = 1.0,
        noise_mode: str = "random",
    ) -> None:
        super().__init__()
        if noise_mode not in NOISE_MODES:
            raise ValueError(f"stylegan: noise_mode must be one of {', '.join(NOISE_MODES)}, got {noise_mode!r}")
        levels = doublings_from_4(image_size, "stylegan")
        self.latent_dim, self.w_dim, self.image_size = latent_dim, w_dim, image_size
        self.mixing_prob, self.truncation, self.noise_mode = mixing_prob, truncation, noise_mode
        widths = [max(width // 2**i, min_width) for i in range(levels + 1)]
        mapping: list[nn.Module] = [PixelNorm()]
        for i in range(mapping_layers):
            mapping += [EqualizedLinear(latent_dim if i == 0 else w_dim, w_dim, lr_mul=0.01), nn.LeakyReLU(0.2)]
        self.mapping = nn.Sequential(*mapping)
        self.const = nn.Parameter(torch.ones(1, widths[0], 4, 4))
        self.layers = nn.ModuleList([StyledLayer(widths[0], widths[0], w_dim, False)])
        for w_in, w_out in zip(widths, widths[1:]):
            self.layers.append(StyledLayer(w_in, w_out, w_dim, True))
            self.layers.append(StyledLayer(w_out, w_out, w_dim, False))
        self.to_rgb = EqualizedConv2d(widths[-1], in_channels, 1)
        self.register_buffer("w_avg", torch.zeros(w_dim))
        for i in range(len(self.layers)):  # fixed noise maps for noise_mode "const"
            size = 4 * 2 ** ((i + 1) // 2)
            self.register_buffer(f"noise_{i}", torch.randn(1, 1, size, size))
        d_widths = widths[::-1]
        disc: list[nn.Module] = [EqualizedConv2d(in_channels, d_widths[0], 1), nn.LeakyReLU(0.2)]
        for w_in, w_out in zip(d_widths, d_widths[1:]):
            disc += [EqualizedConv2d(w_in, w_out, 3, padding=1), nn.LeakyReLU(0.2), nn.AvgPool2d(2)]
        disc += [
            MinibatchStdDev(),
            EqualizedConv2d(d_widths[-1] + 1, d_widths[-1], 3, padding=1),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            EqualizedLinear(d_widths[-1] * 16, 1),
            nn.Flatten(0),
        ]
        self.discriminator = nn.Sequential(*disc)

    @property
    def num_layers(self) -> int:
        """Synthesis layers, each with its own w (what style mixing crosses over)."""
        return len(self.layers)

    def map(self, z: Tensor, truncation: float = 1.0) -> Tensor:
        """z [N, Z] -> w [N, W], pulled towards ``w_avg`` by ``truncation`` psi (1 = none)."""
        w = self.mapping(z)
        return self.w_avg + truncation * (w - self.w_avg) if truncation != 1.0 else w

    def synthesize(self, ws: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """Per-layer styles ws [N, num_layers, W] -> images in [-1, 1]."""
        x = self.const.expand(len(ws), -1, -1, -1)
        for i, layer in enumerate(self.layers):
            size = 4 * 2 ** ((i + 1) // 2)
            if self.noise_mode == "const":
                noise = getattr(self, f"noise_{i}")
            else:
                noise = torch.randn(len(ws), 1, size, size, generator=generator).to(ws.device)
            x = layer(x, ws[:, i], noise)
        return torch.tanh(self.to_rgb(x))

    def mix(self, w1: Tensor, w2: Tensor, crossover: int) -> Tensor:
        """Per-layer styles: ``w1`` for layers < ``crossover``, ``w2`` from there on."""
        ws = w1[:, None].repeat(1, self.num_layers, 1)
        ws[:, crossover:] = w2[:, None]
        return ws

    def generate(self, n: int) -> Tensor:
        """Training-time images with style mixing; updates ``w_avg`` (the truncation centre)."""
        w = self.map(self.noise(n))
        if self.training:
            with torch.no_grad():
                self.w_avg.lerp_(w.detach().mean(0).to(self.w_avg.dtype), 1 - W_AVG_BETA)  # w is half under AMP
        ws = w[:, None].repeat(1, self.num_layers, 1)
        if self.training and float(torch.rand(())) < self.mixing_prob:
            ws = self.mix(w, self.map(self.noise(n)), int(torch.randint(1, self.num_layers, ())))
        return self.synthesize(ws)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        gen = [p for name, p in self.named_parameters() if not name.startswith("discriminator.")]
        return {"discriminator": list(self.discriminator.parameters()), "generator": gen}

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real = batch["image"] * 2 - 1
        if group == "discriminator":
            with torch.no_grad():
                fake = self.generate(len(real))
            loss = discriminator_bce(self.discriminator(real), self.discriminator(fake))
            return ModelOutput(loss, {"d_loss": loss.detach()})
        loss = generator_bce(self.discriminator(self.generate(len(real))))
        return ModelOutput(loss, {"g_loss": loss.detach()})

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None, truncation: float | None = None) -> Tensor:
        w = self.map(self.noise(n, generator), self.truncation if truncation is None else truncation)
        return (self.synthesize(w[:, None].repeat(1, self.num_layers, 1), generator) + 1) / 2
