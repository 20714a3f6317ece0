"""Text datasets: labelled texts from a table, JSON Lines, or folders of ``.txt`` files.

Layouts (``TextDataset.layout``):

- ``"table"``: a CSV/TSV/TXT (read by ``tabular.read_table``: encoding fallback, sniffing),
  Parquet or JSON Lines (``.jsonl``/``.ndjson``) file with a text column and a label column,
  named or chosen (``_textdata_columns``: the string column with the most words per value; a
  column of few distinct values, label-like names first). A column named ``split`` holding
  train/val(idation)/test is the split. An item's ``path`` is ``"<file>#<row>"`` (the 1-based
  data row; the line for JSON Lines).
- ``"class_folders"`` / ``"split_folders"``: ``root/<class>/*.txt`` (scikit-learn's
  ``load_files`` layout) or ``root/train|val|validation|test/<class>/*.txt``, scanned by the
  shared media scan (``_media_scan``) with the text check (``_textdata_read``); also
  ``"csv"``: a CSV naming ``.txt`` files and their labels.

Texts are read whole into memory, cut at :data:`MAX_CHARS` characters. What loading found is
counted in ``findings`` and told in ``notices``: empty and whitespace-only texts and rows
without a label (left out), files that are not text (left out, each a ``BadFile`` with its
reason), truncated texts, repeated texts (kept once per label) and texts under two labels,
files not in UTF-8. The user's files are only read.
"""

from __future__ import annotations

import csv
import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.data._file_guard import shown
from automl_gui.core.data._media_csv import (
    guess_path_column,
    looks_like_media_csv,
    read_csv,
    resolve_path,
)
from automl_gui.core.data._media_scan import CSV_SUFFIXES, BadFile, Media, MediaDataset, scan
from automl_gui.core.data._textdata_findings import (
    drop_duplicates,
    finding_notices,
    require_classes,
)
from automl_gui.core.data._textdata_peek import looks_like_text_table
from automl_gui.core.data._textdata_read import (
    EMPTY_REASON,
    FALLBACK_ENCODINGS,
    MAX_CHARS,
    NOT_TEXT,
    WHITESPACE_REASON,
    TextRead,
    check_text,
    encoding_name,
    read_text_file,
)
from automl_gui.core.data._textdata_table import TableTexts, read_texts_table

TEXT_EXTENSIONS = (".txt",)
_ROWS_PER_REPORT = 20_000


@dataclass(frozen=True)
class TextItem:
    """One usable text: its locator, class label, split and the text itself.

    ``path`` is the file's absolute path, or ``"<table file>#<row>"`` (row 1-based) for a
    table or JSON Lines; ``text`` is decoded, at most MAX_CHARS characters, never empty or
    whitespace only; ``words`` is ``len(text.split())``; ``encoding`` the one it was read
    with (a ``.txt`` file's; "" for table cells).
    """

    path: str
    label: str
    split: str | None = None
    text: str = ""
    words: int = 0
    truncated: bool = False
    encoding: str = ""


@dataclass
class TextDataset(MediaDataset):
    """Loaded texts (fields of ``MediaDataset``; ``layout`` is "table", "class_folders",
    "split_folders" or "csv").

    Attributes:
        text_column, label_column: the table's (or JSON Lines') fields used, None for folders.
        split_column: the table's split column when it gave the split.
        findings: counts of what loading found: "empty", "whitespace", "no_label",
            "undecodable", "truncated", "duplicates" (repeats left out),
            "conflicting_duplicates" (texts under two labels or more), "not_utf8",
            "bad_lines" (JSON Lines lines that are not objects); zero counts are kept.
    """

    items: list[TextItem]
    text_column: str | None = None
    label_column: str | None = None
    split_column: str | None = None
    findings: dict[str, int] = field(default_factory=dict)
    _by_path: dict[str, TextItem] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def has_split(self) -> bool:
        """True when the folders or the table's split column fixed train/validation/test."""
        return self.layout == "split_folders" or self.split_column is not None

    @property
    def folder(self) -> str:
        """The folder holding the dataset (a table's folder for a table)."""
        if self.layout in ("table", "csv"):
            return os.path.dirname(self.root)
        return self.root

    def texts(self, label: str | None = None) -> list[str]:
        """Every text (or one class's), in the dataset's order."""
        return [i.text for i in self.items if label is None or i.label == label]

    def text_of(self, path: str) -> str:
        """The text of the item at ``path`` (KeyError when there is none)."""
        if self._by_path is None or len(self._by_path) != len(self.items):
            self._by_path = {i.path: i for i in self.items}
        return self._by_path[path].text

    def word_counts(self) -> list[int]:
        return [i.words for i in self.items]

    def median_words(self) -> float:
        """The median words per text (0.0 for no texts)."""
        counts = self.word_counts()
        return float(statistics.median(counts)) if counts else 0.0


def load_text(
    path: str | os.PathLike[str],
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> TextDataset:
    """Load a text dataset (see the module docstring for the layouts).

    ``text_column``/``label_column`` name a table's columns (chosen when None; ignored for
    folders). Emits ``Progress("load"|"scan", ...)``; checks ``cancel``.

    Raises:
        DataError: a missing, empty or binary file; no text column or no label column; a
            label column that is free text; one class; a class with fewer than two texts;
            no usable text at all (the message says what was found and what to do).
        CancelledError: cancelled.
    """
    p = Path(path)
    if p.is_file() and not _lists_text_files(p, text_column):
        return _from_table(str(p.absolute()), text_column, label_column, on_event, cancel)
    dataset = scan(_TEXT, str(p), on_event=on_event, cancel=cancel, label_column=label_column)
    return _finish_files(dataset)


def _lists_text_files(p: Path, text_column: str | None) -> bool:
    """A CSV naming .txt files (read by the media scan), not a table of texts."""
    return text_column is None and lists_text_files(p)


def lists_text_files(path: str | os.PathLike[str]) -> bool:
    """True for a CSV (TSV, ...) whose path column names ``.txt`` files that mostly exist
    (beside the CSV or absolute): a table of texts may well mention "notes.txt" in a column
    of its own."""
    p = Path(path)
    if p.suffix.lower() not in CSV_SUFFIXES or not looks_like_media_csv(str(p), TEXT_EXTENSIONS):
        return False
    try:
        table = read_csv(str(p), max_rows=50, extensions=TEXT_EXTENSIONS)
    except (OSError, DataError, csv.Error, UnicodeError):
        return False
    column = guess_path_column(table, TEXT_EXTENSIONS)
    if column is None:
        return False
    index = table.header.index(column)
    named = [row[index] for row in table.rows if row[index].lower().endswith(TEXT_EXTENSIONS)]
    found = sum(os.path.isfile(resolve_path(name, str(p.parent))) for name in named)
    return found * 2 > len(named)


# -- folders ----------------------------------------------------------------------------------
def _text_item(path: str, label: str, split: str | None, read: TextRead) -> tuple[TextItem, str]:
    words = len(read.text.split())
    return TextItem(path, label, split, read.text, words, read.truncated, read.encoding), "text"


_TEXT = Media(
    noun="text",
    plural="texts",
    adjective="text",
    extensions=TEXT_EXTENSIONS,
    shown_extensions=(".txt",),
    example="e.g. reviews/positive/*.txt and reviews/negative/*.txt",
    check=check_text,
    make_item=_text_item,
    dataset=TextDataset,
    ext_format={".txt": "text"},
    renamed_example="a text named .txt",
    not_media="not .txt files",
)


def _finish_files(dataset: TextDataset) -> TextDataset:
    """Findings of a scanned folder: bad files counted by reason, repeats, encodings."""
    reasons = Counter(_reason_key(b) for b in dataset.bad_files)
    fallback = sum(i.encoding in FALLBACK_ENCODINGS for i in dataset.items)
    findings = {
        "empty": reasons["empty"],
        "whitespace": reasons["whitespace"],
        "undecodable": reasons["undecodable"],
        "not_utf8": fallback,
    }
    notices = []
    if fallback:
        notices.append(
            f"{fallback:,} file(s) are not UTF-8 and were read as Windows-1252 (or Latin-1). "
            "If accented letters look wrong, save them as UTF-8."
        )
    dataset.formats = dict(Counter(encoding_name(i.encoding) for i in dataset.items))
    where = shown(os.path.basename(dataset.root))
    # empty and undecodable files are told by the scan's bad-files notice already
    return _finish(dataset, findings, notices, where, told=("empty", "whitespace", "undecodable"))


def _reason_key(bad: BadFile) -> str:
    if bad.reason == EMPTY_REASON:
        return "empty"
    if bad.reason == WHITESPACE_REASON:
        return "whitespace"
    if bad.reason.startswith(NOT_TEXT):
        return "undecodable"
    return "other"


# -- tables -----------------------------------------------------------------------------------
def _from_table(
    path: str,
    text_column: str | None,
    label_column: str | None,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
) -> TextDataset:
    table = read_texts_table(
        path,
        text_column=text_column,
        label_column=label_column,
        on_event=on_event,
        cancel=cancel,
    )
    name = shown(os.path.basename(path))
    items, findings = _table_items(path, table, on_event, cancel)
    if not items and findings["empty"] + findings["whitespace"] == len(table.rows):
        raise DataError(
            f"The text column '{table.text_column}' of '{name}' holds no text: all its "
            f"{len(table.rows):,} values are empty.",
            "Choose the column that holds the texts (on the command line: --text-column).",
        )
    notices = list(table.notices)
    if table.split_column is not None:
        per = Counter(i.split for i in items)
        parts = [f"{per[s]:,} {s}" for s in ("train", "validation", "test") if per[s]]
        notices.insert(
            0, f"Using the split in the column '{table.split_column}': " + ", ".join(parts) + "."
        )
        if per[None]:
            notices.append(f"{per[None]:,} text(s) without a split value are used for training.")
    dataset = TextDataset(
        root=path,
        layout="table",
        items=items,
        class_names=sorted({i.label for i in items}),
        notices=[],
        formats={table.format: len(items)},
        unlabeled_ignored=findings["no_label"],
        text_column=table.text_column,
        label_column=table.label_column,
        split_column=table.split_column,
    )
    return _finish(dataset, findings, notices, name, told=())


def _table_items(
    path: str, table: TableTexts, on_event: EventCallback | None, cancel: CancelToken | None
) -> tuple[list[TextItem], dict[str, int]]:
    findings = dict.fromkeys(("empty", "whitespace", "no_label", "truncated"), 0)
    findings["bad_lines"] = table.bad_lines
    items: list[TextItem] = []
    total = len(table.rows)
    for n, row in enumerate(table.rows):
        if n % _ROWS_PER_REPORT == 0 and n:
            if cancel is not None:
                cancel.raise_if_cancelled()
            emit(on_event, Progress("load", n / total, f"Reading texts… {n:,} / {total:,}"))
        text = _cell_text(row.text)
        if not text:
            findings["empty"] += 1
            continue
        if not text.strip():
            findings["whitespace"] += 1
            continue
        if row.label is None:
            findings["no_label"] += 1
            continue
        truncated = len(text) > MAX_CHARS
        if truncated:
            text = text[:MAX_CHARS]
            findings["truncated"] += 1
        locator = f"{path}#{row.number}"
        items.append(TextItem(locator, row.label, row.split, text, len(text.split()), truncated))
    return items, findings


def _cell_text(value: object) -> str:
    """A cell as text: '' for a missing value, numbers and such as written."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    try:
        import pandas as pd

        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


# -- both -------------------------------------------------------------------------------------
def _finish(
    dataset: TextDataset,
    findings: dict[str, int],
    notices: list[str],
    where: str,
    *,
    told: tuple[str, ...],
) -> TextDataset:
    """Repeats dropped, findings counted and told, classes checked."""
    items, repeats, conflicts = drop_duplicates(dataset.items)
    findings.update(
        duplicates=repeats,
        conflicting_duplicates=len(conflicts),
        truncated=sum(i.truncated for i in items),
    )
    for key in ("empty", "whitespace", "no_label", "undecodable", "not_utf8", "bad_lines"):
        findings.setdefault(key, 0)
    require_classes(items, where, dataset.label_column)
    dataset.items = items
    dataset.class_names = sorted({i.label for i in items})
    shown_findings = {k: v for k, v in findings.items() if k not in told}
    dataset.notices = [
        *dataset.notices,
        *notices,
        *finding_notices(shown_findings, conflicts, MAX_CHARS),
    ]
    dataset.findings = findings
    return dataset


__all__ = [
    "MAX_CHARS",
    "TEXT_EXTENSIONS",
    "BadFile",
    "TextDataset",
    "TextItem",
    "lists_text_files",
    "load_text",
    "looks_like_text_table",
    "read_text_file",
]
