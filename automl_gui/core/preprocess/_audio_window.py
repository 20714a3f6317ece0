"""Reading part of a long clip: the window a crop keeps, and frames skipped or counted
without holding them (block by block), so memory does not grow with a recording's length.
Used by :mod:`automl_gui.core.preprocess.audio`'s decoder."""

from __future__ import annotations

from typing import Any

import numpy as np

from automl_gui.core.data._file_guard import MAX_DECLARED_SECONDS, audio_size_problem

_BLOCK = 1 << 16  # frames decoded at a time: mixed down to mono before the next block


class UnusableClip(ValueError):
    """A clip the bounds refuse before decoding it; ``str(exc)`` is the reason (a bad-file
    reason as the scan gives it)."""


def _skip(sound: Any, frames: int) -> int:
    """Decode and drop up to ``frames`` frames, block by block; the frames dropped."""
    buf = np.empty((_BLOCK, sound.channels), dtype=np.float32)
    done = 0
    while done < frames:
        got = len(sound.read(min(_BLOCK, frames - done), dtype="float32", out=buf))
        if not got:
            break
        done += got
    return done


def count_frames(sound: Any, done: int) -> int:
    """Frames in ``sound``: ``done`` already read plus the rest, decoded and dropped (up to
    the longest clip ``audio_size_problem`` accepts)."""
    limit = int(MAX_DECLARED_SECONDS * sound.samplerate)
    done += _skip(sound, limit + 1 - done)
    if done > limit:
        raise UnusableClip(audio_size_problem(sound.samplerate, done) or "too long")
    return done


#: source frames decoded on each side of a window, so the resampler's edges fall outside it
_MARGIN_SECONDS = 0.05


def read_window(
    sound: Any, frames: int, sample_rate: int, n_samples: int, position: float | None
) -> np.ndarray:
    """The ``n_samples`` (at ``sample_rate``) a crop of the whole resampled clip would keep,
    decoding only their part of ``sound`` (``frames`` long) and a small margin: the centred
    window when ``position`` is None, else the one ``audio._tf_crop_or_pad`` picks for it."""
    import soxr

    rate = sound.samplerate
    length = int(round(frames * sample_rate / rate))  # the whole clip, resampled
    extra = max(length - n_samples, 0)
    if position is None:
        begin = extra // 2
    else:
        begin = min(int(np.floor(float(position) * (extra + 1))), extra)
    exact = begin * rate / sample_rate  # where the window starts, in source frames
    margin = int(_MARGIN_SECONDS * rate)
    start = max(0, int(np.floor(exact)) - margin)
    stop = min(frames, int(np.ceil(exact + n_samples * rate / sample_rate)) + margin)
    if sound.seekable():
        sound.seek(start)
    else:
        _skip(sound, start)
    part = read_mono(sound, stop - start)
    skip = 0
    if rate != sample_rate and len(part):
        part = soxr.resample(part, rate, sample_rate, quality="HQ")
        skip = int(round((exact - start) * sample_rate / rate))
    else:
        skip = int(round(exact - start))
    out = np.zeros(n_samples, dtype=np.float32)
    kept = part[skip : skip + n_samples]
    out[: len(kept)] = kept
    return out


def read_mono(sound: Any, limit: int) -> np.ndarray:
    """Up to ``limit`` frames of ``sound`` as float32 mono (the mean of the channels)."""
    parts: list[np.ndarray] = []
    got = 0
    while got < limit:
        data = sound.read(min(_BLOCK, limit - got), dtype="float32", always_2d=True)
        if not len(data):
            break
        got += len(data)
        parts.append(
            data[:, 0].copy() if data.shape[1] == 1 else data.mean(axis=1, dtype=np.float32)
        )
    if not parts:
        return np.zeros(0, dtype=np.float32)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)
