"""Variational autoencoders (survey Table 3); one architecture per file."""

from benchmark.models.vaes import vae  # noqa: F401  (registration on import)
