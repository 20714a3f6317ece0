"""Clips → model inputs: decode, mono mixdown, resample, crop/pad, and streaming ``tf.data``.

The model input contract (see docs/ARCHITECTURE.md, "Engine API (audio)"): float32 mono
waveforms ``(n, samples)`` at the preprocess sample rate, values in [-1, 1]. The input
pipeline decodes (``soundfile``), mixes down to mono (channel mean), resamples with a proper
band-limited resampler (``soxr``, high quality), then crops or zero-pads to the clip length:
a random window in training, the centred one in evaluation and prediction. Everything after
that (spectrogram, normalization, augmentation) happens inside the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from automl_gui.core.data.audio import AudioDataset, AudioItem
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig


@dataclass
class AudioSplit:
    """Train / validation / test items and the class order (same shape as ``ImageSplit``)."""

    train: list[AudioItem]
    validation: list[AudioItem]
    test: list[AudioItem]
    class_names: list[str]
    notices: list[str] = field(default_factory=list)

    def labels(self, items: list[AudioItem]) -> np.ndarray:
        raise NotImplementedError


def split_audio(dataset: AudioDataset, config: AudioPreprocessConfig) -> AudioSplit:
    """The folder's split when it has one, else stratified by class (as ``split_images``)."""
    raise NotImplementedError


def load_audio(path: str, sample_rate: int) -> np.ndarray:
    """One clip as float32 mono at ``sample_rate`` (whole length).

    Raises:
        DataError: the file cannot be decoded (the message names it).
    """
    raise NotImplementedError


def crop_or_pad(wave: np.ndarray, n_samples: int, offset: int | None = None) -> np.ndarray:
    """``wave`` cut or zero-padded to ``n_samples``: the centred window/centred padding when
    ``offset`` is None, else the window starting at ``offset``."""
    raise NotImplementedError


def auto_clip_seconds(durations: list[float] | np.ndarray) -> float:
    """Automatic clip length: the 95th percentile of ``durations``, rounded up to 0.1 s,
    within [0.1, 30] s (1.0 with no durations)."""
    raise NotImplementedError


def clip_seconds_for(dataset: AudioDataset, config: AudioPreprocessConfig) -> float:
    """``config.clip_seconds`` or, when 0, :func:`auto_clip_seconds` of the dataset."""
    raise NotImplementedError


def make_audio_dataset(
    paths: list[str],
    labels: np.ndarray | None,
    sample_rate: int,
    n_samples: int,
    batch_size: int,
    *,
    shuffle: bool = False,
    training: bool = False,
    seed: int = 42,
    cache: bool = False,
) -> Any:
    """A streaming ``tf.data.Dataset`` of ``(waves (b, n_samples) float32, labels)`` batches
    (only waves when ``labels`` is None).

    Paths are shuffled (not clips); clips are decoded and resampled in parallel
    (``tf.numpy_function``), files that fail are skipped (``ignore_errors``); ``cache`` keeps
    the decoded full-length clips (before the crop, so random crops still vary per epoch);
    crop is random when ``training`` else centred; batch; prefetch. Memory does not grow
    with the number of clips.
    """
    raise NotImplementedError


def load_clips(paths: list[str], sample_rate: int, n_samples: int) -> np.ndarray:
    """``(n, n_samples)`` float32 centred clips (for samples, previews and tests).

    Raises:
        DataError: a file cannot be decoded.
    """
    raise NotImplementedError


def log_mel_display(
    wave: np.ndarray,
    sample_rate: int,
    n_mels: int = 64,
    window_ms: float = 25.0,
    hop_ms: float = 10.0,
) -> np.ndarray:
    """A log-mel spectrogram in dB, ``(frames, n_mels)``, in NumPy (no TensorFlow), for the
    Data page's plots. Matches the model's front end closely, not bit for bit."""
    raise NotImplementedError


__all__ = [
    "AudioSplit",
    "auto_clip_seconds",
    "clip_seconds_for",
    "crop_or_pad",
    "load_audio",
    "load_clips",
    "log_mel_display",
    "make_audio_dataset",
    "split_audio",
]
