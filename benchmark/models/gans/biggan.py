"""BigGAN (Brock et al. 2019): class-conditional residual GAN with spectral norm, self-attention and truncation.

Generator: the latent z is split into one chunk per resolution (hierarchical latents); a shared class embedding is
joined to each chunk and drives the gains and biases of class-conditional batch norm in every residual up-block.
Self-attention (SAGAN) sits after the block that reaches ``attention_size``. Discriminator: residual down-blocks,
self-attention, sum pooling and a projection head (Miyato and Koyama 2018): logit = linear(h) + embed(y) . h.
Spectral norm on every G and D weight, hinge loss, and BigGAN's orthogonal regularisation
beta * ||W W^T * (1 - I)||_F^2 on the generator's conv weights. Truncation trick: z entries beyond ``truncation``
are resampled.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm

from benchmark.models.base import Batch, ConditionalGenerativeModel, ModelOutput
from benchmark.models.layers.adversarial import discriminator_hinge
from benchmark.models.layers.conv import doublings_from_4
from benchmark.registry import MODELS


def sn_conv(c_in: int, c_out: int, kernel: int) -> nn.Module:
    return spectral_norm(nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2))


def truncated_noise(n: int, dim: int, threshold: float | None, generator: torch.Generator | None = None) -> Tensor:
    """Standard-normal [n, dim] with every |entry| > ``threshold`` resampled until inside (None: no truncation)."""
    z = torch.randn(n, dim, generator=generator)
    if threshold is None:
        return z
    if threshold <= 0:
        raise ValueError(f"biggan: truncation must be > 0, got {threshold}")
    outside = z.abs() > threshold
    while outside.any():
        z[outside] = torch.randn(int(outside.sum()), generator=generator)
        outside = z.abs() > threshold
    return z


def orthogonal_penalty(weights: list[Tensor]) -> Tensor:
    """BigGAN's orthogonal regularisation: sum of ||W W^T * (1 - I)||_F^2 over weights flattened to [out, -1]."""
    total = weights[0].new_zeros(())
    for weight in weights:
        w = weight.flatten(1)
        gram = w @ w.t()
        total = total + (gram * (1 - torch.eye(len(w), device=w.device))).pow(2).sum()
    return total


class SelfAttention(nn.Module):
    """SAGAN self-attention over spatial positions, added to the input with a learned gate starting at 0."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.query, self.key = sn_conv(channels, channels // 8, 1), sn_conv(channels, channels // 8, 1)
        self.value = sn_conv(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(()))

    def forward(self, x: Tensor) -> Tensor:
        q, k, v = self.query(x).flatten(2), self.key(x).flatten(2), self.value(x).flatten(2)
        attention = torch.softmax(q.transpose(1, 2) @ k, dim=-1)  # [N, HW, HW]
        return x + self.gamma * (v @ attention.transpose(1, 2)).view_as(x)


class ConditionalBatchNorm(nn.Module):
    """Batch norm without affine parameters; gain 1 + g(c) and bias b(c) from the conditioning vector c."""

    def __init__(self, channels: int, cond_dim: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(channels, affine=False)
        self.gain, self.bias = (
            spectral_norm(nn.Linear(cond_dim, channels)),
            spectral_norm(nn.Linear(cond_dim, channels)),
        )

    def forward(self, x: Tensor, cond: Tensor) -> Tensor:
        return self.norm(x) * (1 + self.gain(cond)[:, :, None, None]) + self.bias(cond)[:, :, None, None]


class UpBlock(nn.Module):
    """Residual block: CBN-ReLU-up-conv-CBN-ReLU-conv, with an upsampled 1x1 skip."""

    def __init__(self, c_in: int, c_out: int, cond_dim: int) -> None:
        super().__init__()
        self.bn1, self.bn2 = ConditionalBatchNorm(c_in, cond_dim), ConditionalBatchNorm(c_out, cond_dim)
        self.conv1, self.conv2, self.skip = sn_conv(c_in, c_out, 3), sn_conv(c_out, c_out, 3), sn_conv(c_in, c_out, 1)

    def forward(self, x: Tensor, cond: Tensor) -> Tensor:
        h = F.interpolate(F.relu(self.bn1(x, cond)), scale_factor=2)
        h = self.conv2(F.relu(self.bn2(self.conv1(h), cond)))
        return h + self.skip(F.interpolate(x, scale_factor=2))


class DownBlock(nn.Module):
    """Residual block: ReLU-conv-ReLU-conv-avgpool, with a pooled 1x1 skip (no activation on the first block)."""

    def __init__(self, c_in: int, c_out: int, first: bool) -> None:
        super().__init__()
        self.first = first
        self.conv1, self.conv2, self.skip = sn_conv(c_in, c_out, 3), sn_conv(c_out, c_out, 3), sn_conv(c_in, c_out, 1)

    def forward(self, x: Tensor) -> Tensor:
        h = self.conv1(x if self.first else F.relu(x))
        h = F.avg_pool2d(self.conv2(F.relu(h)), 2)
        return h + F.avg_pool2d(self.skip(x), 2)


@MODELS.register(
    "biggan",
    family="gan",
    task="generation",
    conditional=True,
    min_size=16,
    channels=(1, 3),
    source="own implementation (Brock et al. 2019)",
    adapted="widths, embedding size and attention resolution are parameters; no EMA of G weights",
)
class BigGAN(ConditionalGenerativeModel):
    """Class-conditional BigGAN generator and projection discriminator."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 64,
        embed_dim: int = 32,
        width: int = 32,
        attention_size: int = 16,
        ortho_weight: float = 1e-4,
        truncation: float | None = None,
    ) -> None:
        super().__init__()
        levels = doublings_from_4(image_size, "biggan")
        chunk = latent_dim // (levels + 1)
        if chunk < 1:
            raise ValueError(f"biggan: latent_dim must be at least {levels + 1} (one entry per resolution)")
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.chunks = [latent_dim - chunk * levels] + [chunk] * levels  # the 4x4 seed takes the remainder
        self.ortho_weight, self.truncation = ortho_weight, truncation
        widths = [width * 2 ** (levels - i) for i in range(levels + 1)]  # 4x4 ... image_size
        self.shared = nn.Embedding(num_classes, embed_dim)
        self.first = spectral_norm(nn.Linear(self.chunks[0], widths[0] * 16))
        self.up = nn.ModuleList([UpBlock(a, b, embed_dim + chunk) for a, b in zip(widths, widths[1:])])
        sizes = [4 * 2 ** (i + 1) for i in range(levels)]
        self.g_attention_at = sizes.index(attention_size) if attention_size in sizes else -1
        self.g_attention = SelfAttention(widths[self.g_attention_at + 1])
        self.out = nn.Sequential(nn.BatchNorm2d(widths[-1]), nn.ReLU(), sn_conv(widths[-1], in_channels, 3), nn.Tanh())
        d_widths = widths[::-1][1:] + [widths[0]]
        self.down = nn.ModuleList(
            [DownBlock(a, b, i == 0) for i, (a, b) in enumerate(zip([in_channels] + d_widths, d_widths))]
        )
        d_sizes = [image_size // 2 ** (i + 1) for i in range(levels + 1)]
        self.d_attention_at = d_sizes.index(attention_size) if attention_size in d_sizes else -1
        self.d_attention = SelfAttention(d_widths[self.d_attention_at])
        self.linear = spectral_norm(nn.Linear(d_widths[-1], 1))
        self.projection = spectral_norm(nn.Embedding(num_classes, d_widths[-1]))

    def generate(self, z: Tensor, labels: Tensor) -> Tensor:
        """Images in [-1, 1]: chunk 0 of ``z`` seeds the 4x4 map, chunk i+1 (with the class embedding) block i."""
        chunks = z.split(self.chunks, dim=1)
        embedding = self.shared(labels)
        x = self.first(chunks[0]).view(len(z), -1, 4, 4)
        for i, block in enumerate(self.up):
            x = block(x, torch.cat([embedding, chunks[i + 1]], dim=1))
            if i == self.g_attention_at:
                x = self.g_attention(x)
        return self.out(x)

    def discriminate(self, images: Tensor, labels: Tensor) -> Tensor:
        """Projection-discriminator logits."""
        h = images
        for i, block in enumerate(self.down):
            h = block(h)
            if i == self.d_attention_at:
                h = self.d_attention(h)
        h = F.relu(h).sum(dim=(2, 3))
        return self.linear(h).squeeze(1) + (self.projection(labels) * h).sum(1)

    def generator_weights(self) -> list[Tensor]:
        """The generator's conv/linear weights that orthogonal regularisation constrains.

        The first linear map (z chunk -> 16 * width rows) is left out: its Gram matrix alone would cost more than
        the rest of a CPU training step.
        """
        modules = [*self.up, self.g_attention, self.out]
        return [
            p
            for m in modules
            for name, p in m.named_parameters()
            if name.endswith(("weight", "weight.original")) and p.dim() > 1
        ]

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        d_modules = [*self.down, self.d_attention, self.linear, self.projection]
        d_params = [p for m in d_modules for p in m.parameters()]
        d_ids = {id(p) for p in d_params}
        return {"discriminator": d_params, "generator": [p for p in self.parameters() if id(p) not in d_ids]}

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real, labels = batch["image"] * 2 - 1, batch["label"]
        fake = self.generate(self.noise(len(real)), labels)
        if group == "discriminator":
            loss = discriminator_hinge(self.discriminate(real, labels), self.discriminate(fake.detach(), labels))
            return ModelOutput(loss, {"d_loss": loss.detach()})
        adversarial = -self.discriminate(fake, labels).mean()
        ortho = orthogonal_penalty(self.generator_weights())
        loss = adversarial + self.ortho_weight * ortho
        return ModelOutput(loss, {"g_loss": adversarial.detach(), "ortho": ortho.detach()})

    @torch.no_grad()
    def sample_labelled(
        self, labels: Tensor, generator: torch.Generator | None = None, truncation: float | None = None
    ) -> Tensor:
        threshold = self.truncation if truncation is None else truncation
        device = next(self.parameters()).device
        z = truncated_noise(len(labels), self.latent_dim, threshold, generator).to(device)
        return (self.generate(z, labels.to(device)) + 1) / 2
