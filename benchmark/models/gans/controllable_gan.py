"""Controllable GAN, ControlGAN (Lee and Seok 2019): generator, discriminator and an independent classifier.

Unlike an auxiliary-classifier GAN, the discriminator only judges real vs fake and the classifier is trained on
real labelled images only; the generator, fed noise and a one-hot label, is trained to fool the discriminator and
to be classified as its label: L_G = L_adv + gamma * CE(C(G(z, y)), y). gamma adapts to keep the classifier's loss on
generated images near alpha times its loss on real ones (gamma += rate * (alpha * L_C(real) - L_C(fake)), >= 0).
Feature control: ``steer`` does gradient ascent on the input noise to raise the classifier's probability of a
target class, moving a sample towards that feature while the label input stays fixed. DCGAN-style networks.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from benchmark.models.base import Batch, ConditionalGenerativeModel, ModelOutput
from benchmark.models.gans.dcgan import Discriminator, Generator, _init_weights
from benchmark.models.layers.adversarial import discriminator_bce, generator_bce
from benchmark.models.layers.conv import doublings_from_4
from benchmark.registry import MODELS


class Classifier(nn.Sequential):
    """image -> class logits: stride-2 conv layers with batch norm, global average pooling, linear head."""

    def __init__(self, channels: int, num_classes: int, image_size: int, width: int) -> None:
        levels = doublings_from_4(image_size, "controllable_gan")
        widths = [width * 2**i for i in range(levels)]
        layers: list[nn.Module] = []
        for w_in, w_out in zip([channels] + widths[:-1], widths):
            layers += [nn.Conv2d(w_in, w_out, 4, 2, 1), nn.BatchNorm2d(w_out), nn.LeakyReLU(0.2, True)]
        super().__init__(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(widths[-1], num_classes))


@MODELS.register(
    "controllable_gan",
    family="gan",
    task="generation",
    conditional=True,
    min_size=16,
    channels=(1, 3),
    source="own implementation (Lee and Seok 2019)",
    adapted="DCGAN-style G and D; small conv classifier; widths and gamma schedule are parameters",
)
class ControllableGAN(ConditionalGenerativeModel):
    """Label-conditioned generator trained against a real/fake discriminator and an independent classifier."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        latent_dim: int = 64,
        width: int = 32,
        alpha: float = 1.5,
        gamma_rate: float = 1e-3,
    ) -> None:
        super().__init__()
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.alpha, self.gamma_rate = alpha, gamma_rate
        self.generator = Generator(latent_dim + num_classes, in_channels, image_size, width)
        self.discriminator = Discriminator(in_channels, image_size, width)
        self.classifier = Classifier(in_channels, num_classes, image_size, width)
        self.apply(_init_weights)
        self.register_buffer("gamma", torch.tensor(0.0))
        self.register_buffer("real_ce", torch.tensor(0.0))

    def generate(self, z: Tensor, labels: Tensor) -> Tensor:
        """Images in [-1, 1] for latents ``z`` and class indices ``labels``."""
        return self.generator(torch.cat([z, F.one_hot(labels, self.num_classes).to(z)], dim=1))

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        return {
            "classifier": list(self.classifier.parameters()),
            "discriminator": list(self.discriminator.parameters()),
            "generator": list(self.generator.parameters()),
        }

    def step(self, batch: Batch, group: str) -> ModelOutput:
        real, labels = batch["image"] * 2 - 1, batch["label"]
        if group == "classifier":
            loss = F.cross_entropy(self.classifier(real), labels)
            if self.training:
                self.real_ce.copy_(loss.detach())
            return ModelOutput(loss, {"c_loss_real": loss.detach()})
        fake = self.generate(self.noise(len(real)), labels)
        if group == "discriminator":
            loss = discriminator_bce(self.discriminator(real), self.discriminator(fake.detach()))
            return ModelOutput(loss, {"d_loss": loss.detach()})
        adversarial = generator_bce(self.discriminator(fake))
        fake_ce = F.cross_entropy(self.classifier(fake), labels)
        gamma_now = self.gamma.clone()  # the update below is in place; autograd keeps this copy
        loss = adversarial + gamma_now * fake_ce
        if self.training:
            gamma = self.gamma + self.gamma_rate * (self.alpha * self.real_ce - fake_ce.detach())
            self.gamma.copy_(gamma.clamp(min=0))
        return ModelOutput(loss, {"g_loss": adversarial.detach(), "c_loss_fake": fake_ce.detach(), "gamma": gamma_now})

    def steer(self, z: Tensor, labels: Tensor, target: int, steps: int = 20, lr: float = 0.1) -> Tensor:
        """Latents moved by gradient ascent on log p_C(target | G(z, labels)); the networks are not changed."""
        z = z.detach().clone().requires_grad_(True)
        target_labels = torch.full_like(labels, target)
        with torch.enable_grad():
            for _ in range(steps):
                log_prob = -F.cross_entropy(self.classifier(self.generate(z, labels)), target_labels)
                (grad,) = torch.autograd.grad(log_prob, z)
                z = (z + lr * grad).detach().requires_grad_(True)
        return z.detach()

    @torch.no_grad()
    def sample_labelled(self, labels: Tensor, generator: torch.Generator | None = None) -> Tensor:
        z = self.noise(len(labels), generator)
        return (self.generate(z, labels.to(z.device)) + 1) / 2
