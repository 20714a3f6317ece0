"""Audio classifiers on spectrograms computed inside the model.

Input contract: float32 mono waveforms ``(n, samples)`` at the preprocess sample rate, values
in [-1, 1], any length. Inside the model: centred crop/pad to the clip length → waveform
augmentation (noise at an SNR, gain, time shift; ``TrainingOnly``) → log-mel spectrogram
(or MFCCs) → per-band normalization fitted on training clips → SpecAugment masks
(``TrainingOnly``) → network → float32 softmax. All layers are registered (``audio_layers``)
and load in safe mode (no Lambda).

Networks: a compact 2D CNN on the (frames, bands) spectrogram sized to it and to the number
of training clips; ResNet50 / InceptionV3 on the spectrogram resized to the backbone's input
with 3 channels, two-phase like images (``ImageModel`` with ``feature_model`` / ``head``
sharing layers with ``model``, ``unfreeze_top``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.images import ImageModel
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig


def feature_shape(preprocess: AudioPreprocessConfig, n_samples: int) -> tuple[int, int]:
    """(frames, bands) of the front end's output for clips of ``n_samples``."""
    raise NotImplementedError


def build_frontend(preprocess: AudioPreprocessConfig, n_samples: int) -> Any:
    """keras.Model: waveforms ``(n, any)`` → features ``(n, frames, bands)`` (crop/pad and
    log-mel/MFCC; no augmentation, no normalization). Used for band statistics and plots."""
    raise NotImplementedError


def band_statistics(
    preprocess: AudioPreprocessConfig, n_samples: int, batches: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Per-band (mean, variance) of the front end's features over ``batches`` (an iterable of
    waveform arrays/tensors ``(b, n_samples)``, e.g. a capped pass over the training clips)."""
    raise NotImplementedError


def build_audio_model(
    architecture: str,
    n_classes: int,
    preprocess: AudioPreprocessConfig,
    config: ImageModelConfig,
    *,
    n_samples: int,
    band_mean: np.ndarray | None = None,
    band_var: np.ndarray | None = None,
    n_train: int = 0,
    weights_file: str | None = None,
    image_size: int = 0,
    seed: int = 42,
) -> ImageModel:
    """Build "cnn" | "resnet50" | "inceptionv3" (not "auto") for clips of ``n_samples``.

    ``band_mean``/``band_var`` (from :func:`band_statistics`) set the normalization (None:
    mean 0, variance 1). ``image_size``: the side the spectrogram is resized to for a
    backbone (0 = the network's default, 224 / 299). Returns an ``ImageModel`` (its
    ``image_size`` is the backbone side, or 0 for the CNN).

    Raises:
        ConfigError: unknown architecture or feature type, fewer than 2 classes, settings that
            give no spectrogram frames (clip shorter than a window).
        ModelError: the weights file does not fit the network.
    """
    raise NotImplementedError


def augment_preview(
    waves: np.ndarray,
    preprocess: AudioPreprocessConfig,
    n_samples: int,
    *,
    count: int = 3,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """What augmentation does to ``waves`` (n, n_samples): (augmented waves
    ``(n, count, n_samples)`` for playback, their features with SpecAugment masks applied
    ``(n, count, frames, bands)`` for the plot). With augmentation off, copies."""
    raise NotImplementedError


__all__ = [
    "augment_preview",
    "band_statistics",
    "build_audio_model",
    "build_frontend",
    "feature_shape",
]
