"""Audio Model page: the image Model page, for clips (``state.settings(AUDIO).model``, its own training
settings and remembered keys).

The networks are the same three on spectrograms: the Compact CNN on the (frames × bands)
features, or ResNet50 / InceptionV3 on the spectrogram drawn as a 3-channel image of the
backbone's input size. Auto differs from images: a backbone only when its weights are here
AND training runs on a GPU (on a CPU a backbone on spectrograms is slow and the compact CNN
usually does as well on sounds), as ``core.kinds._audio_media`` decides.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.models.image_config import DEFAULT_SIZES
from automl_gui.gui.pages.images._networks import NAMES
from automl_gui.gui.pages.images.model import ImageModelPage

KEY_AUDIO_MODEL = "audio/model"
KEY_AUDIO_TRAINING = "audio/training"
AUDIO_EXPLAIN = {
    "auto": "ResNet50 (or else InceptionV3) when its pretrained weights are on this computer "
    "and training runs on a GPU; otherwise the Compact CNN, which is fast on a CPU and needs "
    "no download.",
    "cnn": "A small convolutional network on the spectrogram, trained from scratch and sized "
    "to the clips and the dataset: needs no weights, fast, and usually enough for sounds.",
    "resnet50": "A 50-layer network pretrained on ImageNet, fine-tuned on the spectrogram "
    f"drawn as a {DEFAULT_SIZES['resnet50']} × {DEFAULT_SIZES['resnet50']} px 3-channel "
    "image: strong with few clips, slow without a GPU.",
    "inceptionv3": "Google's Inception network pretrained on ImageNet, fine-tuned on the "
    f"spectrogram drawn as a {DEFAULT_SIZES['inceptionv3']} × "
    f"{DEFAULT_SIZES['inceptionv3']} px 3-channel image: slower than ResNet50, slow without "
    "a GPU.",
}


class AudioModelPage(ImageModelPage):
    """Step 3 for audio folders: network, pretrained weights, fine-tuning, training."""

    kind = AUDIO
    model_key = KEY_AUDIO_MODEL
    training_key = KEY_AUDIO_TRAINING
    config_defaults: dict[str, Any] = {"fine_tune_epochs": 5}  # as AppState.audio_model
    unit = "clips"
    explain = AUDIO_EXPLAIN
    intro = (
        "Auto uses a pretrained network on the spectrograms when its weights are on this "
        "computer and a GPU trains it, else a compact CNN trained from scratch. Hover any "
        "setting for what it does."
    )
    publish_auto = False  # state.auto_architecture is the image pages' (their Auto size)

    def search_overridden(self) -> tuple[QWidget, ...]:
        """``AudioSpace`` trains the Compact CNN only: nothing of a pretrained network's
        fine-tuning applies either."""
        return (*super().search_overridden(), self.lr_factor_spin)

    def resolve_auto(self, found: list[str]) -> tuple[str, str]:
        """A backbone only with its weights here and a GPU in the hardware plan."""
        if not found:
            return "cnn", "Auto will use: the Compact CNN (no pretrained weights on this computer)."
        name = NAMES[found[0]]
        plan = self.state.hardware_plan
        if plan is None:
            return "cnn", (
                f"Auto will use: {name} if training runs on a GPU (its weights are here), else "
                "the Compact CNN; the engine is still looking for a GPU."
            )
        if getattr(plan, "uses_gpu", False):
            return found[0], (
                f"Auto will use: {name} (its weights are here and training runs on the GPU)."
            )
        return "cnn", (
            f"Auto will use: the Compact CNN — {name}'s weights are here, but without a GPU a "
            f"pretrained network on spectrograms trains slowly (choose {name} to use it anyway)."
        )
