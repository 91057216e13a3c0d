"""Generative adversarial networks (survey Table 2); one architecture per file."""

from benchmark.models.gans import dcgan  # noqa: F401  (registration on import)
