"""Image model settings: which network, where its pretrained weights are, how to fine-tune."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

ARCHITECTURES = ("auto", "cnn", "resnet50", "inceptionv3")
BACKBONES = ("resnet50", "inceptionv3")
DEFAULT_SIZES = {"resnet50": 224, "inceptionv3": 299}


@dataclass
class ImageModelConfig:
    """Which image model to build and how to train it in phases.

    Args:
        architecture: "auto" (a pretrained backbone when its weights are on this computer,
            else the CNN), "cnn" (from scratch, sized to the data), "resnet50", "inceptionv3".
        weights_path: a weights file the user chose ("" = look it up: ``weights_folder``, then
            ``models/pretrained/``, then the Keras cache, then download).
        weights_folder: a folder searched first for pretrained weights ("" = none).
        allow_download: download missing weights (with progress and checksum check).
        fine_tune_layers: backbone layers to unfreeze for phase 2, counted from the top;
            -1 = automatic, 0 = train the head only.
        fine_tune_epochs: epochs of phase 2 (phase 1, the head, uses TrainConfig.epochs).
        fine_tune_lr_factor: phase 2 learning rate = phase 1 rate × this.
        dropout: dropout before the classifier.
    """

    architecture: str = "auto"
    weights_path: str = ""
    weights_folder: str = ""
    allow_download: bool = True
    fine_tune_layers: int = -1
    fine_tune_epochs: int = 10
    fine_tune_lr_factor: float = 0.1
    dropout: float = 0.2

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageModelConfig:
        return cls(**data)
