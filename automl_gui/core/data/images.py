"""Image datasets: find the images of a folder (or a CSV naming them), check each, describe them.

Three layouts are accepted (see :func:`scan_images`):

- ``class_folders``: ``root/<class>/**/<image>`` (one subfolder per class);
- ``split_folders``: ``root/train|val|validation|test/<class>/**/<image>`` (the split is used);
- ``csv``: a CSV file with a column of image paths (relative to the CSV) and a label column.

Every candidate file is checked cheaply (header read, structure and end-of-file checks) so
broken files are listed with a reason and excluded instead of failing training later.
Hidden files/folders and files that are not images are ignored and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from automl_gui.core.events import CancelToken, EventCallback

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")
SPLIT_NAMES = {"train": "train", "val": "validation", "validation": "validation", "test": "test"}
LAYOUTS = ("class_folders", "split_folders", "csv")


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


@dataclass(frozen=True)
class BadFile:
    """A file with an image extension that cannot be used, and why (a short phrase)."""

    path: str
    reason: str


@dataclass
class ImageDataset:
    """What a scan found. Only good images are in ``items``; classes are sorted by name.

    Args:
        root: the folder scanned (for a CSV: the CSV's path).
        layout: one of LAYOUTS.
        items: the usable images.
        class_names: sorted class names that have at least one usable image.
        bad_files: excluded files with reasons.
        hidden_ignored: hidden files (and files in hidden folders) skipped.
        other_ignored: non-image files skipped.
        notices: sentences for the user (empty classes dropped, split folders used, ...).
        formats: file format → count (e.g. {"PNG": 10, "JPEG": 3}).
    """

    root: str
    layout: str
    items: list[ImageItem]
    class_names: list[str]
    bad_files: list[BadFile] = field(default_factory=list)
    hidden_ignored: int = 0
    other_ignored: int = 0
    notices: list[str] = field(default_factory=list)
    formats: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.items)

    @property
    def has_split(self) -> bool:
        """True when the folder layout fixed train/validation/test."""
        return self.layout == "split_folders"

    def class_counts(self, split: str | None = None) -> dict[str, int]:
        """Images per class (in ``class_names`` order), optionally of one split only."""
        counts = dict.fromkeys(self.class_names, 0)
        for item in self.items:
            if split is None or item.split == split:
                counts[item.label] = counts.get(item.label, 0) + 1
        return counts

    def size_stats(self) -> dict[str, Any]:
        """Width/height statistics: min, median, max, mean of each, distinct sizes, modes."""
        raise NotImplementedError

    def paths(self, label: str | None = None) -> list[str]:
        """Paths of all items (or of one class), in scan order."""
        return [i.path for i in self.items if label is None or i.label == label]


def check_image(path: str) -> tuple[int, int, str, str]:
    """Check one file cheaply; return (width, height, PIL mode, format name).

    Raises:
        BadImageError: with a short reason ("empty file (0 bytes)", "truncated", "not an image",
            "unreadable: <why>").
    """
    raise NotImplementedError


class BadImageError(Exception):
    """A file that is not a usable image; ``str(exc)`` is the reason."""


def looks_like_image_csv(path: str) -> bool:
    """True when the CSV at ``path`` has a column of image file paths (relative to it)."""
    raise NotImplementedError


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

    Raises:
        DataError: no images at all; images but no class subfolders; fewer than two classes
            with usable images; a CSV without a path or label column. Message + hint say
            what to do.
        CancelledError: ``cancel`` was set.
    """
    raise NotImplementedError
