"""The image size bound inside the TensorFlow input pipeline: the pixels a file's header
declares are checked before it is decoded.

The scan refuses images over ``MAX_IMAGE_PIXELS`` (``core/data/_file_guard.py``), but a file
can change between the scan and training, and a decoder allocates what the header says: a
519 KB PNG of 13,000² pixels becomes 3.8 GB of float32. So ``decode_bytes`` reads the
declared size from the first 32 bytes (JPEG: its SOF marker, via ``extract_jpeg_shape``) and
fails (``InvalidArgumentError``, which ``ignore_errors`` skips and the file tracker counts)
before decoding anything too large.
"""

from __future__ import annotations

from typing import Any

from automl_gui.core.base import lazy
from automl_gui.core.data._file_guard import MAX_IMAGE_PIXELS

_HEAD = 32
TOO_LARGE = "image too large to decode"


def _uint(b: Any, at: int, n: int, big_endian: bool = False) -> Any:
    tf = lazy.tf()
    value = tf.constant(0, tf.int64)
    for k in range(n):
        shift = 8 * (n - 1 - k) if big_endian else 8 * k
        value += tf.bitwise.left_shift(b[at + k], tf.constant(shift, tf.int64))
    return value


def declared_pixels(data: Any) -> Any:
    """TF graph op: width × height as the header of encoded image ``data`` declares it
    (int64; 0 for a format it does not know, whose decoding fails anyway)."""
    tf = lazy.tf()
    padded = tf.strings.join([tf.strings.substr(data, 0, _HEAD), tf.constant(b"\0" * _HEAD)])
    head = tf.strings.substr(padded, 0, _HEAD)
    b = tf.cast(tf.io.decode_raw(head, tf.uint8), tf.int64)

    def starts(magic: bytes, at: int = 0) -> Any:
        return tf.strings.substr(head, at, len(magic)) == magic

    png = _uint(b, 16, 4, True) * _uint(b, 20, 4, True)
    gif = _uint(b, 6, 2) * _uint(b, 8, 2)
    # BMP: signed 32-bit sizes (a negative height is a top-down image); OS/2 headers: 16-bit
    core = _uint(b, 14, 4) == 12
    width = tf.where(core, _uint(b, 18, 2), _signed(_uint(b, 18, 4)))
    height = tf.where(core, _uint(b, 20, 2), _signed(_uint(b, 22, 4)))
    bmp = tf.abs(width) * tf.abs(height)
    vp8x = (_uint(b, 24, 3) + 1) * (_uint(b, 27, 3) + 1)
    bits = _uint(b, 21, 4)
    vp8l = (tf.bitwise.bitwise_and(bits, 0x3FFF) + 1) * (
        tf.bitwise.bitwise_and(tf.bitwise.right_shift(bits, tf.constant(14, tf.int64)), 0x3FFF) + 1
    )
    vp8 = tf.bitwise.bitwise_and(_uint(b, 26, 2), 0x3FFF) * tf.bitwise.bitwise_and(
        _uint(b, 28, 2), 0x3FFF
    )
    webp = tf.where(
        starts(b"VP8X", 12),
        vp8x,
        tf.where(starts(b"VP8L", 12), vp8l, tf.where(starts(b"VP8 ", 12), vp8, 0)),
    )
    zero = tf.constant(0, tf.int64)
    pixels = tf.where(
        starts(b"\x89PNG"),
        png,
        tf.where(
            starts(b"GIF8"),
            gif,
            tf.where(
                starts(b"BM"),
                bmp,
                tf.where(starts(b"RIFF") & starts(b"WEBP", 8), webp, zero),
            ),
        ),
    )

    def jpeg() -> Any:
        shape = tf.cast(tf.io.extract_jpeg_shape(data), tf.int64)
        return shape[0] * shape[1]

    return tf.cond(tf.io.is_jpeg(data), jpeg, lambda: pixels)


def _signed(value: Any) -> Any:
    tf = lazy.tf()
    return tf.where(value >= 2**31, value - 2**32, value)


def check_declared_size(data: Any) -> Any:
    """TF graph op: ``data`` unchanged once its declared size is within the bound; fails
    with ``InvalidArgumentError`` ("image too large to decode") otherwise."""
    tf = lazy.tf()
    check = tf.debugging.assert_less_equal(
        declared_pixels(data), tf.constant(MAX_IMAGE_PIXELS, tf.int64), message=TOO_LARGE
    )
    with tf.control_dependencies([check]):
        return tf.identity(data)
