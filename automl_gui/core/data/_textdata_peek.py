"""A cheap look at a table file: is it a text dataset (one free-text column and a label) or a
table (numbers, categories, perhaps a text column among them)?

Reads at most :data:`PEEK_ROWS` rows (CSV/TSV/TXT: the dialect sniffed from the first bytes,
as ``tabular.read_table`` does; Parquet: the first row batch). JSON Lines files are always
text datasets. Never raises: a file that cannot be peeked at is not claimed.
"""

from __future__ import annotations

import os

from automl_gui.core.data._textdata_columns import (
    choose_label,
    column_shapes,
    split_column,
)
from automl_gui.core.data._textdata_table import JSONL_SUFFIXES

PEEK_ROWS = 2_000
_PEEK_BYTES = 1024 * 1024
_DELIMITED = (".csv", ".tsv", ".txt", ".tab")
_PARQUET = (".parquet", ".pq")


def looks_like_text_table(path: str | os.PathLike[str]) -> bool:
    """True when the table's features besides its label (identifier and split columns
    aside) are exactly one column of free text (a median of 4+ words or 30+ characters on
    average); always True for ``.jsonl``/``.ndjson``. A table of numbers and a text column
    stays a table."""
    name = os.fspath(path).lower()
    if name.endswith(JSONL_SUFFIXES):
        return os.path.isfile(path)
    try:
        df = _peek(os.fspath(path))
    except Exception:  # a peek never fails a detection: the file is just not claimed
        return False
    if df is None or len(df) < 2 or df.shape[1] < 2:
        return False
    shapes = column_shapes(df, PEEK_ROWS)
    scol = split_column([s.name for s in shapes])
    text = [s for s in shapes if s.free_text and s.name != scol]
    if len(text) != 1:
        return False
    (text_shape,) = text
    label = choose_label(shapes, {text_shape.name, scol or ""})
    if label is None:
        return False
    rest = [
        s
        for s in shapes
        if s.name not in (text_shape.name, label.name, scol) and not s.identifier and s.values
    ]
    return not rest


def _peek(path: str):  # noqa: ANN202 - a DataFrame or None; pandas imported lazily
    import pandas as pd

    lower = path.lower()
    if lower.endswith(_PARQUET):
        import pyarrow.parquet as pq

        with open(path, "rb") as fh:
            batches = pq.ParquetFile(fh).iter_batches(batch_size=PEEK_ROWS)
            first = next(batches, None)
        return first.to_pandas() if first is not None else None
    if not lower.endswith(_DELIMITED):
        return None
    from automl_gui.core.data import _sniff

    if not os.path.isfile(path):
        return None
    with open(path, "rb") as fh:
        sample = fh.read(_PEEK_BYTES)
    whole = len(sample) < _PEEK_BYTES
    dialect = _sniff.sniff(sample, whole, os.path.basename(path), lower.endswith((".tsv", ".tab")))
    if not dialect.has_header:
        return None  # a text dataset's columns are named (text, label)
    return pd.read_csv(
        path,
        sep=dialect.delimiter,
        header=0,
        nrows=PEEK_ROWS,
        encoding=dialect.read_encoding,
        encoding_errors="replace",
        on_bad_lines="skip",
        decimal=dialect.decimal,
        engine="c",
    )
