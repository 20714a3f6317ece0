"""Audio datasets: scan a folder of clips (or a CSV of paths and labels) into labelled items.

Layouts, as for images (``core/data/images.py``): one folder per class; ``train/`` plus
``val|validation/`` and/or ``test/`` split folders; a CSV of clip paths (relative to the CSV)
and labels. Formats: WAV, FLAC, OGG (Vorbis/Opus), MP3 through libsndfile (``soundfile``);
any sample rate, bit depth and channel count.

Every clip is checked (``check_audio``) in a thread pool with progress and cancel; broken
files are excluded and listed with a reason: "empty file (0 bytes)", "not audio (looks like
text)", "truncated (...)", "silent (no sound at all)", "too short (2 ms; at least 10 ms
needed)", "unsupported sample rate (1 Hz in its header; ...)", "too long (25 h; at most 24
h...)" (a declared length no recording has), "not a regular file (a named pipe)", "bad file name (not valid UTF-8...)",
"unreadable: ...". Links are judged as for images (``_media_files.Walker``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from automl_gui.core.base.events import CancelToken, EventCallback
from automl_gui.core.data._audio_check import (
    FULL_DECODE_SECONDS,
    SILENCE_PEAK,
    AudioInfo,
    check_audio,
    sniff_audio,
)
from automl_gui.core.data._media_csv import AUDIO_EXTENSIONS, looks_like_audio_csv
from automl_gui.core.data._media_scan import BadFile, Media, MediaDataset, scan


@dataclass(frozen=True)
class AudioItem:
    """One usable clip: absolute path, class label, split ("train"/"validation"/"test" from
    the folder layout, or None), and what its check learned."""

    path: str
    label: str
    split: str | None = None
    duration: float = 0.0
    sample_rate: int = 0
    channels: int = 1
    format: str = ""


@dataclass
class AudioDataset(MediaDataset):
    """A scanned audio dataset (fields: see ``MediaDataset``, as ``ImageDataset``).

    ``items`` are :class:`AudioItem` sorted by path; ``formats`` counts clips per container
    ("WAV": 120, "MP3": 3, ...); ``layout`` is "class_folders", "split_folders" or "csv".
    """

    items: list[AudioItem]

    def durations(self) -> list[float]:
        """Every usable clip's duration in seconds (for the histogram and auto clip length)."""
        return [i.duration for i in self.items]

    def duration_stats(self) -> dict[str, Any]:
        """min / median / p95 / max / mean / total seconds; sample rates and channel counts
        seen ({16000: 40, ...}, {1: 30, 2: 10}), most common first. Durations are None for
        an empty dataset."""
        return duration_stats(self.items)


def duration_stats(items: list[AudioItem]) -> dict[str, Any]:
    """The statistics of ``AudioDataset.duration_stats`` for any list of items."""
    durations = sorted(i.duration for i in items)
    rates = Counter(i.sample_rate for i in items)
    channels = Counter(i.channels for i in items)
    stats: dict[str, Any] = {"count": len(items)}
    if durations:
        stats.update(
            min=durations[0],
            median=float(statistics.median(durations)),
            p95=percentile(durations, 95),
            max=durations[-1],
            mean=statistics.fmean(durations),
            total=float(sum(durations)),
        )
    else:
        stats.update(dict.fromkeys(("min", "median", "p95", "max", "mean"), None), total=0.0)
    stats["sample_rates"] = dict(rates.most_common())
    stats["channels"] = dict(channels.most_common())
    return stats


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of sorted values, linearly interpolated (as numpy's
    default), without importing numpy."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    pos = (len(sorted_values) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


def scan_audio(
    path: str,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
) -> AudioDataset:
    """Scan a folder or a CSV of clips (see module docstring).

    Emits ``Progress("scan", fraction, "Checking clips… 1,234 / 5,000")`` while checking.
    ``path_column``/``label_column`` name the CSV's columns (guessed when None).

    Raises:
        DataError: no audio files, no class folders, fewer than two classes, a CSV without
            path/label columns (the message says what was found and what to do).
        CancelledError: cancelled.
    """
    return scan(
        _AUDIO,
        path,
        on_event=on_event,
        cancel=cancel,
        path_column=path_column,
        label_column=label_column,
    )


def _audio_item(path: str, label: str, split: str | None, info: AudioInfo) -> tuple[AudioItem, str]:
    item = AudioItem(
        path, label, split, info.duration, info.sample_rate, info.channels, info.format
    )
    return item, info.format


_AUDIO = Media(
    noun="clip",
    plural="clips",
    adjective="audio",
    extensions=AUDIO_EXTENSIONS,
    shown_extensions=(".wav", ".flac", ".ogg", ".mp3"),
    example="e.g. sounds/dog/*.wav and sounds/cat/*.wav",
    check=check_audio,
    make_item=_audio_item,
    dataset=AudioDataset,
    ext_format={
        ".wav": "WAV",
        ".wave": "WAV",
        ".flac": "FLAC",
        ".ogg": "OGG",
        ".oga": "OGG",
        ".opus": "OGG",
        ".mp3": "MP3",
    },
    renamed_example="a FLAC named .wav",
    not_media="not audio",
)


__all__ = [
    "AUDIO_EXTENSIONS",
    "FULL_DECODE_SECONDS",
    "SILENCE_PEAK",
    "AudioDataset",
    "AudioInfo",
    "AudioItem",
    "BadFile",
    "check_audio",
    "duration_stats",
    "looks_like_audio_csv",
    "percentile",
    "scan_audio",
    "sniff_audio",
]
