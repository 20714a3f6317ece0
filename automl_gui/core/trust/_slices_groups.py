"""Which subgroup each example belongs to (``core.trust.slices``): a table's column, a file's
subfolder, or a column of a CSV of per-file attributes (or of the table a text came from)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path, PurePath
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.data._small_groups import MIN_GROUP_ROWS

#: the name of the group of rows without a value
MISSING = "(missing)"
#: files directly inside their class folder, sliced by subfolder
NO_SUBFOLDER = "(no subfolder)"
#: files a CSV of attributes does not list
NOT_LISTED = "(not listed)"
#: the rows a group needs to be judged (``core.trust.slices.MIN_COUNT``)
MIN_ROWS = MIN_GROUP_ROWS
#: a number column with more distinct values than this is cut into quartiles
MAX_DISTINCT_NUMBERS = 10
#: the folders of a split layout (above the class folders)
SPLIT_FOLDERS = frozenset({"train", "training", "val", "valid", "validation", "test", "testing"})
#: columns that name files in a CSV of attributes, looked for first
PATH_COLUMNS = ("path", "file", "filename", "file_name", "filepath", "image", "clip", "name")


def _number_text(value: float, extra: int = 0) -> str:
    """A bin edge as people write it: 35, 2.5, 0.0031, 1.2e+06 (``extra`` more digits)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = math.floor(math.log10(abs(value)))
    if -3 <= magnitude < 6:
        digits = max(0, 2 - magnitude) + extra
        text = f"{value:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.{3 + extra}g}"


def _apart(high: float, low: float) -> tuple[str, str]:
    """The upper end of one bin and the lower end of the next, with just enough digits that
    the two names do not share a number ("11.62" and "11.64", not "11.6" twice)."""
    for extra in range(8):
        a, b = _number_text(high, extra), _number_text(low, extra)
        if a != b:
            return a, b
    return _number_text(high, 8), _number_text(low, 8)


def _category_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def groups_for_column(
    frame: pd.DataFrame, column: str, *, target: str | None = None, min_count: int = MIN_ROWS
) -> pd.Series:
    """Each row's group by ``column`` of ``frame`` (index kept): categories and booleans as
    they are, numbers with at most :data:`MAX_DISTINCT_NUMBERS` distinct values as they are,
    other numbers in quartile bins named by their edges ("20–35"), or in halves (below and
    above the median) when every quartile would hold fewer than ``min_count`` rows but the
    halves hold enough; missing values (and infinities) are the group "(missing)". A
    categorical Series keeps its order.

    Raises:
        DataError: ``frame`` has no such column (the message lists a few that exist), or
            ``column`` is the model's ``target`` (grouping by the answer itself).
    """
    if target is not None and str(column) == str(target):
        raise DataError(
            f"'{column}' is what the model predicts: grouping by it only splits its answers "
            "by the truth (every useful model 'selects' the groups differently), and a rate "
            "such as missed positives means nothing in a group without positives.",
            "Slice by another column; the per-class figures on Evaluate already show how "
            "each answer fares.",
        )
    if column not in frame.columns:
        shown = ", ".join(f"'{c}'" for c in list(frame.columns)[:8])
        more = " …" if len(frame.columns) > 8 else ""
        raise DataError(
            f"The data has no column '{column}'.", f"Slice by one of its columns: {shown}{more}."
        )
    values = frame[column]
    if isinstance(values, pd.DataFrame):  # a name used twice: the first
        values = values.iloc[:, 0]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if numeric:
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(numbers)
        if len(np.unique(numbers[finite])) > MAX_DISTINCT_NUMBERS:
            cuts = _cuts(int(finite.sum()), min_count)
            return pd.Series(_quartiles(numbers, finite, cuts), index=frame.index, name=column)
    missing = values.isna().to_numpy().copy()
    if numeric:
        missing |= ~np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan))
    text = np.array([_category_text(v) for v in values.tolist()], dtype=object)
    text[missing] = MISSING
    return pd.Series(text, index=frame.index, name=column)


def _cuts(n: int, min_count: int) -> list[float]:
    """Quartiles, or halves when each quartile would hold under ``min_count`` of ``n``
    values but a half would not."""
    if n / 4 < min_count <= n / 2:
        return [0.0, 0.5, 1.0]
    return [0.0, 0.25, 0.5, 0.75, 1.0]


def _quartiles(numbers: np.ndarray, finite: np.ndarray, cuts: list[float] | None = None) -> Any:
    """Quantile bins (``cuts``, default quartiles) of the finite ``numbers``, each named by
    the smallest and largest value it holds ("18–32", "33–48": neighbours' names never share
    a number, whole numbers stay whole); the others "(missing)". A bin holds its upper edge
    (the first one its lower edge too)."""
    values = numbers[finite]
    edges = np.unique(np.quantile(values, cuts or [0.0, 0.25, 0.5, 0.75, 1.0]))
    bins = np.searchsorted(edges[1:-1], values, side="left")
    ends = []
    for b in range(len(edges) - 1):
        inside = values[bins == b]
        ends.append((float(inside.min()), float(inside.max())) if len(inside) else (0.0, 0.0))
    texts = [[_number_text(low), _number_text(high)] for low, high in ends]
    for b in range(len(ends) - 1):  # enough digits that neighbours do not touch
        texts[b][1], texts[b + 1][0] = _apart(ends[b][1], ends[b + 1][0])
    for b in range(len(ends)):  # a bin's own ends stay apart too
        if ends[b][0] != ends[b][1] and texts[b][0] == texts[b][1]:
            texts[b] = list(_apart(ends[b][0], ends[b][1]))
    names = []
    for (low, high), (low_text, high_text) in zip(ends, texts, strict=True):
        dash = " to " if low < 0 or high < 0 else "–"  # "-0.09 to -0.04", not "-0.09–-0.04"
        names.append(low_text if low == high else f"{low_text}{dash}{high_text}")
    out = np.full(len(numbers), MISSING, dtype=object)
    out[finite] = np.asarray(names, dtype=object)[bins]
    return pd.Categorical(out, categories=[*names, MISSING], ordered=True)


def group_order(groups: pd.Series) -> list[str]:
    """The groups in display order: a categorical's own order (quartiles low to high), else
    by name, "(missing)" and the like last."""
    if isinstance(groups.dtype, pd.CategoricalDtype):
        present = set(groups.astype(str))
        return [str(c) for c in groups.cat.categories if str(c) in present]
    names = sorted({str(g) for g in groups})
    return [g for g in names if not g.startswith("(")] + [g for g in names if g.startswith("(")]


# -- files --------------------------------------------------------------------------------------
def groups_for_files(
    paths: list[str], root: str | os.PathLike[str] | None, by: str, *, labels: Any = None
) -> pd.Series:
    """Each file's group (index: position in ``paths``). ``by``:

    - ``"subfolder"``: the first folder below the file's class folder (``root/cat/indoor/
      a.jpg`` → "indoor"; files directly in their class folder: "(no subfolder)"); the
      class folder is the one named like the file's label (``labels``) or, without labels,
      the first folder under ``root`` past a split folder (train/val/test);
    - ``"FILE.csv:COLUMN"``: ``COLUMN`` of a CSV of per-file attributes whose path column
      (named path, file, filename..., else the one matching most files) names the files
      relative to ``root``, absolutely or by file name; files it does not list: "(not
      listed)";
    - ``"COLUMN"``: for items that are rows of a table (paths ``"<table>#<row>"``, a text
      dataset read from a table), that table's column.

    Raises:
        DataError: the CSV cannot be read, lists none of the files or lacks the column.
    """
    if by == "subfolder":
        return _subfolders(paths, root, labels)
    file, column = split_by(by)
    if file is not None:
        return _attributes(paths, root, Path(file), column)
    return _table_rows(paths, by)


def split_by(by: str) -> tuple[str | None, str]:
    """("attrs.csv", "sex") for "attrs.csv:sex"; (None, by) for a plain column name."""
    head, sep, tail = by.rpartition(":")
    if sep and head and tail and (os.path.isfile(head) or "." in Path(head).name):
        return head, tail
    return None, by


def _relative_parts(path: str, root: str | os.PathLike[str] | None) -> tuple[str, ...]:
    pure = PurePath(path)
    if root:
        try:
            return pure.relative_to(PurePath(os.path.abspath(root))).parts
        except ValueError:
            try:
                return pure.relative_to(PurePath(root)).parts
            except ValueError:
                pass
    return pure.parts[-3:]


def _subfolders(paths: list[str], root: Any, labels: Any) -> pd.Series:
    out = []
    for i, path in enumerate(paths):
        folders = list(_relative_parts(path, root)[:-1])
        if labels is not None and str(labels[i]) in folders:
            at = folders.index(str(labels[i]))
        else:
            at = 1 if folders and folders[0].lower() in SPLIT_FOLDERS and len(folders) > 1 else 0
        out.append(folders[at + 1] if len(folders) > at + 1 else NO_SUBFOLDER)
    return pd.Series(out, dtype=object, name="subfolder")


def _read_attributes(file: Path) -> pd.DataFrame:
    from automl_gui.core.data.tabular import read_table

    if not file.is_file():
        raise DataError(
            f"{file} does not exist.", "Give a CSV of per-file attributes as FILE.csv:COLUMN."
        )
    return read_table(file).df


def _attributes(paths: list[str], root: Any, file: Path, column: str) -> pd.DataFrame:
    table = _read_attributes(file)
    if column not in table.columns:
        shown = ", ".join(f"'{c}'" for c in list(table.columns)[:8])
        raise DataError(f"{file.name} has no column '{column}'.", f"Use one of: {shown}.")
    keys = [_file_keys(p, root) for p in paths]
    wanted = {k for ks in keys for k in ks}
    candidates = [
        c for c in table.columns if c != column and not pd.api.types.is_numeric_dtype(table[c])
    ]
    candidates.sort(key=lambda c: (str(c).lower() not in PATH_COLUMNS, str(c)))
    best, best_hits = None, 0
    for candidate in candidates:
        hits = sum(_normal(v) in wanted for v in table[candidate].dropna().astype(str).head(5000))
        if hits > best_hits:
            best, best_hits = candidate, hits
        if hits and str(candidate).lower() in PATH_COLUMNS:
            break
    if best is None:
        raise DataError(
            f"{file.name} lists none of the files (no column of their paths or names).",
            "Give it a column of file paths relative to the data folder, or file names.",
        )
    groups = groups_for_column(table, column)
    lookup: dict[str, str] = {}
    for name, group in zip(table[best].astype(str), groups, strict=True):
        lookup.setdefault(_normal(name), str(group))
    out = []
    for ks in keys:
        found = next((lookup[k] for k in ks if k in lookup), NOT_LISTED)
        out.append(found)
    result = pd.Series(out, dtype=object, name=column)
    if isinstance(groups.dtype, pd.CategoricalDtype):  # quartiles keep their order
        order = [*groups.cat.categories, NOT_LISTED]
        result = pd.Series(pd.Categorical(out, categories=order, ordered=True), name=column)
    return result


def _normal(text: str) -> str:
    return str(text).strip().replace("\\", "/").lstrip("./").casefold()


def _file_keys(path: str, root: Any) -> list[str]:
    """How a CSV may name ``path``: relative to the root, absolutely, by file name."""
    relative = "/".join(_relative_parts(path, root))
    return [_normal(relative), _normal(str(path)), _normal(PurePath(path).name)]


def _table_rows(paths: list[str], column: str) -> pd.Series:
    """``column`` of the tables that ``"<table>#<row>"`` paths point into."""
    located = [p.rpartition("#") for p in paths]
    if not paths or any(not sep or not row.isdigit() for _f, sep, row in located):
        raise ConfigError(
            f"Files can be sliced by 'subfolder' or by a CSV of their attributes, not by "
            f"'{column}'.",
            "Use --by subfolder, or --by FILE.csv:COLUMN with a column of file names.",
        )
    tables: dict[str, pd.Series] = {}
    out: list[Any] = []
    for file, _sep, row in located:
        if file not in tables:
            frame = _rows_of(file)
            tables[file] = groups_for_column(frame, column)
        groups = tables[file]
        position = int(row) - 1
        out.append(groups.iloc[position] if 0 <= position < len(groups) else MISSING)
    first = next(iter(tables.values()))
    if len(tables) == 1 and isinstance(first.dtype, pd.CategoricalDtype):
        return pd.Series(pd.Categorical(out, categories=first.cat.categories), name=column)
    return pd.Series(out, dtype=object, name=column)


def _rows_of(file: str) -> pd.DataFrame:
    """A table file's rows (JSON Lines: one per line, blank lines kept as empty rows, as the
    text dataset numbers them)."""
    if Path(file).suffix.lower() in (".jsonl", ".ndjson"):
        rows = []
        with open(file, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    value = json.loads(line) if line.strip() else {}
                except json.JSONDecodeError:
                    value = {}
                rows.append(value if isinstance(value, dict) else {})
        return pd.DataFrame(rows)
    return _read_attributes(Path(file))
