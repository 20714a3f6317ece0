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

import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automl_gui.core.data._image_check import SUPPORTED_FORMATS, BadImageError, check_image
from automl_gui.core.data._image_csv import (
    IMAGE_EXTENSIONS,
    guess_label_column,
    guess_path_column,
    looks_like_image_csv,
    read_csv,
    resolve_column,
    resolve_path,
)
from automl_gui.core.data._image_files import Walker, check_files
from automl_gui.core.errors import DataError
from automl_gui.core.events import CancelToken, EventCallback

__all__ = [
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
        unlabeled_ignored: images left out because no class is known for them (directly in
            the root next to class folders, in a folder that is not a split, CSV rows
            without a label).
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
    unlabeled_ignored: int = 0

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
        """Width/height statistics: min, median, max, mean of each, distinct sizes, modes.

        A plain JSON-able dict: ``count``, ``width`` and ``height`` (each ``min``, ``median``,
        ``max``, ``mean``; None when empty), ``distinct_sizes``, ``most_common_size``
        (``[w, h]``), ``modes`` (mode → count), ``aspect_ratio`` (``min``/``max`` of w/h).
        """
        return _size_stats(self.items)

    def paths(self, label: str | None = None) -> list[str]:
        """Paths of all items (or of one class), in scan order."""
        return [i.path for i in self.items if label is None or i.label == label]


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
    p = Path(path)
    if not p.exists():
        raise DataError(
            f"'{p}' does not exist (it may have been moved, renamed or deleted).",
            "Check the path, or drop the folder on the window again.",
        )
    if p.is_file():
        if p.suffix.lower() in _CSV_SUFFIXES:
            return _scan_csv(str(p.absolute()), on_event, cancel, path_column, label_column)
        raise DataError(
            f"'{p.name}' is a single file, not an image dataset.",
            "Open a folder with one subfolder per class (e.g. photos/cat/*.jpg and "
            "photos/dog/*.jpg), or a CSV file naming each image and its class.",
        )
    root = str(p.absolute())
    try:
        return _scan_folder(root, on_event, cancel)
    except DataError:
        csv = _single_image_csv(root)  # e.g. root/labels.csv naming root/pictures/*.jpg
        if csv is None:
            raise
    dataset = _scan_csv(csv, on_event, cancel, path_column, label_column)
    dataset.notices.insert(
        0,
        f"The subfolders do not name the classes, so '{os.path.basename(csv)}' does.",
    )
    return dataset


def _single_image_csv(folder: str) -> str | None:
    """The one CSV directly in ``folder`` that lists images, if there is exactly one."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    found = [
        os.path.join(folder, n)
        for n in names
        if n.lower().endswith(_CSV_SUFFIXES)
        and not n.startswith(".")
        and looks_like_image_csv(os.path.join(folder, n))
    ]
    return found[0] if len(found) == 1 else None


# -- folders ----------------------------------------------------------------------------------
_CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
_SPLIT_ORDER = ("train", "validation", "test")
_EXAMPLE = "e.g. photos/cat/*.jpg and photos/dog/*.jpg"
_EXT_FORMAT = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".webp": "WEBP",
}


@dataclass
class _Found:
    """What listing a folder (or reading a CSV) found, before any file is checked."""

    candidates: list[tuple[str, str, str | None]] = field(default_factory=list)
    declared: set[str] = field(default_factory=set)  # class names seen (folders / labels)
    bad: list[BadFile] = field(default_factory=list)
    loose: int = 0  # images with no class (directly in the root, ...)
    notices: list[str] = field(default_factory=list)


def _scan_folder(
    root: str, on_event: EventCallback | None, cancel: CancelToken | None
) -> ImageDataset:
    walker = Walker(on_event, cancel)
    found = _Found()
    dirs, loose = walker.entries(root)
    if walker.unreadable:
        raise DataError(
            f"Cannot read the folder {walker.unreadable[0]}.",
            "Check that you may read this folder, or copy it somewhere you can.",
        )
    splits = {d.name: SPLIT_NAMES[d.name.lower()] for d in dirs if d.name.lower() in SPLIT_NAMES}
    layout = "class_folders"
    if "train" in splits.values() and len(set(splits.values())) >= 2:
        layout = "split_folders"
        found.loose += len(loose)
        if loose:
            found.notices.append(
                f"{len(loose):,} image(s) directly in '{os.path.basename(root)}' (not in a "
                "split folder) were left out."
            )
        for d in dirs:
            if d.name in splits:
                _add_classes(walker, d.path, splits[d.name], found, where=f"'{d.name}'")
            else:
                n = len(walker.images_under(d.path))
                found.loose += n
                if n:
                    found.notices.append(
                        f"The folder '{d.name}' is not a split (train, val, validation, "
                        f"test); its {n:,} image(s) were left out."
                    )
    elif len(dirs) == 1 and splits and not loose:  # root/train/<class>/... and nothing else
        only = dirs[0]
        if splits[only.name] == "train":
            found.notices.append(
                f"Only a '{only.name}' folder was found: its class folders are used and split "
                "automatically."
            )
        _add_classes(walker, only.path, None, found, where=f"'{only.name}'")
    else:
        where = f"'{os.path.basename(root)}'"
        _add_classes(walker, root, None, found, where=where, listing=(dirs, loose))
    if walker.unreadable:
        found.notices.append(
            "Some folders could not be read and were left out: "
            + ", ".join(walker.unreadable[:5])
            + (" …" if len(walker.unreadable) > 5 else "")
            + "."
        )
    if not found.candidates:
        _raise_no_images(root, found, walker)
    return _finish(root, layout, found, walker.hidden, walker.other, on_event, cancel)


def _add_classes(
    walker: Walker,
    folder: str,
    split: str | None,
    found: _Found,
    *,
    where: str,
    listing: tuple[list[os.DirEntry[str]], list[str]] | None = None,
) -> None:
    dirs, loose = listing if listing is not None else walker.entries(folder)
    if loose and dirs:
        found.loose += len(loose)
        found.notices.append(
            f"{len(loose):,} image(s) directly in {where} (not in a class subfolder) were left out."
        )
    elif loose:
        found.loose += len(loose)  # no class folders at all: _raise_no_images explains
    for d in dirs:
        found.declared.add(d.name)
        found.candidates.extend((p, d.name, split) for p in walker.images_under(d.path))


def _raise_no_images(root: str, found: _Found, walker: Walker) -> None:
    name = os.path.basename(root)
    if found.loose:
        raise DataError(
            f"The {found.loose:,} image(s) in '{name}' are not sorted into classes "
            "(no class subfolders hold images).",
            f"Put the images of each class in its own subfolder ({_EXAMPLE}), or open a CSV "
            "file that names each image and its class.",
        )
    what = []
    if walker.other:
        what.append(f"{walker.other:,} other file(s)")
    if walker.hidden:
        what.append(f"{walker.hidden:,} hidden file(s)")
    held = f" (only {' and '.join(what)})" if what else ""
    raise DataError(
        f"The folder '{name}' holds no images{held}.",
        f"Open a folder with one subfolder per class holding .jpg, .png, .bmp, .gif or .webp "
        f"images ({_EXAMPLE}).",
    )


# -- CSV --------------------------------------------------------------------------------------
def _scan_csv(
    csv_path: str,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
    path_column: str | None,
    label_column: str | None,
) -> ImageDataset:
    name = os.path.basename(csv_path)
    try:
        table = read_csv(csv_path)
    except OSError as exc:
        raise DataError(
            f"Cannot read the CSV file '{name}': {exc.strerror or exc}.",
            "Check that it exists and that you may read it.",
        ) from exc
    columns = ", ".join(f"'{h}'" for h in table.header)
    if path_column:
        pcol = resolve_column(table, path_column, "image paths", name)
    else:
        pcol = guess_path_column(table)
    if pcol is None:
        raise DataError(
            f"The CSV file '{name}' has no column of image file paths (columns: {columns}).",
            "It needs a column whose values are image files (.jpg .png .bmp .gif .webp), "
            "relative to the CSV's folder or absolute, and a column with each image's class.",
        )
    if label_column:
        lcol = resolve_column(table, label_column, "labels", name)
    else:
        lcol = guess_label_column(table, pcol)
    if lcol is None or lcol == pcol:
        raise DataError(
            f"The CSV file '{name}' has no label column next to its paths in '{pcol}' "
            f"(columns: {columns}).",
            "Add a column named 'label' with each image's class, or choose the label column.",
        )
    pi, li = table.header.index(pcol), table.header.index(lcol)
    folder = os.path.dirname(csv_path)
    found = _Found()
    first_label: dict[str, str] = {}
    no_label = repeated = conflicting = 0
    for row in table.rows:
        raw, label = row[pi], row[li]
        if not raw:
            continue
        if not label:
            no_label += 1
            continue
        full = resolve_path(raw, folder)
        if full in first_label:
            repeated += 1
            conflicting += first_label[full] != label
            continue
        first_label[full] = label
        ext = os.path.splitext(full)[1].lower()
        if ext not in IMAGE_EXTENSIONS:
            found.bad.append(BadFile(full, f"not an image file type ({ext or 'no extension'})"))
            continue
        found.declared.add(label)
        found.candidates.append((full, label, None))
    found.loose = no_label
    if no_label:
        found.notices.append(f"{no_label:,} row(s) without a label in '{lcol}' were left out.")
    if repeated:
        differ = f", {conflicting:,} of them with another label" if conflicting else ""
        found.notices.append(
            f"{repeated:,} row(s) name an image listed before{differ}; the first row of each "
            "image was used."
        )
    if not found.candidates:
        raise DataError(
            f"The CSV file '{name}' names no image files with a label "
            f"(path column '{pcol}', label column '{lcol}').",
            "Fill in the image path and the class of each row.",
        )
    found.notices.insert(0, f"Images from '{pcol}', classes from '{lcol}'.")
    return _finish(csv_path, "csv", found, 0, 0, on_event, cancel, label_column=lcol)


# -- checking and the result --------------------------------------------------------------------
def _finish(
    root: str,
    layout: str,
    found: _Found,
    hidden: int,
    other: int,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
    label_column: str | None = None,
) -> ImageDataset:
    found.candidates.sort()
    _require_two_classes(found.declared, found, root, label_column, usable=False)
    results = check_files([c[0] for c in found.candidates], on_event, cancel)
    items: list[ImageItem] = []
    bad = list(found.bad)
    formats: Counter[str] = Counter()
    renamed = 0
    for (path, label, split), result in zip(found.candidates, results, strict=True):
        if isinstance(result, str):
            bad.append(BadFile(path, result))
            continue
        width, height, mode, fmt = result
        items.append(ImageItem(path, label, split, width, height, mode))
        formats[fmt] += 1
        renamed += _EXT_FORMAT.get(os.path.splitext(path)[1].lower()) != fmt
    bad.sort(key=lambda b: b.path)
    classes = sorted({i.label for i in items})
    _require_two_classes(set(classes), found, root, label_column, usable=True, bad=bad)

    notices: list[str] = []
    if layout == "split_folders":
        per_split = Counter(i.split for i in items)
        parts = [f"{per_split[s]:,} {s}" for s in _SPLIT_ORDER if per_split[s]]
        notices.append("Using the folder's own split: " + ", ".join(parts) + ".")
    notices.extend(found.notices)
    dropped = sorted(found.declared - set(classes))
    if len(dropped) <= 5:
        notices.extend(f"Class '{c}' has no usable images and was left out." for c in dropped)
    else:
        listed = ", ".join(f"'{c}'" for c in dropped[:5])
        notices.append(
            f"{len(dropped):,} classes have no usable images and were left out: {listed} …"
        )
    if bad:
        notices.append(
            f"{len(bad):,} file(s) could not be used and were left out ({_summary(bad)})."
        )
    if hidden or other:
        parts = []
        if hidden:
            parts.append(f"{hidden:,} hidden file(s)")
        if other:
            parts.append(f"{other:,} file(s) that are not images")
        notices.append("Ignored " + " and ".join(parts) + ".")
    if renamed:
        notices.append(
            f"{renamed:,} image(s) have an extension that does not match their format (e.g. a "
            "PNG named .jpg); they are read by their content."
        )
    return ImageDataset(
        root=root,
        layout=layout,
        items=items,
        class_names=classes,
        bad_files=bad,
        hidden_ignored=hidden,
        other_ignored=other,
        notices=notices,
        formats=dict(sorted(formats.items())),
        unlabeled_ignored=found.loose,
    )


def _require_two_classes(
    classes: set[str],
    found: _Found,
    root: str,
    label_column: str | None,
    *,
    usable: bool,
    bad: list[BadFile] | None = None,
) -> None:
    if len(classes) >= 2:
        return
    name = os.path.basename(root)
    if label_column:
        fix = (
            f"A classifier needs at least two classes: check that the column '{label_column}' "
            "holds each image's class."
        )
    else:
        fix = (
            "A classifier needs at least two classes: put the images of each class in its "
            f"own subfolder ({_EXAMPLE})."
        )
    if not classes:  # only reachable after checking: every image was bad
        raise DataError(
            f"None of the {len(found.candidates):,} images in '{name}' can be used "
            f"({_summary(bad or [])}).",
            "Replace or remove the broken files (each is listed with its reason), or open "
            "another dataset.",
        )
    (only,) = classes
    n = sum(1 for c in found.candidates if c[1] == only)
    what = "usable image(s)" if usable else "image(s)"
    raise DataError(f"Only one class was found in '{name}': '{only}' ({n:,} {what}).", fix)


def _summary(bad: list[BadFile]) -> str:
    """'2 truncated, 1 not an image': counts of the reasons' first words."""
    counts = Counter(b.reason.split(":")[0].split(" (")[0] for b in bad)
    return ", ".join(f"{n:,} {reason}" for reason, n in counts.most_common())


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
