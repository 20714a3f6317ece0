"""Reading one text file: encoding fallback, binary junk refused, long texts truncated.

Encodings are tried in this order: a byte-order mark decides (UTF-8 with BOM, UTF-16 or
UTF-32, little or big endian); else strict UTF-8; else Windows-1252, then Latin-1 (which
decodes any bytes; both are noted, as a table read that way is). A file is not text when it
starts with the signature of a known binary format (PDF, zip, PNG, ...), holds NUL bytes
without a UTF-16/32 mark, or has control characters no text has (:func:`mostly_control`:
stricter for bytes that are not UTF-8, which is how random bytes decode). At most :data:`MAX_CHARS`
characters are kept; only the bytes those need are read, so a huge file costs no memory.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass

from automl_gui.core.base.errors import DataError
from automl_gui.core.data._file_guard import shown, special_reason
from automl_gui.core.data._sniff import _MAGIC, ENCODING_NAMES

MAX_CHARS = 20_000
#: bytes read at most: enough for MAX_CHARS characters of 4 bytes, plus a mark
_MAX_BYTES = MAX_CHARS * 4 + 8
_BINARY_PEEK = 8192
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # control characters, bar \t\n\v\f\r
#: the same plus the C1 controls (U+0080-U+009F), which Latin-1 gives bytes 0x80-0x9F and
#: Windows-1252 its 5 undefined bytes: no real text in those encodings holds them
_LEGACY_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
#: control characters allowed in a text read as Windows-1252/Latin-1: this many, or one per
#: :data:`_LEGACY_CONTROL_PER` characters (random bytes give one in 4 to 9)
_LEGACY_CONTROL_ALLOWED = 2
_LEGACY_CONTROL_PER = 100
_BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: encodings that mean the file was not UTF-8 (or UTF-16/32 with a mark)
FALLBACK_ENCODINGS = ("cp1252", "latin-1")
_NAMES = {**ENCODING_NAMES, "utf-32": "UTF-32"}

#: the reasons a text file is not used begin with these words (``BadFile.reason``)
EMPTY_REASON = "empty file (0 bytes)"
WHITESPACE_REASON = "only whitespace"
NOT_TEXT = "not text"


@dataclass(frozen=True)
class TextRead:
    """What reading one file gave: the text (at most MAX_CHARS characters), the encoding it
    was read with, and whether it was cut."""

    text: str
    encoding: str
    truncated: bool

    @property
    def encoding_name(self) -> str:
        return _NAMES.get(self.encoding, self.encoding)


def encoding_name(encoding: str) -> str:
    """'UTF-8', 'Windows-1252 (Western European)', ... for an encoding's codec name."""
    return _NAMES.get(encoding, encoding)


def not_text_reason(head: bytes) -> str | None:
    """Why bytes starting a file are not text (``"not text (a PDF document)"``), or None."""
    if head.startswith(tuple(bom for bom, _ in _BOMS)):
        return None
    for magic, what, _hint in _MAGIC:
        if head.startswith(magic):
            return f"{NOT_TEXT} ({what})"
    peek = head[:_BINARY_PEEK]
    if b"\x00" in peek:
        return f"{NOT_TEXT} (binary data: NUL bytes)"
    return None


def decode(data: bytes, complete: bool) -> tuple[str, str]:
    """``(text, encoding)`` of bytes; ``complete`` False when more bytes follow (a character
    cut at the end is then left out instead of failing the decode)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode(data, encoding, complete), encoding
    try:
        return _decode(data, "utf-8", complete), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _decode(data, "cp1252", complete), "cp1252"
    except UnicodeDecodeError:
        return _decode(data, "latin-1", complete), "latin-1"


def _decode(data: bytes, encoding: str, complete: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return decoder.decode(data, final=complete)


def mostly_control(text: str, encoding: str = "utf-8") -> bool:
    """True when control characters show the text is binary junk that happened to decode.

    Valid UTF-8 (or a text with a byte-order mark) is refused only when controls make up
    more than a tenth of its start: random bytes are practically never valid UTF-8, and a
    real text may hold a few (a log's colour escapes). Bytes that fell back to Windows-1252
    or Latin-1 (:data:`FALLBACK_ENCODINGS`) are what random bytes give, with 11 % (C0)
    to 23 % (C0 and C1) control characters; a real text in those encodings has next to none,
    so more than :data:`_LEGACY_CONTROL_ALLOWED` or 1 % refuses it (of 200 random files of
    100, 300 or 500 bytes none passes; at 10 % a tenth to a third did).
    """
    sample = text[:4000]
    if not sample:
        return False
    if encoding in FALLBACK_ENCODINGS:
        controls = len(_LEGACY_CONTROL_RE.findall(sample))
        return controls > max(_LEGACY_CONTROL_ALLOWED, len(sample) // _LEGACY_CONTROL_PER)
    return len(_CONTROL_RE.findall(sample)) > max(3, len(sample) // 10)


def read_bytes(path: str) -> tuple[bytes, bool]:
    """The first bytes of a file (enough for MAX_CHARS characters) and whether that is all."""
    with open(path, "rb") as fh:
        data = fh.read(_MAX_BYTES + 1)
    complete = len(data) <= _MAX_BYTES
    return (data if complete else data[:_MAX_BYTES]), complete


def check_text(path: str) -> TextRead | str:
    """One file read as text, or the reason (a short phrase) it cannot be used: the check
    the dataset scan runs on every ``.txt`` file."""
    special = special_reason(path)
    if special:
        return special
    data, complete = read_bytes(path)
    if not data:
        return EMPTY_REASON
    junk = not_text_reason(data)
    if junk:
        return junk
    text, encoding = decode(data, complete)
    if mostly_control(text, encoding):
        return f"{NOT_TEXT} (binary data: control characters)"
    if not text.strip():
        return WHITESPACE_REASON
    truncated = not complete or len(text) > MAX_CHARS
    return TextRead(text[:MAX_CHARS], encoding, truncated)


def read_text_file(path: str | os.PathLike[str]) -> str:
    """The text of one file (encoding fallback, at most MAX_CHARS characters).

    Raises:
        DataError: the file is missing, unreadable, empty, whitespace only or not text.
    """
    name = shown(os.path.basename(os.fspath(path)))
    try:
        result = check_text(os.fspath(path))
    except FileNotFoundError as exc:
        raise DataError(
            f"'{name}' does not exist (it may have been moved, renamed or deleted).",
            "Check the path and try again.",
        ) from exc
    except OSError as exc:
        raise DataError(
            f"Cannot read '{name}': {exc.strerror or exc}.",
            "Check that the file exists and that you may read it.",
        ) from exc
    if isinstance(result, str):
        raise DataError(
            f"'{name}' cannot be used as a text: {result}.",
            "Give a plain text file (.txt) in UTF-8, UTF-16 or Windows-1252.",
        )
    return result.text
