"""Adversarial losses and the gradient penalty shared by the GAN zoo (one formula each, used by several models)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

GAN_LOSSES = ("non_saturating", "minimax")


def discriminator_bce(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Goodfellow's discriminator loss: -log D(x) - log(1 - D(G(z))), from logits."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def generator_bce(fake_logits: Tensor, kind: str = "non_saturating") -> Tensor:
    """Generator loss: ``non_saturating`` -log D(G(z)), or the original ``minimax`` log(1 - D(G(z)))."""
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()  # log(1 - sigmoid(l)) = -softplus(l)
    return F.softplus(-fake_logits).mean()


def discriminator_hinge(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """Hinge loss (Lim and Ye 2017; SAGAN, BigGAN): relu(1 - D(x)) + relu(1 + D(G(z)))."""
    return F.relu(1 - real_logits).mean() + F.relu(1 + fake_logits).mean()


def gradient_penalty(critic: Callable[[Tensor], Tensor], real: Tensor, fake: Tensor, weights: Tensor) -> Tensor:
    """WGAN-GP (Gulrajani et al. 2017): E[(||grad critic(x_hat)||_2 - 1)^2] at x_hat = w real + (1 - w) fake.

    ``weights`` [N] are the interpolation coefficients (uniform in the paper); gradients are taken even inside
    ``torch.no_grad`` (validation), so the logged critic loss includes the penalty there too.
    """
    with torch.enable_grad():
        w = weights.view(-1, *([1] * (real.dim() - 1))).to(real)
        mixed = (w * real.detach() + (1 - w) * fake.detach()).requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(mixed).sum(), mixed, create_graph=True)
        return (grad.flatten(1).norm(dim=1) - 1).pow(2).mean()


@torch.no_grad()
def clip_singular_values(weight: Tensor, bound: float = 1.0) -> None:
    """Singular value clipping (Saito et al. 2017), in place: ``weight`` seen as a matrix [out, in * kernel] gets
    U min(S, bound) V^T, so the layer's spectral norm (its Lipschitz constant) is at most ``bound``."""
    matrix = weight.reshape(weight.shape[0], -1)
    u, s, vh = torch.linalg.svd(matrix, full_matrices=False)
    if s.max() > bound:
        weight.copy_(((u * s.clamp(max=bound)) @ vh).view_as(weight))
