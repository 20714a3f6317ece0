"""Shared pieces of column profiling: sizes, samples, reusable buffers, small helpers."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from automl_gui.core.data.schema import ColumnProfile

EXACT_ROWS = 200_000  # up to this many rows every statistic is exact
SAMPLE_ROWS = 20_000  # sample for estimates on larger tables
SMALL_SAMPLE = 600  # values looked at for text/date/number shape
HIST_BINS = 20
HIST_SAMPLE = 200_000  # bigger float columns: histogram of an evenly spaced sample, scaled
TOP_VALUES = 10
HIGH_CARDINALITY = 50  # categories beyond this are many (warned; never a recoding of a target)

# Large temporaries are reused per thread: a fresh multi-megabyte numpy array is mapped from
# the OS and page-faulted in on every allocation, which costs more than the arithmetic.
_scratch = threading.local()


def buffer(name: str, size: int, dtype: type | np.dtype) -> np.ndarray:
    """A reusable per-thread array of at least ``size`` items (contents undefined)."""
    buf = getattr(_scratch, name, None)
    if buf is None or buf.size < size or buf.dtype != np.dtype(dtype):
        buf = np.empty(max(size, 1), dtype=dtype)
        setattr(_scratch, name, buf)
    return buf[:size]


# Number-shaped text (as pyarrow would parse it), for RE2 (pyarrow) and Python alike.
NUMBER_PATTERN = (
    r"^\s*[-+]?((\d+(\.\d*)?)|(\.\d+))([eE][-+]?\d+)?\s*$|^\s*[-+]?(inf|infinity|nan)\s*$"
)
_NUMBER_RE = re.compile(NUMBER_PATTERN, re.IGNORECASE)
_ID_NAME_RE = re.compile(
    r"(^|[_\s.-])(id|uuid|guid|key|idx|index|pk)$|^(id|uuid|guid|idx|index|pk)($|[_\s.-])",
    re.IGNORECASE,
)
_CAMEL_ID_RE = re.compile(r"[a-z](Id|ID|Uuid|UUID|Key)$")
BOOLEAN_PAIRS = (
    frozenset({"true", "false"}),
    frozenset({"yes", "no"}),
    frozenset({"0", "1"}),
    frozenset({"t", "f"}),
    frozenset({"y", "n"}),
)


@dataclass
class HashKey:
    """A column's values as hashable numbers, for counting duplicate rows.

    ``values`` are integers hashed by value (numbers, dates, dictionary codes with -1 for
    missing) unless ``floats`` (float64 values; -0.0 and NaN, when ``has_nan``, are
    normalized when hashing) or ``arrow`` (a pyarrow string array, encoded to codes only for
    the rows that need it).
    """

    values: Any
    floats: bool = False
    has_nan: bool = False
    arrow: bool = False

    def take(self, positions: np.ndarray) -> HashKey:
        if self.arrow:
            return HashKey(self.values.take(pa.array(positions)), arrow=True)
        return HashKey(self.values[positions], floats=self.floats, has_nan=self.has_nan)

    def hashable(self) -> HashKey:
        """Numbers for every row (dictionary-encodes an arrow key)."""
        if not self.arrow:
            return self
        return HashKey(dictionary_codes(self.values))


@dataclass
class ColumnResult:
    profile: ColumnProfile
    key: HashKey | None


def looks_like_id_name(name: str) -> bool:
    return bool(_ID_NAME_RE.search(name.strip()) or _CAMEL_ID_RE.search(name.strip()))


def is_number_text(value: str) -> bool:
    return bool(_NUMBER_RE.match(value))


def format_value(value: object) -> str:
    """A short display string for a value (integral floats without ``.0``)."""
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if math.isfinite(v) and v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return format(v, ".10g")
    if isinstance(value, (np.integer, np.bool_)):
        return str(value.item())
    return str(value)


def sample_positions(n: int, size: int, seed: int = 0) -> np.ndarray | None:
    """Sorted row positions of a fixed random sample, or None when all rows fit."""
    if n <= size:
        return None
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size, replace=False))


def top_order(counts: np.ndarray) -> np.ndarray:
    """Positions of the ``TOP_VALUES`` largest counts, largest first (ties: first seen)."""
    if counts.size > TOP_VALUES:
        part = np.argpartition(-counts, TOP_VALUES)[:TOP_VALUES]
    else:
        part = np.arange(counts.size)
    return part[np.lexsort((part, -counts[part]))]


def top_from_counts(values: np.ndarray, counts: np.ndarray) -> tuple[tuple[str, int], ...]:
    return tuple((format_value(values[i]), int(counts[i])) for i in top_order(counts))


def dictionary_codes(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """An int32 code per row (equal strings, equal codes; -1 for missing)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    indices = pc.dictionary_encode(arr).indices
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    return indices.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
