"""Image regressors: one real value per image; one architecture per file."""

from benchmark.models.regressors import head  # noqa: F401  (registration on import)
