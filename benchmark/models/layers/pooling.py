"""Adaptive average pooling with a deterministic backward pass on CUDA.

``nn.AdaptiveAvgPool2d``'s CUDA backward (``adaptive_avg_pool2d_backward_cuda``) scatters gradients with atomic
adds, so two seeded runs on a GPU drift apart. The same pooling is a product with two averaging matrices, one per
axis, whose backward is a deterministic matrix product: output = A_h @ x @ A_w^T, with row i of A averaging
PyTorch's adaptive window [floor(i * n / m), ceil((i + 1) * n / m)) of an n-long axis pooled to m.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def averaging_matrix(size_in: int, size_out: int, like: Tensor) -> Tensor:
    """[size_out, size_in]: row i holds 1 / len(window i) over PyTorch's adaptive window i, zero elsewhere."""
    i = torch.arange(size_out, device=like.device)
    start = (i * size_in) // size_out
    end = ((i + 1) * size_in + size_out - 1) // size_out
    j = torch.arange(size_in, device=like.device)
    inside = (j[None] >= start[:, None]) & (j[None] < end[:, None])
    return (inside / (end - start)[:, None]).to(like.dtype)


class AdaptiveAvgPool2d(nn.Module):
    """Drop-in for ``nn.AdaptiveAvgPool2d`` (same windows and values) that trains bitwise-reproducibly on CUDA."""

    def __init__(self, output_size: int | tuple[int, int]) -> None:
        super().__init__()
        self.output_size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)

    def forward(self, x: Tensor) -> Tensor:
        rows = averaging_matrix(x.shape[-2], self.output_size[0], x)
        cols = averaging_matrix(x.shape[-1], self.output_size[1], x)
        return rows @ x @ cols.T

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
