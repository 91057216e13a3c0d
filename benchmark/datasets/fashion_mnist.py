"""Fashion-MNIST (Xiao et al. 2017): 70k 28x28 grey clothing images, 10 classes; the survey's general benchmark.

Sources: Debian's ``dataset-fashion-mnist`` package is a local mirror (recompressed, so it verifies by the sha256 of
the decompressed IDX payload), then the upstream S3 bucket and Keras' mirror (sha256 of the hosted .gz as pinned by
tensorflow-datasets / keras, see ``shared/datasets/registry.yaml``).
"""

from __future__ import annotations

from benchmark.datasets.base import Access, register_dataset
from benchmark.datasets.download import RemoteFile
from benchmark.datasets.mnist import IdxDataset

DEBIAN_MIRROR = "/usr/share/datasets/fashion-mnist"
UPSTREAM = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com"
KERAS_MIRROR = "https://storage.googleapis.com/tensorflow/tf-keras-datasets"

# (file, sha256 of the upstream .gz, sha256 of the decompressed IDX)
_FILES = (
    (
        "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    (
        "train-labels-idx1-ubyte.gz",
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    (
        "t10k-images-idx3-ubyte.gz",
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    (
        "t10k-labels-idx1-ubyte.gz",
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
)
CLASSES = ("t-shirt/top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot")


register_dataset(
    IdxDataset(
        name="fashion_mnist",
        title="Fashion-MNIST",
        tasks=("classification", "generation"),
        modality="photograph (grey)",
        body_area="none (general)",
        license="MIT",
        provenance="Xiao et al. 2017, zalandoresearch/fashion-mnist; "
        "local mirror: Debian package dataset-fashion-mnist",
        synthetic=False,
        classes=CLASSES,
        files=tuple(
            RemoteFile(
                name, (DEBIAN_MIRROR, f"{UPSTREAM}/{name}", f"{KERAS_MIRROR}/{name}"), sha256=gz, content_sha256=raw
            )
            for name, gz, raw in _FILES
        ),
        access=Access("public_http", "https://github.com/zalandoresearch/fashion-mnist"),
        size="70,000 images (60,000 train / 10,000 test), 30 MB",
        note="MNIST's drop-in replacement; not in the survey's tables (listed beside MNIST in the issue)",
    )
)
