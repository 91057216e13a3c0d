"""U-Net with a VGG-16 encoder (as in Imtiaz et al.): VGG-16's five convolution blocks as the contracting path.

The encoder keeps VGG-16's layout (configuration "D": 2, 2, 3, 3, 3 convolutions per block, widths 64-128-256-512-512,
batch norm as in ``vgg16_bn``); the outputs of blocks 1-4 feed the skip connections and block 5 is the bottleneck.
2D uses torchvision's own VGG builder (``torchvision.models.vgg.make_layers``); 3D builds the same layout with
``Conv3d``. ``base_channels`` scales the widths (64 is VGG-16 itself). No pretrained weights: inputs are grey MRI.
"""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn
from torchvision.models.vgg import cfgs, make_layers

from benchmark.models.base import SegmenterModel
from benchmark.models.layers.conv import DoubleConv, conv_cls, conv_transpose_cls, norm_cls, pool_cls
from benchmark.models.layers.unet_parts import unet_path
from benchmark.registry import MODELS

VGG16 = cfgs["D"]  # [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def vgg16_features(spatial_dims: int, in_channels: int, base_channels: int) -> nn.Sequential:
    """VGG-16-BN ``features`` with widths scaled by ``base_channels / 64`` and ``in_channels`` inputs."""
    layout: list[str | int] = [v if v == "M" else int(v) * base_channels // 64 for v in VGG16]
    if spatial_dims == 2:
        features = make_layers(layout, batch_norm=True)
        features[0] = nn.Conv2d(in_channels, base_channels, 3, padding=1)
        return features
    conv, norm, pool = conv_cls(spatial_dims), norm_cls(spatial_dims), pool_cls(spatial_dims)
    layers: list[nn.Module] = []
    channels = in_channels
    for v in layout:
        if v == "M":
            layers.append(pool(2, 2))
        else:
            layers += [conv(channels, v, 3, padding=1), norm(v), nn.ReLU(inplace=True)]
            channels = v
    return nn.Sequential(*layers)


@MODELS.register(
    "vgg16_unet",
    family="cnn",
    task="segmentation",
    min_size=16,
    channels=(1, 3),
    spatial_dims=(2, 3),
    source="torchvision VGG-16-BN layout as encoder (Simonyan & Zisserman 2015; Imtiaz et al.)",
    adapted="width scale param, grey input, no pretrained weights; U-Net decoder with padded convolutions",
)
class VGG16UNet(SegmenterModel):
    """VGG-16 encoder (4 pooling steps, so the input side must be divisible by 16) and a U-Net decoder."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        image_size: int,
        base_channels: int = 64,
        spatial_dims: int = 2,
        loss: str = "ce",
        loss_args: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if image_size % 16:
            raise ValueError(f"vgg16_unet: image_size {image_size} must be divisible by 16")
        features = vgg16_features(spatial_dims, in_channels, base_channels)
        cuts = [i for i, layer in enumerate(features) if isinstance(layer, (nn.MaxPool2d, nn.MaxPool3d))]
        starts = [0] + [c + 1 for c in cuts[:-1]]
        self.blocks = nn.ModuleList(features[s:e] for s, e in zip(starts, cuts))  # 5 blocks, final pool dropped
        self.pool = pool_cls(spatial_dims)(2)
        widths = [base_channels * m for m in (1, 2, 4, 8, 8)]
        up = conv_transpose_cls(spatial_dims)
        levels = list(reversed(range(4)))
        self.upsample = nn.ModuleList(up(widths[i + 1], widths[i], 2, stride=2) for i in levels)
        self.up = nn.ModuleList(DoubleConv(spatial_dims, 2 * widths[i], widths[i]) for i in levels)
        self.head = conv_cls(spatial_dims)(widths[0], self.configure_loss(num_classes, loss, loss_args), 1)

    def forward(self, images: Tensor) -> Tensor:
        return self.head(unet_path(images, self.blocks, self.pool, self.upsample, self.up))
