"""Window-only wording of figures: sample rates and counts of things. Durations and byte
sizes are ``core.base.units`` (shared with the command line)."""

from __future__ import annotations


def format_rate(rate: int) -> str:
    """A sample rate: '16 kHz', '22.05 kHz', '44.1 kHz'."""
    return f"{rate / 1000:g} kHz"


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 image', '2,000 images' (``words`` when the plural is not ``word`` + 's')."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {words or word + 's'}"
