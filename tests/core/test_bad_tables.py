"""Every unreadable table ends in a DataError whose message says what is wrong (never a
traceback), one test per kind of bad input."""

from __future__ import annotations

import builtins
import os

import pandas as pd
import pytest
from data_factory import write_bytes, write_text

from automl_gui.core.base.errors import DataError
from automl_gui.core.data import read_table
from automl_gui.core.data import tabular as tabular_module
from automl_gui.core.kinds import kind_for_path


def _error(path) -> DataError:
    with pytest.raises(DataError) as info:
        read_table(path)
    assert info.value.message and info.value.hint
    return info.value


def test_empty_file(tmp_path):
    err = _error(write_bytes(tmp_path, "empty.csv", b""))
    assert "empty" in err.message and "0 bytes" in err.message


def test_file_of_only_blank_lines(tmp_path):
    err = _error(write_bytes(tmp_path, "blank.csv", b"  \n\n\t \r\n"))
    assert "empty" in err.message


def test_header_only(tmp_path):
    err = _error(write_text(tmp_path, "head.csv", "a,b,c\n"))
    assert "header" in err.message and "no data rows" in err.message
    assert "a, b, c" in err.message


def test_header_only_large_header(tmp_path):
    header = ",".join(f"col{i}" for i in range(20_000)) + "\n"  # longer than the sample
    err = _error(write_text(tmp_path, "wide.csv", header))
    assert "no data rows" in err.message


def test_binary_file_named_csv(tmp_path):
    err = _error(write_bytes(tmp_path, "image.csv", b"a,b\n\x00\x01\x02\x03\xff\xfe" * 10))
    assert "binary" in err.message


def test_excel_workbook_named_csv(tmp_path):
    err = _error(write_bytes(tmp_path, "book.csv", b"PK\x03\x04" + b"\x00" * 50))
    assert "Excel" in err.message and "CSV" in err.hint


def test_control_characters_without_nul_are_binary(tmp_path):
    err = _error(write_bytes(tmp_path, "noise.csv", bytes(range(1, 32)) * 40))
    assert "binary" in err.message or "control characters" in err.message


def test_ragged_row_is_named_by_line_number(tmp_path):
    rows = "1,2,3,4\n" * 55
    path = write_text(tmp_path, "ragged.csv", "a,b,c,d\n" + rows + "1,2,3,4,5\n" + "1,2,3,4\n" * 5)
    err = _error(path)
    assert "Row 57" in err.message
    assert "has 5 fields but the header has 4" in err.message
    assert "Fix that line" in err.hint


def test_row_with_too_few_fields_is_named(tmp_path):
    path = write_text(tmp_path, "short.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n")
    err = _error(path)
    assert "Row 3 has 2 fields but the header has 3" in err.message


def test_many_ragged_rows_are_counted(tmp_path):
    path = write_text(tmp_path, "r.csv", "a,b\n1,2\n1,2,3\n4,5,6\n7,8\n")
    err = _error(path)
    assert "Row 3" in err.message and "2 rows in all" in err.message


def test_missing_file(tmp_path):
    err = _error(tmp_path / "nope.csv")
    assert "does not exist" in err.message


def test_file_deleted_between_detect_and_read(tmp_path):
    path = write_text(tmp_path, "data.csv", "a,b\n1,2\n")
    assert kind_for_path(path).name == "tabular"
    os.remove(path)
    err = _error(path)
    assert "does not exist" in err.message


def test_file_vanishing_while_being_read(tmp_path, monkeypatch):
    path = write_text(tmp_path, "data.csv", "a,b\n1,2\n")

    def vanish(*args, **kwargs):
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(tabular_module.pd, "read_csv", vanish)
    err = _error(path)
    assert "disappeared" in err.message


def test_locked_file_read_by_the_parser(tmp_path, monkeypatch):
    # Tests run as root, where chmod 000 blocks nothing: simulate the lock instead.
    path = write_text(tmp_path, "locked.csv", "a,b\n1,2\n")

    def locked(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(tabular_module.pd, "read_csv", locked)
    err = _error(path)
    assert "Permission denied" in err.message and "locked" in err.message


def test_locked_file_on_open(tmp_path, monkeypatch):
    path = write_text(tmp_path, "locked.csv", "a,b\n1,2\n")
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    err = _error(path)
    assert "Permission denied" in err.message


def test_other_os_error_while_reading(tmp_path, monkeypatch):
    path = write_text(tmp_path, "net.csv", "a,b\n1,2\n")

    def broken(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(tabular_module.pd, "read_csv", broken)
    err = _error(path)
    assert "Could not read" in err.message and "Input/output error" in err.message


def test_a_directory(tmp_path):
    folder = tmp_path / "data.csv"
    folder.mkdir()
    err = _error(folder)
    assert "folder" in err.message


def test_parquet_without_columns(tmp_path):
    path = tmp_path / "none.parquet"
    pd.DataFrame(index=range(3)).to_parquet(path)
    err = _error(path)
    assert "no columns" in err.message


def test_parquet_without_rows(tmp_path):
    path = tmp_path / "rows.parquet"
    pd.DataFrame({"a": pd.Series([], dtype="float64")}).to_parquet(path)
    err = _error(path)
    assert "no data rows" in err.message


def test_csv_named_parquet(tmp_path):
    err = _error(write_text(tmp_path, "data.parquet", "a,b\n1,2\n"))
    assert "not a Parquet file" in err.message and ".csv" in err.hint


def test_damaged_parquet(tmp_path):
    path = tmp_path / "bad.parquet"
    pd.DataFrame({"a": range(100)}).to_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    err = _error(path)
    assert "Parquet" in err.message


def test_unnamed_first_column_gets_a_specific_hint(tmp_path):
    path = write_text(tmp_path, "indexed.csv", "a,b\n0,1,2\n1,3,4\n")
    err = _error(path)
    assert "Row 2 has 3 fields but the header has 2" in err.message
    assert "needs a name" in err.hint
