"""Generated audio datasets for tests: tones, chirps, noise bursts and clicks the test
synthesizes, never downloads.

Each class has its own sound, so a tiny CNN on log-mel spectrograms learns it in a few
epochs; clips vary in sample rate, length, channel count, bit depth and format (WAV, FLAC,
OGG Vorbis, MP3) so decoding, mixdown, resampling and crop/pad are exercised on every run.

Import as ``from audio_factory import ...`` (``tests/`` is on sys.path through its conftest).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import soundfile as sf

CLASSES = ("tone", "chirp", "noise", "click")
FORMATS = ("wav", "flac", "ogg", "mp3")
RATES = (8000, 16000, 22050, 44100)
#: soundfile (format, subtype) per extension
SF_FORMATS = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
WAV_SUBTYPES = ("PCM_16", "PCM_24", "FLOAT", "PCM_U8")


def synth(label: str, seconds: float = 1.0, rate: int = 16000, seed: int = 0) -> np.ndarray:
    """One mono float32 clip of class ``label`` in [-1, 1] (unknown labels: a tone whose pitch
    comes from the name's hash)."""
    rng = np.random.default_rng(seed)
    n = max(1, int(round(seconds * rate)))
    t = np.arange(n, dtype=np.float64) / rate
    amp = rng.uniform(0.3, 0.8)
    if label == "tone" or label not in CLASSES:
        base = 440.0 if label == "tone" else 200.0 + (sum(map(ord, label)) * 37) % 1500
        f = base * rng.uniform(0.85, 1.15)
        x = np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    elif label == "chirp":
        f0, f1 = rng.uniform(200, 400), rng.uniform(2000, 3500)
        k = (f1 - f0) / max(t[-1], 1e-3)
        x = np.sin(2 * np.pi * (f0 * t + 0.5 * k * t * t))
    elif label == "noise":
        x = np.zeros(n)
        burst = max(1, int(0.15 * rate))
        for start in rng.integers(0, max(1, n - burst), size=max(1, int(seconds * 3))):
            x[start : start + burst] += rng.standard_normal(min(burst, n - start)) * 0.5
    else:  # click: a train of short clicks
        x = np.zeros(n)
        period = max(2, int(rate / rng.uniform(8, 15)))
        for start in range(int(rng.integers(0, period)), n, period):
            width = max(1, int(0.002 * rate))
            x[start : start + width] = np.hanning(width + 2)[1:-1][: n - start]
    x = x / max(1e-9, float(np.max(np.abs(x)))) * amp
    x += rng.standard_normal(n) * 0.005  # a little background noise: never digital silence
    return np.clip(x, -1, 1).astype(np.float32)


def write(
    path: str | os.PathLike[str],
    clip: np.ndarray,
    rate: int,
    *,
    channels: int = 1,
    subtype: str | None = None,
) -> Path:
    """Write ``clip`` (mono float) as the format of ``path``'s extension; ``channels=2``
    writes a stereo file (the second channel slightly quieter)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ext = path.suffix.lower().lstrip(".")
    fmt, default_subtype = SF_FORMATS[ext]
    data = clip if channels == 1 else np.stack([clip, clip * 0.8], axis=1)
    sf.write(str(path), data, int(rate), format=fmt, subtype=subtype or default_subtype)
    return path


def make_class_folders(
    root: str | os.PathLike[str],
    classes: tuple[str, ...] | list[str] = CLASSES,
    per_class: int = 10,
    *,
    seconds: tuple[float, float] = (0.6, 1.4),
    rates: tuple[int, ...] = RATES,
    formats: tuple[str, ...] = FORMATS,
    stereo: bool = True,
    seed: int = 0,
) -> Path:
    """``root/<class>/<class>_<i>.<fmt>``: one folder per class, formats, rates, lengths,
    channel counts and WAV bit depths cycling. Returns ``root``."""
    root = Path(root)
    rng = np.random.default_rng(seed)
    for ci, label in enumerate(classes):
        for i in range(per_class):
            k = ci * per_class + i
            fmt = formats[k % len(formats)]
            rate = rates[(k // len(formats)) % len(rates)]
            length = float(rng.uniform(*seconds))
            clip = synth(label, length, rate, seed=seed * 10_000 + k)
            subtype = WAV_SUBTYPES[(k // 2) % len(WAV_SUBTYPES)] if fmt == "wav" else None
            channels = 2 if stereo and k % 3 == 1 else 1
            write(
                root / label / f"{label}_{i:03d}.{fmt}",
                clip,
                rate,
                channels=channels,
                subtype=subtype,
            )
    return root


def make_split_folders(
    root: str | os.PathLike[str],
    classes: tuple[str, ...] | list[str] = CLASSES,
    counts: dict[str, int] | None = None,
    **kwargs: object,
) -> Path:
    """``root/{train,val,test}/<class>/...`` with ``counts`` clips per class per split
    (default 8/3/3). Returns ``root``."""
    root = Path(root)
    counts = counts or {"train": 8, "val": 3, "test": 3}
    for j, (split, n) in enumerate(counts.items()):
        make_class_folders(root / split, classes, n, seed=100 + j, **kwargs)  # type: ignore[arg-type]
    return root


def make_csv_dataset(
    root: str | os.PathLike[str],
    classes: tuple[str, ...] | list[str] = CLASSES,
    per_class: int = 6,
    *,
    name: str = "labels.csv",
    path_column: str = "path",
    label_column: str = "label",
) -> Path:
    """Clips in ``root/clips/`` (no class folders) plus ``root/<name>`` with relative paths and
    labels. Returns the CSV path."""
    root = Path(root)
    rows = []
    for ci, label in enumerate(classes):
        for i in range(per_class):
            k = ci * per_class + i
            fmt = FORMATS[k % len(FORMATS)]
            rel = f"clips/clip_{k:04d}.{fmt}"
            write(root / rel, synth(label, 0.8, 16000, seed=k), 16000)
            rows.append(f"{rel},{label}")
    csv = root / name
    csv.write_text(f"{path_column},{label_column}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return csv


# -- broken files: one writer per case the scan must catch ---------------------------------


def write_empty(path: str | os.PathLike[str]) -> Path:
    """A zero-byte file with an audio extension."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def write_text_as_audio(path: str | os.PathLike[str]) -> Path:
    """A text file (e.g. a saved web page) with an audio extension."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<html><body>404 Not Found</body></html>\n" * 20, encoding="utf-8")
    return path


def write_truncated(path: str | os.PathLike[str], keep: float = 0.4, rate: int = 16000) -> Path:
    """A valid 1 s clip of the extension's format, cut to ``keep`` of its bytes (a download or
    copy that stopped part-way; a WAV's header then promises more data than is there)."""
    path = Path(path)
    write(path, synth("tone", 1.0, rate, seed=7), rate)
    data = path.read_bytes()
    path.write_bytes(data[: max(16, int(len(data) * keep))])
    return path


def write_silent(path: str | os.PathLike[str], seconds: float = 1.0, rate: int = 16000) -> Path:
    """A clip of digital silence (all zeros)."""
    return write(path, np.zeros(int(seconds * rate), np.float32), rate)


def write_too_short(
    path: str | os.PathLike[str], seconds: float = 0.002, rate: int = 16000
) -> Path:
    """A clip of a few milliseconds (shorter than the scan accepts)."""
    return write(path, synth("tone", seconds, rate, seed=3), rate)


def write_header_only(path: str | os.PathLike[str], rate: int = 16000) -> Path:
    """A WAV with a valid header and no samples at all."""
    return write(path, np.zeros(0, np.float32), rate)
