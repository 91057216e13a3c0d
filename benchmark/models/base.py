"""What every model offers the one training loop, in the style of pythae's ``ModelOutput.loss``.

A model lists its optimizer groups in update order (one group for classifiers, segmenters and VAEs;
``discriminator`` then ``generator`` for GANs) and computes a :class:`ModelOutput` for a batch and a group. The loop
owns everything else: devices, AMP, seeding, checkpoints, progress and logging.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

Batch = dict[str, Tensor]


@dataclass
class ModelOutput:
    """The loss to back-propagate for one optimizer group, plus detached scalars for the training history."""

    loss: Tensor
    logs: dict[str, float] = field(default_factory=dict)


class BenchmarkModel(nn.Module, ABC):
    """Base class of every registered model.

    Constructors share one signature, ``(in_channels, num_classes, image_size, **model_args)``, so
    :func:`benchmark.create_model` builds any model from a run's settings.
    """

    task: ClassVar[str]

    def optimizer_groups(self) -> dict[str, list[nn.Parameter]]:
        """Parameters per optimizer, in the order the loop updates them."""
        return {"model": list(self.parameters())}

    @abstractmethod
    def step(self, batch: Batch, group: str) -> ModelOutput:
        """The loss of ``batch`` for optimizer ``group``."""


class ClassifierModel(BenchmarkModel):
    """Image -> class logits; trained with cross-entropy (or a registered loss)."""

    task = "classification"

    def __init__(self, net: nn.Module, loss: nn.Module | None = None) -> None:
        super().__init__()
        self.net = net
        self.criterion = loss if loss is not None else nn.CrossEntropyLoss()

    def forward(self, images: Tensor) -> Tensor:
        return self.net(images)

    def step(self, batch: Batch, group: str) -> ModelOutput:
        logits = self(batch["image"])
        loss = self.criterion(logits, batch["label"])
        accuracy = (logits.argmax(1) == batch["label"]).float().mean()
        return ModelOutput(loss, {"loss": loss.item(), "accuracy": accuracy.item()})


class SegmenterModel(BenchmarkModel):
    """Image -> per-pixel logits [N, C, *spatial]; trained with a registered segmentation loss.

    A loss registered with ``logits="binary"`` (BCE) on a 2-class task gets one logit channel (sigmoid); every other
    loss gets one channel per class (softmax). :meth:`masks` turns either into class indices.
    """

    task = "segmentation"
    criterion: nn.Module

    def configure_loss(self, num_classes: int, loss: str, loss_args: dict[str, Any] | None) -> int:
        """Build ``self.criterion`` from the loss registry; returns the logit channels the head must output."""
        from benchmark import LOSSES, create_loss

        binary = LOSSES.get(loss, key="model_args.loss").meta["logits"] == "binary"
        if binary and num_classes != 2:
            raise ValueError(f"loss {loss!r} takes one-channel logits for 2 classes, but the task has {num_classes}")
        self.criterion = create_loss(loss, **(loss_args or {}))
        return 1 if binary else num_classes

    @staticmethod
    def masks(logits: Tensor) -> Tensor:
        """Class indices [N, *spatial]: arg-max of the channels, or ``logit > 0`` for one channel."""
        return (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(1)

    def step(self, batch: Batch, group: str) -> ModelOutput:
        logits = self(batch["image"])
        loss = self.criterion(logits, batch["mask"])
        return ModelOutput(loss, {"loss": loss.item()})


class GenerativeModel(BenchmarkModel):
    """A model that can draw images; ``sample`` returns floats in [0, 1] shaped [n, C, H, W]."""

    task = "generation"
    latent_dim: int

    @abstractmethod
    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` images drawn from the model with noise from ``generator`` (on the model's device)."""

    def noise(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """Standard-normal latents on the model's device; CPU-drawn so seeds give the same latents on any device."""
        device = next(self.parameters()).device
        return torch.randn(n, self.latent_dim, generator=generator).to(device)


class AutoencoderModel(GenerativeModel):
    """A generative model that also reconstructs its input, so paired metrics (PSNR, SSIM) apply."""

    @abstractmethod
    def reconstruct(self, images: Tensor) -> Tensor:
        """Reconstructions of ``images`` (floats in [0, 1]), deterministic."""
