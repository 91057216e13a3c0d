"""Image classifiers (survey Table 1, from the shallow network up, plus a ViT); one architecture per file."""

from benchmark.models.classifiers import (  # noqa: F401  (registration on import)
    alexnet,
    densenet121,
    dnn,
    googlenet,
    inception_v3,
    inception_v4,
    lenet5,
    mobilenetv3,
    resnet,
    resnet50,
    shallow_nn,
    squeezenet,
    vgg19,
    vit,
)
