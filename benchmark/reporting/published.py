"""Published results our runs replicate, with their citations (data only; the report sets them beside ours).

MedMNIST v2 (Yang et al. 2023, "MedMNIST v2 - A large-scale lightweight benchmark for 2D and 3D biomedical image
classification", Scientific Data 10:41, Table 3): test AUC and ACC of ResNet-18 (28) trained with Adam 1e-3 for
100 epochs, batch 128, MultiStepLR x0.1 at 50% and 75%, the epoch of best validation AUC kept.
"""

from __future__ import annotations

from dataclasses import dataclass

MEDMNIST_V2 = "Yang et al. 2023, Scientific Data 10:41, Table 3, ResNet-18 (28)"


@dataclass(frozen=True)
class PublishedResult:
    """Test AUC / ACC a paper reports for one model on one dataset."""

    run: str  # the run key of the full suite that replicates it
    auc: float
    acc: float
    source: str
    verified: bool  # checked against the paper itself
    note: str = ""


MEDMNIST_RESNET18_28 = (
    PublishedResult("resnet18-pneumoniamnist", 0.944, 0.854, MEDMNIST_V2, verified=True),
    PublishedResult("resnet18-breastmnist", 0.901, 0.863, MEDMNIST_V2, verified=True),
    PublishedResult("resnet18-pathmnist", 0.983, 0.907, MEDMNIST_V2, verified=True),
    PublishedResult(
        "resnet18-dermamnist",
        0.917,
        0.735,
        MEDMNIST_V2,
        verified=False,
        note="unverified: quoted from memory and by a third-party README, not checked against the paper's Table 3",
    ),
)
