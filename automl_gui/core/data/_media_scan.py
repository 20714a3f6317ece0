"""The dataset scan shared by images and clips: layouts, candidates, checking, the result.

Three layouts (see ``scan_images`` / ``scan_audio``): ``class_folders``
(``root/<class>/**/<file>``), ``split_folders`` (``root/train|val|validation|test/<class>/...``,
the split is used) and ``csv`` (a column of paths relative to the CSV and a label column).
What differs between media — extensions, the check of one file, the item and dataset types,
the words in messages — comes from a :class:`Media` description.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback
from automl_gui.core.data._file_guard import bad_name, inside, shown, special_file, within
from automl_gui.core.data._media_csv import (
    guess_label_column,
    guess_path_column,
    looks_like_media_csv,
    read_csv,
    resolve_column,
    resolve_path,
)
from automl_gui.core.data._media_files import CheckFn, Walker, check_files, drop_linked_twice
from automl_gui.core.data._media_notices import (
    article,
    csv_outside_notice,
    link_notices,
    linked_twice_notices,
    raise_none_found,
    require_two_classes,
    scan_notices,
)

SPLIT_NAMES = {"train": "train", "val": "validation", "validation": "validation", "test": "test"}
LAYOUTS = ("class_folders", "split_folders", "csv")
CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")


@dataclass(frozen=True)
class BadFile:
    """A file with a media extension that cannot be used, and why (a short phrase).

    ``path`` is printable text: bytes of a name that are not valid UTF-8 appear as ``\\xff``
    (such a file is bad for that very reason), so it can be shown, printed and saved."""

    path: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", shown(self.path))


@dataclass
class MediaDataset:
    """What a scan found (the base of ``ImageDataset`` and ``AudioDataset``). Only usable
    files are in ``items``; classes are sorted by name.

    Args:
        root: the folder scanned (for a CSV: the CSV's path).
        layout: one of LAYOUTS.
        items: the usable files (items with ``path``, ``label`` and ``split``).
        class_names: sorted class names that have at least one usable file.
        bad_files: excluded files with reasons.
        hidden_ignored: hidden files (and files in hidden folders) skipped.
        other_ignored: files of other types skipped.
        notices: sentences for the user (empty classes dropped, split folders used, ...).
        formats: file format → count (e.g. {"PNG": 10, "JPEG": 3}).
        unlabeled_ignored: files left out because no class is known for them (directly in
            the root next to class folders, in a folder that is not a split, CSV rows
            without a label).
    """

    root: str
    layout: str
    items: list[Any]
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
        """Files per class (in ``class_names`` order), optionally of one split only."""
        counts = dict.fromkeys(self.class_names, 0)
        for item in self.items:
            if split is None or item.split == split:
                counts[item.label] = counts.get(item.label, 0) + 1
        return counts

    def paths(self, label: str | None = None) -> list[str]:
        """Paths of all items (or of one class), in scan order."""
        return [i.path for i in self.items if label is None or i.label == label]

    @property
    def folder(self) -> str:
        """The dataset's folder: ``root``, or the CSV's folder for the CSV layout."""
        return os.path.dirname(self.root) if self.layout == "csv" else self.root

    def holds(self, path: str) -> bool:
        """True when ``path`` lies in the dataset's folder (links resolved): a CSV may name
        files anywhere, a link may lead out of the folder."""
        return inside(path, self.folder)


@dataclass(frozen=True)
class Media:
    """What differs between an image scan and a clip scan.

    Args:
        noun, plural: a file in messages ("image"/"images", "clip"/"clips").
        adjective: "image" / "audio" ("an image dataset", "audio file paths").
        extensions: lower-case suffixes that name such files.
        shown_extensions: the few suffixes named in hints (".jpg", ".png", ...).
        example: a layout example for hints ("e.g. photos/cat/*.jpg and photos/dog/*.jpg").
        check: one file → what was learned, or the reason it is not usable (a str).
        make_item: (path, label, split, what check learned) → (item, format name).
        dataset: the dataset class, called with the fields of ``ImageDataset``.
        ext_format: suffix → format name, to notice files named for another format.
        renamed_example: "a PNG named .jpg".
        not_media: how other files are called ("not images", "not audio").
    """

    noun: str
    plural: str
    adjective: str
    extensions: tuple[str, ...]
    shown_extensions: tuple[str, ...]
    example: str
    check: CheckFn
    make_item: Callable[[str, str, str | None, Any], tuple[Any, str]]
    dataset: Callable[..., Any]
    ext_format: Mapping[str, str]
    renamed_example: str
    not_media: str


def scan(
    media: Media,
    path: str,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    path_column: str | None = None,
    label_column: str | None = None,
) -> Any:
    """Scan a folder (or a CSV of ``media`` files) into ``media.dataset``.

    Raises:
        DataError: nothing usable (see ``scan_images``), with a message and a hint.
        CancelledError: ``cancel`` was set.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(
            f"'{shown(str(p))}' does not exist (it may have been moved, renamed or deleted).",
            "Check the path, or drop the folder on the window again.",
        )
    if bad_name(str(p.absolute())):
        raise DataError(
            f"The path '{shown(str(p.absolute()))}' is not valid UTF-8 text, so the names of "
            f"the {media.plural} in it cannot be shown or saved.",
            "Rename the folder (or the folders above it) using only valid characters, then "
            "open it again.",
        )
    special = special_file(p)
    if special:
        raise DataError(
            f"'{p.name}' is {special}, not {article(media.adjective)} dataset or a CSV file.",
            f"Open a folder with one subfolder per class ({media.example}), or a CSV file "
            f"naming each {media.noun} and its class.",
        )
    if p.is_file():
        if p.suffix.lower() in CSV_SUFFIXES:
            return _Scan(media, on_event, cancel).csv(str(p.absolute()), path_column, label_column)
        raise DataError(
            f"'{p.name}' is a single file, not {article(media.adjective)} dataset.",
            f"Open a folder with one subfolder per class ({media.example}), or a CSV file "
            f"naming each {media.noun} and its class.",
        )
    root = str(p.absolute())
    try:
        return _Scan(media, on_event, cancel).folder(root)
    except DataError:
        csv = _single_media_csv(root, media)  # e.g. root/labels.csv naming root/pictures/*.jpg
        if csv is None:
            raise
    dataset = _Scan(media, on_event, cancel).csv(csv, path_column, label_column)
    dataset.notices.insert(
        0,
        f"The subfolders do not name the classes, so '{os.path.basename(csv)}' does.",
    )
    return dataset


def _single_media_csv(folder: str, media: Media) -> str | None:
    """The one CSV directly in ``folder`` that lists media files, if there is exactly one."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    found = [
        os.path.join(folder, n)
        for n in names
        if n.lower().endswith(CSV_SUFFIXES)
        and not n.startswith(".")
        and not bad_name(n)
        and looks_like_media_csv(os.path.join(folder, n), media.extensions)
    ]
    return found[0] if len(found) == 1 else None


@dataclass
class _Found:
    """What listing a folder (or reading a CSV) found, before any file is checked."""

    candidates: list[tuple[str, str, str | None]] = field(default_factory=list)
    declared: set[str] = field(default_factory=set)  # class names seen (folders / labels)
    bad: list[BadFile] = field(default_factory=list)
    loose: int = 0  # files with no class (directly in the root, ...)
    notices: list[str] = field(default_factory=list)


class _Scan:
    """One scan of one media kind: the layouts, then checking and the result."""

    def __init__(
        self, media: Media, on_event: EventCallback | None, cancel: CancelToken | None
    ) -> None:
        self.media = media
        self.on_event = on_event
        self.cancel = cancel
        self.walker = self._walker(None)

    def _walker(self, root: str | None) -> Walker:
        m = self.media
        return Walker(
            self.on_event, self.cancel, extensions=m.extensions, plural=m.plural, root=root
        )

    # -- folders ------------------------------------------------------------------------------
    def folder(self, root: str) -> Any:
        self.walker = self._walker(root)
        walker, noun = self.walker, self.media.noun
        found = _Found()
        dirs, loose = walker.entries(root)
        if walker.unreadable:
            raise DataError(
                f"Cannot read the folder {walker.unreadable[0]}.",
                "Check that you may read this folder, or copy it somewhere you can.",
            )
        splits = {
            d.name: SPLIT_NAMES[d.name.lower()] for d in dirs if d.name.lower() in SPLIT_NAMES
        }
        layout = "class_folders"
        if "train" in splits.values() and len(set(splits.values())) >= 2:
            layout = "split_folders"
            found.loose += len(loose)
            if loose:
                found.notices.append(
                    f"{len(loose):,} {noun}(s) directly in '{shown(os.path.basename(root))}' "
                    "(not in a split folder) were left out."
                )
            for d in dirs:
                if d.name in splits:
                    where = f"'{d.name}'"
                    self._add_classes(d.path, splits[d.name], found, where=where)
                else:
                    n = len(walker.files_under(d.path))
                    found.loose += n
                    if n:
                        found.notices.append(
                            f"The folder '{shown(d.name)}' is not a split (train, val, "
                            f"validation, test); its {n:,} {noun}(s) were left out."
                        )
        elif len(dirs) == 1 and splits and not loose:  # root/train/<class>/... and nothing else
            only = dirs[0]
            if splits[only.name] == "train":
                found.notices.append(
                    f"Only a '{only.name}' folder was found: its class folders are used and "
                    "split automatically."
                )
            self._add_classes(only.path, None, found, where=f"'{only.name}'")
        else:
            where = f"'{shown(os.path.basename(root))}'"
            self._add_classes(root, None, found, where=where, listing=(dirs, loose))
        if walker.unreadable:
            found.notices.append(
                "Some folders could not be read and were left out: "
                + ", ".join(walker.unreadable[:5])
                + (" …" if len(walker.unreadable) > 5 else "")
                + "."
            )
        found.notices.extend(link_notices(walker, self.media.plural))
        found.candidates, conflicts, repeats = drop_linked_twice(walker, found.candidates)
        found.notices.extend(
            linked_twice_notices(conflicts, repeats, walker, self.media.noun, layout)
        )
        if not found.candidates:
            raise_none_found(self.media, self.walker, root, found)
        return self._finish(root, layout, found, walker.hidden, walker.other)

    def _add_classes(
        self,
        folder: str,
        split: str | None,
        found: _Found,
        *,
        where: str,
        listing: tuple[list[os.DirEntry[str]], list[str]] | None = None,
    ) -> None:
        dirs, loose = listing if listing is not None else self.walker.entries(folder)
        if loose and dirs:
            found.loose += len(loose)
            found.notices.append(
                f"{len(loose):,} {self.media.noun}(s) directly in {where} (not in a class "
                "subfolder) were left out."
            )
        elif loose:
            found.loose += len(loose)  # no class folders at all: _raise_none_found explains
        for d in dirs:
            label = shown(d.name)  # a name that is not UTF-8: its files are bad, it is shown
            found.declared.add(label)
            found.candidates.extend((p, label, split) for p in self.walker.files_under(d.path))

    # -- CSV ----------------------------------------------------------------------------------
    def csv(self, csv_path: str, path_column: str | None, label_column: str | None) -> Any:
        m = self.media
        name = os.path.basename(csv_path)
        try:
            table = read_csv(csv_path, extensions=m.extensions, what=m.adjective)
        except OSError as exc:
            raise DataError(
                f"Cannot read the CSV file '{name}': {exc.strerror or exc}.",
                "Check that it exists and that you may read it.",
            ) from exc
        columns = ", ".join(f"'{h}'" for h in table.header)
        if path_column:
            pcol = resolve_column(table, path_column, f"{m.adjective} paths", name)
        else:
            pcol = guess_path_column(table, m.extensions)
        if pcol is None:
            raise DataError(
                f"The CSV file '{name}' has no column of {m.adjective} file paths "
                f"(columns: {columns}).",
                f"It needs a column whose values are {m.adjective} files "
                f"({' '.join(m.shown_extensions)}), relative to the CSV's folder or absolute, "
                f"and a column with each {m.noun}'s class.",
            )
        if label_column:
            lcol = resolve_column(table, label_column, "labels", name)
        else:
            lcol = guess_label_column(table, pcol, m.extensions)
        if lcol is None or lcol == pcol:
            raise DataError(
                f"The CSV file '{name}' has no label column next to its paths in '{pcol}' "
                f"(columns: {columns}).",
                f"Add a column named 'label' with each {m.noun}'s class, or choose the label "
                "column.",
            )
        found = self._csv_rows(table, pcol, lcol, os.path.dirname(csv_path))
        if not found.candidates:
            raise DataError(
                f"The CSV file '{name}' names no {m.adjective} files with a label "
                f"(path column '{pcol}', label column '{lcol}').",
                f"Fill in the {m.noun} path and the class of each row.",
            )
        found.notices.insert(0, f"{m.plural.capitalize()} from '{pcol}', classes from '{lcol}'.")
        return self._finish(csv_path, "csv", found, 0, 0, label_column=lcol)

    def _csv_rows(self, table: Any, pcol: str, lcol: str, folder: str) -> _Found:
        m = self.media
        pi, li = table.header.index(pcol), table.header.index(lcol)
        found = _Found()
        first_label: dict[str, str] = {}
        no_label = repeated = conflicting = 0
        outside: list[str] = []
        base = os.path.realpath(folder)
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
            if ext not in m.extensions:
                reason = f"not {article(m.adjective)} file type ({ext or 'no extension'})"
                found.bad.append(BadFile(full, reason))
                continue
            found.declared.add(label)
            found.candidates.append((full, label, None))
            if not within(os.path.realpath(full), base):  # links resolved, as ``holds``
                outside.append(full)
        found.loose = no_label
        if outside:
            found.notices.append(csv_outside_notice(outside, folder, m.plural))
        if no_label:
            found.notices.append(f"{no_label:,} row(s) without a label in '{lcol}' were left out.")
        if repeated:
            differ = f", {conflicting:,} of them with another label" if conflicting else ""
            found.notices.append(
                f"{repeated:,} row(s) name {article(m.noun)} listed before{differ}; the first row of "
                f"each {m.noun} was used."
            )
        return found

    # -- checking and the result --------------------------------------------------------------
    def _finish(
        self,
        root: str,
        layout: str,
        found: _Found,
        hidden: int,
        other: int,
        label_column: str | None = None,
    ) -> Any:
        m = self.media
        found.candidates.sort()
        require_two_classes(m, found.declared, found, root, label_column, usable=False)
        paths = [c[0] for c in found.candidates]
        results = check_files(paths, self.on_event, self.cancel, check=m.check, plural=m.plural)
        items: list[Any] = []
        bad = list(found.bad)
        formats: Counter[str] = Counter()
        renamed = 0
        for (path, label, split), result in zip(found.candidates, results, strict=True):
            if isinstance(result, str):
                bad.append(BadFile(path, result))
                continue
            item, fmt = m.make_item(path, label, split, result)
            items.append(item)
            formats[fmt] += 1
            renamed += m.ext_format.get(os.path.splitext(path)[1].lower()) != fmt
        bad.sort(key=lambda b: b.path)
        classes = sorted({i.label for i in items})
        require_two_classes(m, set(classes), found, root, label_column, usable=True, bad=bad)
        return m.dataset(
            root=root,
            layout=layout,
            items=items,
            class_names=classes,
            bad_files=bad,
            hidden_ignored=hidden,
            other_ignored=other,
            notices=scan_notices(
                m, layout, found.notices, found.declared, items, bad, (hidden, other, renamed)
            ),
            formats=dict(sorted(formats.items())),
            unlabeled_ignored=found.loose,
        )
