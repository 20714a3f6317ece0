"""Media CSVs: a table with a column of image (or audio) file paths and a column of labels.

Read with the standard ``csv`` module (no pandas: a drop must be answered at once). The
delimiter is guessed from the first line; a first row that already holds a media path is
data, not a header. Columns are guessed when not given: the path column is the one whose
values mostly end with one of the media's extensions, the label column another one with few
distinct values (a column named like ``label`` or ``class`` is preferred). Every function
takes the media's ``extensions`` (``IMAGE_EXTENSIONS`` or ``AUDIO_EXTENSIONS``).
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

from automl_gui.core.base.errors import DataError
from automl_gui.core.data._file_guard import special_file

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")
AUDIO_EXTENSIONS = (".wav", ".wave", ".flac", ".ogg", ".oga", ".opus", ".mp3")

_DELIMITERS = (",", "\t", ";", "|")
_PATH_NAMES = (
    "path",
    "filepath",
    "file_path",
    "file",
    "filename",
    "file_name",
    "image",
    "img",
    "audio",
    "clip",
    "wav",
)
_LABEL_NAMES = (
    "label",
    "labels",
    "class",
    "class_name",
    "classname",
    "category",
    "target",
    "y",
    "species",
    "breed",
    "type",
)
_MOSTLY = 0.5  # share of a column's values that must look like media paths
_SNIFF_ROWS = 200


@dataclass
class CsvTable:
    """Header (given or made up) and rows (lists of stripped strings, padded to the header)."""

    header: list[str]
    rows: list[list[str]]
    had_header: bool = True


def read_csv(
    path: str,
    max_rows: int | None = None,
    *,
    extensions: tuple[str, ...] = IMAGE_EXTENSIONS,
    what: str = "image",
) -> CsvTable:
    """Read ``path`` (UTF-8, with or without BOM; Windows-1252 as a fallback).

    A first row holding a path with one of ``extensions`` is data (no header); ``what``
    ("image", "audio") names the files in the message for an empty CSV.

    Raises:
        OSError: the file cannot be read.
        DataError: it is empty, not a regular file (a named pipe would block ``open``), or
            holds a value the csv module refuses (over 128 KB).
    """
    special = special_file(path)
    if special:
        raise DataError(
            f"'{os.path.basename(path)}' is {special}, not a CSV file.",
            f"Open a regular CSV file naming each {what} file and its class.",
        )
    with open(path, "rb") as f:
        raw = f.read(256 * 1024) if max_rows is not None else f.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if max_rows is not None and exc.start >= len(raw) - 4:
            text = raw[: exc.start].decode("utf-8-sig")  # a character cut by the read limit
        else:
            text = raw.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(_DELIMITERS, key=first_line.count) if first_line else ","
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append([cell.strip() for cell in row])
            if max_rows is not None and len(rows) > max_rows:
                break
    except csv.Error as exc:  # e.g. a value over the csv module's 128 KB field limit
        raise DataError(
            f"The CSV file '{os.path.basename(path)}' cannot be read as a list of {what} "
            f"files: line {reader.line_num:,}: {exc}.",
            f"It needs a column of {what} file paths and a column of labels, one short value "
            "each; check that line (a quote left open swallows the lines after it).",
        ) from None
    if not rows:
        raise DataError(
            f"The CSV file '{os.path.basename(path)}' is empty.",
            f"It needs a column of {what} file paths and a column of labels.",
        )
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    first = rows[0]
    if any(_is_media_path(cell, extensions) for cell in first):  # no header: the first row is data
        header = [f"column {i + 1}" for i in range(width)]
        return CsvTable(header, rows, had_header=False)
    header = [name or f"column {i + 1}" for i, name in enumerate(first)]
    return CsvTable(header, rows[1:])


def looks_like_image_csv(path: str) -> bool:
    """True when the CSV at ``path`` has a column of image file paths (reads ≤ ~200 rows)."""
    return looks_like_media_csv(path, IMAGE_EXTENSIONS)


def looks_like_audio_csv(path: str) -> bool:
    """True when the CSV at ``path`` has a column of audio file paths (reads ≤ ~200 rows)."""
    return looks_like_media_csv(path, AUDIO_EXTENSIONS)


def looks_like_media_csv(path: str, extensions: tuple[str, ...]) -> bool:
    """True when the CSV at ``path`` has a column of paths with one of ``extensions``."""
    try:
        table = read_csv(str(path), max_rows=_SNIFF_ROWS, extensions=extensions)
    except (OSError, DataError, csv.Error, UnicodeError):
        return False
    return guess_path_column(table, extensions) is not None


def guess_path_column(
    table: CsvTable, extensions: tuple[str, ...] = IMAGE_EXTENSIONS
) -> str | None:
    """The column whose values mostly end with one of ``extensions`` (the highest share wins)."""
    best: tuple[float, int, str] | None = None
    for i, name in enumerate(table.header):
        values = [r[i] for r in table.rows if r[i]]
        if not values:
            continue
        share = sum(_is_media_path(v, extensions) for v in values) / len(values)
        if share < _MOSTLY:
            continue
        named = 1 if name.strip().lower() in _PATH_NAMES else 0
        key = (share, named, name)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


def guess_label_column(
    table: CsvTable, path_column: str, extensions: tuple[str, ...] = IMAGE_EXTENSIONS
) -> str | None:
    """A column other than the paths with few distinct values; label-like names first."""
    n_rows = len(table.rows)
    limit = max(2, min(1000, n_rows // 2))
    named: list[tuple[int, str]] = []
    few: list[str] = []
    for i, name in enumerate(table.header):
        if name == path_column:
            continue
        values = [r[i] for r in table.rows if r[i]]
        if not values or sum(_is_media_path(v, extensions) for v in values) >= _MOSTLY * len(
            values
        ):
            continue
        lowered = name.strip().lower()
        if lowered in _LABEL_NAMES:
            named.append((_LABEL_NAMES.index(lowered), name))
        elif 2 <= len(set(values)) <= limit:
            few.append(name)
    if named:
        return min(named)[1]
    return few[0] if few else None


def resolve_column(table: CsvTable, wanted: str, role: str, csv_name: str) -> str:
    """``wanted`` as spelled in the header (exact, else ignoring case), or a DataError."""
    if wanted in table.header:
        return wanted
    for name in table.header:
        if name.lower() == wanted.strip().lower():
            return name
    raise DataError(
        f"The CSV file '{csv_name}' has no column '{wanted}' for the {role}.",
        "Its columns are: " + ", ".join(f"'{h}'" for h in table.header) + ".",
    )


def resolve_path(value: str, folder: str) -> str:
    """An absolute, normalized path: relative ones are relative to the CSV's folder."""
    if os.sep == "/" and "\\" in value and not os.path.isabs(value):
        value = value.replace("\\", "/")  # a CSV written on Windows
    value = os.path.expanduser(value)
    return os.path.normpath(value if os.path.isabs(value) else os.path.join(folder, value))


def _is_media_path(value: str, extensions: tuple[str, ...]) -> bool:
    return value.lower().endswith(extensions)
