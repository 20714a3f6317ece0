"""load_text: every layout (table CSV/TSV/Parquet, JSON Lines, class folders, split folders, a
table's split column), the findings it counts, the bad input it refuses with a message,
Unicode and encodings, truncation, and the cheap peek that tells a text table from a table."""

from __future__ import annotations

import codecs
import hashlib
import json
import os

import pandas as pd
import pytest

from automl_gui.core.base.errors import DataError
from automl_gui.core.data.text import (
    MAX_CHARS,
    TextDataset,
    lists_text_files,
    load_text,
    looks_like_text_table,
    read_text_file,
)

POS = ["what a lovely film", "great acting and a moving story", "I would watch it again"]
NEG = ["a dull and slow plot", "the worst film this year", "I left before the end"]


def _write_csv(path, rows, header=("text", "label"), sep=","):
    pd.DataFrame(rows, columns=list(header)).to_csv(path, index=False, sep=sep)
    return path


def _rows():
    return [(t, "pos") for t in POS] + [(t, "neg") for t in NEG]


def _folders(root, classes=None, split=None):
    classes = classes or {"pos": POS, "neg": NEG}
    base = root / split if split else root
    for label, texts in classes.items():
        (base / label).mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(texts):
            (base / label / f"{i:02d}.txt").write_text(text, encoding="utf-8")
    return root


def _hashes(folder):
    out = {}
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                out[path] = hashlib.sha256(fh.read()).hexdigest()
    return out


# -- layouts ----------------------------------------------------------------------------------
def test_csv_table_chooses_text_and_label_columns(tmp_path):
    rows = [(i, t, lab, 3.5) for i, (t, lab) in enumerate(_rows())]
    path = _write_csv(tmp_path / "reviews.csv", rows, ("id", "review", "sentiment", "stars"))
    before = _hashes(tmp_path)
    ds = load_text(path)
    assert isinstance(ds, TextDataset)
    assert ds.layout == "table" and not ds.has_split
    assert (ds.text_column, ds.label_column) == ("review", "sentiment")
    assert ds.class_names == ["neg", "pos"]
    assert ds.class_counts() == {"neg": 3, "pos": 3}
    first = ds.items[0]
    assert first.path == f"{path.absolute()}#1" and first.text == POS[0] and first.words == 4
    assert ds.text_of(ds.items[4].path) == NEG[1]
    assert ds.texts("neg") == NEG
    assert ds.folder == str(tmp_path) and ds.holds(first.path)
    assert ds.median_words() == pytest.approx(5.0)
    assert "Texts from 'review', classes from 'sentiment'." in ds.notices
    assert _hashes(tmp_path) == before  # the user's file is only read


def test_named_columns_are_used_and_checked(tmp_path):
    rows = [(t, lab, lab.upper()) for t, lab in _rows()]
    path = _write_csv(tmp_path / "t.csv", rows, ("body", "label", "other"))
    ds = load_text(path, text_column="body", label_column="other")
    assert ds.class_names == ["NEG", "POS"] and ds.label_column == "other"
    with pytest.raises(DataError, match="no column 'nope'"):
        load_text(path, text_column="nope")
    with pytest.raises(DataError, match="both the column"):
        load_text(path, text_column="body", label_column="body")


def test_tsv_and_parquet_tables(tmp_path):
    tsv = _write_csv(tmp_path / "t.tsv", _rows(), sep="\t")
    assert load_text(tsv).formats == {"TSV": 6}
    parquet = tmp_path / "t.parquet"
    pd.DataFrame(_rows(), columns=["text", "category"]).to_parquet(parquet)
    ds = load_text(parquet)
    assert ds.formats == {"Parquet": 6} and ds.label_column == "category"
    assert ds.texts() == POS + NEG


def test_numeric_labels_read_as_class_names(tmp_path):
    rows = [(t, 1 if lab == "pos" else 0) for t, lab in _rows()]
    ds = load_text(_write_csv(tmp_path / "t.csv", rows, ("text", "rating")))
    assert ds.class_names == ["0", "1"]


def test_jsonl_counts_lines_that_are_not_json(tmp_path):
    path = tmp_path / "t.jsonl"
    lines = [json.dumps({"text": t, "label": lab, "n": 1}) for t, lab in _rows()]
    lines.insert(2, "{not json")
    lines.insert(4, "[1, 2]")
    lines.insert(5, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ds = load_text(path)
    assert len(ds) == 6 and ds.formats == {"JSON Lines": 6}
    assert ds.findings["bad_lines"] == 2
    assert any("2 line(s)" in n and "first is line 3" in n for n in ds.notices)
    # the locator is the line number
    assert ds.items[2].path.endswith("#4") and ds.items[2].text == POS[2]


def test_ndjson_not_utf8_is_read_with_a_notice(tmp_path):
    path = tmp_path / "t.ndjson"
    lines = [json.dumps({"body": t, "sentiment": lab}, ensure_ascii=False) for t, lab in _rows()]
    lines[0] = '{"body": "caf\xe9 cr\xe8me was lovely", "sentiment": "pos"}'
    path.write_bytes("\n".join(lines).encode("cp1252"))
    ds = load_text(path)
    assert ds.items[0].text == "café crème was lovely" and ds.label_column == "sentiment"
    assert any("not UTF-8" in n for n in ds.notices)


def test_class_folders(tmp_path):
    _folders(tmp_path)
    (tmp_path / "pos" / "notes.md").write_text("ignored", encoding="utf-8")
    ds = load_text(tmp_path)
    assert ds.layout == "class_folders" and ds.class_names == ["neg", "pos"]
    assert len(ds) == 6 and ds.other_ignored == 1
    assert ds.items[0].path == str(tmp_path / "neg" / "00.txt")
    assert ds.text_of(str(tmp_path / "pos" / "01.txt")) == POS[1]
    assert ds.formats == {"UTF-8": 6} and ds.folder == str(tmp_path)


def test_split_folders(tmp_path):
    _folders(tmp_path, split="train")
    _folders(tmp_path, {"pos": ["nice one", "fine film"], "neg": ["bad one", "awful"]}, "val")
    ds = load_text(tmp_path)
    assert ds.layout == "split_folders" and ds.has_split
    assert ds.class_counts("validation") == {"neg": 2, "pos": 2}
    assert ds.class_counts("train") == {"neg": 3, "pos": 3}


def test_csv_listing_txt_files(tmp_path):
    _folders(tmp_path / "files")
    rows = [(f"files/{lab}/{i:02d}.txt", lab) for lab in ("pos", "neg") for i in range(3)]
    listing = _write_csv(tmp_path / "list.csv", rows, ("file", "label"))
    assert lists_text_files(listing)
    ds = load_text(listing)
    assert ds.layout == "csv" and len(ds) == 6 and ds.folder == str(tmp_path)
    assert ds.text_of(str(tmp_path / "files" / "neg" / "02.txt")) == NEG[2]
    # a table of texts that mentions file names (that are not there) is a table
    rows = [(t, lab, "notes.txt") for t, lab in _rows()]
    table = _write_csv(tmp_path / "t.csv", rows, ("text", "label", "source"))
    assert not lists_text_files(table)
    assert load_text(table).layout == "table"


def test_table_split_column(tmp_path):
    rows = [(t, lab, "train") for t, lab in _rows()] + [
        ("good fun", "pos", "Test"),
        ("so boring", "neg", "val"),
        ("no split here", "neg", None),
    ]
    ds = load_text(_write_csv(tmp_path / "t.csv", rows, ("text", "label", "split")))
    assert ds.has_split and ds.split_column == "split" and ds.label_column == "label"
    assert [i.split for i in ds.items[-3:]] == ["test", "validation", None]
    assert ds.notices[0].startswith("Using the split in the column 'split': 6 train, 1 ")
    assert any("without a split value" in n for n in ds.notices)
    # values that are not splits: an ordinary column, not the split
    rows = [(t, lab, "A") for t, lab in _rows()]
    ds = load_text(_write_csv(tmp_path / "u.csv", rows, ("text", "label", "split")))
    assert not ds.has_split and any("is not used as the split" in n for n in ds.notices)


# -- findings ---------------------------------------------------------------------------------
def test_table_findings_empty_whitespace_duplicates_conflicts_truncated(tmp_path):
    long = "word " * (MAX_CHARS // 5 + 100)
    rows = [
        *_rows(),
        ("", "pos"),
        ("   \n\t ", "neg"),
        (POS[0], "pos"),  # a repeat: left out
        ("what  a lovely\nfilm", "pos"),  # the same words spaced otherwise: a repeat
        (NEG[0], "pos"),  # the same text, another label: kept, told
        (long, "neg"),
        ("a text without a label", None),
    ]
    ds = load_text(_write_csv(tmp_path / "t.csv", rows))
    f = ds.findings
    assert (f["empty"], f["whitespace"], f["duplicates"]) == (1, 1, 2)
    assert (f["conflicting_duplicates"], f["truncated"], f["no_label"]) == (1, 1, 1)
    assert len(ds) == 8 and ds.unlabeled_ignored == 1
    cut = [i for i in ds.items if i.truncated]
    assert len(cut) == 1 and len(cut[0].text) == MAX_CHARS
    text = " ".join(ds.notices)
    assert "1 empty text(s) were left out" in text
    assert "2 text(s) repeat an earlier text" in text
    assert "cut to that length" in text and f"{MAX_CHARS:,}" in text
    assert "'a dull and slow plot' as 'neg' and 'pos'" in text


def test_folder_findings_and_bad_files(tmp_path):
    _folders(tmp_path)
    (tmp_path / "pos" / "empty.txt").write_bytes(b"")
    (tmp_path / "pos" / "blank.txt").write_text(" \n\n ", encoding="utf-8")
    (tmp_path / "neg" / "junk.txt").write_bytes(os.urandom(64) + b"\x00" * 8 + os.urandom(64))
    (tmp_path / "neg" / "doc.txt").write_bytes(b"%PDF-1.4 not a text")
    (tmp_path / "neg" / "copy.txt").write_text(NEG[0], encoding="utf-8")
    (tmp_path / "neg" / "big.txt").write_text("ab " * MAX_CHARS, encoding="utf-8")
    before = _hashes(tmp_path)
    ds = load_text(tmp_path)
    assert _hashes(tmp_path) == before  # nothing written, nothing changed
    f = ds.findings
    assert (f["empty"], f["whitespace"], f["undecodable"]) == (1, 1, 2)
    assert (f["duplicates"], f["truncated"]) == (1, 1)
    reasons = {os.path.basename(b.path): b.reason for b in ds.bad_files}
    assert reasons["empty.txt"] == "empty file (0 bytes)"
    assert reasons["blank.txt"] == "only whitespace"
    assert reasons["junk.txt"].startswith("not text (binary data")
    assert reasons["doc.txt"] == "not text (a PDF document)"
    assert any("4 file(s) could not be used" in n for n in ds.notices)
    assert len(ds.text_of(str(tmp_path / "neg" / "big.txt"))) == MAX_CHARS


# -- Unicode and encodings --------------------------------------------------------------------
def test_unicode_texts_count_words_by_spaces(tmp_path):
    rows = [
        ("这部电影 非常 好看", "pos"),
        ("هذا الفيلم رائع جدا", "pos"),
        ("Très bien 😀🎬 vraiment", "pos"),
        ("太无聊了", "neg"),
        ("فيلم ممل", "neg"),
        ("nul 👎", "neg"),
    ]
    ds = load_text(_write_csv(tmp_path / "t.csv", rows))
    assert ds.word_counts() == [3, 4, 4, 1, 2, 2]
    assert ds.texts("pos")[2] == "Très bien 😀🎬 vraiment"


@pytest.mark.parametrize(
    ("data", "encoding", "notice"),
    [
        ("Crème brûlée — 😀".encode(), "UTF-8", False),
        (codecs.BOM_UTF8 + "Crème brûlée — 😀".encode(), "UTF-8 (with BOM)", False),
        ("Crème brûlée — 😀".encode("utf-16"), "UTF-16", False),
        ("Crème brûlée — €".encode("cp1252"), "Windows-1252 (Western European)", True),
        (b"Cr\xe8me br\x81l\xe9e", "Latin-1 (ISO-8859-1)", True),  # \x81: not cp1252
    ],
)
def test_txt_encodings(tmp_path, data, encoding, notice):
    _folders(tmp_path)
    (tmp_path / "pos" / "odd.txt").write_bytes(data)
    ds = load_text(tmp_path)
    text = ds.text_of(str(tmp_path / "pos" / "odd.txt"))
    assert text.startswith("Crème br") and "\ufeff" not in text
    assert encoding in ds.formats
    assert (ds.findings["not_utf8"] == 1) == notice
    assert any("not UTF-8" in n for n in ds.notices) == notice
    assert read_text_file(tmp_path / "pos" / "odd.txt") == text


def test_read_text_file_truncates_and_refuses(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("é" * (MAX_CHARS * 3), encoding="utf-8")
    assert read_text_file(big) == "é" * MAX_CHARS
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(DataError, match="empty file"):
        read_text_file(tmp_path / "empty.txt")
    with pytest.raises(DataError, match="does not exist"):
        read_text_file(tmp_path / "missing.txt")
    (tmp_path / "x.txt").write_bytes(b"\x89PNG\r\n\x1a\n....")
    with pytest.raises(DataError, match="PNG"):
        read_text_file(tmp_path / "x.txt")


# -- bad input --------------------------------------------------------------------------------
def test_empty_files_are_refused(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        load_text(tmp_path / "e.csv")
    (tmp_path / "e.jsonl").write_text("\n \n", encoding="utf-8")
    with pytest.raises(DataError, match="empty"):
        load_text(tmp_path / "e.jsonl")


def test_binary_junk_is_refused(tmp_path):
    (tmp_path / "j.csv").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(DataError, match="binary|not a text"):
        load_text(tmp_path / "j.csv")
    (tmp_path / "j.jsonl").write_bytes(b"PK\x03\x04" + os.urandom(100))
    with pytest.raises(DataError, match="zip"):
        load_text(tmp_path / "j.jsonl")


#: words of real texts in several scripts (the generated texts below mix them)
_SCRIPTS = {
    "latin": "café crème déjà naïve Größe über façade año señor smörgåsbord".split(),
    "cjk": "今天 天气 很好 我们 去 公园 散步 日本語 のテキスト 한국어 문장".split(),
    "arabic": "هذا فيلم رائع جدا أحببت القصة والتمثيل".split(),
    "emoji": "👍 😀 🎬 ❤️ 👨‍👩‍👧 🇫🇷 great fun".split(),
    "ascii": "the quick brown fox jumps over the lazy dog again and again".split(),
}


def _real_text(rng, script, size):
    """A text of about ``size`` bytes in UTF-8: words of ``script`` with tabs and newlines."""
    words, text = _SCRIPTS[script], ""
    while len(text.encode()) < size:
        text += rng.choice(words) + rng.choice([" ", " ", " ", "\t", "\n", ", ", ".\r\n"])
    return text


def test_random_bytes_are_refused_and_real_texts_in_any_script_pass(tmp_path):
    """Random bytes of 100-500 bytes decode as Windows-1252/Latin-1 with 11-23 % control
    characters: none of 200 may pass as a text; real texts (CJK, Arabic, emoji, accents in
    UTF-8, UTF-16 and Windows-1252, tabs and newlines) all pass."""
    import random

    from automl_gui.core.data._textdata_read import TextRead, check_text

    for size in (100, 300, 500):
        rng = random.Random(size)
        passed = []
        for i in range(200):
            path = tmp_path / f"junk_{size}_{i}.txt"
            path.write_bytes(rng.randbytes(size))
            if isinstance(check_text(str(path)), TextRead):
                passed.append(path.name)
        assert passed == [], f"{len(passed)} random files of {size} bytes passed as text"
    rng = random.Random(7)
    for i in range(200):
        script = list(_SCRIPTS)[i % len(_SCRIPTS)]
        text = _real_text(rng, script, rng.randint(100, 500))
        encoding = ["utf-8", "utf-8-sig", "utf-16"][i % 3]
        if script in ("latin", "ascii") and i % 2:
            encoding = "cp1252"
        path = tmp_path / f"real_{i}.txt"
        path.write_bytes(text.encode(encoding))
        read = check_text(str(path))
        assert isinstance(read, TextRead), f"{script} in {encoding}: {read}"
        assert read.text == text


def test_single_class_is_refused(tmp_path):
    rows = [(t, "pos") for t in POS + NEG]
    with pytest.raises(DataError, match="single class"):
        load_text(_write_csv(tmp_path / "t.csv", rows))
    with pytest.raises(DataError, match="Only one class"):
        load_text(_write_csv(tmp_path / "t.csv", rows), label_column="label")
    _folders(tmp_path / "f", {"pos": POS})
    with pytest.raises(DataError, match="Only one class"):
        load_text(tmp_path / "f")


def test_all_texts_empty_is_refused(tmp_path):
    rows = [("", "pos"), ("  ", "neg"), ("", "pos"), (" ", "neg")]
    path = _write_csv(tmp_path / "t.csv", rows)
    with pytest.raises(DataError, match="holds no text|no column of text"):
        load_text(path)
    with pytest.raises(DataError, match="holds no text: all its 4 values are empty"):
        load_text(path, text_column="text", label_column="label")
    for label in ("pos", "neg"):
        (tmp_path / "f" / label).mkdir(parents=True)
        (tmp_path / "f" / label / "a.txt").write_text("   ", encoding="utf-8")
    with pytest.raises(DataError, match="None of the 2 texts"):
        load_text(tmp_path / "f")


def test_no_text_column_is_refused(tmp_path):
    rows = [(1, "a", 2.5), (2, "b", 3.5), (3, "a", 1.0), (4, "b", 0.5)]
    with pytest.raises(DataError, match="no column of text") as info:
        load_text(_write_csv(tmp_path / "t.csv", rows, ("id", "label", "x")))
    assert "--text-column" in info.value.hint


def test_free_text_label_is_refused(tmp_path):
    rows = [(f"first text number {i} here", f"another free text {i} as label") for i in range(40)]
    path = _write_csv(tmp_path / "t.csv", rows, ("text", "comment"))
    with pytest.raises(DataError, match="looks like text, not a label") as info:
        load_text(path)
    assert "--target" in info.value.hint
    with pytest.raises(DataError, match="looks like text, not a label"):
        load_text(path, text_column="text", label_column="comment")


def test_fewer_than_two_per_class_is_refused(tmp_path):
    rows = [*_rows(), ("one of a kind", "odd")]
    with pytest.raises(DataError, match="fewer than 2 usable texts: 'odd' \\(1\\)"):
        load_text(_write_csv(tmp_path / "t.csv", rows))


def test_missing_path_is_refused(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_text(tmp_path / "nothing")
    with pytest.raises(DataError, match="does not exist"):
        load_text(tmp_path / "nothing.jsonl")


# -- the peek ---------------------------------------------------------------------------------
def test_looks_like_text_table(tmp_path, sample_csv):
    assert looks_like_text_table(sample_csv)
    text = _write_csv(
        tmp_path / "t.csv",
        [(i, t, lab) for i, (t, lab) in enumerate(_rows())],
        ("id", "text", "label"),
    )
    assert looks_like_text_table(text)
    mixed = _write_csv(
        tmp_path / "m.csv",
        [(t, lab, 3.5 + i) for i, (t, lab) in enumerate(_rows())],
        ("comment", "label", "price"),
    )
    assert not looks_like_text_table(mixed)  # numbers and a text column: a table
    plans = ["a two year contract plan", "monthly plan with no contract"]
    long_category = _write_csv(
        tmp_path / "c.csv", [(plans[i % 2], lab) for i, (_, lab) in enumerate(_rows())]
    )
    assert not looks_like_text_table(long_category)  # two long values repeated: a category
    short = _write_csv(tmp_path / "s.csv", [("red", "a"), ("blue", "b"), ("red", "b")])
    assert not looks_like_text_table(short)
    parquet = tmp_path / "t.parquet"
    pd.DataFrame(_rows(), columns=["text", "label"]).to_parquet(parquet)
    assert looks_like_text_table(parquet)
    (tmp_path / "t.jsonl").write_text('{"text": "a", "label": "b"}\n', encoding="utf-8")
    assert looks_like_text_table(tmp_path / "t.jsonl")
    (tmp_path / "junk.csv").write_bytes(b"\x00" * 50)
    assert not looks_like_text_table(tmp_path / "junk.csv")
    assert not looks_like_text_table(tmp_path / "absent.csv")


def test_sample_is_a_text_dataset(sample_csv):
    ds = load_text(sample_csv)
    assert (ds.text_column, ds.label_column) == ("text", "topic")
    assert ds.class_counts() == {"cooking": 60, "sports": 60, "technology": 60, "travel": 60}
    assert ds.findings["duplicates"] == 0 and ds.findings["empty"] == 0


@pytest.fixture
def sample_csv():
    from automl_gui.core.base.resources import resource_path

    path = resource_path("samples", "forum_posts.csv")
    assert path.exists()
    return path


def test_cancel_and_progress(tmp_path):
    from automl_gui.core.base.errors import CancelledError
    from automl_gui.core.base.events import CancelToken, Progress

    path = _write_csv(tmp_path / "t.csv", _rows())
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        load_text(path, cancel=token)
    with pytest.raises(CancelledError):
        load_text(_folders(tmp_path / "f"), cancel=token)
    events: list = []
    load_text(tmp_path / "f", on_event=events.append)
    assert any(isinstance(e, Progress) and e.fraction == 1.0 for e in events)
