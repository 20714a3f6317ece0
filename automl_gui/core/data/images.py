"""Image datasets: find the images of a folder (or a CSV naming them), check each, describe them.

Three layouts are accepted (see :func:`scan_images`):

- ``class_folders``: ``root/<class>/**/<image>`` (one subfolder per class);
- ``split_folders``: ``root/train|val|validation|test/<class>/**/<image>`` (the split is used);
- ``csv``: a CSV file with a column of image paths (relative to the CSV) and a label column.

Every candidate file is checked cheaply (header read, structure and end-of-file checks) so
broken files are listed with a reason and excluded instead of failing training later:
truncated, damaged, too large (over 120 megapixels), not a regular file (a named pipe is never
opened), a name that is not valid UTF-8, ... Hidden files/folders and files that are not
images are ignored and counted. A link into the dataset (or to a folder holding it) is not
followed; a link leading outside is, with the class of its folder; notices say which. A CSV
naming files outside its own folder is told too (``MediaDataset.holds``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from automl_gui.core.base.events import CancelToken, EventCallback
from automl_gui.core.data._image_check import SUPPORTED_FORMATS, BadImageError, check_image
from automl_gui.core.data._image_files import check_one
from automl_gui.core.data._media_csv import IMAGE_EXTENSIONS, looks_like_image_csv
from automl_gui.core.data._media_scan import (
    LAYOUTS,
    SPLIT_NAMES,
    BadFile,
    Media,
    MediaDataset,
    scan,
)

__all__ = [
    "GRAY_MODES",
    "IMAGE_EXTENSIONS",
    "LAYOUTS",
    "SPLIT_NAMES",
    "SUPPORTED_FORMATS",
    "BadFile",
    "BadImageError",
    "ImageDataset",
    "ImageItem",
    "check_image",
    "looks_like_image_csv",
    "scan_images",
]


#: PIL modes of images stored with one gray channel (bilevel, 8/16/32-bit, float; with alpha)
GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})


@dataclass(frozen=True)
class ImageItem:
    """One usable image.

    Args:
        path: absolute path.
        label: class name.
        split: "train" | "validation" | "test" when the folder layout fixed it, else None.
        width, height: pixel size read from the header.
        mode: PIL colour mode as stored ("RGB", "L", "RGBA", "P", ...).
    """

    path: str
    label: str
    split: str | None = None
    width: int = 0
    height: int = 0
    mode: str = "RGB"


@dataclass
class ImageDataset(MediaDataset):
    """What an image scan found (fields: see ``MediaDataset``); ``items`` are
    :class:`ImageItem`, ``formats`` Pillow's names ({"PNG": 10, "JPEG": 3})."""

    items: list[ImageItem]

    def size_stats(self) -> dict[str, Any]:
        """Width/height statistics: min, median, max, mean of each, distinct sizes, modes.

        A plain JSON-able dict: ``count``, ``width`` and ``height`` (each ``min``, ``median``,
        ``max``, ``mean``; None when empty), ``distinct_sizes``, ``most_common_size``
        (``[w, h]``), ``modes`` (mode → count), ``aspect_ratio`` (``min``/``max`` of w/h).
        """
        return _size_stats(self.items)

    def gray_count(self) -> int:
        """How many images are stored gray (:data:`GRAY_MODES`, read from each header at
        scan time; a palette or RGB file counts as colour even when its colours are gray)."""
        return sum(1 for item in self.items if item.mode in GRAY_MODES)


def scan_images(
    path: str,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
) -> ImageDataset:
    """Scan a folder (or an image CSV) into an :class:`ImageDataset`.

    Emits ``Progress("scan", fraction, "Checking images… 1,234 / 5,000")`` while checking.
    ``path_column``/``label_column`` name the CSV's columns (guessed when None).

    Raises:
        DataError: no images at all; images but no class subfolders; fewer than two classes
            with usable images; a CSV without a path or label column. Message + hint say
            what to do.
        CancelledError: ``cancel`` was set.
    """
    return scan(
        _IMAGES,
        path,
        on_event=on_event,
        cancel=cancel,
        path_column=path_column,
        label_column=label_column,
    )


def _image_item(
    path: str, label: str, split: str | None, checked: tuple[int, int, str, str]
) -> tuple[ImageItem, str]:
    width, height, mode, fmt = checked
    return ImageItem(path, label, split, width, height, mode), fmt


_IMAGES = Media(
    noun="image",
    plural="images",
    adjective="image",
    extensions=IMAGE_EXTENSIONS,
    shown_extensions=(".jpg", ".png", ".bmp", ".gif", ".webp"),
    example="e.g. photos/cat/*.jpg and photos/dog/*.jpg",
    check=check_one,
    make_item=_image_item,
    dataset=ImageDataset,
    ext_format={
        ".jpg": "JPEG",
        ".jpeg": "JPEG",
        ".png": "PNG",
        ".bmp": "BMP",
        ".gif": "GIF",
        ".webp": "WEBP",
    },
    renamed_example="a PNG named .jpg",
    not_media="not images",
)


# -- statistics -------------------------------------------------------------------------------
def _size_stats(items: list[ImageItem]) -> dict[str, Any]:
    if not items:
        empty = {"min": None, "median": None, "max": None, "mean": None}
        return {
            "count": 0,
            "width": dict(empty),
            "height": dict(empty),
            "distinct_sizes": 0,
            "most_common_size": None,
            "modes": {},
            "aspect_ratio": {"min": None, "max": None},
        }
    widths = [i.width for i in items]
    heights = [i.height for i in items]
    sizes = Counter(zip(widths, heights, strict=True))
    ratios = [w / h for w, h in sizes if h]

    def describe(values: list[int]) -> dict[str, float | int]:
        return {
            "min": min(values),
            "median": float(statistics.median(values)),
            "max": max(values),
            "mean": round(statistics.fmean(values), 2),
        }

    ((common, _n),) = sizes.most_common(1)
    return {
        "count": len(items),
        "width": describe(widths),
        "height": describe(heights),
        "distinct_sizes": len(sizes),
        "most_common_size": [common[0], common[1]],
        "modes": dict(Counter(i.mode for i in items).most_common()),
        "aspect_ratio": {
            "min": round(min(ratios), 4) if ratios else None,
            "max": round(max(ratios), 4) if ratios else None,
        },
    }
