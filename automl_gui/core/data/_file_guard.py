"""Guards every reader of user files goes through before it opens or decodes one.

- Only regular files are read: a named pipe (FIFO) blocks ``open()`` until something writes
  to it, a socket or a device never ends. :func:`special_file` looks with ``os.stat`` (which
  never blocks) first; callers list such files as bad or refuse them with a ``DataError``.
- File names that are not valid UTF-8 (bytes such as ``b'\\xff.png'`` on Linux, which Python
  shows as lone surrogates) cannot be printed, written to CSV/JSON/Parquet or put in a
  TensorFlow string: :func:`bad_name` finds them, :func:`shown` makes any path printable
  (the undecodable bytes as ``\\xff``).
- Declared sizes are checked before decoding: images over :data:`MAX_IMAGE_PIXELS`, clips
  at an absurd sample rate or longer than :func:`max_clip_seconds` allows, text cells over
  :data:`MAX_CELL_BYTES` (see the readers).
- :func:`inside` says whether a file really lies in a folder (links resolved).
"""

from __future__ import annotations

import os
import stat

#: images with more pixels than this are refused (decoded, 50 MP is 200 MB of RGB bytes
#: and 600 MB as float32; well below Pillow's own decompression-bomb limit of 89 MP)
MAX_IMAGE_PIXELS = 50_000_000
#: audio sample rates outside this range are refused (a header saying 1 Hz turns 96 KB into
#: gigabytes once resampled)
MIN_AUDIO_RATE = 1_000
MAX_AUDIO_RATE = 384_000
#: the longest clip decoded, in seconds, and the most frames decoded whatever the rate
MAX_CLIP_SECONDS = 600.0
MAX_CLIP_FRAMES = int(MAX_CLIP_SECONDS * 48_000)
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


def inside(path: str, folder: str) -> bool:
    """True when ``path`` (links resolved) lies in ``folder`` (links resolved)."""
    try:
        real = os.path.realpath(path)
        base = os.path.realpath(folder)
    except (OSError, ValueError):
        return False
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def max_clip_seconds(rate: int) -> float:
    """The longest clip decoded at ``rate`` Hz: ``MAX_CLIP_SECONDS``, less for rates above
    48 kHz (at most ``MAX_CLIP_FRAMES`` frames)."""
    return min(MAX_CLIP_SECONDS, MAX_CLIP_FRAMES / max(1, rate))


def audio_size_problem(rate: int, frames: int) -> str | None:
    """Why a clip with this header cannot be decoded within bounds (a bad-file reason), or
    None. ``frames`` may be 0 or negative when unknown."""
    if not MIN_AUDIO_RATE <= rate <= MAX_AUDIO_RATE:
        return (
            f"unsupported sample rate ({rate:,} Hz in its header; {MIN_AUDIO_RATE:,} to "
            f"{MAX_AUDIO_RATE:,} Hz can be read)"
        )
    if frames > 0 and frames > max_clip_seconds(rate) * rate:
        return too_long_reason(frames / rate, rate)
    return None


def too_long_reason(seconds: float, rate: int) -> str:
    limit = max_clip_seconds(rate)
    at = f" at {rate:,} Hz" if limit < MAX_CLIP_SECONDS else ""
    return f"too long ({_duration(seconds)}; at most {_duration(limit)}{at}: cut it into parts)"


def image_size_problem(width: int, height: int) -> str | None:
    """The bad-file reason for an image too large to decode, or None."""
    if width * height <= MAX_IMAGE_PIXELS:
        return None
    return (
        f"too large ({width:,}×{height:,} pixels; at most {MAX_IMAGE_PIXELS // 1_000_000} "
        "megapixels)"
    )


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.3g} s"
    if seconds < 3600:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"
