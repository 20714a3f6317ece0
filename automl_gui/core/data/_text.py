"""Statistics of text and categorical columns (pyarrow.compute; sampled on big tables)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from automl_gui.core.data._common import (
    BOOLEAN_PAIRS,
    NUMBER_PATTERN,
    SMALL_SAMPLE,
    ColumnResult,
    HashKey,
    is_number_text,
    looks_like_id_name,
    top_order,
)
from automl_gui.core.data.schema import ColumnKind, ColumnProfile

_DATE_RE = re.compile(
    r"^\s*(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"
    r"|\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{2,4})"
    r"([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([AaPp][Mm])?\s*(Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


def _arrow_strings(series: pd.Series) -> pa.ChunkedArray:
    arr = getattr(series.array, "_pa_array", None)
    if isinstance(arr, pa.ChunkedArray) and (
        pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
    ):
        return arr
    if series.dtype != object or pd.api.types.infer_dtype(series, skipna=True) != "string":
        series = series.astype(pd.StringDtype("pyarrow"))
    arr = pa.array(series, from_pandas=True)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.large_string())
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])


def profile_strings(
    name: str, series: pd.Series, sample: np.ndarray | None, small: np.ndarray | None
) -> ColumnResult:
    n = len(series)
    arr: pa.ChunkedArray | None = None
    if isinstance(series.dtype, pd.CategoricalDtype):
        dictionary, counts, codes, values = _category_counts(series, small)
        missing = int(np.count_nonzero(codes < 0))
        key = HashKey(codes)
    else:
        arr = _arrow_strings(series)
        missing = arr.null_count
        values = _sample_values(arr, small)
        key = HashKey(arr, arrow=True)
    count = n - missing
    # Shape of the values from a small sample: numbers? dates? long sentences?
    values = [v for v in values if v is not None][:SMALL_SAMPLE]
    numeric_share = sum(1 for v in values if is_number_text(v)) / len(values) if values else 0.0
    approx = False
    if arr is not None:
        if numeric_share >= 0.5:  # numbers stored as text: count every value (junk matters)
            dictionary, counts = _value_counts(arr)
        else:
            dictionary, counts, approx = _string_counts(arr, count, sample)
    non_numeric, examples = 0, ()
    if numeric_share >= 0.5:
        non_numeric, examples = _non_numbers(dictionary, counts)
        numeric_share = 1.0 - non_numeric / count if count else 0.0
        if numeric_share < 0.5:  # the sample misled: mostly text after all
            non_numeric, examples = 0, ()
    unique = len(dictionary)
    top = tuple((str(dictionary[int(i)].as_py()), int(counts[i])) for i in top_order(counts))

    kind = _string_kind(name, dictionary, unique, count, values, numeric_share, non_numeric)
    profile = ColumnProfile(
        name=name,
        kind=kind,
        dtype=str(series.dtype),
        count=count,
        missing=missing,
        unique=unique,
        top_values=top,
        unique_approx=approx,
        non_numeric=non_numeric,
        non_numeric_examples=examples,
    )
    return ColumnResult(profile, key)


def _string_counts(
    arr: pa.ChunkedArray, count: int, sample: np.ndarray | None
) -> tuple[pa.Array, np.ndarray, bool]:
    """Distinct values and counts: exact, or scaled from a sample on big low-cardinality columns.

    Counting every value of a big text column costs as much as reading it; a random sample
    of 20,000 rows finds every category that matters and estimates its share (the result
    says ``approx``). Columns that look constant or two-valued in the sample are counted
    exactly (cheap comparisons), so constant and yes/no columns are never misjudged.
    """
    if sample is None or count == 0:
        return (*_value_counts(arr), False)
    probe = arr.take(pa.array(sample))
    seen = len(probe) - probe.null_count
    dictionary, counts = _value_counts(probe)
    if seen == 0 or len(dictionary) > 0.05 * seen:  # many distinct values: count them all
        return (*_value_counts(arr), False)
    if len(dictionary) <= 2:
        exact = [
            int(pc.sum(pc.equal(arr, dictionary[i])).as_py() or 0) for i in range(len(dictionary))
        ]
        if sum(exact) == count:
            return dictionary, np.asarray(exact, dtype=np.int64), False
        return (*_value_counts(arr), False)
    scaled = np.maximum(np.round(counts * (count / seen)), 1).astype(np.int64)
    return dictionary, scaled, True


def _category_counts(
    series: pd.Series, small: np.ndarray | None
) -> tuple[pa.Array, np.ndarray, np.ndarray, list[str | None]]:
    """Counts of a pandas categorical from its codes (exact and cheap)."""
    codes = np.asarray(series.cat.codes.to_numpy(), dtype=np.int32)
    categories = series.cat.categories
    valid = codes[codes >= 0]
    all_counts = np.bincount(valid, minlength=len(categories))
    present = np.flatnonzero(all_counts)
    dictionary = pa.array([str(categories[i]) for i in present], type=pa.large_string())
    picked = codes if small is None else codes[small]
    values = [str(categories[c]) if c >= 0 else None for c in picked.tolist()]
    return dictionary, all_counts[present].astype(np.int64), codes, values


def _sample_values(arr: pa.ChunkedArray, small: np.ndarray | None) -> list[str | None]:
    """About ``SMALL_SAMPLE`` values from evenly spaced runs (all values of small tables)."""
    if small is None:
        return arr.to_pylist()
    runs, length = 12, SMALL_SAMPLE // 12
    out: list[str | None] = []
    for start in np.linspace(0, len(arr) - length, runs).astype(np.int64):
        out += arr.slice(int(start), length).to_pylist()
    return out


def _value_counts(arr: pa.ChunkedArray) -> tuple[pa.Array, np.ndarray]:
    """Distinct non-missing values and their counts (one hashing pass)."""
    counted = pc.value_counts(arr)
    values = counted.field("values")
    counts = counted.field("counts")
    if values.null_count:
        keep = pc.is_valid(values)
        values, counts = values.filter(keep), counts.filter(keep)
    return values, counts.to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def _non_numbers(dictionary: pa.Array, counts: np.ndarray) -> tuple[int, tuple[str, ...]]:
    numeric = pc.match_substring_regex(dictionary, "(?i)" + NUMBER_PATTERN)
    mask = ~np.asarray(numeric.to_numpy(zero_copy_only=False), dtype=bool)
    bad = np.flatnonzero(mask)
    if bad.size == 0:
        return 0, ()
    order = bad[np.argsort(-counts[bad], kind="stable")][:5]
    return int(counts[bad].sum()), tuple(str(dictionary[int(i)].as_py()) for i in order)


def _string_kind(
    name: str,
    dictionary: pa.Array,
    unique: int,
    count: int,
    values: list[str],
    numeric_share: float,
    non_numeric: int,
) -> ColumnKind:
    if unique <= 1:
        return ColumnKind.CONSTANT
    if unique == 2:
        pair = frozenset(str(v).strip().lower() for v in dictionary.to_pylist())
        if pair in BOOLEAN_PAIRS:
            return ColumnKind.BOOLEAN
    if non_numeric and numeric_share >= 0.5:
        return ColumnKind.CATEGORICAL  # numbers with junk: kept as categories, warned about
    if values and _looks_like_dates(values):
        return ColumnKind.DATETIME
    distinct_ratio = unique / count if count else 0.0
    if values and (distinct_ratio >= 0.3 or unique >= 1000):
        avg_len = sum(len(v) for v in values) / len(values)
        avg_words = sum(len(v.split()) for v in values) / len(values)
        if avg_words >= 3 or (avg_len >= 20 and avg_words >= 2):
            return ColumnKind.TEXT
    # Unique per row: an id (numbers-as-text count as ids only when named like one).
    if unique >= 0.95 * count and (
        looks_like_id_name(name) or (numeric_share < 0.5 and count >= 20)
    ):
        return ColumnKind.IDENTIFIER
    return ColumnKind.CATEGORICAL


def _looks_like_dates(values: list[str]) -> bool:
    values = values[:300]
    shaped = sum(1 for v in values if _DATE_RE.match(v))
    if shaped < 0.95 * len(values):
        return False

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(pd.Series(values), errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.95)


#: a category column whose frequent values mostly have this many words is short phrases
PHRASE_WORDS = 3


def phrases_note(name: str, col: ColumnProfile) -> str:
    """For categories that are short phrases (most frequent values of 3+ words): the way to
    classify them by their words, as texts (review finding 11: 72 distinct utterances)."""
    top = [value for value, _ in col.top_values]
    if not top or sum(len(v.split()) >= PHRASE_WORDS for v in top) < 0.8 * len(top):
        return ""
    return (
        " Its values are short phrases: to learn from their words, open the file as texts "
        f"(Open Text Dataset… in the window, or automl-gui train FILE --text-column '{name}')."
    )
