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
    """The loss to back-propagate for one optimizer group, plus scalars for the training history: detached 0-dim
    tensors (left on the device, so that logging never waits for the GPU mid-step; the loop reads them after the
    update) or python floats."""

    loss: Tensor
    logs: dict[str, Tensor | float] = field(default_factory=dict)


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

    def updates_per_batch(self, group: str) -> int:
        """How many optimizer steps ``group`` takes on each batch (WGAN's ``n_critic``); 1 for most models."""
        return 1

    def on_progress(self, progress: float) -> None:
        """Called by the loop before every training batch with the fraction of training done, in [0, 1).

        Models with schedules (PGGAN's growth and fade-in) set their state here; derived from the epoch and batch
        index only, so a resumed run sees the same schedule.
        """

    def after_update(self, group: str) -> None:
        """Called after each optimizer step of ``group`` (WGAN's weight clipping)."""


class ClassifierModel(BenchmarkModel):
    """Image -> class logits; trained with cross-entropy (or a registered loss).

    Multi-hot labels [N, L] (ChestMNIST, ChestX-ray14) make it a multi-label classifier: one logit per label,
    trained with binary cross-entropy on logits, ``accuracy`` logged per label at ``logit > 0`` (MedMNIST's rule).
    """

    task = "classification"

    def __init__(self, net: nn.Module, loss: nn.Module | None = None) -> None:
        super().__init__()
        self.net = net
        self.criterion = loss if loss is not None else nn.CrossEntropyLoss()

    def forward(self, images: Tensor) -> Tensor:
        return self.net(images)

    def step(self, batch: Batch, group: str) -> ModelOutput:
        logits, labels = self(batch["image"]), batch["label"]
        if labels.ndim == 2:
            loss = nn.functional.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
            accuracy = ((logits > 0) == labels.bool()).float().mean()
        else:
            loss = self.criterion(logits, labels)
            accuracy = (logits.argmax(1) == labels).float().mean()
        return ModelOutput(loss, {"loss": loss.detach(), "accuracy": accuracy.detach()})


class RegressorModel(BenchmarkModel):
    """Image -> one real value per image (a regression head on a network with one output); trained with MSE."""

    task = "regression"

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net
        self.criterion = nn.MSELoss()

    def forward(self, images: Tensor) -> Tensor:
        return self.net(images)[:, 0]

    def step(self, batch: Batch, group: str) -> ModelOutput:
        pred = self(batch["image"])
        loss = self.criterion(pred, batch["value"])
        return ModelOutput(loss, {"loss": loss.detach(), "mae": (pred - batch["value"]).abs().mean().detach()})


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
        return ModelOutput(loss, {"loss": loss.detach()})


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


class ConditionalGenerativeModel(GenerativeModel):
    """A class-conditional generator: ``sample_labelled`` draws one image per requested class label."""

    num_classes: int

    @abstractmethod
    def sample_labelled(self, labels: Tensor, generator: torch.Generator | None = None) -> Tensor:
        """One image in [0, 1] per entry of ``labels`` (int64 [n], on any device)."""

    def sample(self, n: int, generator: torch.Generator | None = None) -> Tensor:
        """``n`` images with balanced labels ``0, 1, ..., C-1, 0, ...``."""
        return self.sample_labelled(torch.arange(n) % self.num_classes, generator)


class TranslationModel(BenchmarkModel):
    """Image-to-image translation between two views of a batch (tissue mask <-> T1 slice on ``mni152_slices``).

    Masks are shown to the networks as one-channel images, ``mask / (num_mask_classes - 1)``, so both domains are
    images in [0, 1]; ``to_mask`` turns a translated image back into class indices (nearest level) for Dice.
    """

    task = "translation"
    num_mask_classes: int

    def mask_image(self, masks: Tensor) -> Tensor:
        """Class indices [N, H, W] -> one-channel images [N, 1, H, W] in [0, 1]."""
        return (masks.float() / (self.num_mask_classes - 1)).unsqueeze(1)

    def to_mask(self, images: Tensor) -> Tensor:
        """One-channel images in [0, 1] -> class indices [N, H, W] (nearest grey level)."""
        return (images[:, 0] * (self.num_mask_classes - 1)).round().clamp(0, self.num_mask_classes - 1).long()

    @abstractmethod
    def translate(self, batch: Batch) -> dict[str, Tensor]:
        """Translations in [0, 1] keyed ``image`` (mask -> image) and/or ``mask`` (image -> mask image)."""


class AutoencoderModel(GenerativeModel):
    """A generative model that also reconstructs its input, so paired metrics (PSNR, SSIM) apply."""

    @abstractmethod
    def reconstruct(self, images: Tensor) -> Tensor:
        """Reconstructions of ``images`` (floats in [0, 1]), deterministic."""
