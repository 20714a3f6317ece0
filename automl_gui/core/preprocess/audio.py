"""Clips → model inputs: decode, mono mixdown, resample, crop/pad, and streaming ``tf.data``.

The model input contract (see docs/ARCHITECTURE.md, "Engine API (audio)"): float32 mono
waveforms ``(n, samples)`` at the preprocess sample rate, values in [-1, 1]. The input
pipeline decodes (``soundfile``), mixes down to mono (channel mean), resamples with a proper
band-limited resampler (``soxr``, high quality), then crops or zero-pads to the clip length:
a random window in training, the centred one in evaluation and prediction. Everything after
that (spectrogram, normalization, augmentation) happens inside the model.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from automl_gui.core.base import lazy
from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.data._file_guard import (
    audio_size_problem,
    bad_name,
    shown,
    special_reason,
    whole_clip_seconds,
)
from automl_gui.core.data.audio import AudioDataset, AudioItem
from automl_gui.core.preprocess._audio_window import (
    UnusableClip,
    count_frames,
    read_mono,
    read_window,
)
from automl_gui.core.preprocess._files import FileSplit, FileTracker, split_items, stream_files
from automl_gui.core.preprocess.audio_config import (
    AUTO_CLIP_PERCENTILE,
    MAX_CLIP_SECONDS,
    AudioPreprocessConfig,
    check_rate,
)

#: the automatic clip length never exceeds this (seconds)
AUTO_CLIP_MAX_SECONDS = 30.0


class AudioSplit(FileSplit):
    """Train / validation / test items and the class order (same shape as ``ImageSplit``;
    ``labels(items)`` gives int32 class indices)."""

    train: list[AudioItem]
    validation: list[AudioItem]
    test: list[AudioItem]


def split_audio(dataset: AudioDataset, config: AudioPreprocessConfig) -> AudioSplit:
    """The folder's split when it has one, else stratified by class (as ``split_images``;
    the same code, ``_files.split_items``).

    Raises:
        ConfigError: fractions out of range.
        DataError: a split would have no training clips / a class has no training clips.
    """
    return split_items(dataset, config, noun="clips", split_class=AudioSplit)


# -- decode -------------------------------------------------------------------------------------
_DRAW_SCALE = 1 << 24  # a random int64 → a window position in [0, 1)


def _decode(
    path: str,
    sample_rate: int,
    max_seconds: float | None = None,
    *,
    n_samples: int | None = None,
    position: float | None = None,
) -> np.ndarray:
    """Decode, mix down and resample; lets soundfile's/soxr's own errors through.

    Only regular files are opened (a named pipe would block); the header's sample rate and
    declared length are checked first (``UnusableClip``). A clip up to
    ``whole_clip_seconds`` is decoded whole (only its first ``max_seconds`` when given),
    block by block, each block mixed down at once. With ``n_samples`` (the crop the caller
    will make, at ``sample_rate``) a longer recording is read only in the window that crop
    keeps (:func:`_audio_window.read_window`): centred, or at ``position`` in [0, 1) as the random crop
    of :func:`_tf_crop_or_pad` places it; so memory is bounded, not the recording's length.
    Without either, a longer clip is refused. Both libraries release the GIL while they
    work (cffi calls; soxr's C core), so threads (the tf.data parallel map, ``load_clips``)
    really decode in parallel.
    """
    import soundfile as sf
    import soxr

    special = special_reason(path)
    if special:
        raise UnusableClip(special)
    # soundfile encodes a str path strictly: bytes open any name (not valid UTF-8 included)
    name: str | bytes = os.fsencode(path) if bad_name(path) else path
    with sf.SoundFile(name) as f:
        rate, frames = f.samplerate, f.frames
        problem = audio_size_problem(rate, frames)
        if problem:
            raise UnusableClip(problem)
        whole = int(whole_clip_seconds(rate) * rate)
        if max_seconds is not None:
            wave = read_mono(f, min(whole, int(max_seconds * rate)))
        elif n_samples is not None and frames > whole and f.seekable():
            window = read_window(f, frames, sample_rate, int(n_samples), position)
            return _finish(window)
        else:
            wave = read_mono(f, whole + 1)
            if len(wave) > whole:  # longer than the header said, or not seekable
                if n_samples is None:
                    raise UnusableClip(_too_long_whole(rate, count_frames(f, len(wave))))
                total = count_frames(f, len(wave))
                del wave
                with sf.SoundFile(name) as again:  # read again, only the window
                    window = read_window(again, total, sample_rate, int(n_samples), position)
                return _finish(window)
    if rate != sample_rate and len(wave):
        wave = soxr.resample(wave, rate, sample_rate, quality="HQ")
    return _finish(wave)


def _finish(wave: np.ndarray) -> np.ndarray:
    wave = np.asarray(wave, dtype=np.float32)
    np.nan_to_num(wave, copy=False, nan=0.0, posinf=1.0, neginf=-1.0)
    # Float files may hold samples beyond full scale, and resampling can overshoot a little.
    return np.clip(wave, -1.0, 1.0, out=wave)


def _too_long_whole(rate: int, frames: int) -> str:
    return (
        f"too long to load whole ({frames / rate / 60:.3g} min; at most "
        f"{whole_clip_seconds(rate) / 60:.3g} min at once: training and prediction read only "
        "the part they use)"
    )


def load_audio(path: str, sample_rate: int, max_seconds: float | None = None) -> np.ndarray:
    """One clip as float32 mono at ``sample_rate`` (whole length, or only its first
    ``max_seconds``: an hour-long recording shown in a plot is never decoded whole).

    Mono is the mean of the channels; a different rate is converted with soxr's high-quality
    band-limited resampler (anti-aliased when downsampling). Samples are clipped to [-1, 1].

    Raises:
        ConfigError: ``sample_rate`` out of range.
        DataError: the file cannot be decoded, is not a regular file, or its header gives an
            absurd sample rate or a length over the bound (the message names it).
    """
    return _load(path, check_rate(sample_rate), max_seconds)


def _load(
    path: str, rate: int, max_seconds: float | None = None, *, n_samples: int | None = None
) -> np.ndarray:
    """:func:`_decode` with its failures as a ``DataError`` naming the file."""
    try:
        return _decode(str(path), rate, max_seconds, n_samples=n_samples)
    except UnusableClip as exc:
        reason = str(exc)
    except (RuntimeError, OSError, ValueError, TypeError, EOFError) as exc:
        missing = not os.path.exists(str(path))
        reason = "file not found" if missing else f"not a readable audio file ({exc})"
    raise DataError(
        f"Could not read the clip {shown(str(path))}: {reason}.",
        "Check that the file exists and is a WAV, FLAC, OGG or MP3 file.",
    )


def crop_or_pad(wave: np.ndarray, n_samples: int, offset: int | None = None) -> np.ndarray:
    """``wave`` cut or zero-padded to ``n_samples``: the centred window/centred padding when
    ``offset`` is None, else the window starting at ``offset``.

    Centred means: a longer clip keeps ``wave[(n - n_samples) // 2:][:n_samples]``; a shorter
    one gets ``(n_samples - n) // 2`` zeros before it and the rest after (the same arithmetic
    as the TF crop in :func:`make_audio_dataset` and the model's ``CropOrPad`` layer). An
    ``offset`` is clamped into the clip; padding is always centred.
    """
    wave = np.asarray(wave, dtype=np.float32).reshape(-1)
    n, want = len(wave), int(n_samples)
    if want < 1:
        raise ConfigError(f"Clip length of {n_samples} samples is too short.", "Use e.g. 1 s.")
    if n >= want:
        extra = n - want
        start = extra // 2 if offset is None else min(max(int(offset), 0), extra)
        return wave[start : start + want].copy()
    out = np.zeros(want, dtype=np.float32)
    left = (want - n) // 2
    out[left : left + n] = wave
    return out


def load_clips(paths: list[str], sample_rate: int, n_samples: int) -> np.ndarray:
    """``(n, n_samples)`` float32 centred clips (for samples, previews and tests).

    Decoded in a few threads (the decoders release the GIL).

    Raises:
        DataError: a file cannot be decoded.
    """
    rate = check_rate(sample_rate)
    want = int(n_samples)
    out = np.zeros((len(paths), max(want, 1)), dtype=np.float32)[:, :want]
    if not paths:
        return out

    def one(path: str) -> np.ndarray:
        return crop_or_pad(_load(path, rate, n_samples=want), want)

    if len(paths) < 4:
        clips = [one(p) for p in paths]
    else:
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
            clips = list(pool.map(one, [str(p) for p in paths]))
    for k, clip in enumerate(clips):
        out[k] = clip
    return out


# -- streaming ----------------------------------------------------------------------------------
def _tf_crop_or_pad(wave: Any, n_samples: int, position: Any = None) -> Any:
    """TF graph op: :func:`crop_or_pad` of one waveform. ``position`` (a float scalar in
    [0, 1)) places the window within a longer clip (uniform over all windows); None = the
    centred one. Padding is always centred."""
    tf = lazy.tf()
    n = tf.shape(wave)[0]
    extra = tf.maximum(n - n_samples, 0)
    if position is None:
        begin = extra // 2
    else:
        scaled = tf.floor(position * tf.cast(extra + 1, tf.float32))
        begin = tf.minimum(tf.cast(scaled, tf.int32), extra)
    wave = wave[begin : begin + n_samples]
    short = n_samples - tf.shape(wave)[0]
    wave = tf.pad(wave, [[short // 2, short - short // 2]])
    return tf.ensure_shape(wave, [n_samples])


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
    deterministic: bool | None = None,
    track: FileTracker | None = None,
) -> Any:
    """A streaming ``tf.data.Dataset`` of ``(waves (b, n_samples) float32, labels)`` batches
    (only waves when ``labels`` is None).

    Paths are shuffled (not clips), reshuffled every epoch; clips are decoded, mixed down
    and resampled in parallel (``tf.numpy_function`` around :func:`load_audio`'s decoder,
    which releases the GIL); files that fail are skipped (``ignore_errors``); ``cache``
    keeps the decoded full-length clips (before the crop, so random crops still vary per
    epoch; the shuffle then comes after the cache, as for images). Training: a random
    window of ``n_samples`` (a new one every epoch, reproducible from ``seed``), short clips
    zero-padded centred. Otherwise (evaluation, prediction) every clip whole, a short one
    zero-padded centred to ``n_samples`` (what the model's windows do with it), in batches
    of clips of one length (``group_by_window``; order then follows the lengths, so pass
    indices as labels when the order matters): the model answers a longer clip from all its
    windows. Prefetch. Memory does not grow with the number of clips (without ``cache``).
    Built on ``_files.stream_files`` (shared with images).

    Args:
        deterministic: keep the order of the parallel decode (default True: runs with one
            seed repeat exactly, crop for crop: the random crops are a seeded sequence in
            arrival order); False lets a slow file not hold up the others.
        track: a ``FileTracker`` of the paths: which files were skipped (``_files``).

    Raises:
        ConfigError: sample rate, clip length or batch size out of range.
    """
    tf = lazy.tf()
    rate = check_rate(sample_rate)
    want = int(n_samples)
    if want < 1:
        raise ConfigError(f"Clip length of {n_samples} samples is too short.", "Use e.g. 1 s.")

    def decode(path: bytes, draw: Any = None) -> np.ndarray:
        # A long recording is read only in the window kept: centred, or at a random place
        # drawn per element and per pass (``stream_files(draws=...)``) when training.
        position = None if draw is None else (int(draw) % _DRAW_SCALE) / _DRAW_SCALE
        return _decode(os.fsdecode(path), rate, n_samples=want, position=position)

    @tf.autograph.experimental.do_not_convert  # plain TF ops; spares autograph's warnings
    def load(path: Any, *rest: Any) -> Any:
        draw, label = (rest[:1], rest[1:]) if training else ((), rest)
        wave = tf.numpy_function(decode, [path, *draw], tf.float32, stateful=False)
        wave = tf.ensure_shape(wave, [None])
        return (wave, *label) if label else wave

    @tf.autograph.experimental.do_not_convert
    def whole(wave: Any, *label: Any) -> Any:
        short = tf.maximum(want - tf.shape(wave)[0], 0)
        wave = tf.pad(wave, [[short // 2, short - short // 2]])
        return (wave, *label) if label else wave

    @tf.autograph.experimental.do_not_convert
    def length(wave: Any, *label: Any) -> Any:
        return tf.cast(tf.shape(wave)[0], tf.int64)

    def by_length(ds: Any, batch: int) -> Any:
        def reduce(_key: Any, group: Any) -> Any:
            return group.batch(batch)

        return ds.group_by_window(length, reduce, window_size=batch)

    @tf.autograph.experimental.do_not_convert
    def random_crop(element: Any, r: Any) -> Any:
        wave, *label = element if isinstance(element, tuple) else (element,)
        key = tf.stack([r, tf.constant(seed, tf.int64)])
        wave = _tf_crop_or_pad(wave, want, tf.random.stateless_uniform([], seed=key))
        return (wave, *label) if label else wave

    def crop(ds: Any) -> Any:
        if not training:
            return ds.map(whole, num_parallel_calls=tf.data.AUTOTUNE)
        # A fresh random number per element and per epoch; the same sequence for a seed.
        randoms = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
        zipped = tf.data.Dataset.zip((ds, randoms))
        return zipped.map(random_crop, num_parallel_calls=tf.data.AUTOTUNE)

    options = {"shuffle": shuffle, "seed": seed, "cache": cache, "deterministic": deterministic}
    options["track"] = track
    options["draws"] = seed + 1 if training else None
    options["batcher"] = None if training else by_length
    return stream_files(paths, labels, load, batch_size, after_cache=crop, **options)


# -- clip length --------------------------------------------------------------------------------
def auto_clip_seconds(durations: list[float] | np.ndarray) -> float:
    """Automatic clip length: the ``AUTO_CLIP_PERCENTILE``th (75th) percentile of
    ``durations``, rounded up to 0.1 s, within [0.1, 30] s (1.0 with no durations).

    The bulk of the clips, not the longest: a window sized for the few long ones would be
    mostly padding for the rest (slower, and harder to learn), while a long clip still
    trains on a random window each epoch and is answered from all its windows."""
    values = np.asarray(durations, dtype=np.float64).reshape(-1)
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return 1.0
    p = float(np.percentile(values, AUTO_CLIP_PERCENTILE))
    seconds = np.ceil(round(p * 10, 6)) / 10  # round() first: 1.0000000001 s stays 1.0 s
    return float(min(max(seconds, 0.1), AUTO_CLIP_MAX_SECONDS))


def clip_seconds_for(dataset: AudioDataset, config: AudioPreprocessConfig) -> float:
    """``config.clip_seconds`` or, when 0, :func:`auto_clip_seconds` of the dataset.

    Raises:
        ConfigError: a negative or too long clip length.
    """
    seconds = float(config.clip_seconds)
    if seconds == 0:
        return auto_clip_seconds(dataset.durations())
    if not 0 < seconds <= MAX_CLIP_SECONDS:
        raise ConfigError(
            f"Clip length {seconds:g} s must be between 0 and {MAX_CLIP_SECONDS:g} s.",
            f"Use 0 for automatic (the {AUTO_CLIP_PERCENTILE}th percentile of the clips' "
            "durations), or e.g. 1 s.",
        )
    return seconds


# -- display spectrogram ------------------------------------------------------------------------
def _hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """HTK mel scale, as ``tf.signal.linear_to_mel_weight_matrix`` (and Keras) use."""
    return 1127.0 * np.log1p(np.asarray(hz, dtype=np.float64) / 700.0)


def mel_filterbank(
    sample_rate: int, fft_length: int, n_mels: int, fmin: float = 0.0, fmax: float = 0.0
) -> np.ndarray:
    """``(fft_length // 2 + 1, n_mels)`` HTK-mel triangular filters, built the way
    ``tf.signal.linear_to_mel_weight_matrix`` builds them (triangles in mel space, peak 1,
    no area normalization, DC bin unused), so the display matches the model's features."""
    fmax = float(fmax) if fmax and fmax > 0 else sample_rate / 2.0
    bins = fft_length // 2 + 1
    freqs = np.linspace(0.0, sample_rate / 2.0, bins)[1:]
    spec_mel = _hz_to_mel(freqs)[:, None]
    edges = np.linspace(_hz_to_mel(fmin), _hz_to_mel(fmax), n_mels + 2)
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (spec_mel - lower) / (centre - lower)
    falling = (upper - spec_mel) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, [[1, 0], [0, 0]]).astype(np.float32)


def log_mel_display(
    wave: np.ndarray,
    sample_rate: int,
    n_mels: int = 64,
    window_ms: float = 25.0,
    hop_ms: float = 10.0,
) -> np.ndarray:
    """A log-mel spectrogram in dB, ``(frames, n_mels)``, in NumPy (no TensorFlow), for the
    Data page's plots. Matches the model's front end closely, not bit for bit.

    Frames of ``window_ms`` every ``hop_ms`` (no centre padding, as ``tf.signal.stft``; a clip
    shorter than one window is zero-padded to one frame), a periodic Hann window, an FFT of
    the next power of two, the power spectrum through an HTK-mel filterbank
    (:func:`mel_filterbank`, 0 Hz to Nyquist), then ``10 * log10(power + 1e-10)``.
    """
    wave = np.asarray(wave, dtype=np.float32).reshape(-1)
    rate = int(sample_rate)
    window = max(2, int(round(rate * float(window_ms) / 1000.0)))
    hop = max(1, int(round(rate * float(hop_ms) / 1000.0)))
    fft_length = 1 << (window - 1).bit_length()
    if len(wave) < window:
        wave = np.pad(wave, (0, window - len(wave)))
    frames = np.lib.stride_tricks.sliding_window_view(wave, window)[::hop]
    hann = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(window) / window)).astype(np.float32)
    power = np.abs(np.fft.rfft(frames * hann, n=fft_length, axis=1)) ** 2
    mel = power @ mel_filterbank(rate, fft_length, int(n_mels))
    return (10.0 * np.log10(mel + 1e-10)).astype(np.float32)


__all__ = [
    "AudioSplit",
    "auto_clip_seconds",
    "clip_seconds_for",
    "crop_or_pad",
    "load_audio",
    "load_clips",
    "log_mel_display",
    "mel_filterbank",
    "make_audio_dataset",
    "split_audio",
]
