"""The audio models' front end with Keras's own layers and ``keras.ops`` nodes.

Keras serializes op nodes and built-in layers itself, so a saved audio model needs no class
of this app to load (``keras.saving.load_model`` in safe mode, plain Keras). Each step
computes what the registered layer of :mod:`.audio_layers` (kept for models saved before)
computes, in float32 whatever the global dtype policy:

- :func:`crop_or_pad`: the centred window of ``n_samples`` (``CropOrPad``): the clip padded
  by ``n_samples`` zeros on both sides, then ``take_along_axis`` at an offset computed from
  its length (a tensor), so clips of any length go in;
- :func:`log_mel`: the STFT as a ``Conv1D`` with the fixed windowed-DFT kernel, the power of
  its real and imaginary parts through one ``Dense`` holding the mel filterbank twice, then
  dB with the per-clip ``top_db`` floor (``LogMelSpectrogram``);
- :func:`clip_windows`: a clip of any length → its windows (the centred one for a clip up to
  the window, else evenly spread half-overlapping ones) folded into the batch, and the
  average of the windows' probabilities back per clip (``segment_sum``);
- :func:`mfcc`: a ``Dense`` holding the orthonormal DCT-II (``MFCC``);
- :func:`spectrogram_image`: features → a 3-channel 0-255 image (``SpectrogramImage``),
  the output of an ``Identity`` layer named ``spectrogram_image``.

The fixed matrices are non-trainable weights of built-in layers (stored with the model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

#: the power floor before the logarithm (-100 dB)
MIN_POWER = 1e-10


def dft_kernel(frame_length: int, fft_length: int) -> np.ndarray:
    """``(frame_length, 1, 2 * bins)`` conv kernel: periodic-Hann-windowed cosines then
    (negated) sines of the ``bins = fft_length // 2 + 1`` real-FFT frequencies.

    A frame's dot products with it are the real and imaginary parts of its zero-padded FFT.
    """
    j = np.arange(frame_length, dtype=np.float64)
    hann = 0.5 - 0.5 * np.cos(2.0 * np.pi * j / frame_length)
    k = np.arange(fft_length // 2 + 1, dtype=np.float64)
    angle = 2.0 * np.pi * np.outer(j, k) / fft_length
    kernel = np.concatenate([np.cos(angle), -np.sin(angle)], axis=1) * hann[:, None]
    return kernel[:, None, :].astype(np.float32)


def dct_matrix(n_in: int, n_out: int) -> np.ndarray:
    """``(n_in, n_out)`` orthonormal DCT-II: ``x @ M == scipy.fft.dct(x, 2, norm="ortho")[:n_out]``."""
    n = np.arange(n_in, dtype=np.float64)[:, None]
    k = np.arange(n_out, dtype=np.float64)[None, :]
    matrix = np.sqrt(2.0 / n_in) * np.cos(np.pi / n_in * (n + 0.5) * k)
    matrix[:, 0] /= np.sqrt(2.0)
    return matrix.astype(np.float32)


def _fixed(layer: Any, input_shape: tuple, weights: np.ndarray) -> Any:
    """``layer`` built for ``input_shape`` with its one (non-trainable) weight set."""
    layer.build(input_shape)
    layer.set_weights([weights])
    return layer


def crop_or_pad(keras: Any, n_samples: int) -> Callable[[Any], Any]:
    """Waveforms ``(n, any)`` → ``(n, n_samples)``: the centred window of a longer clip, a
    shorter clip zero-padded on both sides (``(n_samples - length) // 2`` zeros before), as
    ``core.preprocess.audio.crop_or_pad``."""
    want = int(n_samples)
    if want < 1:
        raise ValueError(f"crop_or_pad needs n_samples >= 1, got {n_samples}.")
    ops = keras.ops

    def apply(inputs: Any) -> Any:
        x = ops.cast(inputs, "float32")
        length = ops.sum(ops.ones_like(x, dtype="int32"), axis=-1, keepdims=True)  # (n, 1)
        longer = ops.floor_divide(ops.subtract(length, want), 2)
        shorter = ops.negative(ops.floor_divide(ops.subtract(want, length), 2))
        offset = ops.where(ops.greater_equal(length, want), longer, shorter)
        index = ops.add(ops.add(offset, want), ops.arange(want, dtype="int32")[None, :])
        padded = ops.pad(x, [[0, 0], [want, want]])
        return ops.take_along_axis(padded, index, axis=1)

    return apply


def window_count(length: int, n_samples: int) -> int:
    """Windows :func:`clip_windows` answers a clip of ``length`` samples from: 1 up to
    ``n_samples``, then one more per started half window (``1 + ceil((length - n) / hop)``,
    hop ``max(1, n // 2)``)."""
    n = int(n_samples)
    hop = max(1, n // 2)
    extra = max(int(length) - n, 0)
    return 1 + -(-extra // hop)


def window_starts(length: int, n_samples: int) -> np.ndarray:
    """Where :func:`clip_windows`' windows start in a clip of ``length`` samples (NumPy, for
    tests and plots): the centred offset for one window (negative = padding before the
    clip), else ``i * (length - n) // (k - 1)``: evenly spread, the first at the start and
    the last at the end."""
    n, k = int(n_samples), window_count(length, n_samples)
    extra = int(length) - n
    if k == 1:
        return np.array([extra // 2 if extra >= 0 else -((n - int(length)) // 2)])
    return np.arange(k) * extra // (k - 1)


def clip_windows(keras: Any, n_samples: int) -> tuple[Callable[[Any], Any], Callable]:
    """(split, average) for answering clips of any length from windows of ``n_samples``.

    ``split(waves)``: ``(n, length)`` → (``(n * k, n_samples)`` windows, ``k``): the clip's
    :func:`window_starts` windows, clip by clip (a clip up to the window gives exactly what
    :func:`crop_or_pad` gives). ``average(probabilities, k)``: ``(n * k, classes)`` → the mean
    over each clip's ``k`` windows, ``(n, classes)``.

    Built from ``keras.ops`` only: the length and the window numbers come from the input
    itself (``ones_like`` + ``cumsum``; ``segment_sum`` makes a tensor of ``k`` elements to
    number the windows, and sums each clip's probabilities), so the exported graph takes any
    length; ``segment_sum`` is a TFLite builtin and an ONNX op through tf2onnx. Every clip of
    a batch has the batch's length (pad nothing: zeros are sound to the model). A training
    crop of exactly ``n_samples`` is one window, so the same model trains and answers.
    """
    n = int(n_samples)
    if n < 1:
        raise ValueError(f"clip_windows needs n_samples >= 1, got {n_samples}.")
    hop = max(1, n // 2)
    ops = keras.ops

    def split(inputs: Any) -> tuple[Any, Any]:
        x = ops.cast(inputs, "float32")
        first = ops.take(x, 0, axis=0)
        positions = ops.subtract(ops.cumsum(ops.ones_like(first, dtype="int32")), 1)
        length = ops.sum(ops.ones_like(first, dtype="int32"))
        extra = ops.maximum(ops.subtract(length, n), 0)
        k = ops.add(ops.floor_divide(ops.add(extra, hop - 1), hop), 1)  # k <= length
        # k segments (the last one holds the rest): their ones, counted, numbered 0 .. k-1
        counts = ops.segment_sum(
            ops.ones_like(positions), ops.minimum(positions, ops.subtract(k, 1)), sorted=True
        )
        numbers = ops.subtract(ops.cumsum(ops.minimum(counts, 1)), 1)
        spread = ops.floor_divide(ops.multiply(numbers, extra), ops.maximum(ops.subtract(k, 1), 1))
        longer = ops.floor_divide(ops.subtract(length, n), 2)
        shorter = ops.negative(ops.floor_divide(ops.subtract(n, length), 2))
        centred = ops.where(ops.greater_equal(length, n), longer, shorter)
        starts = ops.where(ops.greater(k, 1), spread, centred)
        index = ops.add(ops.add(starts[:, None], n), ops.arange(n, dtype="int32")[None, :])
        padded = ops.pad(x, [[0, 0], [n, n]])
        return ops.reshape(ops.take(padded, index, axis=1), (-1, n)), k

    def average(probabilities: Any, k: Any) -> Any:
        p = ops.cast(probabilities, "float32")
        rows = ops.subtract(ops.cumsum(ops.ones_like(ops.take(p, 0, axis=1), dtype="int32")), 1)
        sums = ops.segment_sum(p, ops.floor_divide(rows, k), sorted=True)
        return ops.divide(sums, ops.cast(k, "float32"))

    return split, average


def log_mel(
    keras: Any,
    sample_rate: int,
    frame_length: int,
    frame_step: int,
    fft_length: int,
    n_mels: int,
    fmin: float = 0.0,
    fmax: float = 0.0,
    top_db: float = 80.0,
) -> Callable[[Any], Any]:
    """Waveforms ``(n, samples)`` → log-mel spectrograms ``(n, frames, n_mels)`` in dB.

    Frames of ``frame_length`` samples every ``frame_step`` (no centre padding), periodic
    Hann window, power spectrum of an ``fft_length``-point FFT, HTK-mel filterbank from
    ``fmin`` to ``fmax`` Hz (0 = Nyquist), ``10 * log10(max(power, 1e-10))``, values more
    than ``top_db`` below the clip's own maximum raised to that floor (0 = no floor).
    """
    from automl_gui.core.preprocess.audio import mel_filterbank

    if not 0 < int(frame_length) <= int(fft_length) or int(frame_step) < 1:
        raise ValueError(
            f"Bad STFT sizes: frame {frame_length}, step {frame_step}, FFT {fft_length}."
        )
    ops = keras.ops
    bins = int(fft_length) // 2 + 1
    stft = keras.layers.Conv1D(
        2 * bins,
        int(frame_length),
        strides=int(frame_step),
        use_bias=False,
        trainable=False,
        dtype="float32",
        name="stft",
    )
    _fixed(stft, (None, None, 1), dft_kernel(int(frame_length), int(fft_length)))
    bank = mel_filterbank(int(sample_rate), int(fft_length), int(n_mels), fmin, fmax)
    mel = keras.layers.Dense(
        int(n_mels), use_bias=False, trainable=False, dtype="float32", name="mel_filterbank"
    )
    _fixed(mel, (None, None, 2 * bins), np.concatenate([bank, bank]).astype(np.float32))

    def apply(inputs: Any) -> Any:
        x = ops.expand_dims(ops.cast(inputs, "float32"), -1)
        power = mel(ops.square(stft(x)))  # re² and im² each weighted by the filterbank
        db = ops.multiply(ops.log10(ops.maximum(power, MIN_POWER)), 10.0)
        if float(top_db) > 0:
            floor = ops.subtract(ops.max(db, axis=(1, 2), keepdims=True), float(top_db))
            db = ops.maximum(db, floor)
        return db

    return apply


def mfcc(keras: Any, n_bands: int, n_mfcc: int) -> Callable[[Any], Any]:
    """Log-mel ``(n, frames, n_bands)`` → MFCCs ``(n, frames, n_mfcc)``: the orthonormal
    DCT-II over the bands, the first ``n_mfcc`` kept."""
    if not 1 <= int(n_mfcc) <= int(n_bands):
        raise ValueError(f"n_mfcc {n_mfcc} must be in 1..{n_bands} (the mel bands).")
    dct = keras.layers.Dense(
        int(n_mfcc), use_bias=False, trainable=False, dtype="float32", name="mfcc"
    )
    _fixed(dct, (None, None, int(n_bands)), dct_matrix(int(n_bands), int(n_mfcc)))
    return dct


def spectrogram_image(keras: Any, scale: float = 32.0) -> Callable[[Any], Any]:
    """Normalized features ``(n, frames, bands)`` → an RGB image ``(n, bands, frames, 3)`` in
    [0, 255]: time left to right, the lowest band at the bottom, pixel ``clip(x * scale +
    128, 0, 255)`` in all three channels."""
    if float(scale) <= 0:
        raise ValueError(f"scale must be > 0, got {scale}.")
    ops = keras.ops
    named = keras.layers.Identity(dtype="float32", name="spectrogram_image")

    def apply(inputs: Any) -> Any:
        x = ops.flip(ops.transpose(ops.cast(inputs, "float32"), (0, 2, 1)), axis=1)
        x = ops.clip(ops.add(ops.multiply(x, float(scale)), 128.0), 0.0, 255.0)
        return named(ops.repeat(ops.expand_dims(x, -1), 3, axis=-1))

    return apply
