"""Pix2Pix (Isola et al. 2017): conditional GAN for paired image-to-image translation.

Generator: a U-Net of stride-2 4x4 convolutions down to 1x1 (LeakyReLU, batch norm) and transposed convolutions back
up (ReLU, batch norm, dropout as the noise source in the three innermost up-blocks) with skip connections, tanh
output. Discriminator: a PatchGAN, a fully convolutional net classifying overlapping 70x70-style patches (here sized
to the image) of the (source, target) pair as real or fake. Loss: non-saturating adversarial + lambda * L1(G(x), y).
On ``mni152_slices`` the pair is (tissue mask, T1 slice): ``direction: mask_to_image`` is modality synthesis,
``image_to_mask`` is segmentation (scored with Dice). Masks are one-channel grey levels and images keep the dataset's
channels (1 or 3, e.g. ISIC lesion mask -> RGB dermoscopy), so the generator maps 1 -> C or C -> 1 channels.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import Batch, ModelOutput, TranslationModel
from benchmark.models.gans.dcgan import _init_weights
from benchmark.models.layers.adversarial import discriminator_bce, generator_bce
from benchmark.models.layers.conv import doublings_from_4
from benchmark.registry import MODELS

DIRECTIONS = ("mask_to_image", "image_to_mask")


class UNetGenerator(nn.Module):
    """Encoder to 1x1 and decoder with skips; [N, C_in, S, S] in [-1, 1] -> [N, C_out, S, S] in [-1, 1]."""

    def __init__(self, channels: int, image_size: int, width: int, max_width: int, out_channels: int = 0) -> None:
        super().__init__()
        depth = doublings_from_4(image_size, "pix2pix") + 2  # stride-2 steps from S down to 1
        widths = [min(width * 2**i, max_width) for i in range(depth)]
        self.down = nn.ModuleList()
        for i, (w_in, w_out) in enumerate(zip([channels] + widths[:-1], widths)):
            layers: list[nn.Module] = [nn.Conv2d(w_in, w_out, 4, 2, 1, bias=False)]
            if 0 < i < depth - 1:
                layers.append(nn.BatchNorm2d(w_out))
            self.down.append(nn.Sequential(*layers))
        self.up = nn.ModuleList()
        for i in reversed(range(depth)):  # up-block i maps level i+1 features (plus skip) to level i
            w_in = widths[i] if i == depth - 1 else 2 * widths[i]
            w_out = (out_channels or channels) if i == 0 else widths[i - 1]
            layers = [nn.ReLU(True), nn.ConvTranspose2d(w_in, w_out, 4, 2, 1, bias=i == 0)]
            if i > 0:
                layers.append(nn.BatchNorm2d(w_out))
                if i >= depth - 3:
                    layers.append(nn.Dropout(0.5))
            self.up.append(nn.Sequential(*layers))

    def forward(self, x: Tensor) -> Tensor:
        skips = []
        for i, block in enumerate(self.down):
            x = block(x if i == 0 else F.leaky_relu(x, 0.2))
            skips.append(x)
        x = skips.pop()
        for i, block in enumerate(self.up):
            x = block(x if i == 0 else torch.cat([x, skips.pop()], dim=1))
        return torch.tanh(x)


class PatchDiscriminator(nn.Sequential):
    """(source, target) pair -> a map of real/fake logits, one per receptive-field patch."""

    def __init__(self, channels: int, width: int, layers: int) -> None:
        mods: list[nn.Module] = [nn.Conv2d(channels, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        w = width
        for i in range(1, layers):
            stride = 2 if i < layers - 1 else 1
            mods += [nn.Conv2d(w, 2 * w, 4, stride, 1, bias=False), nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2, True)]
            w *= 2
        mods.append(nn.Conv2d(w, 1, 4, 1, 1))
        super().__init__(*mods)


@MODELS.register(
    "pix2pix",
    family="gan",
    task="translation",
    paired=True,
    min_size=16,
    channels=(1, 3),
    source="own implementation (Isola et al. 2017)",
    adapted="U-Net depth follows the image size; PatchGAN depth, widths and L1 weight are parameters",
)
class Pix2Pix(TranslationModel):
    """U-Net generator and PatchGAN discriminator on paired (mask, image) data."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        width: int = 32,
        max_width: int = 256,
        patch_layers: int = 3,
        l1_weight: float = 100.0,
        direction: str = "mask_to_image",
    ) -> None:
        super().__init__()
        if direction not in DIRECTIONS:
            raise ValueError(f"pix2pix: direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}")
        self.num_mask_classes, self.direction, self.l1_weight = num_classes, direction, l1_weight
        source, target = (1, in_channels) if direction == "mask_to_image" else (in_channels, 1)
        self.generator = UNetGenerator(source, image_size, width, max_width, out_channels=target)
        self.discriminator = PatchDiscriminator(source + target, width, patch_layers)
        self.apply(_init_weights)

    def pair(self, batch: Batch) -> tuple[Tensor, Tensor]:
        """(source, target) in [-1, 1] for the configured direction."""
        image, mask = batch["image"], self.mask_image(batch["mask"])
        source, target = (mask, image) if self.direction == "mask_to_image" else (image, mask)
        return source * 2 - 1, target * 2 - 1

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {"discriminator": list(self.discriminator.parameters()), "generator": list(self.generator.parameters())}

    def step(self, batch: Batch, group: str) -> ModelOutput:
        source, target = self.pair(batch)
        fake = self.generator(source)
        if group == "discriminator":
            real_logits = self.discriminator(torch.cat([source, target], 1))
            fake_logits = self.discriminator(torch.cat([source, fake.detach()], 1))
            loss = discriminator_bce(real_logits, fake_logits)
            return ModelOutput(loss, {"d_loss": loss.detach()})
        adversarial = generator_bce(self.discriminator(torch.cat([source, fake], 1)))
        l1 = F.l1_loss(fake, target)
        loss = adversarial + self.l1_weight * l1
        return ModelOutput(loss, {"g_loss": adversarial.detach(), "l1": l1.detach()})

    @torch.no_grad()
    def translate(self, batch: Batch) -> dict[str, Tensor]:
        source, _ = self.pair(batch)
        key = "image" if self.direction == "mask_to_image" else "mask"
        return {key: (self.generator(source) + 1) / 2}
