"""Generative adversarial networks (survey Table 2, plus WGAN); one architecture per file."""

from benchmark.models.gans import cgan, dcgan, gan, pggan, stylegan, wgan  # noqa: F401  (registration on import)
