"""CycleGAN (Zhu et al. 2017): unpaired translation with two generators, two discriminators and cycle consistency.

G: A -> B and F: B -> A are ResNet generators (7x7 conv, two stride-2 down convs, residual blocks, two up convs,
instance norm); D_A and D_B are PatchGANs with the least-squares GAN loss. Generator loss: adversarial (both ways)
+ lambda_cyc (||F(G(a)) - a||_1 + ||G(F(b)) - b||_1) + lambda_id (||G(b) - b||_1 + ||F(a) - a||_1). Pairing is
broken on purpose: the B images of a batch are rolled by one position against their A masks, so no loss ever sees a
matched pair. On ``mni152_slices``: A = tissue masks (as grey levels), B = T1 slices. B keeps the dataset's channels
(1 or 3: mask <-> RGB image); the identity loss, which feeds each generator its own output domain, applies only when
both domains have one channel (as in the paper, it is for same-shaped domains).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import Batch, ModelOutput, TranslationModel
from benchmark.models.gans.pix2pix import PatchDiscriminator
from benchmark.registry import MODELS


class ResidualBlock(nn.Module):
    """x + (conv-IN-ReLU-conv-IN)(x), reflection padding."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            nn.InstanceNorm2d(channels),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3),
            nn.InstanceNorm2d(channels),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


class ResnetGenerator(nn.Sequential):
    """[N, C_in, S, S] -> [N, C_out, S, S] in [-1, 1]; S must be divisible by 4."""

    def __init__(self, channels: int, width: int, blocks: int, out_channels: int = 0) -> None:
        super().__init__(
            nn.ReflectionPad2d(3),
            nn.Conv2d(channels, width, 7),
            nn.InstanceNorm2d(width),
            nn.ReLU(True),
            nn.Conv2d(width, 2 * width, 3, 2, 1),
            nn.InstanceNorm2d(2 * width),
            nn.ReLU(True),
            nn.Conv2d(2 * width, 4 * width, 3, 2, 1),
            nn.InstanceNorm2d(4 * width),
            nn.ReLU(True),
            *[ResidualBlock(4 * width) for _ in range(blocks)],
            nn.ConvTranspose2d(4 * width, 2 * width, 3, 2, 1, output_padding=1),
            nn.InstanceNorm2d(2 * width),
            nn.ReLU(True),
            nn.ConvTranspose2d(2 * width, width, 3, 2, 1, output_padding=1),
            nn.InstanceNorm2d(width),
            nn.ReLU(True),
            nn.ReflectionPad2d(3),
            nn.Conv2d(width, out_channels or channels, 7),
            nn.Tanh(),
        )


def lsgan(logits: Tensor, real: bool) -> Tensor:
    """Least-squares GAN loss (Mao et al. 2017) towards 1 (real) or 0 (fake)."""
    return (logits - float(real)).pow(2).mean()


@MODELS.register(
    "cyclegan",
    family="gan",
    task="translation",
    paired=False,
    min_size=16,
    channels=(1, 3),
    source="own implementation (Zhu et al. 2017)",
    adapted="residual blocks, widths and loss weights are parameters; no image pool of past fakes",
)
class CycleGAN(TranslationModel):
    """Generators ``g_ab`` (mask -> image) and ``g_ba`` (image -> mask) with discriminators ``d_a`` and ``d_b``."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        width: int = 16,
        blocks: int = 3,
        patch_layers: int = 3,
        cycle_weight: float = 10.0,
        identity_weight: float = 5.0,
    ) -> None:
        super().__init__()
        if image_size % 4:
            raise ValueError(f"cyclegan: image_size must be divisible by 4, got {image_size}")
        self.num_mask_classes = num_classes
        self.cycle_weight, self.identity_weight = cycle_weight, identity_weight
        self.g_ab = ResnetGenerator(1, width, blocks, out_channels=in_channels)
        self.g_ba = ResnetGenerator(in_channels, width, blocks, out_channels=1)
        self.d_a, self.d_b = (
            PatchDiscriminator(1, width, patch_layers),
            PatchDiscriminator(in_channels, width, patch_layers),
        )
        self.same_channels = in_channels == 1

    def domains(self, batch: Batch) -> tuple[Tensor, Tensor]:
        """Unpaired (A, B) in [-1, 1]: masks, and the T1 images rolled by one so no pair is matched."""
        a = self.mask_image(batch["mask"]) * 2 - 1
        b = torch.roll(batch["image"], 1, dims=0) * 2 - 1
        return a, b

    def cycle_loss(self, a: Tensor, b: Tensor) -> Tensor:
        """||F(G(a)) - a||_1 + ||G(F(b)) - b||_1."""
        return F.l1_loss(self.g_ba(self.g_ab(a)), a) + F.l1_loss(self.g_ab(self.g_ba(b)), b)

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {
            "discriminator": [*self.d_a.parameters(), *self.d_b.parameters()],
            "generator": [*self.g_ab.parameters(), *self.g_ba.parameters()],
        }

    def step(self, batch: Batch, group: str) -> ModelOutput:
        a, b = self.domains(batch)
        fake_b, fake_a = self.g_ab(a), self.g_ba(b)
        if group == "discriminator":
            loss = 0.5 * (
                lsgan(self.d_a(a), True)
                + lsgan(self.d_a(fake_a.detach()), False)
                + lsgan(self.d_b(b), True)
                + lsgan(self.d_b(fake_b.detach()), False)
            )
            return ModelOutput(loss, {"d_loss": loss.detach()})
        adversarial = lsgan(self.d_b(fake_b), True) + lsgan(self.d_a(fake_a), True)
        cycle = F.l1_loss(self.g_ba(fake_b), a) + F.l1_loss(self.g_ab(fake_a), b)
        loss = adversarial + self.cycle_weight * cycle
        if not self.same_channels:  # the identity loss needs both domains to have the same channels
            return ModelOutput(loss, {"g_loss": adversarial.detach(), "cycle": cycle.detach()})
        identity = F.l1_loss(self.g_ab(b), b) + F.l1_loss(self.g_ba(a), a)
        loss = loss + self.identity_weight * identity
        return ModelOutput(
            loss, {"g_loss": adversarial.detach(), "cycle": cycle.detach(), "identity": identity.detach()}
        )

    @torch.no_grad()
    def translate(self, batch: Batch) -> dict[str, Tensor]:
        a = self.mask_image(batch["mask"]) * 2 - 1
        b = batch["image"] * 2 - 1
        return {"image": (self.g_ab(a) + 1) / 2, "mask": (self.g_ba(b) + 1) / 2}
