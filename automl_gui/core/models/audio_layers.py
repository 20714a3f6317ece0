"""Custom Keras layers of the audio models (registered; load in safe mode; no Lambda).

Augmentation, used while a model trains and left out of saved models: ``WaveformAugment``
(noise at an SNR range, gain, circular time shift) and ``SpecAugment`` (time and frequency
masks), each wrapped in ``TrainingOnly``. The front end layers ``CropOrPad`` (centred),
``LogMelSpectrogram``, ``MFCC`` and ``SpectrogramImage`` (normalized features → a 3-channel
0-255 image for a pretrained backbone) are what audio models saved before plain-Keras exports
hold; new models compute the same with Keras's own layers and ops (``_audio_ops``).

Why not ``keras.layers.MelSpectrogram``: its output is (bands, frames), and its ``top_db``
floor is taken from the maximum over the whole *batch*, so a clip's features (and so its
prediction) would depend on the other clips it is batched with. ``LogMelSpectrogram`` computes
the STFT as one strided convolution with a constant windowed-DFT kernel: plain Keras ops
(backend-neutral), float32 under mixed precision, and no FFT op for an exporter to map (a
SavedModel converted to TFLite with builtin ops only gives the same predictions, clips of any
length). It equals ``tf.signal.stft`` (periodic Hann, FFT of the next power of two, no centre
padding) to float32 rounding; on a CPU it costs about 3× the FFT (≈0.8 ms per 1 s clip at
16 kHz on a loaded 2-core machine), small next to decoding and the network.

The fixed matrices (DFT, mel filterbank, DCT) are rebuilt from the layer's config when a model
is loaded, so they are not stored as weights. Every layer computes in float32.

Like ``image_layers`` this module imports Keras at module level: it is imported only when an
audio model is built or loaded (``load_keras_model`` imports it to register the layers).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from automl_gui.core.models._audio_ops import MIN_POWER, dct_matrix, dft_kernel
from automl_gui.core.models.image_layers import PACKAGE, TrainingOnly


def _float32(kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs.setdefault("dtype", "float32")
    return kwargs


@keras.saving.register_keras_serializable(package=PACKAGE)
class CropOrPad(keras.layers.Layer):
    """Waveforms ``(n, any)`` → ``(n, n_samples)``: the centred window of a longer clip, a
    shorter clip zero-padded on both sides (``(n_samples - length) // 2`` zeros before).

    The same arithmetic as ``core.preprocess.audio.crop_or_pad``; the identity at the exact
    length, so the input pipeline's crops pass through unchanged.
    """

    def __init__(self, n_samples: int, **kwargs: Any) -> None:
        super().__init__(**_float32(kwargs))
        if int(n_samples) < 1:
            raise ValueError(f"CropOrPad needs n_samples >= 1, got {n_samples}.")
        self.n_samples = int(n_samples)

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        want = self.n_samples
        missing = ops.maximum(want - ops.shape(x)[1], 0)
        left = missing // 2
        x = ops.pad(x, [[0, 0], [left, missing - left]])
        start = (ops.shape(x)[1] - want) // 2
        return ops.slice(x, [0, start], [ops.shape(x)[0], want])

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], self.n_samples)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(n_samples=self.n_samples)
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class WaveformAugment(keras.layers.Layer):
    """Random waveform augmentation per clip (wrap in ``TrainingOnly``: it always augments).

    In order: white noise at a random SNR in [``snr_min_db``, ``snr_max_db``] relative to the
    clip's own mean power (a silent clip stays silent); a random gain in ±``gain_db`` dB; a
    random circular shift of up to ``shift`` × the clip length, either way. ``noise=False``,
    ``gain_db=0`` and ``shift=0`` turn the parts off. Input ``(n, samples)``.
    """

    def __init__(
        self,
        noise: bool = True,
        snr_min_db: float = 10.0,
        snr_max_db: float = 40.0,
        gain_db: float = 0.0,
        shift: float = 0.0,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**_float32(kwargs))
        if float(snr_min_db) > float(snr_max_db):
            raise ValueError(f"snr_min_db {snr_min_db} is above snr_max_db {snr_max_db}.")
        if float(gain_db) < 0 or not 0 <= float(shift) < 1:
            raise ValueError(f"gain_db must be >= 0 and shift in [0, 1): {gain_db}, {shift}.")
        self.noise = bool(noise)
        self.snr_min_db = float(snr_min_db)
        self.snr_max_db = float(snr_max_db)
        self.gain_db = float(gain_db)
        self.shift = float(shift)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _uniform(self, shape: Any, low: float, high: float) -> Any:
        return keras.random.uniform(shape, low, high, seed=self.seed_generator)

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        batch, length = ops.shape(x)[0], ops.shape(x)[1]
        if self.noise:
            power = ops.mean(ops.square(x), axis=1, keepdims=True)
            snr_db = self._uniform((batch, 1), self.snr_min_db, self.snr_max_db)
            scale = ops.sqrt(power / ops.power(10.0, snr_db / 10.0))
            noise = keras.random.normal(ops.shape(x), seed=self.seed_generator)
            x = x + noise * scale
        if self.gain_db > 0:
            gain_db = self._uniform((batch, 1), -self.gain_db, self.gain_db)
            x = x * ops.power(10.0, gain_db / 20.0)
        if self.shift > 0:
            n = ops.cast(length, "float32")
            most = ops.floor(self.shift * n)
            k = ops.floor(self._uniform((batch, 1), 0.0, 1.0) * (2.0 * most + 1.0)) - most
            index = ops.cast(ops.arange(length), "float32")[None, :] - k + n
            x = ops.take_along_axis(x, ops.cast(ops.mod(index, n), "int32"), axis=1)
        return x

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            noise=self.noise,
            snr_min_db=self.snr_min_db,
            snr_max_db=self.snr_max_db,
            gain_db=self.gain_db,
            shift=self.shift,
            seed=self.seed,
        )
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class LogMelSpectrogram(keras.layers.Layer):
    """Waveforms ``(n, samples)`` → log-mel spectrograms ``(n, frames, n_mels)`` in dB.

    Frames of ``frame_length`` samples every ``frame_step`` (no centre padding: ``frames = 1 +
    (samples - frame_length) // frame_step``), periodic Hann window, power spectrum of an
    ``fft_length``-point FFT, HTK-mel triangular filterbank from ``fmin`` to ``fmax`` Hz (0 =
    Nyquist; as ``tf.signal.linear_to_mel_weight_matrix``), ``10 * log10(max(power, 1e-10))``,
    then values more than ``top_db`` below the clip's own maximum are raised to that floor
    (per clip, so silence and padding do not dominate; 0 = no floor).
    """

    def __init__(
        self,
        sample_rate: int,
        frame_length: int,
        frame_step: int,
        fft_length: int,
        n_mels: int,
        fmin: float = 0.0,
        fmax: float = 0.0,
        top_db: float = 80.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**_float32(kwargs))
        if not 0 < int(frame_length) <= int(fft_length) or int(frame_step) < 1:
            raise ValueError(
                f"Bad STFT sizes: frame {frame_length}, step {frame_step}, FFT {fft_length}."
            )
        self.sample_rate = int(sample_rate)
        self.frame_length = int(frame_length)
        self.frame_step = int(frame_step)
        self.fft_length = int(fft_length)
        self.n_mels = int(n_mels)
        self.fmin = float(fmin)
        self.fmax = float(fmax)
        self.top_db = float(top_db)
        from automl_gui.core.preprocess.audio import mel_filterbank

        self._kernel = dft_kernel(self.frame_length, self.fft_length)
        self._mel = mel_filterbank(
            self.sample_rate, self.fft_length, self.n_mels, self.fmin, self.fmax
        )

    def call(self, inputs: Any) -> Any:
        x = ops.expand_dims(ops.cast(inputs, "float32"), -1)
        spectrum = ops.conv(x, ops.convert_to_tensor(self._kernel), strides=self.frame_step)
        bins = self.fft_length // 2 + 1
        power = ops.square(spectrum[..., :bins]) + ops.square(spectrum[..., bins:])
        mel = ops.matmul(power, ops.convert_to_tensor(self._mel))
        db = 10.0 * ops.log10(ops.maximum(mel, MIN_POWER))
        if self.top_db > 0:
            db = ops.maximum(db, ops.max(db, axis=(1, 2), keepdims=True) - self.top_db)
        return db

    def frames(self, n_samples: int) -> int:
        """Frames for clips of ``n_samples`` (0 when shorter than one frame)."""
        if int(n_samples) < self.frame_length:
            return 0
        return 1 + (int(n_samples) - self.frame_length) // self.frame_step

    def compute_output_shape(self, input_shape: Any) -> Any:
        samples = input_shape[1]
        frames = None if samples is None else self.frames(samples)
        return (input_shape[0], frames, self.n_mels)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            sample_rate=self.sample_rate,
            frame_length=self.frame_length,
            frame_step=self.frame_step,
            fft_length=self.fft_length,
            n_mels=self.n_mels,
            fmin=self.fmin,
            fmax=self.fmax,
            top_db=self.top_db,
        )
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class MFCC(keras.layers.Layer):
    """Log-mel ``(n, frames, bands)`` → MFCCs ``(n, frames, n_mfcc)``: the orthonormal DCT-II
    over the bands (``scipy.fft.dct(x, type=2, norm="ortho")``), the first ``n_mfcc`` kept."""

    def __init__(self, n_mfcc: int = 20, **kwargs: Any) -> None:
        super().__init__(**_float32(kwargs))
        if int(n_mfcc) < 1:
            raise ValueError(f"n_mfcc must be >= 1, got {n_mfcc}.")
        self.n_mfcc = int(n_mfcc)
        self._dct: np.ndarray | None = None

    def build(self, input_shape: Any) -> None:
        bands = int(input_shape[-1])
        if self.n_mfcc > bands:
            raise ValueError(f"n_mfcc {self.n_mfcc} is more than the {bands} mel bands.")
        self._dct = dct_matrix(bands, self.n_mfcc)
        self.built = True

    def call(self, inputs: Any) -> Any:
        return ops.matmul(ops.cast(inputs, "float32"), ops.convert_to_tensor(self._dct))

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (*tuple(input_shape)[:-1], self.n_mfcc)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(n_mfcc=self.n_mfcc)
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class SpecAugment(keras.layers.Layer):
    """SpecAugment-style masking of features ``(n, frames, bands)`` (wrap in ``TrainingOnly``).

    ``masks`` time masks and ``masks`` frequency masks per clip, each of a random width from 0
    to ``time_mask`` × frames (``freq_mask`` × bands) at a random position. Masked cells take
    the clip's mean feature value (0 after per-band normalization; a neutral grey in a plot of
    raw log-mel).
    """

    def __init__(
        self,
        time_mask: float = 0.1,
        freq_mask: float = 0.1,
        masks: int = 1,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**_float32(kwargs))
        if not (0 <= float(time_mask) <= 1 and 0 <= float(freq_mask) <= 1) or int(masks) < 0:
            raise ValueError(f"Bad SpecAugment settings: {time_mask}, {freq_mask}, {masks}.")
        self.time_mask = float(time_mask)
        self.freq_mask = float(freq_mask)
        self.masks = int(masks)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _mask(self, batch: Any, size: Any, fraction: float) -> Any:
        """``(batch, size)`` float mask (1 = masked): the union of ``masks`` random spans."""
        n = ops.cast(size, "float32")
        shape = (batch, self.masks)
        rand = keras.random.uniform(shape, seed=self.seed_generator)
        width = ops.floor(rand * (ops.floor(fraction * n) + 1.0))
        rand = keras.random.uniform(shape, seed=self.seed_generator)
        start = ops.floor(rand * (n - width + 1.0))
        pos = ops.cast(ops.arange(size), "float32")[None, None, :]
        inside = (pos >= start[..., None]) & (pos < (start + width)[..., None])
        return ops.max(ops.cast(inside, "float32"), axis=1)

    def call(self, inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        if self.masks == 0 or (self.time_mask == 0 and self.freq_mask == 0):
            return x
        batch, frames, bands = ops.shape(x)[0], ops.shape(x)[1], ops.shape(x)[2]
        masked = ops.maximum(
            self._mask(batch, frames, self.time_mask)[:, :, None],
            self._mask(batch, bands, self.freq_mask)[:, None, :],
        )
        fill = ops.mean(x, axis=(1, 2), keepdims=True)
        return ops.where(masked > 0.5, fill, x)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            time_mask=self.time_mask, freq_mask=self.freq_mask, masks=self.masks, seed=self.seed
        )
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class SpectrogramImage(keras.layers.Layer):
    """Normalized features ``(n, frames, bands)`` → an RGB image ``(n, bands, frames, 3)`` in
    [0, 255] for a pretrained backbone.

    Time runs left to right and frequency bottom to top (the lowest band is the last row), as
    a spectrogram is drawn. Pixel = ``clip(x * scale + 128, 0, 255)`` in all three channels: a
    fixed affine map of the per-band-standardized features (mean → mid-grey, ±``128 / scale``
    standard deviations → black/white), so loudness differences between clips survive (a
    per-clip min-max stretch would erase them) and a clip's image does not depend on others.
    """

    def __init__(self, scale: float = 32.0, **kwargs: Any) -> None:
        super().__init__(**_float32(kwargs))
        if float(scale) <= 0:
            raise ValueError(f"scale must be > 0, got {scale}.")
        self.scale = float(scale)

    def call(self, inputs: Any) -> Any:
        x = ops.flip(ops.transpose(ops.cast(inputs, "float32"), (0, 2, 1)), axis=1)
        x = ops.clip(x * self.scale + 128.0, 0.0, 255.0)
        return ops.repeat(ops.expand_dims(x, -1), 3, axis=-1)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return (input_shape[0], input_shape[2], input_shape[1], 3)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(scale=self.scale)
        return config


__all__ = [
    "CropOrPad",
    "LogMelSpectrogram",
    "MFCC",
    "SpecAugment",
    "SpectrogramImage",
    "TrainingOnly",
    "WaveformAugment",
]
