"""Say what kind of dataset a path holds: a table file, a folder of images or of audio clips.

:func:`detect` is given the kinds of data (``kinds.kind_for_path`` passes them all) and asks
each what it claims: its suffixes for the files of a folder, ``claims_file`` for a single file
(a table's suffix; a CSV whose first ~200 rows hold a column of image or audio paths is an
image or audio dataset, not a table). Mostly suffixes are looked at, so a dropped path is
answered at once; reading the file is the kind's ``load``. Anything we cannot use raises
:class:`DataError` saying what was given and what would work instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, TypeVar

from automl_gui.core.base.errors import DataError
from automl_gui.core.data._file_guard import special_file
from automl_gui.core.data._media_csv import AUDIO_EXTENSIONS, IMAGE_EXTENSIONS

CSV_SUFFIXES = (".csv", ".tsv", ".txt", ".tab")
PARQUET_SUFFIXES = (".parquet", ".pq")
SUPPORTED_TABLE_SUFFIXES = CSV_SUFFIXES + PARQUET_SUFFIXES
IMAGE_SUFFIXES = IMAGE_EXTENSIONS
AUDIO_SUFFIXES = AUDIO_EXTENSIONS


# How far a folder scan goes before deciding (huge image folders must not stall the drop).
_MAX_FILES_SCANNED = 5000
# Files every OS sprinkles into folders; they say nothing about the dataset.
_IGNORED_NAMES = {"thumbs.db", "desktop.ini", ".ds_store"}


class Detectable(Protocol):
    """What detection asks of a kind of data (``kinds.base.DataKind`` has it all)."""

    name: str
    file_based: bool
    extensions: tuple[str, ...]
    one_file: str
    folder_example: str
    trained_on: str
    opens: str

    def claims_file(self, path: Path) -> bool: ...


K = TypeVar("K", bound=Detectable)


def supported_text(kinds: Sequence[Detectable]) -> str:
    """What can be opened, in the kinds' own words ("Open a table (…), a folder of … or …")."""
    said = [kind.opens for kind in sorted(kinds, key=lambda kind: kind.file_based)]  # tables first
    listed = ", ".join(said[:-1]) + f" or {said[-1]}" if len(said) > 1 else "".join(said)
    return f"Open {listed}."


_SAVE_AS_CSV = "Save it as CSV (File > Save As > CSV UTF-8) or Parquet and open that file."
_KNOWN_UNSUPPORTED: dict[str, tuple[str, str]] = {
    ".xlsx": ("an Excel workbook", _SAVE_AS_CSV),
    ".xlsm": ("an Excel workbook", _SAVE_AS_CSV),
    ".xls": ("an Excel workbook", _SAVE_AS_CSV),
    ".xlsb": ("an Excel workbook", _SAVE_AS_CSV),
    ".ods": ("a spreadsheet (OpenDocument)", _SAVE_AS_CSV),
    ".numbers": ("a Numbers spreadsheet", _SAVE_AS_CSV),
    ".json": ("a JSON file", "Convert it to a CSV or Parquet table (one row per example)."),
    ".jsonl": ("a JSON Lines file", "Convert it to a CSV or Parquet table."),
    ".xml": ("an XML file", "Convert it to a CSV or Parquet table."),
    ".feather": ("a Feather/Arrow file", "Save it as Parquet or CSV and open that file."),
    ".arrow": ("an Arrow file", "Save it as Parquet or CSV and open that file."),
    ".h5": ("an HDF5 file", "Save the table as Parquet or CSV and open that file."),
    ".hdf5": ("an HDF5 file", "Save the table as Parquet or CSV and open that file."),
    ".pkl": (
        "a Python pickle",
        "Pickles can run code when opened, so they are never loaded; save the table as "
        "Parquet or CSV.",
    ),
    ".pickle": (
        "a Python pickle",
        "Pickles can run code when opened, so they are never loaded; save the table as "
        "Parquet or CSV.",
    ),
    ".zip": ("a zip archive", "Extract it first, then open the table or folder inside."),
    ".gz": ("a compressed file", "Decompress it first, then open the table inside."),
    ".bz2": ("a compressed file", "Decompress it first, then open the table inside."),
    ".xz": ("a compressed file", "Decompress it first, then open the table inside."),
    ".7z": ("a compressed archive", "Extract it first, then open the table or folder inside."),
    ".tar": ("a tar archive", "Extract it first, then open the table or folder inside."),
    ".tgz": ("a tar archive", "Extract it first, then open the table or folder inside."),
    ".rar": ("a RAR archive", "Extract it first, then open the table or folder inside."),
    ".sav": ("an SPSS file", _SAVE_AS_CSV),
    ".dta": ("a Stata file", _SAVE_AS_CSV),
    ".sas7bdat": ("a SAS file", _SAVE_AS_CSV),
    ".db": ("a database file", "Export the table you need as CSV or Parquet."),
    ".sqlite": ("a database file", "Export the table you need as CSV or Parquet."),
    ".pdf": ("a PDF document", "Export the table in it as CSV and open that file."),
    ".docx": ("a Word document", "Copy the table into a spreadsheet and save it as CSV."),
    ".keras": ("a saved model", "Open it on the Predict page; here, open a dataset."),
    ".h5ad": ("an AnnData file", "Export the table you need as CSV or Parquet."),
}


def detect(path: str | os.PathLike[str], kinds: Sequence[K]) -> K:
    """The one of ``kinds`` whose dataset ``path`` is.

    ``kinds`` (``DataKind`` objects, in the app's order) are asked for their ``name``,
    ``file_based``, ``extensions``, ``claims_file(path)`` and, for the messages, ``one_file``,
    ``folder_example`` and ``trained_on``. Kinds of files are asked first (a CSV of image
    paths is an image dataset before it is a table).

    Raises:
        DataError: the path does not exist, is an empty folder, or holds nothing we can
            train on (the message says what it is; the hint says what to do instead).
    """
    p = Path(path)
    if not str(path).strip():
        raise DataError("No file was given.", supported_text(kinds))
    if not p.exists():
        raise DataError(
            f"'{p}' does not exist (it may have been moved, renamed or deleted).",
            "Check the path, or drop the file on the window again.",
        )
    ordered = sorted(kinds, key=lambda kind: not kind.file_based)
    if p.is_dir():
        return _detect_folder(p, ordered)
    special = special_file(p)  # looked at without opening: a named pipe would block open()
    if special:
        raise DataError(special_file_message(p.name, special), supported_text(kinds))
    return _detect_file(p, ordered)


def special_file_message(name: str, what: str) -> str:
    """The message for a path that is not a regular file ("a named pipe", ...)."""
    return (
        f"'{name}' is {what}, not a regular file: it cannot be read as a table or dataset "
        "(reading it might never end)."
    )


def _detect_file(p: Path, kinds: list[K]) -> K:
    for kind in kinds:
        if kind.claims_file(p):
            return kind
    suffix = p.suffix.lower()
    name = p.name
    if suffix in _KNOWN_UNSUPPORTED:
        what, hint = _KNOWN_UNSUPPORTED[suffix]
        raise DataError(f"'{name}' is {what}, which cannot be opened directly.", hint)
    for kind in kinds:
        one = kind
        if one.file_based and suffix in one.extensions:
            raise DataError(
                f"'{name}' is a single file ({one.one_file}); a dataset is a folder of them.",
                "Open the folder that holds the files, with one subfolder per class "
                f"(e.g. {one.folder_example}).",
            )
    described = f"'{name}' has the suffix '{suffix}'" if suffix else f"'{name}' has no suffix"
    raise DataError(
        f"{described}, which is not a supported dataset type.",
        supported_text(kinds) + " A CSV file with another suffix can be renamed to .csv.",
    )


def _detect_folder(p: Path, kinds: list[K]) -> K:
    names = [kind.name for kind in kinds]
    counts = dict.fromkeys(names, 0)
    by_suffix: dict[str, str] = {}  # a suffix two kinds claim (.txt: texts, tables) is the
    for kind in kinds:  # first's: kinds of files come first (a folder of .txt is texts)
        for suffix in kind.extensions:
            by_suffix.setdefault(suffix, kind.name)
    scanned = 0
    seen: set[tuple[int, int]] = set()

    def first_visit(folder: str) -> bool:  # links are followed (a dataset of linked
        try:  # class folders), each folder once (a link back up is a loop)
            st = os.stat(folder)
        except OSError:
            return False
        key = (st.st_dev, st.st_ino)
        if key in seen:
            return False
        seen.add(key)
        return True

    first_visit(str(p))
    try:
        for root, dirs, files in os.walk(p, followlinks=True):
            dirs[:] = sorted(
                d for d in dirs if not d.startswith(".") and first_visit(os.path.join(root, d))
            )
            for fname in files:
                if fname.startswith(".") or fname.lower() in _IGNORED_NAMES:
                    continue
                owner = by_suffix.get(os.path.splitext(fname)[1].lower())
                if owner is not None:
                    counts[owner] += 1
                scanned += 1
            if scanned >= _MAX_FILES_SCANNED:
                break
    except PermissionError as exc:  # os.walk swallows most errors; listing the root may not
        raise DataError(
            f"Cannot read the folder '{p.name}': permission denied.",
            "Check that you may read this folder, or copy it somewhere you can.",
        ) from exc

    if scanned == 0:
        raise DataError(
            f"The folder '{p.name}' is empty (no files in it or its subfolders).",
            supported_text(kinds),
        )
    of_files = [kind for kind in kinds if kind.file_based]
    media = sum(counts[kind.name] for kind in of_files)
    if media and media * 2 >= scanned:  # "mostly" files of a kind of files: the most common
        return max(of_files, key=lambda kind: counts[kind.name])
    tables = sum(counts[kind.name] for kind in kinds if not kind.file_based)
    if tables:
        raise DataError(
            f"The folder '{p.name}' holds table files, not a folder dataset "
            f"({tables} table file(s) among {scanned} files).",
            "Open the table file itself (e.g. the .csv) rather than its folder.",
        )
    wanted = " or ".join(kind.trained_on for kind in of_files)
    raise DataError(
        f"The folder '{p.name}' holds no {wanted} ({scanned} files of other types).",
        supported_text(kinds),
    )
