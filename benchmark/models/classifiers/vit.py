"""Vision Transformer (Dosovitskiy et al. 2021; beyond the survey, its outlook) from timm, trained from scratch.

Kept: patch embedding, class token, learned position embeddings and pre-norm multi-head self-attention blocks.
Adapted for 28-64 px grey inputs: ``img_size`` is the input size and the patches are ``patch_size`` (4) px instead
of 16, so a 32 px image gives 64 tokens; the default is ViT-Tiny's width (192, 3 heads) at depth 6 instead of 12.
"""

from __future__ import annotations

from timm.models.vision_transformer import VisionTransformer

from benchmark.models.base import ClassifierModel
from benchmark.registry import MODELS


@MODELS.register(
    "vit",
    family="transformer",
    task="classification",
    min_size=8,
    channels=(1, 3),
    source="timm VisionTransformer (no pretrained weights)",
    adapted="img_size = input size, 4 px patches; ViT-Tiny width (192, 3 heads) at depth 6",
    profile={"image_size": 32, "params": 2_686_083, "flops": 345_441_408},
)
class ViT(ClassifierModel):
    """timm ``VisionTransformer`` sized for small images."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        patch_size: int = 4,
        embed_dim: int = 192,
        depth: int = 6,
        num_heads: int = 3,
        drop_rate: float = 0.0,
    ) -> None:
        if image_size % patch_size:
            raise ValueError(f"image_size {image_size} is not a multiple of patch_size {patch_size}")
        super().__init__(
            VisionTransformer(
                img_size=image_size,
                patch_size=patch_size,
                in_chans=in_channels,
                num_classes=num_classes,
                embed_dim=embed_dim,
                depth=depth,
                num_heads=num_heads,
                drop_rate=drop_rate,
            )
        )
