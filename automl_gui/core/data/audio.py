"""Audio datasets: scan a folder of clips (or a CSV of paths and labels) into labelled items.

Layouts, as for images (``core/data/images.py``): one folder per class; ``train/`` plus
``val|validation/`` and/or ``test/`` split folders; a CSV of clip paths (relative to the CSV)
and labels. Formats: WAV, FLAC, OGG (Vorbis/Opus), MP3 through libsndfile (``soundfile``);
any sample rate, bit depth and channel count.

Every clip is checked (``check_audio``) in a thread pool with progress and cancel; broken
files are excluded and listed with a reason: "empty file (0 bytes)", "not audio (looks like
text)", "truncated (...)", "silent (no sound at all)", "too short (2 ms; at least 10 ms
needed)", "unreadable: ...".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from automl_gui.core.data.images import BadFile
from automl_gui.core.events import CancelToken, EventCallback

AUDIO_EXTENSIONS = (".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3")


@dataclass(frozen=True)
class AudioInfo:
    """What the check learned about a good clip (from its header and one decode)."""

    duration: float  # seconds
    sample_rate: int
    channels: int
    format: str  # "WAV", "FLAC", "OGG", "MP3"
    subtype: str = ""  # "PCM_16", "VORBIS", ...
    peak: float = 0.0  # max |sample| in [0, 1]


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
class AudioDataset:
    """A scanned audio dataset (the same shape as ``ImageDataset``).

    Args:
        root: the folder (or the CSV file) scanned.
        layout: "class_folders", "split_folders" or "csv".
        items: usable clips, sorted by (split, label, path).
        class_names: sorted class names (classes with no usable clip are dropped with a notice).
        bad_files: excluded clips with reasons.
        hidden_ignored, other_ignored, unlabeled_ignored: files skipped (hidden; not audio;
            audio with no class).
        notices: sentences for the user.
        formats: clip count per format ("WAV": 120, ...).
    """

    root: str
    layout: str
    items: list[AudioItem]
    class_names: list[str]
    bad_files: list[BadFile] = field(default_factory=list)
    hidden_ignored: int = 0
    other_ignored: int = 0
    notices: list[str] = field(default_factory=list)
    formats: dict[str, int] = field(default_factory=dict)
    unlabeled_ignored: int = 0

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_split(self) -> bool:
        return any(i.split for i in self.items)

    def class_counts(self, split: str | None = None) -> dict[str, int]:
        raise NotImplementedError

    def durations(self) -> list[float]:
        """Every usable clip's duration in seconds (for the histogram and auto clip length)."""
        return [i.duration for i in self.items]

    def duration_stats(self) -> dict[str, Any]:
        """min / median / p95 / max / mean / total seconds; sample rates and channel counts
        seen ({16000: 40, ...}, {1: 30, 2: 10})."""
        raise NotImplementedError

    def paths(self, label: str | None = None) -> list[str]:
        raise NotImplementedError


def check_audio(path: str) -> AudioInfo | str:
    """Check one file: an ``AudioInfo`` when usable, else the reason it is not (a sentence
    fragment as ``BadFile.reason``)."""
    raise NotImplementedError


def scan_audio(
    path: str,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
) -> AudioDataset:
    """Scan a folder or a CSV of clips (see module docstring).

    Raises:
        DataError: no audio files, no class folders, fewer than two classes, a CSV without
            path/label columns (the message says what was found and what to do).
        CancelledError: cancelled.
    """
    raise NotImplementedError


def looks_like_audio_csv(path: str) -> bool:
    """True when ``path`` is a CSV whose first rows name audio files (``detect_kind`` then
    calls it "audio")."""
    raise NotImplementedError


__all__ = [
    "AUDIO_EXTENSIONS",
    "AudioDataset",
    "AudioInfo",
    "AudioItem",
    "BadFile",
    "check_audio",
    "looks_like_audio_csv",
    "scan_audio",
]
