"""Image inputs: split, stream from disk with tf.data, the model's input stage, augmentation.

The model contract (shared with ``core.models.images``): a model takes a float32 batch of
decoded RGB images ``(batch, height, width, 3)`` with values in [0, 255], of ANY size; the
model itself resizes, converts the colour mode, augments (training only) and normalizes.
The input pipeline therefore only decodes (any format, first GIF frame, grayscale/RGBA/palette
→ RGB) and resizes to the target size so images can be batched. Resizing an image that
already has the target size is the identity, so the pipeline and the model agree exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from automl_gui.core.data.images import ImageDataset, ImageItem
from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig


@dataclass
class ImageSplit:
    """Items per split, and the class-name order of the labels (index = output unit)."""

    train: list[ImageItem]
    validation: list[ImageItem]
    test: list[ImageItem]
    class_names: list[str]
    notices: list[str]

    def labels(self, items: list[ImageItem]) -> np.ndarray:
        """int32 class indices of ``items``."""
        index = {name: i for i, name in enumerate(self.class_names)}
        return np.array([index[i.label] for i in items], dtype="int32")


def split_images(dataset: ImageDataset, config: ImagePreprocessConfig) -> ImageSplit:
    """Use the folder's split when it has one, else a stratified split by the fractions.

    Raises:
        DataError: a split would have no training images / a class has too few images.
    """
    raise NotImplementedError


def decode_image(path: Any) -> Any:
    """TF graph op: file path (string tensor) → float32 ``(h, w, 3)`` RGB in [0, 255].

    JPEG, PNG, BMP, GIF (first frame), WebP; grayscale, RGBA and palette become RGB.
    """
    raise NotImplementedError


def load_images(paths: list[str], image_size: int) -> np.ndarray:
    """Decode and resize ``paths`` eagerly (float32 ``(n, s, s, 3)``); for previews, samples."""
    raise NotImplementedError


def make_dataset(
    paths: list[str],
    labels: np.ndarray | None,
    image_size: int,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 42,
    cache: bool = False,
) -> Any:
    """A streaming ``tf.data.Dataset`` of ``(images, labels)`` (or images only).

    Paths are shuffled (not images: memory stays flat), decoded in parallel, resized to
    ``image_size`` (bilinear, as the model's Resizing layer), batched and prefetched.
    A file that fails to decode is skipped (``ignore_errors``): training never dies on one bad
    file. ``cache`` keeps the decoded images in memory after the first pass.
    """
    raise NotImplementedError


def build_augmentation(config: AugmentConfig, seed: int = 42) -> Any:
    """A ``keras.Sequential`` of random layers (active in training only), or None if off.

    Works on float images in [0, 255] (before normalization); each layer has its own seed
    derived from ``seed`` so a run is reproducible.
    """
    if not config.active:
        return None
    from automl_gui.core import lazy

    keras = lazy.keras()
    layers: list[Any] = []
    flip = {"horizontal": "horizontal", "vertical": "vertical", "both": "horizontal_and_vertical"}
    if config.flip in flip:
        layers.append(keras.layers.RandomFlip(flip[config.flip], seed=seed))
    if config.rotation > 0:
        layers.append(keras.layers.RandomRotation(config.rotation, seed=seed + 1))
    if config.zoom > 0:
        layers.append(keras.layers.RandomZoom(config.zoom, config.zoom, seed=seed + 2))
    if config.translation > 0:
        t = config.translation
        layers.append(keras.layers.RandomTranslation(t, t, seed=seed + 3))
    if config.contrast > 0:
        layers.append(keras.layers.RandomContrast(config.contrast, (0, 255), seed=seed + 4))
    if config.brightness > 0:
        layers.append(keras.layers.RandomBrightness(config.brightness, (0, 255), seed=seed + 5))
    return keras.Sequential(layers, name="augmentation") if layers else None


def build_input_stage(
    inputs: Any, image_size: int, color_mode: str, normalization: str, augment: Any = None
) -> Any:
    """Apply the model's input stage to the Keras tensor ``inputs`` and return the output.

    Resizing(image_size) → grayscale (1 channel; repeated to 3 when ``normalization`` is a
    backbone's) → ``augment`` (optional) → normalization: "unit" (/255, for the CNN),
    "resnet50" (caffe: RGB→BGR, ImageNet mean subtracted), "inceptionv3" (tf: [-1, 1]) —
    equal to ``keras.applications.<net>.preprocess_input``, as serializable layers.
    """
    raise NotImplementedError


def augment_preview(
    paths: list[str], config: AugmentConfig, image_size: int, count: int = 8, seed: int = 0
) -> np.ndarray:
    """``count`` augmented versions of the images at ``paths`` (cycled): uint8 (n, s, s, 3).

    What the augmentation layers do in training, for the preview grid.
    """
    raise NotImplementedError
