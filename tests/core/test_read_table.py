"""read_table on good files: delimiters, headers, encodings, names, parquet, progress."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from data_factory import write_bytes, write_text

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import CancelToken, Progress
from automl_gui.core.data import read_table


def test_comma_csv_reads_with_types_and_progress_events(tmp_path):
    path = write_text(tmp_path, "data.csv", "a,b,c\n1,2.5,x\n3,4.5,y\n")
    events = []
    table = read_table(path, on_event=events.append)
    df = table.df
    assert list(df.columns) == ["a", "b", "c"]
    assert df["a"].tolist() == [1, 3] and df["b"].tolist() == [2.5, 4.5]
    assert df["c"].tolist() == ["x", "y"]
    assert table.source.format == "csv" and table.source.delimiter == ","
    assert table.source.has_header and table.source.encoding == "utf-8"
    assert table.notices == []
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[0].stage == "load" and progress[0].fraction == 0.0
    assert progress[-1].fraction == 1.0 and "2 rows" in progress[-1].message


def test_cancelled_token_stops_the_read(tmp_path):
    path = write_text(tmp_path, "data.csv", "a,b\n1,2\n")
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        read_table(path, cancel=token)


def test_semicolon_delimiter_is_sniffed(tmp_path):
    path = write_text(tmp_path, "data.csv", "name;city;n\nann;Paris, FR;1\nbob;Rome;2\n")
    table = read_table(path)
    assert table.source.delimiter == ";"
    assert table.df["city"].tolist() == ["Paris, FR", "Rome"]
    assert table.df["n"].tolist() == [1, 2]


def test_semicolon_file_with_decimal_commas_reads_numbers(tmp_path):
    path = write_text(tmp_path, "eu.csv", "x;y\n1,5;2\n3,25;4\n")
    table = read_table(path)
    assert table.df["x"].tolist() == [1.5, 3.25]
    assert table.source.decimal == ","
    assert any("decimal comma" in n for n in table.notices)


def test_tab_delimiter_in_tsv_and_txt(tmp_path):
    for name in ("data.tsv", "data.txt"):
        path = write_text(tmp_path, name, "a\tb\n1\t2\n3\t4\n")
        table = read_table(path)
        assert table.source.delimiter == "\t" and table.source.format == "tsv"
        assert table.df["b"].tolist() == [2, 4]


def test_pipe_delimiter(tmp_path):
    path = write_text(tmp_path, "data.csv", "a|b\n1|x,y\n2|z\n")
    table = read_table(path)
    assert table.source.delimiter == "|"
    assert table.df["b"].tolist() == ["x,y", "z"]


def test_no_header_names_columns_and_says_so(tmp_path):
    path = write_text(tmp_path, "raw.csv", "1,2.5,a\n3,4.5,b\n5,6.5,c\n")
    table = read_table(path)
    assert list(table.df.columns) == ["column_1", "column_2", "column_3"]
    assert len(table.df) == 3  # the first row is data, not lost
    assert table.source.has_header is False
    assert any("No header row" in n for n in table.notices)


def test_text_only_table_keeps_its_header(tmp_path):
    path = write_text(tmp_path, "people.csv", "name,city\nann,paris\nbob,rome\n")
    table = read_table(path)
    assert list(table.df.columns) == ["name", "city"] and len(table.df) == 2


def test_latin1_text_is_decoded_with_a_notice(tmp_path):
    path = write_text(tmp_path, "fr.csv", "ville,n\nMontréal,1\nGenève,2\n", encoding="latin-1")
    table = read_table(path)
    assert table.df["ville"].tolist() == ["Montréal", "Genève"]
    assert table.source.encoding in ("cp1252", "latin-1")
    assert any("not UTF-8" in n for n in table.notices)


def test_latin1_bytes_after_the_sniffed_sample_are_decoded_too(tmp_path):
    text = "name,n\n" + "plain,1\n" * 20_000 + "café,2\n"
    path = write_text(tmp_path, "late.csv", text, encoding="latin-1")
    table = read_table(path)
    assert table.df["name"].iloc[-1] == "café"
    assert any("not UTF-8" in n for n in table.notices)


def test_windows_1252_euro_sign(tmp_path):
    path = write_text(tmp_path, "prices.csv", "item,price\nbook,12 €\n", encoding="cp1252")
    table = read_table(path)
    assert table.df["price"].tolist() == ["12 €"]


def test_utf8_bom_is_dropped_from_the_first_name(tmp_path):
    path = write_bytes(tmp_path, "bom.csv", "\ufeffid,name\n1,Zoë\n".encode())
    table = read_table(path)
    assert list(table.df.columns) == ["id", "name"]
    assert table.df["name"].tolist() == ["Zoë"]
    assert table.source.encoding == "utf-8-sig"
    assert table.notices == []


def test_utf16_text_from_spreadsheet_export(tmp_path):
    path = write_text(tmp_path, "export.txt", "a\tb\n1\tx\n2\ty\n", encoding="utf-16")
    table = read_table(path)
    assert table.df["a"].tolist() == [1, 2] and table.df["b"].tolist() == ["x", "y"]


def test_column_names_are_stripped_blank_named_and_deduplicated(tmp_path):
    path = write_text(tmp_path, "names.csv", " a , a,,b,a\n1,2,3,4,5\n")
    table = read_table(path)
    assert list(table.df.columns) == ["a", "a_2", "column_3", "b", "a_3"]
    assert table.df.iloc[0].tolist() == [1, 2, 3, 4, 5]
    notices = " ".join(table.notices)
    assert "column_3" in notices and "'a' -> 'a_2'" in notices


def test_inf_values_and_duplicate_rows_are_kept(tmp_path):
    path = write_text(tmp_path, "inf.csv", "x,y\ninf,1\n-inf,1\n1.5,2\n1.5,2\n,\n")
    df = read_table(path).df
    assert len(df) == 5  # duplicates and the empty row are kept
    assert math.isinf(df["x"].iloc[0]) and df["x"].iloc[1] == -np.inf
    assert df.iloc[4].isna().all()


def test_mixed_types_column_loads_as_text(tmp_path):
    rows = "".join(f"{i},{i % 3}\n" for i in range(100))
    path = write_text(tmp_path, "mixed.csv", "age,g\n" + rows + "unknown,1\n")
    df = read_table(path).df
    assert len(df) == 101
    assert df["age"].iloc[-1] == "unknown" and df["age"].iloc[0] == "0"


def test_quoted_line_breaks_are_read(tmp_path):
    path = write_text(tmp_path, "notes.csv", 'id,note\n1,"two\nlines"\n2,plain\n')
    df = read_table(path).df
    assert df["note"].tolist() == ["two\nlines", "plain"]


def test_iso_dates_become_datetimes(tmp_path):
    path = write_text(tmp_path, "dates.csv", "day,x\n2024-01-31,1\n2024-02-01,2\n")
    df = read_table(path).df
    assert pd.api.types.is_datetime64_any_dtype(df["day"])


def test_parquet_is_read_with_its_types(tmp_path):
    df = pd.DataFrame({" a ": [1, 2], "b": ["x", None], "c": [1.5, np.inf]})
    path = tmp_path / "t.parquet"
    df.to_parquet(path)
    table = read_table(path)
    assert table.source.format == "parquet"
    assert list(table.df.columns) == ["a", "b", "c"]
    assert table.df["c"].iloc[1] == np.inf and pd.isna(table.df["b"].iloc[1])


def test_parquet_named_index_becomes_a_column(tmp_path):
    df = pd.DataFrame({"v": [1, 2]}, index=pd.Index([10, 11], name="row_id"))
    path = tmp_path / "t.pq"
    df.to_parquet(path)
    table = read_table(path)
    assert list(table.df.columns) == ["row_id", "v"]


def test_the_users_file_is_not_modified(tmp_path):
    path = write_text(tmp_path, "keep.csv", " a ,a\n1,2\n")
    before = path.read_bytes()
    read_table(path)
    assert path.read_bytes() == before
