"""Window-only wording of figures: sample rates, counts of things, what an audio model takes.
Durations and byte sizes are ``core.base.units`` (shared with the command line)."""

from __future__ import annotations

from typing import Any

from automl_gui.core.base.units import format_rate

FEATURE_NAMES = {"log-mel": "log-mel spectrograms", "mfcc": "MFCCs"}


def rough_megabytes(n: float) -> str:
    """A download's size as people quote it: "90 MB" (decimal megabytes, no decimals)."""
    return f"{n / 1e6:.0f} MB"


def audio_model_details(meta: dict[str, Any]) -> str:
    """ "on log-mel spectrograms of 1 s clips at 16 kHz" from an audio model's metadata."""
    features = meta.get("features")
    if isinstance(features, dict):
        features = features.get("kind") or features.get("features")
    parts = []
    if isinstance(features, str) and features:
        parts.append(f"on {FEATURE_NAMES.get(features, features)}")
    seconds = meta.get("clip_seconds")
    if isinstance(seconds, (int, float)) and seconds > 0:
        parts.append(f"of {float(seconds):g} s clips")
    rate = format_rate(meta.get("sample_rate"))
    if rate:
        parts.append(f"at {rate}")
    return " ".join(parts)


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 image', '2,000 images' (``words`` when the plural is not ``word`` + 's')."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {words or word + 's'}"


def spread(low: str, high: str, median: str, *more: str) -> str:
    """Figures of a spread, each named: "48 – 95 px, median 73.5" (``more``: further named
    figures, e.g. "95% up to 1.2 s"). Bare "48 · 73.5 · 95 px" left people guessing. A
    narrow label wraps between the figures, never inside one ("95" / "px")."""

    def whole(text: str) -> str:
        return text.replace(" ", "\u00a0")

    parts = (f"{whole(low)} – {whole(high)}", whole(f"median {median}"), *map(whole, more))
    return ", ".join(parts)


def probability(p: float) -> str:
    """A probability as the Predict page shows it, in one fixed format: "90.4%", "8.1%",
    "0.0%" (the raw 0.90393 next to 0.0810076 read as noise)."""
    return f"{100 * float(p):.1f}%"
