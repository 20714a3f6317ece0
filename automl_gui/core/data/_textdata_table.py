"""Texts from one file: a table (CSV/TSV/TXT through ``tabular.read_table``, Parquet) or JSON
Lines, with the text and label columns named or chosen (``_textdata_columns``).

Every row becomes a :class:`Row` (its 1-based row number: the data row of a table, the line
of a JSON Lines file), its raw text, label and split; the caller decides what is usable.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from automl_gui.core.base.errors import CancelledError, DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.data._file_guard import shown, special_file
from automl_gui.core.data._textdata_columns import (
    ColumnShape,
    choose_label,
    choose_text,
    column_shapes,
    label_text,
    split_column,
    split_values,
)
from automl_gui.core.data._textdata_read import decode, not_text_reason

JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: JSON Lines files larger than this are refused (they are read whole into memory)
MAX_JSONL_BYTES = 2 * 1024**3
_SHOWN_COLUMNS = 12


@dataclass
class Row:
    """One row: its 1-based number, raw text (None when missing), label and split."""

    number: int
    text: object
    label: str | None
    split: str | None = None


@dataclass
class TableTexts:
    """What a text table holds: rows, the columns used, the format, notices and counts."""

    rows: list[Row]
    text_column: str
    label_column: str
    split_column: str | None
    format: str
    notices: list[str] = field(default_factory=list)
    bad_lines: int = 0


def read_texts_table(
    path: str,
    *,
    text_column: str | None,
    label_column: str | None,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
) -> TableTexts:
    """Rows of a table or JSON Lines file, columns chosen (see the module docstring).

    Raises:
        DataError: unreadable, empty or binary file; no text or label column; a label
            column that is free text; a named column that is not there.
    """
    name = shown(os.path.basename(path))
    bad_lines = 0
    if path.lower().endswith(JSONL_SUFFIXES):
        df, numbers, bad_lines, notices, fmt = _read_jsonl(path, name, cancel)
    else:
        from automl_gui.core.data.tabular import read_table

        loaded = read_table(path, on_event=on_event, cancel=cancel)
        df, notices = loaded.df, list(loaded.notices)
        numbers = list(range(1, len(df) + 1))
        fmt = {"csv": "CSV", "tsv": "TSV", "parquet": "Parquet"}.get(loaded.source.format, "CSV")
    if cancel is not None:
        cancel.raise_if_cancelled()
    emit(on_event, Progress("load", None, f"Choosing the text and label columns of {name}…"))
    tcol, lcol, scol, choice_notices = _choose_columns(df, name, text_column, label_column)
    splits = split_values(df[scol]) if scol is not None else None
    if scol is not None and splits is None:
        notices.append(
            f"The column '{scol}' is not used as the split: its values are not all train, "
            "val(idation) or test (with train and one other)."
        )
        scol = None
    texts = df[tcol].tolist()
    labels = [label_text(v) for v in df[lcol].tolist()]
    split_list = splits.tolist() if splits is not None else [None] * len(df)
    rows = [
        Row(n, t, lab, s) for n, t, lab, s in zip(numbers, texts, labels, split_list, strict=True)
    ]
    return TableTexts(
        rows=rows,
        text_column=tcol,
        label_column=lcol,
        split_column=scol,
        format=fmt,
        notices=notices + choice_notices,
        bad_lines=bad_lines,
    )


def _columns_text(df: pd.DataFrame) -> str:
    names = [str(c) for c in df.columns]
    shown_names = ", ".join(f"'{c}'" for c in names[:_SHOWN_COLUMNS])
    return shown_names + (" …" if len(names) > _SHOWN_COLUMNS else "")


def _choose_columns(
    df: pd.DataFrame, name: str, text_column: str | None, label_column: str | None
) -> tuple[str, str, str | None, list[str]]:
    shapes = {s.name: s for s in column_shapes(df)}
    columns = _columns_text(df)
    scol = split_column(list(shapes))
    notices: list[str] = []
    for given, what in ((text_column, "text"), (label_column, "label")):
        if given is not None and given not in shapes:
            raise DataError(
                f"'{name}' has no column '{given}' (columns: {columns}).",
                f"Choose the {what} column among the columns of the file.",
            )
    if text_column is not None and text_column == label_column:
        raise DataError(
            f"The text and the label are both the column '{text_column}'.",
            "Choose two different columns: one holding the texts, one their classes.",
        )
    exclude = {c for c in (scol, label_column) if c}
    text = shapes[text_column] if text_column else choose_text(list(shapes.values()), exclude)
    if text is None:
        raise DataError(
            f"'{name}' has no column of text (columns: {columns}).",
            "A text dataset needs a column of texts (sentences, reviews, messages) and a "
            "column with each text's class; choose the text column (on the command line: "
            "--text-column). A table of numbers and categories is opened as a table.",
        )
    if label_column:
        label = shapes[label_column]
        _refuse_text_label(label, name)
    else:
        label = choose_label(list(shapes.values()), {text.name, *(c for c in [scol] if c)})
        if label is None:
            raise _no_label_error(name, columns, shapes, text.name, scol)
        notices.append(f"Texts from '{text.name}', classes from '{label.name}'.")
    return text.name, label.name, scol, notices


def _refuse_text_label(label: ColumnShape, name: str) -> None:
    if label.text_not_label:
        raise DataError(
            f"The column '{label.name}' of '{name}' looks like text, not a label: it has "
            f"{label.distinct:,} distinct values in {label.rows:,} rows.",
            "Choose the label column (on the command line: --target): a column with one "
            "class per row, e.g. 'positive'/'negative'.",
        )


def _no_label_error(
    name: str,
    columns: str,
    shapes: dict[str, ColumnShape],
    text: str,
    scol: str | None,
) -> DataError:
    others = [s for s in shapes.values() if s.name not in (text, scol)]
    if not others:
        return DataError(
            f"'{name}' has only the text column '{text}', no column of labels.",
            "Add a column with each text's class (e.g. 'label'), or use a folder with one "
            "subfolder of .txt files per class.",
        )
    wordy = [s for s in others if s.text_not_label]
    if wordy and len(wordy) == len(others):
        s = wordy[0]
        return DataError(
            f"The column '{s.name}' of '{name}' looks like text, not a label "
            f"({s.distinct:,} distinct values in {s.rows:,} rows), and no other column "
            "holds labels.",
            "Choose the label column (on the command line: --target), or add a column with "
            "each text's class.",
        )
    single = [s for s in others if s.distinct == 1]
    if single and len(single) == len(others):
        return DataError(
            f"'{name}' has a single class: the column '{single[0].name}' holds one value "
            "in every row.",
            "A classifier needs at least two classes: add texts of another class.",
        )
    return DataError(
        f"'{name}' has no column that looks like labels next to the texts in '{text}' "
        f"(columns: {columns}).",
        "Choose the label column (on the command line: --target): a column with a few "
        "distinct values, one class per row.",
    )


# -- JSON Lines ---------------------------------------------------------------------------------
def _read_jsonl(
    path: str, name: str, cancel: CancelToken | None
) -> tuple[pd.DataFrame, list[int], int, list[str], str]:
    p = Path(path)
    if not p.exists():
        raise DataError(
            f"'{name}' does not exist (it may have been moved, renamed or deleted).",
            "Check the path and try again.",
        )
    special = special_file(p)
    if special or p.is_dir():
        raise DataError(
            f"'{name}' is {special or 'a folder'}, not a JSON Lines file.",
            "Open a .jsonl file with one JSON object per line.",
        )
    try:
        size = p.stat().st_size
        if size > MAX_JSONL_BYTES:
            raise DataError(
                f"'{name}' is too large ({size / 1024**3:.1f} GB) to read into memory.",
                "Use a smaller sample of its lines, or save it as Parquet.",
            )
        data = p.read_bytes()
    except OSError as exc:
        raise DataError(
            f"Cannot read '{name}': {exc.strerror or exc}.",
            "Check that the file exists and that you may read it.",
        ) from exc
    if not data.strip():
        raise DataError(
            f"'{name}' is empty: there are no texts in it.",
            "Check that you picked the right file and that it finished saving or downloading.",
        )
    junk = not_text_reason(data)
    if junk:
        raise DataError(
            f"'{name}' is {junk.replace('not text', 'not a JSON Lines text file')}.",
            'Open a .jsonl file: one JSON object per line, such as {"text": "…", "label": "…"}.',
        )
    text, encoding = decode(data, True)
    notices = []
    if encoding in ("cp1252", "latin-1"):
        notices.append(
            f"'{name}' is not UTF-8, so it was read as Windows-1252/Latin-1. If accented "
            "letters look wrong, save it as UTF-8."
        )
    records: list[dict[str, object]] = []
    numbers: list[int] = []
    bad = 0
    first_bad: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if number % 10_000 == 0 and cancel is not None and cancel.cancelled:
            raise CancelledError()
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            bad += 1
            first_bad = first_bad or number
            continue
        records.append(record)
        numbers.append(number)
    if not records:
        raise DataError(
            f"'{name}' holds no JSON objects ({bad:,} line(s) are not JSON objects).",
            'Open a .jsonl file: one JSON object per line, such as {"text": "…", "label": "…"}.',
        )
    if bad:
        notices.append(
            f"{bad:,} line(s) of '{name}' are not JSON objects and were left out (the first "
            f"is line {first_bad:,})."
        )
    df = pd.DataFrame.from_records(records)
    df.columns = [str(c) for c in df.columns]
    return df, numbers, bad, notices, "JSON Lines"
