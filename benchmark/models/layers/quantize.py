"""Vector quantisation with a learned codebook (van den Oord et al. 2017), as used by VQ-VAE and VQ-GAN."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn


@dataclass
class Quantized:
    """Straight-through quantised latents, their code indices, the VQ loss terms and codebook perplexity."""

    latents: Tensor  # [N, D, H, W]: forward value = nearest codes, gradient = identity to the encoder output
    indices: Tensor  # [N, H, W] int64
    codebook_loss: Tensor
    commitment_loss: Tensor
    perplexity: Tensor


class VectorQuantizer(nn.Module):
    """Nearest-neighbour lookup into ``num_codes`` vectors of size ``dim``.

    Loss terms: ||sg[z] - e||^2 moves codes to encoder outputs, beta * ||z - sg[e]||^2 commits the encoder to its
    codes; the straight-through estimator z + sg[e - z] passes decoder gradients to the encoder unchanged.
    """

    def __init__(self, num_codes: int, dim: int) -> None:
        super().__init__()
        self.codebook = nn.Embedding(num_codes, dim)
        nn.init.uniform_(self.codebook.weight, -1 / num_codes, 1 / num_codes)

    def lookup(self, indices: Tensor) -> Tensor:
        """Code indices [N, H, W] -> latents [N, D, H, W]."""
        return self.codebook(indices).permute(0, 3, 1, 2)

    def forward(self, z: Tensor) -> Quantized:
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        distances = torch.cdist(flat, self.codebook.weight)
        indices = distances.argmin(dim=1).view(z.shape[0], *z.shape[2:])
        codes = self.lookup(indices)
        usage = torch.bincount(indices.flatten(), minlength=len(self.codebook.weight)).float() / indices.numel()
        perplexity = torch.exp(-(usage * torch.log(usage + 1e-10)).sum())
        return Quantized(
            latents=z + (codes - z).detach(),
            indices=indices,
            codebook_loss=F.mse_loss(codes, z.detach()),
            commitment_loss=F.mse_loss(z, codes.detach()),
            perplexity=perplexity,
        )
