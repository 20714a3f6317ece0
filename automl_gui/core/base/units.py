"""Durations, byte sizes and sample rates as people read them: one formatter each, shared by window and CLI.

Each function takes whatever the caller has (a float, an int, None, a number read from JSON)
and answers with text; what to show for an unknown value is the caller's choice.
"""

from __future__ import annotations

import math
from typing import Any, Literal

__all__ = ["DurationStyle", "format_bytes", "format_duration", "format_rate"]

DurationStyle = Literal["clock", "precise", "words", "rough"]

_BYTE_UNITS = ("bytes", "KB", "MB", "GB")


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (None, text, NaN, infinity, booleans)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _clock(s: int) -> str:
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def _under_a_minute(s: float) -> str:
    return f"{s:.2f} s" if s < 10 else f"{s:.1f} s"


def format_duration(seconds: Any, style: DurationStyle = "clock", *, unknown: str = "—") -> str:
    """A duration as text; ``unknown`` for None, NaN or anything that is not a number.

    Negative durations (a budget already overrun) read as zero. ``style``:

    - ``"clock"``: minutes:seconds, hours first when there are any: ``"0:07"``,
      ``"5:00"``, ``"1:02:03"`` (training times, time budgets, time left).
    - ``"precise"``: seconds with decimals below a minute, a clock beyond it:
      ``"0.85 s"``, ``"12.3 s"``, ``"4:05"``, ``"2:03:00"`` (clip lengths, trial times).
    - ``"words"``: like ``"precise"`` below a minute, then ``"4 min 05 s"``,
      ``"2 h 03 min"`` (a data set's total length).
    - ``"rough"``: three significant digits in the largest fitting unit: ``"3.5 s"``,
      ``"2.5 min"``, ``"1.2 h"`` (limits in messages).
    """
    f = _finite(seconds)
    if f is None:
        return unknown
    f = max(f, 0.0)
    if style == "clock":
        return _clock(round(f))
    if style == "rough":
        if f < 60:
            return f"{f:.3g} s"
        if f < 3600:
            return f"{f / 60:.3g} min"
        return f"{f / 3600:.3g} h"
    if style not in ("precise", "words"):
        raise ValueError(f"unknown duration style {style!r}")
    if f < 60:
        return _under_a_minute(f)
    if style == "precise":
        return _clock(round(f))
    s = round(f)
    if s < 3600:
        m, rest = divmod(s, 60)
        return f"{m} min {rest:02d} s"
    h, rest = divmod(s, 3600)
    return f"{h} h {rest // 60:02d} min"


def format_bytes(n: Any, *, base: Literal[1000, 1024] = 1024, unknown: str = "unknown") -> str:
    """A size in bytes as ``"812 bytes"``, ``"1.5 KB"``, ``"23.4 MB"``, ``"1.2 GB"``.

    ``base`` 1024 (the default) counts sizes on disk the way file managers on Windows do;
    1000 is for estimates stated in decimal units (memory a cache will need). ``unknown``
    stands for None or a value that is not a number.
    """
    f = _finite(n)
    if f is None:
        return unknown
    size = f
    for unit in _BYTE_UNITS:
        if abs(size) < base or unit == _BYTE_UNITS[-1]:
            return f"{size:,.0f} bytes" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= base
    raise AssertionError("unreachable")  # pragma: no cover


def format_rate(rate: Any) -> str:
    """A sample rate: "16 kHz", "22.05 kHz", "500 Hz"; "" when not a positive number."""
    try:
        hz = float(rate)
    except (TypeError, ValueError):
        return ""
    if not hz > 0:
        return ""
    return f"{hz / 1000:g} kHz" if hz >= 1000 else f"{hz:g} Hz"
