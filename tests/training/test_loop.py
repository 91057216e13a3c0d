"""The one training loop: seeded determinism, and a killed run resumes to exactly the same weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from benchmark.config import RunConfig
from benchmark.datasets.base import SplitArrays
from benchmark.training.loop import CHECKPOINT, FINAL, ModelSpec, load_model, train

DEVICE = torch.device("cpu")


def tiny_data(n: int = 48, size: int = 16, seed: int = 0) -> SplitArrays:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 1, size, size), dtype=np.uint8)
    return SplitArrays(images, rng.integers(0, 3, size=n), rng.integers(0, 3, size=(n, size, size)).astype(np.uint8))


def config(model: str, epochs: int = 3, **kw: object) -> RunConfig:
    return RunConfig(key=f"{model}-tiny", model=model, dataset="tiny", seed=7, epochs=epochs, batch_size=16, **kw)


SPECS = {
    "vae": ModelSpec("vae", 1, 3, 16, {"latent_dim": 4, "width": 4}),
    "dcgan": ModelSpec("dcgan", 1, 3, 16, {"latent_dim": 8, "width": 4}),
    "unet": ModelSpec("unet", 1, 3, 16, {"base_channels": 4, "depth": 2}),
}


def weights(path: Path) -> dict[str, torch.Tensor]:
    return load_model(path / FINAL).state_dict()


def assert_same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


@pytest.mark.parametrize("model", sorted(SPECS))
def test_same_seed_same_weights_and_history(model: str, tmp_path: Path, device: torch.device) -> None:
    """Bitwise on either device: on CUDA with AMP, deterministic cuDNN and cuBLAS' fixed workspace."""
    run, data = config(model, epochs=2), tiny_data()
    first = train(run, SPECS[model], data, data, device, tmp_path / "a", progress=False)
    second = train(run, SPECS[model], data, data, device, tmp_path / "b", progress=False)
    assert first == second
    assert_same_weights(weights(tmp_path / "a"), weights(tmp_path / "b"))
    assert not (tmp_path / "a" / CHECKPOINT).exists(), "a finished run keeps only its final model"
    assert [r["epoch"] for r in first] == [1, 2] and all(k.startswith(("train_", "val_", "epoch")) for k in first[0])


@pytest.mark.parametrize("killed_after", [1, 3])
@pytest.mark.parametrize("model", sorted(SPECS))
def test_killed_run_resumes_to_the_same_result(
    model: str, killed_after: int, tmp_path: Path, device: torch.device
) -> None:
    """Killed after epoch 1, or after the last epoch before its final weights are written (no checkpoint is written
    for the last epoch: the run redoes it). On CUDA the checkpoint also carries the AMP loss scalers and the CUDA RNG
    state."""
    run, data = config(model, epochs=3, scheduler="cosine"), tiny_data()
    straight = train(run, SPECS[model], data, data, device, tmp_path / "straight", progress=False)

    class Killed(Exception):
        pass

    def kill(epoch: int) -> None:
        if epoch == killed_after:
            raise Killed

    with pytest.raises(Killed):
        train(
            run,
            SPECS[model],
            data,
            data,
            device,
            tmp_path / "resumed",
            progress=False,
            on_epoch_end=kill,
        )
    assert (tmp_path / "resumed" / CHECKPOINT).is_file() and not (tmp_path / "resumed" / FINAL).exists()
    torch.manual_seed(12345)  # a different global RNG state must not matter: the checkpoint restores it
    resumed = train(run, SPECS[model], data, data, device, tmp_path / "resumed", progress=False)
    assert resumed == straight
    assert_same_weights(weights(tmp_path / "straight"), weights(tmp_path / "resumed"))


def test_checkpoint_of_other_settings_is_not_resumed(tmp_path: Path) -> None:
    data = tiny_data()

    def stop(epoch: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(config("vae", epochs=3), SPECS["vae"], data, None, DEVICE, tmp_path, progress=False, on_epoch_end=stop)
    history = train(config("vae", epochs=2, lr=0.01), SPECS["vae"], data, None, DEVICE, tmp_path, progress=False)
    assert [r["epoch"] for r in history] == [1, 2]


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adadelta"])
def test_every_survey_optimizer_trains(optimizer: str, tmp_path: Path) -> None:
    history = train(
        config("unet", epochs=1, optimizer=optimizer),
        SPECS["unet"],
        tiny_data(),
        None,
        DEVICE,
        tmp_path,
        progress=False,
    )
    assert np.isfinite(history[0]["train_loss"])


def test_flip_shift_moves_masks_with_their_images_and_is_seeded() -> None:
    from benchmark.training.augment import flip_shift

    images = torch.arange(2 * 8 * 8, dtype=torch.float32).reshape(2, 1, 8, 8)
    batch = {"image": images, "mask": images[:, 0].long(), "label": torch.tensor([0, 1])}
    first = flip_shift(batch, torch.Generator().manual_seed(0))
    again = flip_shift(batch, torch.Generator().manual_seed(0))
    assert all(torch.equal(first[k], again[k]) for k in batch)
    assert torch.equal(first["image"][:, 0].long(), first["mask"]) and torch.equal(first["label"], batch["label"])
    assert first["image"].shape == images.shape
    moved = [flip_shift(batch, torch.Generator().manual_seed(s))["image"] for s in range(5)]
    assert any(not torch.equal(m, images) for m in moved)
    for m in moved:  # every kept pixel value comes from the original image (no interpolation)
        values = set(m.unique().tolist()) - {0.0}
        assert values <= set(images.unique().tolist())


def test_augmented_run_resumes_to_the_same_result(tmp_path: Path) -> None:
    run, data = config("unet", epochs=2, augment="flip_shift"), tiny_data()
    straight = train(run, SPECS["unet"], data, None, DEVICE, tmp_path / "a", progress=False)

    def stop(epoch: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train(run, SPECS["unet"], data, None, DEVICE, tmp_path / "b", progress=False, on_epoch_end=stop)
    assert train(run, SPECS["unet"], data, None, DEVICE, tmp_path / "b", progress=False) == straight
    assert_same_weights(weights(tmp_path / "a"), weights(tmp_path / "b"))
