"""Read a table file (CSV/TSV/TXT or Parquet) into a DataFrame, or say plainly why not.

Delimited text is sniffed from its first 64 KB (encoding, delimiter, header; see
:mod:`._sniff`), then parsed by pyarrow through ``pandas.read_csv(engine="pyarrow")`` (the
fastest reader we have: sniffing adds milliseconds, not a second pass). When pyarrow cannot
parse the file, the file is scanned line by line to name the first row with the wrong number
of fields. Values are kept as read: no rows are dropped, ``inf`` stays ``inf``; only column
names are cleaned (stripped, blank ones named ``column_N``, duplicates made unique).
"""

from __future__ import annotations

import csv
import datetime as _dt
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa

import automl_gui.core.data._sniff as _sniff
from automl_gui.core.base.errors import CancelledError, DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.data._cells import oversized_cell
from automl_gui.core.data._file_guard import MAX_CELL_BYTES, shown, special_file
from automl_gui.core.data.detect import PARQUET_SUFFIXES, special_file_message
from automl_gui.core.data.schema import LoadedTable, TableSource

__all__ = ["read_table"]

_TEXT_HINT = "Open a CSV/TSV text file (one row per line, values separated by commas) or Parquet."


def read_table(
    path: str | os.PathLike[str],
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> LoadedTable:
    """Read ``path`` into a :class:`LoadedTable` (DataFrame, how it was read, notices).

    Emits ``Progress("load", ...)`` at the start and end, and checks ``cancel`` between
    steps. Raises :class:`DataError` (message + hint) for a missing, vanished, unreadable,
    empty, header-only, binary or ragged file, a folder, a named pipe, socket or device, or
    a table without columns.
    """
    p = Path(path)
    name = shown(p.name or str(p))  # printable: messages and notices carry it
    emit(on_event, Progress("load", 0.0, f"Reading {name}…"))
    _check_cancel(cancel)
    try:
        if p.is_dir():
            raise DataError(
                f"'{name}' is a folder, not a table file.",
                "Open a .csv, .tsv, .txt or .parquet file, or drop the folder to load it "
                "as an image/audio dataset.",
            )
        special = special_file(p)  # looked at without opening: a named pipe blocks open()
        if special:
            raise DataError(special_file_message(name, special), _TEXT_HINT)
        if p.suffix.lower() in PARQUET_SUFFIXES:
            table = _read_parquet(p, name)
        else:
            table = _read_delimited(p, name, cancel)
    except (DataError, CancelledError):
        raise
    except FileNotFoundError as exc:
        # The first bytes were read before parsing began, so the file vanished mid-read.
        raise _missing_error(p, vanished=True) from exc
    except PermissionError as exc:
        raise _permission_error(name) from exc
    except IsADirectoryError as exc:  # pragma: no cover - checked above, races aside
        raise DataError(f"'{name}' is a folder, not a table file.", _TEXT_HINT) from exc
    except MemoryError as exc:
        raise DataError(
            f"'{name}' is too large to load into memory.",
            "Use a smaller sample of the rows (or fewer columns), or free some memory.",
        ) from exc
    except OSError as exc:
        raise DataError(
            f"Could not read '{name}': {exc.strerror or exc}.",
            "Check that the file exists, is not open in another program, and that the "
            "disk or network drive is available.",
        ) from exc
    except (ValueError, TypeError, LookupError, csv.Error, pa.ArrowException) as exc:
        # A parser failure none of the checks above foresaw: still a message, not a crash.
        raise DataError(
            f"'{name}' could not be read as a table: {_first_line(exc)}",
            _TEXT_HINT + " Saving it again from a spreadsheet program often fixes odd files.",
        ) from exc

    _check_cancel(cancel)
    df = table.df
    emit(
        on_event,
        Progress("load", 1.0, f"Loaded {len(df):,} rows × {df.shape[1]:,} columns from {name}"),
    )
    return table


# -- delimited text ----------------------------------------------------------------------


def _read_delimited(p: Path, name: str, cancel: CancelToken | None) -> LoadedTable:
    size, sample = _read_sample(p, name)
    if size == 0:
        raise _empty_error(name, "0 bytes")
    whole = len(sample) >= size
    if not sample.strip() and _rest_is_blank(p, len(sample)):
        raise _empty_error(name, "only blank lines or spaces")
    dialect = _sniff.sniff(sample, whole, name, prefer_tab=p.suffix.lower() in (".tsv", ".tab"))
    if not dialect.rows:
        raise _empty_error(name, "no rows")
    if dialect.has_header and len(dialect.rows) == 1 and (whole or _one_line_only(p)):
        raise _header_only_error(name, dialect.first_row)
    _check_cancel(cancel)
    if size > MAX_CELL_BYTES:
        _refuse_oversized_cell(p, name, dialect)
        _check_cancel(cancel)

    notices = list(dialect.notices)
    df, encoding = _parse(p, name, dialect, cancel, notices)

    if dialect.has_header:
        raw = dialect.first_row if len(dialect.first_row) == df.shape[1] else list(df.columns)
    else:
        raw = [f"column_{i}" for i in range(1, df.shape[1] + 1)]
        notices.append(
            f"No header row was found, so the {df.shape[1]} columns were named "
            "column_1, column_2, ... If the first row holds names, check that they are not "
            "numbers."
        )
    names, name_notices = _sniff.clean_names(raw)
    df.columns = names
    notices += name_notices
    _check_shape(df, name, dialect.first_row if dialect.has_header else None)
    _convert_dates(df)
    source = TableSource(
        path=str(p),
        format="tsv" if dialect.delimiter == "\t" else "csv",
        delimiter=dialect.delimiter,
        encoding=encoding,
        has_header=dialect.has_header,
        decimal=dialect.decimal,
    )
    return LoadedTable(df=df, source=source, notices=notices)


def _parse(
    p: Path,
    name: str,
    dialect: _sniff.Dialect,
    cancel: CancelToken | None,
    notices: list[str],
) -> tuple[pd.DataFrame, str]:
    """Parse the file; when it is not valid UTF-8 after all, read it again as Windows-1252."""
    encoding, read_encoding = dialect.encoding, dialect.read_encoding
    fallbacks = {
        "utf-8": ["cp1252", "latin-1"],
        "utf-8-sig": ["cp1252", "latin-1"],
        "cp1252": ["latin-1"],
    }.get(encoding, [])
    while True:
        df = _parse_once(p, name, dialect, encoding, read_encoding, cancel, notices)
        if df is not None and (not fallbacks or not _has_bytes_columns(df)):
            return df, encoding
        if not fallbacks:
            raise DataError(f"'{name}' could not be decoded as text ({encoding}).", _TEXT_HINT)
        # Bytes past the sniffed sample are not valid in this encoding: use the next one.
        encoding = read_encoding = fallbacks.pop(0)
        notices[:] = [n for n in notices if "is not UTF-8" not in n]
        notices.append(_sniff.not_utf8_notice(name, encoding))
        _check_cancel(cancel)


def _parse_once(
    p: Path,
    name: str,
    dialect: _sniff.Dialect,
    encoding: str,
    read_encoding: str,
    cancel: CancelToken | None,
    notices: list[str],
) -> pd.DataFrame | None:
    """One parse with pyarrow (C engine if pyarrow fails); None on a decoding failure."""
    options = {
        "sep": dialect.delimiter,
        "header": 0 if dialect.has_header else None,
        "decimal": dialect.decimal,
    }
    try:
        return pd.read_csv(p, engine="pyarrow", encoding=read_encoding, **options)
    except pd.errors.EmptyDataError as exc:
        raise _empty_error(name, "no columns") from exc
    except UnicodeError:
        return None
    except (pd.errors.ParserError, ValueError) as exc:
        if "utf8" in str(exc).lower().replace("-", ""):
            return None
        first_error: Exception = exc
    _explain_parse_failure(p, name, dialect, encoding, first_error, cancel)
    try:
        df = pd.read_csv(p, engine="c", encoding=read_encoding, low_memory=False, **options)
    except UnicodeError:
        return None
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataError(
            f"'{name}' could not be parsed as a table: {_first_line(first_error)}",
            "Check that every row has the same number of fields and that quotes are "
            "balanced, or save the file again as CSV from a spreadsheet program.",
        ) from exc
    notices.append(
        f"'{name}' was read with the slower careful reader (it has line breaks inside "
        "quoted values or an unusual layout)."
    )
    return df


def _explain_parse_failure(
    p: Path,
    name: str,
    dialect: _sniff.Dialect,
    encoding: str,
    exc: Exception,
    cancel: CancelToken | None,
) -> None:
    """Raise DataError naming the first ragged row; return if no row is ragged."""
    found = _find_ragged_row(p, encoding, dialect.delimiter, cancel)
    if found is None:
        return
    line, got, expected, bad_rows, data_rows = found
    what = "the header has" if dialect.has_header else "the first row has"
    more = f" ({bad_rows:,} rows in all have the wrong number of fields.)" if bad_rows > 1 else ""
    delim = _sniff.DELIMITER_NAMES.get(dialect.delimiter, repr(dialect.delimiter))
    hint = (
        f"Fix that line or remove it (look for a missing or extra {delim}, or a value "
        f"containing a {delim} without quotes around it), then load the file again."
    )
    if dialect.has_header and bad_rows == data_rows and got == expected + 1:
        hint = (
            "Every row has one more field than the header: the first column (often a row "
            "number written without a name) needs a name. Add one at the start of the first "
            "line, then load the file again."
        )
    raise DataError(
        f"Row {line} has {got} fields but {what} {expected} (in '{name}').{more}", hint
    ) from exc


def _find_ragged_row(
    p: Path, encoding: str, delimiter: str, cancel: CancelToken | None
) -> tuple[int, int, int, int, int] | None:
    """``(line number, fields, expected fields, bad rows, data rows)`` of the first bad row."""
    first: tuple[int, int, int] | None = None
    bad = rows = 0
    expected: int | None = None
    with open(p, newline="", encoding=encoding, errors="replace") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            for i, row in enumerate(reader):
                if not row:
                    continue
                if expected is None:
                    expected = len(row)
                    continue
                rows += 1
                if len(row) != expected:
                    bad += 1
                    if first is None:
                        first = (reader.line_num, len(row), expected)
                if cancel is not None and i % 65536 == 0:
                    cancel.raise_if_cancelled()
        except csv.Error:
            pass  # e.g. an unterminated quote at the end; the C engine reports it
    if first is None:
        return None
    return (*first, bad, rows)


def _refuse_oversized_cell(p: Path, name: str, dialect: _sniff.Dialect) -> None:
    """DataError naming the line and column of a value over ``MAX_CELL_BYTES``."""
    found = oversized_cell(p, dialect.delimiter)
    if found is None:
        return
    line, field, size = found
    column = ""
    if dialect.has_header and field < len(dialect.first_row):
        column = f", column '{str(dialect.first_row[field]).strip() or field + 1}'"
    elif dialect.delimiter:
        column = f", column {field + 1}"
    raise DataError(
        f"Line {line:,} of '{name}' holds a value of {size / 1e6:,.1f} MB{column}: values "
        f"over {MAX_CELL_BYTES / 1e6:.1f} MB are not read (the table would need many times "
        "that in memory).",
        "Shorten or remove that value (keep long texts or data in files of their own and "
        "put their names in the table), then load the file again.",
    )


def _has_bytes_columns(df: pd.DataFrame) -> bool:
    """pyarrow turns text that is not valid UTF-8 into ``bytes`` values: detect that."""
    for i, dtype in enumerate(df.dtypes):
        if dtype != object:  # noqa: E721 - numpy object dtype, not a type check
            continue
        value = _first_valid(df.iloc[:, i])
        if isinstance(value, bytes):
            return True
    return False


def _first_valid(series: pd.Series) -> object:
    idx = series.first_valid_index()
    return None if idx is None else series.loc[idx]


def _convert_dates(df: pd.DataFrame) -> None:
    """pyarrow reads ``2020-01-31`` as Python ``date`` objects; make them datetime64."""
    for i, dtype in enumerate(df.dtypes):
        if dtype != object:  # noqa: E721 - numpy object dtype, not a type check
            continue
        value = _first_valid(df.iloc[:, i])
        if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime):
            try:
                df.isetitem(i, pd.to_datetime(df.iloc[:, i]))
            except (ValueError, TypeError, OverflowError):
                continue  # e.g. year 1 or 9999: keep the date objects


def _read_sample(p: Path, name: str) -> tuple[int, bytes]:
    try:
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            sample = fh.read(_sniff.SAMPLE_BYTES)
    except FileNotFoundError as exc:
        raise _missing_error(p, vanished=False) from exc
    except IsADirectoryError as exc:
        raise DataError(f"'{name}' is a folder, not a table file.", _TEXT_HINT) from exc
    except PermissionError as exc:
        raise _permission_error(name) from exc
    return max(size, len(sample)), sample


def _one_line_only(p: Path) -> bool:
    """True when nothing but blank space follows the first line (a very long header)."""
    with open(p, "rb") as fh:
        offset = 0
        while chunk := fh.read(1 << 20):
            cut = chunk.find(b"\n")
            if cut >= 0:
                return not chunk[cut + 1 :].strip() and _rest_is_blank(p, offset + len(chunk))
            offset += len(chunk)
    return True


def _rest_is_blank(p: Path, offset: int) -> bool:
    with open(p, "rb") as fh:
        fh.seek(offset)
        while chunk := fh.read(1 << 20):
            if chunk.strip():
                return False
    return True


# -- parquet -----------------------------------------------------------------------------


def _read_parquet(p: Path, name: str) -> LoadedTable:
    size, head = _read_sample(p, name)
    if size == 0:
        raise _empty_error(name, "0 bytes")
    if not head.startswith(b"PAR1"):
        looks_text = b"\x00" not in head[:4096] and head[:4096].strip() != b""
        raise DataError(
            f"'{name}' is not a Parquet file"
            + (" (it looks like a text table, e.g. CSV)." if looks_text else "."),
            "Rename it to end in .csv and open it again."
            if looks_text
            else "Open a valid .parquet file, or a CSV file.",
        )
    try:
        # A file object, not the path: pyarrow encodes a path as UTF-8, so a name that is
        # not valid UTF-8 failed as "could not be read as Parquet" (read_table has checked
        # that it is a regular file: open() cannot block).
        with open(p, "rb") as fh:
            df = pd.read_parquet(fh, engine="pyarrow")
    except (pa.ArrowException, ValueError) as exc:
        raise DataError(
            f"'{name}' could not be read as Parquet: {_first_line(exc)}",
            "The file may be damaged or incomplete; write it again and retry.",
        ) from exc
    if df.index.names != [None]:
        df = df.reset_index()  # a named index is data the user should see as a column
    elif not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index(drop=True)
    names, notices = _sniff.clean_names(list(df.columns))
    df.columns = names
    _check_shape(df, name, None)
    _convert_dates(df)
    return LoadedTable(df=df, source=TableSource(path=str(p), format="parquet"), notices=notices)


# -- shared checks and messages ----------------------------------------------------------


def _check_shape(df: pd.DataFrame, name: str, header: list[str] | None) -> None:
    if df.shape[1] == 0:
        raise DataError(
            f"'{name}' has no columns.", "Open a table with at least one column of values."
        )
    if len(df) == 0:
        raise _header_only_error(name, header if header is not None else list(df.columns))


def _check_cancel(cancel: CancelToken | None) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()


def _missing_error(p: Path, vanished: bool) -> DataError:
    if vanished:
        return DataError(
            f"'{p.name}' disappeared while it was being read (moved, renamed or deleted).",
            "Put the file back (or wait for a sync/download to finish) and open it again.",
        )
    return DataError(
        f"'{p}' does not exist (it may have been moved, renamed or deleted).",
        "Check the path, or drop the file on the window again.",
    )


def _permission_error(name: str) -> DataError:
    return DataError(
        f"Permission denied: '{name}' cannot be read. It may be locked by another program "
        "(e.g. open in Excel) or you may not have access to it.",
        "Close it in other programs, or copy it to a folder you can read, then try again.",
    )


def _empty_error(name: str, detail: str) -> DataError:
    return DataError(
        f"'{name}' is empty ({detail}): there is no table in it.",
        "Check that you picked the right file and that it finished saving or downloading.",
    )


def _header_only_error(name: str, header: list[str]) -> DataError:
    shown = ", ".join(str(h) for h in header[:6]) + (", ..." if len(header) > 6 else "")
    return DataError(
        f"'{name}' has a header row ({shown}) but no data rows.",
        "Add rows of data below the header, or open the file that holds the data.",
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
