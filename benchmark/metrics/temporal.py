"""Temporal statistics of generated clips (video GANs such as TGAN), beside the per-frame FID/KID.

Per-frame metrics say whether frames look real, not whether they move like the data: a generator repeating one
frame, or drawing independent frames, can score well on both. The mean absolute difference between consecutive
frames (intensities in [0, 1]) measures how fast a clip changes; generated clips should change as fast as real ones,
so ``frame_difference_gap`` is |MAD(generated) - MAD(real)| (0 is best).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from benchmark.errors import ConfigError
from benchmark.registry import METRICS


def frame_difference(clips: np.ndarray | torch.Tensor, frames_axis: int = 2) -> float:
    """Mean |x[t + 1] - x[t]| over clips [N, C, T, H, W] (uint8 scaled by 1/255, or floats in [0, 1])."""
    array = np.asarray(clips.detach().cpu() if isinstance(clips, torch.Tensor) else clips)
    if array.ndim != 5 or array.shape[frames_axis] < 2:
        raise ConfigError(f"frame difference needs clips [N, C, T, H, W] with T >= 2, got shape {array.shape}")
    scale = 255.0 if array.dtype == np.uint8 else 1.0
    return float(np.abs(np.diff(array.astype(np.float64) / scale, axis=frames_axis)).mean())


class FrameDifferenceGap:
    """|consecutive-frame MAD of generated clips - that of real clips|, accumulated over batches of both."""

    def __init__(self, frames_axis: int = 2) -> None:
        self.frames_axis = frames_axis
        self.reset()

    def reset(self) -> None:
        """Forget all clips."""
        self.sums = {True: 0.0, False: 0.0}
        self.counts = {True: 0, False: 0}

    def update(self, clips: np.ndarray | torch.Tensor, real: bool) -> None:
        """Add a batch of real or generated clips [N, C, T, H, W]."""
        pairs = int(np.prod(clips.shape)) // clips.shape[self.frames_axis] * (clips.shape[self.frames_axis] - 1)
        self.sums[real] += frame_difference(clips, self.frames_axis) * pairs
        self.counts[real] += pairs

    def compute(self) -> dict[str, Any]:
        """The gap with both MADs."""
        if not self.counts[True] or not self.counts[False]:
            raise ConfigError("both real and generated clips are needed before compute()")
        real, fake = self.sums[True] / self.counts[True], self.sums[False] / self.counts[False]
        return {"frame_difference_gap": abs(fake - real), "frame_difference": fake, "frame_difference_real": real}


@METRICS.register(
    "frame_difference_gap",
    task="generation",
    higher_is_better=False,
    description="|mean absolute consecutive-frame difference of generated clips - that of real clips| (videos)",
)
def frame_difference_gap(frames_axis: int = 2) -> FrameDifferenceGap:
    """The temporal-smoothness gap of generated clips to real ones."""
    return FrameDifferenceGap(frames_axis)
