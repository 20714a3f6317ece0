"""Image models: a compact CNN sized to the data, and ResNet50/InceptionV3 transfer learning.

Every model follows the input contract of ``core.preprocess.images``: float32 RGB images in
[0, 255] of any size in, class probabilities (softmax, float32) out; resizing, colour mode,
augmentation (training only) and normalization are layers inside the model, so a saved model
needs nothing else. Backbones run with ``training=False`` so their BatchNorm layers stay in
inference mode also when fine-tuned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig


@dataclass
class ImageModel:
    """A built image model and the parts the two-phase training needs.

    Args:
        model: the full model (images → probabilities); the one trained in phase 2/for the
            CNN, saved and exported.
        architecture: "cnn", "resnet50" or "inceptionv3".
        image_size: the side the model resizes to.
        backbone: the pretrained network (None for the CNN); frozen after building.
        feature_model: images → pooled backbone features, no augmentation (None for the CNN);
            shares its layers with ``model``.
        head: features → probabilities (None for the CNN); shares its layers with ``model``,
            so training it on cached features trains ``model``'s head.
    """

    model: Any
    architecture: str
    image_size: int
    backbone: Any = None
    feature_model: Any = None
    head: Any = None

    def unfreeze_top(self, n_layers: int) -> int:
        """Make the top ``n_layers`` backbone layers trainable (BatchNorm layers stay frozen).

        Returns the number of layers unfrozen (with weights). 0 keeps the backbone frozen.
        """
        raise NotImplementedError


def auto_image_size(architecture: str, sizes: dict[str, Any] | None = None) -> int:
    """Target size for "auto": 224 ResNet50, 299 InceptionV3; the CNN from the image sizes
    (median side rounded to a multiple of 16, within [32, 128]; 64 without statistics)."""
    raise NotImplementedError


def auto_fine_tune_layers(architecture: str, n_train: int) -> int:
    """Layers to unfreeze for "auto": more with more data, 0 for very small datasets."""
    raise NotImplementedError


def build_image_model(
    architecture: str,
    n_classes: int,
    image_size: int,
    preprocess: ImagePreprocessConfig,
    config: ImageModelConfig,
    *,
    n_train: int = 0,
    weights_file: str | None = None,
    seed: int = 42,
) -> ImageModel:
    """Build ``architecture`` ("cnn" | "resnet50" | "inceptionv3"; not "auto").

    The CNN's width and depth follow ``image_size`` and ``n_train``. Backbones load
    ``weights_file`` (an ``include_top=False`` weights file) when given, else start random.

    Raises:
        ConfigError: unknown architecture, too small an image size for a backbone (ResNet50
            32, InceptionV3 75), fewer than 2 classes.
        ModelError: the weights file does not fit the network (the message names the file).
    """
    raise NotImplementedError
