"""Guards every reader of user files goes through before it opens or decodes one.

- Only regular files are read: a named pipe (FIFO) blocks ``open()`` until something writes
  to it, a socket or a device never ends. :func:`special_file` looks with ``os.stat`` (which
  never blocks) first; callers list such files as bad or refuse them with a ``DataError``.
- File names that are not valid UTF-8 (bytes such as ``b'\\xff.png'`` on Linux, which Python
  shows as lone surrogates) cannot be printed, written to CSV/JSON/Parquet or put in a
  TensorFlow string: :func:`bad_name` finds them, :func:`shown` makes any path printable
  (the undecodable bytes as ``\\xff``).
- Declared sizes are checked before decoding: images over :data:`MAX_IMAGE_PIXELS`, clips
  at an absurd sample rate or declaring an absurd length (:data:`MAX_DECLARED_SECONDS`),
  text cells over :data:`MAX_CELL_BYTES` (see the readers). Long recordings are fine: what
  is decoded at once is bounded (:func:`whole_clip_seconds`), not the clip's length.
- :func:`inside` (and :func:`within`, for paths already resolved) is the one rule for "does
  this file lie in that folder": the dataset scan's links, an image CSV's outside files and
  a model bundle's samples all use it.
"""

from __future__ import annotations

import os
import stat

from automl_gui.core.base.units import format_duration

#: images with more pixels than this are refused before decoding. Memory per image being
#: decoded is what bounds it: 3 bytes a pixel as RGB, 12 as float32 in the input pipeline,
#: so 120 MP is 360 MB and 1.4 GB. That admits every camera's photos (a 60 MP Sony A7R IV
#: 9504×6336, a 100 MP medium-format 11648×8736) and still refuses decompression bombs (a
#: 519 KB PNG of 13,000² = 169 MP). Pillow's own warning (89 MP) is bypassed: we check first.
MAX_IMAGE_PIXELS = 120_000_000
#: audio sample rates outside this range are refused (a header saying 1 Hz turns 96 KB into
#: gigabytes once resampled)
MIN_AUDIO_RATE = 1_000
MAX_AUDIO_RATE = 384_000
#: clips up to this long are decoded whole (at most ``WHOLE_CLIP_FRAMES`` frames, 110 MB
#: as float32 mono); longer recordings are read only in the window a crop needs (the input
#: pipeline, prediction) or in blocks (the scan), so memory does not grow with their length
WHOLE_CLIP_SECONDS = 600.0
WHOLE_CLIP_FRAMES = int(WHOLE_CLIP_SECONDS * 48_000)
#: a header declaring a longer clip than this is damaged or hostile, not a recording
MAX_DECLARED_SECONDS = 24 * 3600.0
#: a table cell holding more text than this is refused (bytes of the file)
MAX_CELL_BYTES = 1_000_000

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
)


def special_file(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it exists but is neither a regular file nor a folder ("a named
    pipe", "a socket", "a device"); None otherwise (missing paths included: the caller's
    ``open`` says so). Links are followed. Never opens the path, so it never blocks."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    for test, what in _KINDS:
        if test(mode):
            return what
    return "not a regular file"


def special_reason(path: str | os.PathLike[str]) -> str | None:
    """The bad-file reason for a path that is not a regular file ("not a regular file (a
    named pipe)"), or None."""
    what = special_file(path)
    return None if what is None else f"not a regular file ({what})"


def bad_name(path: str) -> bool:
    """True when ``path`` holds bytes that are not valid UTF-8 (shown as lone surrogates)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: the reason given for files whose names are not valid UTF-8
BAD_NAME_REASON = "bad file name (not valid UTF-8: rename the file or its folder)"


def shown(path: str) -> str:
    """``path`` as printable text: undecodable bytes of the name appear as ``\\xff``."""
    if not bad_name(path):
        return path
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def within(real: str, base: str) -> bool:
    """True when the resolved path ``real`` is the resolved folder ``base`` or lies in it
    (the rule :func:`inside` applies once links are resolved; case folded on Windows)."""
    real, base = os.path.normcase(real), os.path.normcase(base)
    if real == base:
        return True
    return real.startswith(base if base.endswith(os.sep) else base + os.sep)


def inside(path: str, folder: str) -> bool:
    """True when ``path`` (links resolved) is ``folder`` (links resolved) or lies in it."""
    try:
        return within(os.path.realpath(path), os.path.realpath(folder))
    except (OSError, ValueError):
        return False


def whole_clip_seconds(rate: int) -> float:
    """The longest clip decoded whole at ``rate`` Hz: ``WHOLE_CLIP_SECONDS``, less for
    rates above 48 kHz (at most ``WHOLE_CLIP_FRAMES`` frames)."""
    return min(WHOLE_CLIP_SECONDS, WHOLE_CLIP_FRAMES / max(1, rate))


def audio_size_problem(rate: int, frames: int) -> str | None:
    """Why a clip with this header cannot be read within bounds (a bad-file reason), or
    None: a sample rate outside ``MIN_AUDIO_RATE``-``MAX_AUDIO_RATE``, or a declared length
    over ``MAX_DECLARED_SECONDS``. ``frames`` may be 0 or negative when unknown."""
    if not MIN_AUDIO_RATE <= rate <= MAX_AUDIO_RATE:
        return (
            f"unsupported sample rate ({rate:,} Hz in its header; {MIN_AUDIO_RATE:,} to "
            f"{MAX_AUDIO_RATE:,} Hz can be read)"
        )
    if frames > 0 and frames > MAX_DECLARED_SECONDS * rate:
        return too_long_reason(frames / rate)
    return None


def too_long_reason(seconds: float) -> str:
    """The bad-file reason for a clip longer than ``MAX_DECLARED_SECONDS``."""
    limit = format_duration(MAX_DECLARED_SECONDS, "rough")
    return f"too long ({format_duration(seconds, 'rough')}; at most {limit}: cut it into parts)"


def image_size_problem(width: int, height: int) -> str | None:
    """The bad-file reason for an image too large to decode, or None."""
    if width * height <= MAX_IMAGE_PIXELS:
        return None
    return (
        f"too large ({width:,}×{height:,} pixels; at most {MAX_IMAGE_PIXELS // 1_000_000} "
        "megapixels)"
    )
