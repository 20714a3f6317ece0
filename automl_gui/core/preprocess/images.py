"""Image inputs: split, stream from disk with tf.data, the model's input stage, augmentation.

The model contract (shared with ``core.models.images``): a model takes a float32 batch of
decoded RGB images ``(batch, height, width, 3)`` with values in [0, 255], of ANY size; the
model itself resizes, converts the colour mode, augments (training only) and normalizes.
The input pipeline therefore only decodes (any format, first GIF frame, grayscale/RGBA/palette
→ RGB) and resizes to the target size so images can be batched. Resizing an image that
already has the target size is the identity, so the pipeline and the model agree exactly.

Decoding uses TensorFlow ops only (parallel, no GIL) and gives the same pixels as Pillow's
``Image.open(path).convert("RGB")``: alpha is dropped (not blended), grayscale is repeated,
palettes are looked up, JPEG uses the accurate integer IDCT as Pillow does. Two known
differences: transparent GIF pixels come out black (TensorFlow's GIF decoder drops the
palette index; Pillow shows the palette colour), and 16-bit PNGs are scaled to 8 bits
(Pillow clips them).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from automl_gui.core.base import lazy
from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.data._file_guard import MAX_IMAGE_PIXELS, shown, special_reason
from automl_gui.core.data.images import ImageDataset, ImageItem
from automl_gui.core.preprocess._files import FileSplit, FileTracker, split_items, stream_files
from automl_gui.core.preprocess._image_bounds import TOO_LARGE, check_declared_size
from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig


class ImageSplit(FileSplit):
    """Items per split, and the class-name order of the labels (index = output unit)."""

    train: list[ImageItem]
    validation: list[ImageItem]
    test: list[ImageItem]


def split_images(dataset: ImageDataset, config: ImagePreprocessConfig) -> ImageSplit:
    """Use the folder's split when it has one, else a stratified split by the fractions.

    A folder split without a validation (or test) part gets one carved out of its training
    images (stratified, ``validation_fraction`` / ``test_fraction`` of them) with a notice.
    Classes keep the dataset's sorted order; each part keeps the dataset's image order.
    Deterministic for a given dataset and seed (see ``_files.split_items``, shared with audio).

    Raises:
        ConfigError: fractions out of range.
        DataError: a split would have no training images / a class has no training images.
    """
    return split_items(dataset, config, noun="images", split_class=ImageSplit)


def resolve_color_mode(config: ImagePreprocessConfig, dataset: ImageDataset) -> tuple[str, str]:
    """The colour mode to train with, and the sentence saying so.

    "auto" is grayscale when every image of ``dataset`` is stored gray (one channel: the
    model then learns from one channel instead of three equal ones, a third of the first
    layer's weights) and RGB otherwise; "rgb" and "grayscale" stay as chosen.
    """
    mode, n = config.color_mode, len(dataset.items)
    if mode != "auto":
        return mode, f"Colour mode: {'grayscale' if mode == 'grayscale' else 'RGB'} (chosen)."
    gray = dataset.gray_count()
    if n and gray == n:
        return "grayscale", f"Auto chose grayscale: all {n:,} images are gray."
    return "rgb", f"Auto chose RGB: {n - gray:,} of {n:,} images are in colour."


# -- decode -------------------------------------------------------------------------------------
def _u16(header: Any, at: int) -> Any:
    tf = lazy.tf()
    b = tf.cast(header[at : at + 2], tf.int64)
    return b[0] + b[1] * 256


def _u32(header: Any, at: int) -> Any:
    tf = lazy.tf()
    b = tf.cast(header[at : at + 4], tf.int64)
    return b[0] + b[1] * 256 + b[2] * 65536 + b[3] * 16777216


def _is_palette_bmp(data: Any) -> Any:
    """True for an uncompressed 1/2/4/8-bit BMP (TensorFlow's decoder ignores its palette)."""
    tf = lazy.tf()

    def check() -> Any:
        header = tf.io.decode_raw(tf.strings.substr(data, 0, 54), tf.uint8)
        bpp = _u16(header, 28)
        small = (bpp == 1) | (bpp == 2) | (bpp == 4) | (bpp == 8)
        return small & (_u32(header, 30) == 0) & (_u32(header, 14) >= 40)

    bmp = (tf.strings.length(data) >= 54) & (tf.strings.substr(data, 0, 2) == b"BM")
    return tf.cond(bmp, check, lambda: tf.constant(False))


def _decode_palette_bmp(data: Any) -> Any:
    """Decode an uncompressed BMP of 1, 2, 4 or 8 bits per pixel through its palette."""
    tf = lazy.tf()
    header = tf.io.decode_raw(tf.strings.substr(data, 0, 54), tf.uint8)
    offset, dib = _u32(header, 10), _u32(header, 14)
    width, height = _u32(header, 18), _u32(header, 22)
    height = tf.where(height >= 2**31, height - 2**32, height)  # negative: rows top-down
    bpp = _u16(header, 28)
    colours = _u32(header, 46)
    colours = tf.where(colours == 0, tf.bitwise.left_shift(tf.constant(1, tf.int64), bpp), colours)
    palette = tf.io.decode_raw(tf.strings.substr(data, 14 + dib, 4 * colours), tf.uint8)
    palette = tf.gather(tf.reshape(palette, [-1, 4]), [2, 1, 0], axis=1)  # BGRx → RGB
    rows = tf.abs(height)
    stride = (width * bpp + 31) // 32 * 4
    raw = tf.io.decode_raw(tf.strings.substr(data, offset, stride * rows), tf.uint8)
    raw = tf.cast(tf.reshape(raw, tf.stack([rows, stride])), tf.int32)
    bits = tf.cast(bpp, tf.int32)
    shifts = tf.range(8 - bits, -1, -bits)  # leftmost pixel in the high bits
    index = tf.bitwise.bitwise_and(
        tf.bitwise.right_shift(raw[:, :, None], shifts), tf.bitwise.left_shift(1, bits) - 1
    )
    index = tf.reshape(index, tf.stack([rows, -1]))[:, :width]
    index = tf.minimum(index, tf.shape(palette)[0] - 1)
    index = tf.cond(height > 0, lambda: tf.reverse(index, [0]), lambda: index)
    return tf.gather(palette, index)


def _to_rgb(image: Any) -> Any:
    """1 (gray), 2 (gray + alpha), 3 or 4 (RGBA) channels → RGB, alpha dropped."""
    tf = lazy.tf()
    channels = tf.shape(image)[-1]
    return tf.cond(
        channels >= 3, lambda: image[:, :, :3], lambda: tf.tile(image[:, :, :1], [1, 1, 3])
    )


def decode_bytes(data: Any) -> Any:
    """TF graph op: encoded image bytes (string tensor) → float32 ``(h, w, 3)`` in [0, 255].

    An image whose header declares more than ``MAX_IMAGE_PIXELS`` fails before it is
    decoded (``InvalidArgumentError``: "image too large to decode")."""
    tf = lazy.tf()
    data = check_declared_size(data)

    def jpeg() -> Any:
        # The accurate integer IDCT is what Pillow (libjpeg) uses: the same pixels.
        return tf.io.decode_jpeg(data, channels=3, dct_method="INTEGER_ACCURATE")

    def other() -> Any:
        return tf.cond(
            _is_palette_bmp(data),
            lambda: _decode_palette_bmp(data),
            # channels=0 keeps what the file has: WebP with alpha refuses channels=3.
            lambda: _to_rgb(tf.io.decode_image(data, channels=0, expand_animations=False)),
        )

    image = tf.cond(tf.io.is_jpeg(data), jpeg, other)
    image = tf.ensure_shape(image, [None, None, 3])
    return tf.cast(image, tf.float32)


def decode_image(path: Any) -> Any:
    """TF graph op: file path (string tensor) → float32 ``(h, w, 3)`` RGB in [0, 255].

    JPEG, PNG, BMP, GIF (first frame), WebP; grayscale, RGBA and palette become RGB, as
    Pillow's ``convert("RGB")`` does (alpha dropped). A file that cannot be decoded, or that
    declares more than ``MAX_IMAGE_PIXELS``, raises ``tf.errors.InvalidArgumentError`` (or
    ``NotFoundError``) when the op runs. ``path`` may be bytes (any file name).
    """
    tf = lazy.tf()
    return decode_bytes(tf.io.read_file(path))


def resize(image: Any, image_size: int) -> Any:
    """Resize one decoded image exactly as ``keras.layers.Resizing(s, s)`` (bilinear)."""
    tf = lazy.tf()
    out = tf.image.resize(image, [image_size, image_size], method="bilinear", antialias=False)
    return tf.ensure_shape(out, [image_size, image_size, 3])


_LOADERS: dict[int, Any] = {}


def _loader(image_size: int) -> Any:
    """A compiled path → resized image function per size (eager ops are slow one by one)."""
    if image_size not in _LOADERS:
        tf = lazy.tf()

        @tf.function(input_signature=[tf.TensorSpec([], tf.string)], autograph=False)
        def load(path: Any) -> Any:
            return resize(decode_image(path), image_size)

        _LOADERS[image_size] = load
    return _LOADERS[image_size]


def _check_size(image_size: int) -> int:
    size = int(image_size)
    if size < 1:
        raise ConfigError(
            f"Image size {image_size} is not a positive number of pixels.",
            "Choose an image size such as 64, 128 or 224.",
        )
    return size


def load_images(paths: list[str], image_size: int) -> np.ndarray:
    """Decode and resize ``paths`` eagerly (float32 ``(n, s, s, 3)``); for previews, samples.

    Raises:
        DataError: a file cannot be read or decoded, or is too large (the message names it).
    """
    size = _check_size(image_size)
    out = np.empty((len(paths), size, size, 3), dtype=np.float32)
    if not paths:
        return out
    tf = lazy.tf()
    load = _loader(size)
    for k, path in enumerate(paths):
        special = special_reason(str(path))  # a named pipe would block the read
        try:
            if special:
                raise ValueError(special)
            out[k] = load(tf.constant(os.fsencode(str(path)))).numpy()
        except (tf.errors.OpError, ValueError) as exc:
            if special:
                reason = special
            elif isinstance(exc, tf.errors.NotFoundError):
                reason = "file not found"
            elif TOO_LARGE in str(exc):
                reason = f"too large (over {MAX_IMAGE_PIXELS // 1_000_000} megapixels)"
            else:
                reason = "not a readable image"
            raise DataError(
                f"Could not read the image {shown(str(path))}: {reason}.",
                "Check that the file exists and is a JPEG, PNG, BMP, GIF or WebP image.",
            ) from None
    return out


def make_dataset(
    paths: list[str],
    labels: np.ndarray | None,
    image_size: int,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 42,
    cache: bool = False,
    deterministic: bool | None = None,
    track: FileTracker | None = None,
) -> Any:
    """A streaming ``tf.data.Dataset`` of ``(images, labels)`` (or images only).

    Paths are shuffled (not images: memory stays flat), decoded in parallel, resized to
    ``image_size`` (bilinear, as the model's Resizing layer), batched and prefetched.
    A file that fails to decode is skipped (``ignore_errors``): training never dies on one bad
    file. ``cache`` keeps the decoded images in memory after the first pass; the shuffle then
    comes after the cache (of the cached images' order) so every epoch is still reshuffled.

    Args:
        deterministic: keep the order of the parallel decode (default True: runs with one
            seed repeat exactly); False lets a slow file not hold up the others.
        track: a ``FileTracker`` of the paths: which files were skipped (``_files``).
    """
    tf = lazy.tf()
    size = _check_size(image_size)

    decode = _loader(size)  # traced once per size: each dataset's map only calls it

    @tf.autograph.experimental.do_not_convert  # plain TF ops; spares autograph's warnings
    def load(path: Any, *label: Any) -> Any:
        image = decode(path)
        return (image, *label) if label else image

    return stream_files(
        paths,
        labels,
        load,
        batch_size,
        shuffle=shuffle,
        seed=seed,
        cache=cache,
        deterministic=deterministic,
        track=track,
    )


def build_augmentation(config: AugmentConfig, seed: int = 42) -> Any:
    """A ``keras.Sequential`` of random layers (active in training only), or None if off.

    Works on float images in [0, 255] (before normalization); each layer has its own seed
    derived from ``seed`` so a run is reproducible.
    """
    if not config.active:
        return None
    keras = lazy.keras()
    layers: list[Any] = []
    flip = {"horizontal": "horizontal", "vertical": "vertical", "both": "horizontal_and_vertical"}
    if config.flip in flip:
        layers.append(keras.layers.RandomFlip(flip[config.flip], seed=seed))
    if config.rotation > 0:
        layers.append(keras.layers.RandomRotation(config.rotation, seed=seed + 1))
    if config.zoom > 0:
        layers.append(keras.layers.RandomZoom(config.zoom, config.zoom, seed=seed + 2))
    if config.translation > 0:
        t = config.translation
        layers.append(keras.layers.RandomTranslation(t, t, seed=seed + 3))
    if config.contrast > 0:
        layers.append(keras.layers.RandomContrast(config.contrast, (0, 255), seed=seed + 4))
    if config.brightness > 0:
        layers.append(keras.layers.RandomBrightness(config.brightness, (0, 255), seed=seed + 5))
    return keras.Sequential(layers, name="augmentation") if layers else None


def augment_preview(
    paths: list[str], config: AugmentConfig, image_size: int, count: int = 8, seed: int = 0
) -> np.ndarray:
    """``count`` augmented versions of the images at ``paths`` (cycled): uint8 (n, s, s, 3).

    What the augmentation layers do in training, for the preview grid; the plain resized
    images when augmentation is off.

    Raises:
        DataError: an image cannot be read.
    """
    size = _check_size(image_size)
    if not paths or count < 1:
        return np.zeros((0, size, size, 3), dtype=np.uint8)
    chosen = [paths[k % len(paths)] for k in range(count)]
    unique = list(dict.fromkeys(chosen))
    loaded = load_images(unique, size)
    images = loaded[[unique.index(p) for p in chosen]]
    augmentation = build_augmentation(config, seed)
    if augmentation is not None:
        images = np.asarray(augmentation(images, training=True))
    return np.clip(np.rint(images), 0, 255).astype(np.uint8)
