"""Plain data types describing a loaded table and what we found in it (no pandas logic here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any


class ColumnKind(str, Enum):
    """What a column holds, as inferred by profiling (the user may override for features)."""

    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    TEXT = "text"  # free text: many distinct long strings
    DATETIME = "datetime"
    IDENTIFIER = "identifier"  # unique per row (ids, keys)
    CONSTANT = "constant"  # a single value (or all missing)


class Task(str, Enum):
    """The learning task for the chosen target."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        return self is not Task.REGRESSION


@dataclass(frozen=True)
class TableSource:
    """How a table file was read, so the same settings can read it (or a sibling) again."""

    path: str
    format: str  # "csv" | "tsv" | "parquet"
    delimiter: str | None = None
    encoding: str | None = None
    has_header: bool = True
    decimal: str = "."  # "," for files written with decimal commas (1,5)


@dataclass
class LoadedTable:
    """A table read from disk plus notices for the user (encoding fallback, dropped rows...)."""

    df: Any  # pandas.DataFrame (typed loosely to keep this module import-light)
    source: TableSource
    notices: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ColumnProfile:
    """Summary of one column for the Data page and for automatic preprocessing."""

    name: str
    kind: ColumnKind
    dtype: str
    count: int  # non-missing values
    missing: int
    unique: int
    minimum: float | None = None
    maximum: float | None = None
    mean: float | None = None
    std: float | None = None
    infinite: int = 0
    top_values: tuple[tuple[str, int], ...] = ()  # most frequent (value, count), up to 10
    histogram: tuple[tuple[int, ...], tuple[float, ...]] | None = None  # (counts, bin edges)
    # True when ``unique`` and the top-value counts are estimated from a sample (big tables:
    # high-cardinality float columns, low-cardinality text columns).
    unique_approx: bool = False
    # Text columns that are mostly numbers: how many values are not numbers, and examples.
    non_numeric: int = 0
    non_numeric_examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableProfile:
    """Summary of a whole table."""

    n_rows: int
    n_columns: int
    columns: tuple[ColumnProfile, ...]
    duplicate_rows: int = 0

    def column(self, name: str) -> ColumnProfile:
        """The profile of column ``name`` (the first of that name); KeyError if none."""
        return self._by_name[name]

    @cached_property
    def _by_name(self) -> dict[str, ColumnProfile]:
        # a dict, not a scan: auto settings look up every column (20,000 columns: 10 s)
        index: dict[str, ColumnProfile] = {}
        for col in self.columns:
            index.setdefault(col.name, col)
        return index


@dataclass(frozen=True)
class DataWarning:
    """A problem worth the user's attention, with a count where one applies.

    ``code`` is stable for tests and UI icons: "imbalance", "duplicates", "constant",
    "identifier", "leak", "rare_class", "missing", "infinite", "high_cardinality", "text",
    "mixed" (numbers mixed with other values in one column), "target_missing",
    "label_merge" (distinct target values counted as one class, e.g. '1' and ' 1 ').
    ``severity`` is "warning" or "info"; "error" means training cannot proceed as set up.
    """

    code: str
    message: str
    column: str | None = None
    count: int | None = None
    severity: str = "warning"
