"""Generative adversarial networks (survey Table 2, plus WGAN); one architecture per file."""

from benchmark.models.gans import (  # noqa: F401  (registration on import)
    biggan,
    cgan,
    controllable_gan,
    cyclegan,
    dcgan,
    gan,
    pggan,
    pix2pix,
    stylegan,
    tgan,
    vqgan,
    wgan,
)
