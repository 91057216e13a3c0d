"""Image classifiers (survey Table 1); one architecture per file."""

from benchmark.models.classifiers import resnet  # noqa: F401  (registration on import)
