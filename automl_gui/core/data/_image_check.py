"""Cheap checks of one image file: readable, not empty, an image we can decode, not truncated.

Only the header (via Pillow, which parses headers lazily) and the last few KiB are read, so a
scan of 50,000 images takes seconds. Truncation is found from each format's own structure:
a JPEG ends with the EOI marker, a PNG holds an IEND chunk, a GIF ends with its trailer byte,
a BMP is as long as its header says, a WebP as long as its RIFF header says. The one slow
path: a JPEG that does not end with EOI is decoded in full, because some cameras append data
after the image, and only decoding tells those apart from a file that was cut off.
"""

from __future__ import annotations

import errno
import os
import struct
import threading
import warnings
from typing import IO, Any

from automl_gui.core.data._file_guard import image_size_problem, special_reason

#: Formats the training input pipeline decodes (and Pillow's name for each).
SUPPORTED_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "WEBP")

_HEAD = 64  # bytes read for the magic number and the BMP header
_TAIL = 4096  # bytes read at the end for the end-of-file markers (zero padding allowed)
_PNG_IEND = b"IEND\xaeB`\x82"  # chunk type + its fixed CRC


class BadImageError(Exception):
    """A file that is not a usable image; ``str(exc)`` is the reason (a short phrase)."""


def check_image(path: str) -> tuple[int, int, str, str]:
    """Check one file cheaply; return (width, height, PIL mode, format name).

    The format is the real one (from the content), whatever the extension says.

    Raises:
        BadImageError: with a short reason: "empty file (0 bytes)", "missing file",
            "unreadable: <why>", "not an image (looks like text)", "unsupported format (TIFF)",
            "truncated", "damaged: <why>", "too large (<w>×<h> pixels; at most 120 megapixels)",
            "not a regular file (a named pipe)".
    """
    special = special_reason(path)  # before open(): a named pipe would block it for ever
    if special:
        raise BadImageError(special)
    try:
        fp = open(path, "rb")  # noqa: SIM115 - closed below; Pillow reads through it
    except OSError as exc:
        raise BadImageError(_os_reason(path, exc)) from None
    with fp:
        try:
            size = os.fstat(fp.fileno()).st_size
            if size == 0:
                raise BadImageError("empty file (0 bytes)")
            head = fp.read(_HEAD)
            fp.seek(max(0, size - _TAIL))
            tail = fp.read()
            fp.seek(0)
        except OSError as exc:
            raise BadImageError(_os_reason(path, exc)) from None
        fmt = sniff_format(head)
        if fmt is None:
            raise BadImageError(_describe_other(fp, head))
        if fmt == "JPEG" and not tail.rstrip(b"\x00").endswith(b"\xff\xd9"):
            return _decode_in_full(fp)  # data after EOI, or cut off: only decoding tells
        if _is_truncated(fmt, fp, head, tail, size):
            raise BadImageError("truncated")
        return _read_header(fp, fmt)


def sniff_format(head: bytes) -> str | None:
    """Pillow's name of the format that the first bytes announce, if one we support."""
    if head[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:2] == b"BM":
        return "BMP"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _os_reason(path: str, exc: OSError) -> str:
    why = exc.strerror or str(exc)
    if isinstance(exc, FileNotFoundError):
        if os.path.islink(path):
            return f"unreadable: {why} (broken link)"
        return "missing file"
    if exc.errno == errno.EISDIR:
        return "unreadable: is a folder"
    return f"unreadable: {why}"


def open_quietly(fp: IO[bytes], fmt: str) -> Any:
    """Pillow's image object for ``fp`` in format ``fmt`` (one we support), header read,
    nothing decoded; without Pillow's decompression-bomb check, whose warning would be
    printed raw: callers bound the size themselves (:func:`image_size_problem`).

    Raises what the format's plugin raises on a bad header (SyntaxError and others)."""
    from PIL import Image

    if fmt not in Image.OPEN:
        Image.init()
    factory, _accept = Image.OPEN[fmt]
    fp.seek(0)
    return factory(fp, "")


def _read_header(fp: IO[bytes], fmt: str) -> tuple[int, int, str, str]:
    try:
        with open_quietly(fp, fmt) as img:
            width, height = img.size
            result = (int(width), int(height), str(img.mode), str(img.format or fmt))
    except Exception as exc:  # Pillow raises many types on odd headers
        raise BadImageError(f"damaged: cannot read the {fmt} header ({_short(exc)})") from None
    if width <= 0 or height <= 0:
        raise BadImageError(f"damaged: the header gives a size of {width}×{height}")
    too_large = image_size_problem(width, height)
    if too_large:
        raise BadImageError(too_large)
    return result


def _decode_in_full(fp: IO[bytes]) -> tuple[int, int, str, str]:
    """A JPEG without EOI at its end: decode it (if not too large); a decoder error means it
    was cut off."""
    try:
        img = open_quietly(fp, "JPEG")
    except Exception:
        raise BadImageError("truncated") from None
    with img:
        width, height = img.size
        too_large = image_size_problem(int(width), int(height))
        if too_large:
            raise BadImageError(too_large)
        try:
            img.load()
        except Exception:
            raise BadImageError("truncated") from None
        return int(width), int(height), str(img.mode), "JPEG"


def _is_truncated(fmt: str, fp: IO[bytes], head: bytes, tail: bytes, size: int) -> bool:
    if fmt == "PNG":
        if _PNG_IEND in tail:
            return False
        if size <= _TAIL:
            return True
        fp.seek(0)  # trailing data after IEND longer than the tail read: look in the whole file
        found = _PNG_IEND in fp.read()
        fp.seek(0)
        return not found
    if fmt == "GIF":
        return not tail.rstrip(b"\x00").endswith(b"\x3b")
    if fmt == "WEBP":
        (riff_size,) = struct.unpack_from("<I", head, 4)
        return riff_size + 8 > size
    if fmt == "BMP":
        return size < _bmp_expected_size(head)
    return False


def _bmp_expected_size(head: bytes) -> int:
    """Bytes a BMP needs: its pixel array's end (uncompressed) or the header's file size."""
    if len(head) < 26:
        return len(head) + 1  # not even a full header: truncated
    file_size, offset, dib_size = struct.unpack_from("<I4xII", head, 2)
    if dib_size == 12:  # OS/2 BITMAPCOREHEADER
        width, height, _planes, bits = struct.unpack_from("<HHHH", head, 18)
        compression = 0
    elif len(head) >= 34:
        width, height, _planes, bits, compression = struct.unpack_from("<iiHHI", head, 18)
    else:
        return file_size
    if compression in (0, 3, 6):  # BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS: rows are raw
        stride = ((bits * abs(width) + 31) // 32) * 4
        return offset + stride * abs(height)
    return file_size  # RLE / embedded JPEG or PNG: only the header's total size is known


def _describe_other(fp: IO[bytes], head: bytes) -> str:
    """Why a file with an image extension is not one we can use, as a short phrase."""
    from PIL import Image

    try:
        with _QUIET, warnings.catch_warnings():  # a huge TIFF: no raw warning printed
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(fp) as img:
                return f"unsupported format ({img.format})"
    except Exception:  # noqa: S110 - not an image Pillow knows (or a bomb): describe it below
        pass
    fp.seek(0)
    looks = _looks_like(fp.read(512))
    return f"not an image ({looks})" if looks else "not an image"


def _looks_like(start: bytes) -> str:
    stripped = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(b"version https://git-lfs"):
        return "a Git LFS pointer: run 'git lfs pull'"
    if start.startswith(b"%PDF"):
        return "looks like a PDF document"
    if start.startswith(b"PK\x03\x04"):
        return "looks like a zip archive"
    if start[4:8] == b"ftyp":
        brand = start[8:12].decode("ascii", "replace").strip()
        if brand in ("heic", "heix", "mif1", "msf1", "hevc"):
            return "a HEIC photo, which is not supported"
        return f"looks like a video or an unsupported photo format ({brand})"
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "looks like an HTML web page"
    if b"<svg" in stripped[:512]:
        return "looks like an SVG drawing"
    if stripped.startswith(b"<?xml"):
        return "looks like XML"
    try:
        text = start.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the 512-byte boundary is still text.
        try:
            text = start[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return ""
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return "looks like text" if text and printable >= 0.95 * len(text) else ""


# warnings.catch_warnings() changes process-wide state: one thread at a time (a rare path).
_QUIET = threading.Lock()


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 80 else text[:77] + "…"
