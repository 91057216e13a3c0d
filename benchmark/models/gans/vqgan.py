"""VQ-GAN (Esser et al. 2021): a vector-quantised autoencoder trained with perceptual and patch-adversarial losses,
then sampled through an autoregressive transformer prior over its code indices.

Stage 1 (groups ``discriminator`` and ``autoencoder``): encoder (``downsamplings`` stride-2 convolutions) -> codebook
(straight-through) -> decoder; loss = L1 + perceptual + codebook + beta * commitment + adv_weight * hinge generator
loss from a PatchGAN. Stage 2 (group ``prior``): a causal transformer predicting each code index from the previous
ones (raster order), trained with cross-entropy on the encoder's (detached) indices. All three groups train in the
same loop from the first step; sampling draws indices token by token and decodes them.

Perceptual loss: no pretrained VGG is available offline, so the feature net is a fixed, randomly initialised
three-layer conv net (``random_conv3``, seed 0, frozen); distances between random conv features still weigh local
structure beyond pixels (Ulyanov et al. 2018, deep image prior; He et al. 2016, random-weight texture models). This is
a stated substitute for LPIPS, named in the model's metadata.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.losses.common import pixel_cross_entropy
from benchmark.models.base import AutoencoderModel, Batch, ModelOutput
from benchmark.models.gans.pix2pix import PatchDiscriminator
from benchmark.models.layers.adversarial import discriminator_hinge
from benchmark.models.layers.quantize import VectorQuantizer
from benchmark.registry import MODELS

PERCEPTUAL_NET = "random_conv3"


def random_feature_net(channels: int, width: int = 32, seed: int = 0) -> nn.Module:
    """A frozen conv net with seeded random weights; returns its three ReLU feature maps' concatenation as a list."""
    gen = torch.Generator().manual_seed(seed)
    convs = nn.ModuleList(
        [nn.Conv2d(channels, width, 3, padding=1), nn.Conv2d(width, width, 3, padding=1, stride=2)]
        + [nn.Conv2d(width, width, 3, padding=1, stride=2)]
    )
    for conv in convs:
        fan_in = conv.weight[0].numel()
        conv.weight.data = torch.randn(conv.weight.shape, generator=gen) * (2 / fan_in) ** 0.5
        conv.bias.data.zero_()
        conv.requires_grad_(False)
    return convs


class CausalTransformer(nn.Module):
    """Decoder-only transformer over code indices with a start token; logits for the next index at every position."""

    def __init__(self, num_codes: int, length: int, dim: int, layers: int, heads: int) -> None:
        super().__init__()
        self.start = num_codes  # extra token id
        self.tokens = nn.Embedding(num_codes + 1, dim)
        self.positions = nn.Parameter(torch.zeros(1, length, dim))
        layer = nn.TransformerEncoderLayer(dim, heads, 4 * dim, dropout=0.0, batch_first=True, norm_first=True)
        self.body = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Linear(dim, num_codes)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(length), persistent=False)

    def forward(self, indices: Tensor) -> Tensor:
        """indices [N, L'] (L' <= L) -> logits [N, L', K] where position t predicts index t from indices < t."""
        inputs = torch.cat([torch.full_like(indices[:, :1], self.start), indices[:, :-1]], dim=1)
        length = inputs.shape[1]
        h = self.tokens(inputs) + self.positions[:, :length]
        return self.head(self.body(h, mask=self.mask[:length, :length], is_causal=True))


@MODELS.register(
    "vqgan",
    family="gan",
    task="generation",
    min_size=16,
    channels=(1, 3),
    perceptual_net=PERCEPTUAL_NET,
    source="own implementation (Esser et al. 2021)",
    adapted="fixed random-feature perceptual loss instead of LPIPS; fixed adversarial weight; stages trained jointly",
)
class VQGAN(AutoencoderModel):
    """VQ autoencoder + PatchGAN + autoregressive transformer prior."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        width: int = 32,
        downsamplings: int = 2,
        embed_dim: int = 32,
        num_codes: int = 64,
        beta: float = 0.25,
        perceptual_weight: float = 1.0,
        adv_weight: float = 0.1,
        prior_dim: int = 64,
        prior_layers: int = 2,
        prior_heads: int = 4,
        temperature: float = 1.0,
    ) -> None:
        super().__init__()
        if downsamplings < 1 or image_size % 2**downsamplings:
            raise ValueError(f"vqgan: image_size {image_size} must be divisible by 2**downsamplings ({downsamplings})")
        self.latent_dim, self.grid = embed_dim, image_size // 2**downsamplings
        self.beta, self.perceptual_weight, self.adv_weight = beta, perceptual_weight, adv_weight
        self.temperature = temperature
        encoder: list[nn.Module] = [nn.Conv2d(in_channels, width, 3, padding=1), nn.LeakyReLU(0.2)]
        decoder: list[nn.Module] = [nn.Conv2d(embed_dim, 2 * width, 3, padding=1)]
        for i in range(downsamplings):
            encoder += [nn.Conv2d(width if i == 0 else 2 * width, 2 * width, 4, 2, 1)]
            encoder += [nn.GroupNorm(8, 2 * width), nn.LeakyReLU(0.2)]
            decoder += [nn.GroupNorm(8, 2 * width), nn.LeakyReLU(0.2)]
            decoder += [nn.ConvTranspose2d(2 * width, width if i == downsamplings - 1 else 2 * width, 4, 2, 1)]
        self.encoder = nn.Sequential(*encoder, nn.Conv2d(2 * width, embed_dim, 1))
        self.decoder = nn.Sequential(
            *decoder, nn.GroupNorm(8, width), nn.LeakyReLU(0.2), nn.Conv2d(width, in_channels, 3, padding=1), nn.Tanh()
        )
        self.quantizer = VectorQuantizer(num_codes, embed_dim)
        self.discriminator = PatchDiscriminator(in_channels, width, 3)
        self.prior = CausalTransformer(num_codes, self.grid * self.grid, prior_dim, prior_layers, prior_heads)
        self.features = random_feature_net(in_channels)

    def perceptual(self, x: Tensor, y: Tensor) -> Tensor:
        """Mean squared distance between the fixed random-net features of ``x`` and ``y`` (summed over layers)."""
        total = x.new_zeros(())
        for conv in self.features:
            x, y = F.relu(conv(x)), F.relu(conv(y))
            total = total + F.mse_loss(x, y)
        return total

    def autoencode(self, images: Tensor) -> tuple[Tensor, Tensor, object]:
        """images in [-1, 1] -> (reconstruction in [-1, 1], code indices, quantizer output)."""
        q = self.quantizer(self.encoder(images))
        return self.decoder(q.latents), q.indices, q

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        autoencoder = [*self.encoder.parameters(), *self.quantizer.parameters(), *self.decoder.parameters()]
        return {
            "discriminator": list(self.discriminator.parameters()),
            "autoencoder": autoencoder,
            "prior": list(self.prior.parameters()),
        }

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real = batch["image"] * 2 - 1
        if group == "prior":
            with torch.no_grad():
                indices = self.quantizer(self.encoder(real)).indices.flatten(1)
            loss = pixel_cross_entropy(self.prior(indices).transpose(1, 2), indices)  # [N, K, L] vs [N, L]
            return ModelOutput(loss, {"prior_nll": loss.detach()})
        recon, _, q = self.autoencode(real)
        if group == "discriminator":
            loss = discriminator_hinge(self.discriminator(real), self.discriminator(recon.detach()))
            return ModelOutput(loss, {"d_loss": loss.detach()})
        l1 = F.l1_loss(recon, real)
        perceptual = self.perceptual(recon, real)
        adversarial = -self.discriminator(recon).mean()
        loss = (
            l1
            + self.perceptual_weight * perceptual
            + q.codebook_loss
            + self.beta * q.commitment_loss
            + self.adv_weight * adversarial
        )
        logs = {"l1": l1.detach(), "perceptual": perceptual.detach(), "g_loss": adversarial.detach()}
        return ModelOutput(loss, {**logs, "vq": q.codebook_loss.detach(), "perplexity": q.perplexity.detach()})

    @torch.no_grad()
    def reconstruct(self, images: Tensor) -> Tensor:
        return (self.autoencode(images * 2 - 1)[0] + 1) / 2

    @torch.no_grad()
    def sample_indices(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Code indices [n, grid, grid] drawn token by token from the prior (multinomial on CPU, seeded)."""
        device = next(self.parameters()).device
        indices = torch.zeros(n, 0, dtype=torch.long, device=device)
        for _ in range(self.grid * self.grid):
            step_input = torch.cat([indices, indices.new_zeros(n, 1)], dim=1)  # the last entry is never read
            logits = self.prior(step_input)[:, -1].float().cpu() / self.temperature
            token = torch.multinomial(logits.softmax(-1), 1, generator=generator).to(device)
            indices = torch.cat([indices, token], dim=1)
        return indices.view(n, self.grid, self.grid)

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        latents = self.quantizer.lookup(self.sample_indices(n, generator))
        return (self.decoder(latents) + 1) / 2
