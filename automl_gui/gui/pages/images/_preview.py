"""The image Preprocess page's preview: sample images as loaded and augmented (computed in a
worker), and how a tile shows one."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from automl_gui.core.preprocess.image_config import AugmentConfig

PREVIEW_AUGMENTED = 3  # augmented versions of each, beside the original
TILE = 100  # px a preview tile is shown at


def preview_images(
    paths: list[str], augment: AugmentConfig, size: int, seed: int, grayscale: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Originals (n, s, s, 3) and PREVIEW_AUGMENTED augmented versions of each (uint8).

    ``augmented[k]`` is a version of ``paths[k % n]`` (core cycles the paths).
    """
    from automl_gui.core.preprocess import images

    originals = np.clip(images.load_images(paths, size), 0, 255).astype(np.uint8)
    augmented = images.augment_preview(
        paths, augment, size, count=len(paths) * PREVIEW_AUGMENTED, seed=seed
    )
    augmented = np.clip(augmented, 0, 255).astype(np.uint8)
    if grayscale:  # what a grayscale model sees (luma as in tf.image.rgb_to_grayscale)
        weights = np.array([0.2989, 0.587, 0.114], dtype="float32")
        originals, augmented = (
            np.repeat((a @ weights)[..., None], 3, axis=-1).astype(np.uint8)
            for a in (originals, augmented)
        )
    return originals, augmented


def to_pixmap(image: np.ndarray, side: int = TILE) -> QPixmap:
    """An (h, w, 3) uint8 array as a pixmap scaled to ``side`` (nearest: pixels stay visible)."""
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]
    qimage = QImage(image.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    mode = Qt.TransformationMode.FastTransformation
    return QPixmap.fromImage(qimage).scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio, mode)
