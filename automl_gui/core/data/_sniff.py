"""Guess how a delimited text file is written from a small sample of its first bytes.

Encoding (UTF-8, UTF-8 with BOM, UTF-16 with BOM, else Windows-1252 / Latin-1), delimiter
(comma, semicolon, tab, pipe), and whether the first row is a header. Only the first
``SAMPLE_BYTES`` are looked at, so sniffing costs the same for a 1 KB and a 10 GB file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from automl_gui.core.base.errors import DataError

SAMPLE_BYTES = 64 * 1024
MAX_SAMPLE_ROWS = 200

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with BOM)",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252 (Western European)",
    "latin-1": "Latin-1 (ISO-8859-1)",
}

_NUMBER_RE = re.compile(
    r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^[-+]?(inf|infinity)$", re.IGNORECASE
)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")  # control characters, bar \t\n\v\f\r
# Values pandas (and so pyarrow via pandas) reads as missing; lower-cased.
NA_TOKENS = frozenset(
    {
        "",
        "na",
        "n/a",
        "nan",
        "-nan",
        "null",
        "none",
        "<na>",
        "#n/a",
        "#na",
        "#n/a n/a",
        "1.#ind",
        "-1.#ind",
        "1.#qnan",
        "-1.#qnan",
    }
)

# File signatures of common binary formats, so a misnamed file gets a useful message.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (
        b"PK\x03\x04",
        "a zip archive or an Excel workbook (.xlsx)",
        "If it is an Excel file, save it as CSV (File > Save As > CSV UTF-8); if it is a zip, "
        "extract it first.",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "an old-style Excel/Office file (.xls)",
        "Save it as CSV (File > Save As > CSV UTF-8) and open that file.",
    ),
    (b"PAR1", "a Parquet file", "Rename it to end in .parquet and open it again."),
    (b"\x1f\x8b", "a gzip-compressed file", "Decompress it first, then open the table inside."),
    (b"BZh", "a bzip2-compressed file", "Decompress it first, then open the table inside."),
    (b"\xfd7zXZ", "an xz-compressed file", "Decompress it first, then open the table inside."),
    (b"%PDF", "a PDF document", "Export the table in it as CSV and open that file."),
    (b"SQLite format 3", "an SQLite database", "Export the table you need as CSV or Parquet."),
    (b"\x89PNG", "a PNG image", "Images are opened as a folder of files, one subfolder per class."),
    (
        b"\xff\xd8\xff",
        "a JPEG image",
        "Images are opened as a folder of files, one subfolder per class.",
    ),
)


@dataclass
class Dialect:
    """What sniffing found; ``read_encoding`` is what the parser is given."""

    encoding: str  # as recorded in TableSource ("utf-8", "utf-8-sig", "cp1252", ...)
    read_encoding: str  # what pandas/pyarrow get (pyarrow skips a UTF-8 BOM itself)
    delimiter: str
    has_header: bool
    first_row: list[str]  # the first non-blank row, split (header names when has_header)
    rows: list[list[str]]  # sampled rows including the first
    notices: list[str] = field(default_factory=list)
    decimal: str = "."  # "," for files written with a decimal comma (1,5) and ';' separators


def is_number(text: str) -> bool:
    """True when ``text`` reads as a number (``1``, ``-2.5``, ``1e3``, ``inf``)."""
    return bool(_NUMBER_RE.match(text.strip()))


def is_na(text: str) -> bool:
    return text.strip().lower() in NA_TOKENS


def check_not_binary(sample: bytes, name: str) -> None:
    """Raise DataError when the bytes look like a binary file rather than text."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 text has NUL bytes but is text
    for magic, what, hint in _MAGIC:
        if sample.startswith(magic):
            raise DataError(f"'{name}' is not a text table: it looks like {what}.", hint)
    if b"\x00" in sample:
        raise DataError(
            f"'{name}' is not a text table: it contains binary data (NUL bytes).",
            "Open a CSV/TSV text file or a Parquet file. If this came from a spreadsheet "
            "program, save it as CSV (File > Save As > CSV UTF-8).",
        )


def decode_sample(sample: bytes, whole_file: bool, name: str) -> tuple[str, str, str, list[str]]:
    """Decode the sample; return ``(text, encoding, read_encoding, notices)``.

    ``text`` is cut after its last complete line when the sample is not the whole file.
    """
    notices: list[str] = []
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
        read_encoding = "utf-8"  # pyarrow drops the BOM itself and reads UTF-8 natively
        text = _decode(sample, "utf-8-sig", whole_file)
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = read_encoding = "utf-16"
        text = _decode(sample, "utf-16", whole_file)
        notices.append(f"'{name}' is UTF-16 text; it was converted while reading.")
    else:
        text = None
        encoding = read_encoding = "utf-8"
        try:
            text = _decode(sample, "utf-8", whole_file)
        except UnicodeDecodeError:
            for fallback in ("cp1252", "latin-1"):
                try:
                    text = _decode(sample, fallback, whole_file)
                except UnicodeDecodeError:
                    continue
                encoding = read_encoding = fallback
                notices.append(not_utf8_notice(name, fallback))
                break
    if text is None:  # pragma: no cover - latin-1 decodes any bytes
        raise DataError(f"'{name}' is not readable text.", "Save it as CSV UTF-8 and try again.")
    _check_control_characters(text, name)
    if not whole_file:
        cut = text.rfind("\n")
        if cut > 0:
            text = text[: cut + 1]
    return text, encoding, read_encoding, notices


def not_utf8_notice(name: str, encoding: str) -> str:
    return (
        f"'{name}' is not UTF-8, so it was read as {ENCODING_NAMES.get(encoding, encoding)}. "
        "If accented letters look wrong, save the file as CSV UTF-8 and load it again."
    )


def _decode(sample: bytes, encoding: str, final: bool) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return decoder.decode(sample, final=final)


def _check_control_characters(text: str, name: str) -> None:
    sample = text[:20000]
    if not sample:
        return
    control = len(_CONTROL_RE.findall(sample))
    if control > max(5, len(sample) // 100):
        raise DataError(
            f"'{name}' is not a text table: it contains many control characters "
            "(it looks like a binary file).",
            "Open a CSV/TSV text file or a Parquet file.",
        )


def split_rows(text: str, delimiter: str, limit: int = MAX_SAMPLE_ROWS) -> list[list[str]]:
    """Split sample text into rows (blank lines skipped, as the parser does)."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for row in reader:
            if not row:
                continue
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # a quoted field cut by the end of the sample: keep what was parsed
    return rows


def sniff_delimiter(text: str, prefer_tab: bool = False) -> str:
    """The candidate delimiter that splits the sample rows most consistently into >1 field."""
    candidates = ("\t",) + tuple(d for d in DELIMITERS if d != "\t") if prefer_tab else DELIMITERS
    lines = text.splitlines(keepends=True)
    if not lines:
        return "\t" if prefer_tab else ","
    head = "".join(lines[: MAX_SAMPLE_ROWS // 2])
    best: tuple[float, int] | None = None
    best_delim = "\t" if prefer_tab else ","
    for rank, delim in enumerate(candidates):
        if delim not in head:
            continue
        counts = [len(r) for r in split_rows(head, delim, MAX_SAMPLE_ROWS // 2)]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        consistency = counts.count(mode) / len(counts)
        score = (round(consistency, 3), -rank)
        if best is None or score > best:
            best, best_delim = score, delim
    if best is None:
        try:  # one column, or an unusual layout: let the standard sniffer have a go
            return csv.Sniffer().sniff(head[:8192], delimiters="".join(candidates)).delimiter
        except csv.Error:
            return best_delim
    return best_delim


_DECIMAL_COMMA_RE = re.compile(r"^[-+]?\d+,\d+$")


def guess_decimal(rows: list[list[str]], delimiter: str) -> str:
    """``","`` when a column holds decimal-comma numbers (``1,5``), as some locales write.

    Only with a non-comma delimiter, and never when every such value has exactly three
    digits after the comma (``1,234`` may be a thousands separator: left as text).
    """
    if delimiter == "," or len(rows) < 2:
        return "."
    width = max(len(r) for r in rows)
    for j in range(width):
        column = [r[j].strip() for r in rows[1:] if j < len(r) and not is_na(r[j])]
        commas = [v for v in column if _DECIMAL_COMMA_RE.match(v)]
        if not commas or any("." in v for v in column):
            continue
        plain = sum(1 for v in column if is_number(v))
        unambiguous = any(len(v.rsplit(",", 1)[1]) != 3 for v in commas)
        if unambiguous and len(commas) + plain >= 0.9 * len(column):
            return ","
    return "."


def guess_header(rows: list[list[str]], text: str) -> bool:
    """Whether the first sampled row is a header.

    Numbers decide first: text above a numeric column means a header; a number above a
    numeric column means data. An all-text table asks ``csv.Sniffer`` and then whether the
    first row's values reappear below (data) or not (header). When unsure: a header.
    """
    if len(rows) < 2:
        return True
    first, rest = rows[0], rows[1:]
    header_votes = data_votes = 0
    for j, value in enumerate(first):
        column = [r[j] for r in rest if j < len(r) and not is_na(r[j])]
        if not column:
            continue
        numeric = sum(1 for v in column if is_number(v))
        if numeric < 0.9 * len(column):
            continue
        if is_na(value):
            continue  # a blank header cell or a missing value: no evidence either way
        if is_number(value):
            data_votes += 1
        else:
            header_votes += 1
    if header_votes:
        return True
    if data_votes:
        return False
    try:
        if csv.Sniffer().has_header(text[:16384]):
            return True
    except Exception:  # a heuristic that may trip on odd text: then just skip it
        pass
    for j, value in enumerate(first):
        value = value.strip()
        if value and any(j < len(r) and r[j].strip() == value for r in rest):
            return False  # the "header" value occurs again below: it is data
    return True


def clean_names(raw: list[object]) -> tuple[list[str], list[str]]:
    """Strip names, name blank ones ``column_N`` and de-duplicate; return names and notices."""
    names: list[str] = []
    blank: list[str] = []
    for i, value in enumerate(raw, start=1):
        name = "" if value is None else str(value).strip()
        if not name:
            name = f"column_{i}"
            blank.append(name)
        names.append(name)
    notices: list[str] = []
    if blank:
        notices.append(
            f"{len(blank)} column(s) had no name and were named {', '.join(blank[:5])}"
            + ("..." if len(blank) > 5 else "")
            + "."
        )
    seen: set[str] = set(names)
    counts: dict[str, int] = {}
    renamed: list[str] = []
    out: list[str] = []
    for name in names:
        counts[name] = counts.get(name, 0) + 1
        if counts[name] == 1:
            out.append(name)
            continue
        k = counts[name]
        new = f"{name}_{k}"
        while new in seen:
            k += 1
            new = f"{name}_{k}"
        seen.add(new)
        out.append(new)
        renamed.append(f"'{name}' -> '{new}'")
    if renamed:
        notices.append(
            "Duplicate column names were made unique: "
            + ", ".join(renamed[:5])
            + (f" and {len(renamed) - 5} more" if len(renamed) > 5 else "")
            + "."
        )
    return out, notices


def sniff(sample: bytes, whole_file: bool, name: str, prefer_tab: bool) -> Dialect:
    """Sniff encoding, delimiter and header from the first bytes of a text table."""
    check_not_binary(sample, name)
    text, encoding, read_encoding, notices = decode_sample(sample, whole_file, name)
    delimiter = sniff_delimiter(text, prefer_tab=prefer_tab)
    rows = split_rows(text, delimiter)
    if not whole_file and len(rows) > 1:
        rows = rows[:-1]  # the last sampled row may be cut short
    decimal = guess_decimal(rows, delimiter) if rows else "."
    if decimal == ",":
        rows = [
            [v.replace(",", ".") if _DECIMAL_COMMA_RE.match(v.strip()) else v for v in r]
            for r in rows
        ]
        notices.append(
            f"'{name}' writes numbers with a decimal comma (1,5); they were read as numbers."
        )
    has_header = guess_header(rows, text) if rows else True
    return Dialect(
        encoding=encoding,
        read_encoding=read_encoding,
        delimiter=delimiter,
        has_header=has_header,
        first_row=rows[0] if rows else [],
        rows=rows,
        notices=notices,
        decimal=decimal,
    )
