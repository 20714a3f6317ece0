"""Understand a loaded table: column kinds and statistics, target and task, and problems.

``profile_table`` summarizes every column (see :mod:`._colstats` for how it stays fast on
millions of rows); ``guess_target`` and ``detect_task`` propose what to predict and how;
``dataset_warnings`` lists what deserves the user's attention, with counts, in plain
English; ``check_target`` refuses targets no model can be trained on, saying what to do.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.data._colstats import profile_all, profile_column
from automl_gui.core.data._common import HIGH_CARDINALITY, format_value, is_number_text
from automl_gui.core.data._leaks import is_numeric, leak_warnings
from automl_gui.core.data._small_groups import small_group_warning
from automl_gui.core.data._text import phrases_note
from automl_gui.core.data._unix_times import unix_times_as_dates
from automl_gui.core.data.schema import ColumnKind, ColumnProfile, DataWarning, TableProfile, Task
from automl_gui.core.preprocess._target import Labels, canonical_labels, check_regression_values
from automl_gui.core.train.balance import is_imbalanced  # one rule: training weights by it too

__all__ = [
    "MIN_ROWS",
    "MIN_STRATIFY_ROWS",
    "check_target",
    "dataset_warnings",
    "detect_task",
    "guess_target",
    "profile_table",
]

MIN_ROWS = 10  # rows with a target value needed to train and test anything
MIN_STRATIFY_ROWS = 6  # rows a class needs to appear in each of train/validation/test
MAX_CLASSES_TASK = 20  # integer targets with at most this many values: classification
TEXT_TARGET_CLASSES = 1000  # classification targets with this many distinct values: refuse
MAX_COLUMN_WARNINGS = 20  # per-column warnings of one kind listed; the rest in one line

TARGET_NAMES = (
    "target",
    "label",
    "labels",
    "class",
    "y",
    "outcome",
    "species",
    "category",
    "response",
    "diagnosis",
    "churn",
    "survived",
    "result",
)


# -- profiling ---------------------------------------------------------------------------


def profile_table(df: pd.DataFrame, *, cancel: CancelToken | None = None) -> TableProfile:
    """Profile every column of ``df`` and count duplicate rows.

    Kinds: constant (at most one distinct value), boolean (two values such as yes/no, 0/1),
    datetime (dates, date strings, and Unix seconds/milliseconds in a number column named like
    a time: ``created_at``, ``timestamp``), text (many distinct, long or wordy strings), identifier (unique per row:
    strings, or integers named like an id or forming a dense run), numeric, categorical.
    Missing, infinite and duplicate-row counts and min/max/mean/std are exact. On tables of
    more than 200,000 rows some figures come from samples where exactness buys nothing (the
    distinct count of high-cardinality float columns, the value counts of low-cardinality
    text columns, float histograms); those columns say ``unique_approx``. A million rows by
    twenty columns take a fraction of a second.
    """

    def check_cancel() -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()

    check_cancel()
    profile = profile_all(df, check_cancel)
    check_cancel()
    return unix_times_as_dates(profile)


# -- target and task ---------------------------------------------------------------------


def guess_target(df: pd.DataFrame, profile: TableProfile) -> str:
    """The column to predict: one named like a target (``target``, ``label``, ``class``,
    ``y``, ``species``...), else the last column that is not an id, constant, text or date.
    """
    if df.shape[1] == 0:
        raise DataError("The table has no columns.", "Open a table with at least two columns.")
    names = [str(c) for c in df.columns]
    normalized = {re.sub(r"[\s_-]+", "", name.lower()): name for name in reversed(names)}
    for candidate in TARGET_NAMES:
        if candidate in normalized:
            return normalized[candidate]
    unusable = {ColumnKind.IDENTIFIER, ColumnKind.CONSTANT, ColumnKind.TEXT, ColumnKind.DATETIME}
    for col in reversed(profile.columns):
        if col.kind not in unusable:
            return col.name
    return names[-1]


def detect_task(series: pd.Series, column_profile: ColumnProfile | None = None) -> Task:
    """Classification (binary/multiclass) or regression for a target column.

    Text, categories and booleans are classes (counted by the label rule of
    ``core.preprocess._target``: ' yes' and 'yes' are one class). Numbers are classes when
    they are integers with at most 20 distinct values that are few compared to the rows
    (0/1, ratings 1-5); otherwise regression.
    """
    if column_profile is None:
        column_profile = profile_column(str(series.name), series, None, None).profile
    unique = column_profile.unique
    if column_profile.unique_approx:  # estimated from a sample: count the classes exactly
        unique = int(series.nunique())
    if column_profile.kind == ColumnKind.BOOLEAN:
        return Task.BINARY
    if is_numeric(series):
        values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        finite = values[np.isfinite(values)]
        int_like = finite.size > 0 and bool(np.array_equal(finite, np.trunc(finite)))
        few = unique <= MAX_CLASSES_TASK and (unique <= 2 or unique * 2 <= finite.size)
        if int_like and few:
            return Task.BINARY if unique <= 2 else Task.MULTICLASS
        return Task.REGRESSION
    unique = len(canonical_labels(series).counts())
    return Task.BINARY if unique <= 2 else Task.MULTICLASS


def check_target(df: pd.DataFrame, target: str, task: Task | str) -> None:
    """Raise :class:`DataError` when ``target`` cannot be trained on as ``task``.

    Classes are counted as ``prepare_data`` will make them (``core.preprocess._target``:
    '1', '1.0' and ' 1 ' in a number column are one class; in a text column only
    surrounding spaces are ignored), and a message about classes says when values merged.
    Regression targets must fit 32-bit floats (:func:`check_regression_values`).
    """
    task = Task(task)
    if target not in df.columns:
        shown = ", ".join(f"'{c}'" for c in list(df.columns)[:8])
        raise DataError(
            f"The target column '{target}' is not in the table.",
            f"Pick one of the columns: {shown}{', ...' if df.shape[1] > 8 else ''}.",
        )
    y = df[target]
    if isinstance(y, pd.DataFrame):
        raise DataError(
            f"More than one column is named '{target}'.", "Rename the columns so names are unique."
        )
    labels = canonical_labels(y) if task.is_classification else None
    present = y[labels.present] if labels is not None else y.dropna()
    if present.empty:
        raise DataError(
            f"The target '{target}' is empty: all {len(y):,} values are missing.",
            "Pick a column that has values, or fill this one in.",
        )
    if len(present) < MIN_ROWS:
        raise DataError(
            f"Only {len(present):,} row(s) have a value for the target '{target}'; at least "
            f"{MIN_ROWS} are needed to train and test a model.",
            "Add more rows, or pick a target that is filled in for more rows.",
        )
    if labels is not None:
        _check_classes(present, labels, target)
    else:
        _check_regression(present, target)


def _check_classes(y: pd.Series, labels: Labels, target: str) -> None:
    counts = labels.counts()
    n_classes = len(counts)
    merged = labels.describe()
    merged = f"; {merged}" if merged else ""
    if n_classes >= TEXT_TARGET_CLASSES and n_classes > 0.2 * len(y):
        numeric = is_numeric(y) or _mostly_numbers(y)
        raise DataError(
            f"The target '{target}' has {n_classes:,} different values in {len(y):,} rows: "
            + (
                "these look like measurements, not classes."
                if numeric
                else "that looks like free text or ids, not classes."
            ),
            "Choose regression to predict a number."
            if numeric
            else "Pick another target column (a label with a few classes), or regression if it "
            "is a number.",
        )
    if n_classes < 2:
        only = counts.index[0]
        raise DataError(
            f"The target '{target}' has only one class ('{only}' in all {len(y):,} rows"
            f"{merged}); a classifier needs at least two.",
            "Pick a column with at least two different values, or add rows of other classes.",
        )
    single = [(str(v), int(c)) for v, c in counts.items() if c < 2]
    if single:
        names = ", ".join(f"'{v}'" for v, _ in single[:5]) + (
            f" and {len(single) - 5} more" if len(single) > 5 else ""
        )
        looks_numeric = len(single) > 10 and (is_numeric(y) or _mostly_numbers(y))
        raise DataError(
            f"{len(single)} class(es) of the target '{target}' have a single row: {names}. "
            "A class needs at least 2 rows: one to learn from and one to test on.",
            "These look like measurements: choose regression to predict a number."
            if looks_numeric
            else "Remove those rows or merge those classes into others, then load the table again.",
        )


def _check_regression(y: pd.Series, target: str) -> None:
    if not is_numeric(y):
        examples = [str(v) for v in y.drop_duplicates().head(3)]
        is_bool = pd.api.types.is_bool_dtype(y.dtype)
        numbers = None if is_bool else pd.to_numeric(y, errors="coerce")
        if numbers is not None and numbers.notna().all():
            return _check_regression(numbers, target)  # numbers held as text: fine
        if numbers is not None and numbers.notna().mean() >= 0.5:
            bad = y[numbers.isna()]
            shown = ", ".join(f"'{v}'" for v in bad.drop_duplicates().head(5))
            raise DataError(
                f"Regression needs a numeric target, but '{target}' has {len(bad):,} values "
                f"that are not numbers ({shown}).",
                "Fix or clear those values in the file, or choose classification.",
            )
        raise DataError(
            f"Regression needs a numeric target, but '{target}' holds "
            f"{'true/false values' if is_bool else 'text'} "
            f"(e.g. {', '.join(repr(e) for e in examples)}).",
            "Choose classification for this target, or pick a numeric column to predict.",
        )
    values = y.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = int(np.isinf(values).sum())
    if infinite:
        raise DataError(
            f"The target '{target}' has {infinite:,} infinite value(s) (inf or -inf).",
            "Remove those rows or replace the values with real numbers, then load the table again.",
        )
    check_regression_values(values, target)
    if np.nanmin(values) == np.nanmax(values):
        raise DataError(
            f"The target '{target}' has the same value ({format_value(values[0])}) in "
            "every row; there is nothing to predict.",
            "Pick a column whose values vary.",
        )


# -- warnings ----------------------------------------------------------------------------


def dataset_warnings(
    df: pd.DataFrame,
    profile: TableProfile,
    target: str | None,
    task: Task | str | None,
) -> list[DataWarning]:
    """Problems worth the user's attention, with counts, target-related first."""
    out: list[DataWarning] = []
    n = profile.n_rows
    task = Task(task) if task is not None else None
    if target is not None and target in df.columns and isinstance(df[target], pd.Series):
        y = df[target]
        out += _target_warnings(y, target, task, n)
        out += leak_warnings(df, profile, target)
    if profile.duplicate_rows:
        d = profile.duplicate_rows
        out.append(
            DataWarning(
                "duplicates",
                f"{d:,} of {n:,} rows ({_pct(d, n)}) are exact duplicates of earlier rows; "
                "they will be dropped so that no row is in both the training and test data.",
                count=d,
            )
        )
    per_column: list[DataWarning] = []
    for col in profile.columns:
        if col.name != target:
            per_column += _column_warnings(col, n)
    return out + _sum_up(per_column) + small_group_warning(profile, target)


_MORE = {
    "missing": "have missing values",
    "constant": "hold a single value (or none) and will be ignored",
    "identifier": "look like identifiers and will be ignored",
    "text": "look like free text and are read as words (TF-IDF)",
    "mixed": "mix numbers with other values and are treated as categories",
    "high_cardinality": "have many distinct categories",
    "infinite": "have infinite values (treated as missing)",
}


def _sum_up(warnings: list[DataWarning]) -> list[DataWarning]:
    """At most :data:`MAX_COLUMN_WARNINGS` per-column warnings of each kind, then one line
    for the rest (a 20,000-column table listed 20,000 "missing" warnings)."""
    kept: list[DataWarning] = []
    rest: dict[str, list[DataWarning]] = {}
    listed: dict[str, int] = {}
    for w in warnings:
        listed[w.code] = listed.get(w.code, 0) + 1
        (kept if listed[w.code] <= MAX_COLUMN_WARNINGS else rest.setdefault(w.code, [])).append(w)
    for code, more in rest.items():
        shown = ", ".join(f"'{w.column}'" for w in more[:3])
        worst = "warning" if any(w.severity == "warning" for w in more) else "info"
        kept.append(
            DataWarning(
                code,
                f"{len(more):,} more columns {_MORE.get(code, 'have the same warning')} "
                f"({shown}, …).",
                count=len(more),
                severity=worst,
            )
        )
    return kept


def _target_warnings(y: pd.Series, target: str, task: Task | None, n: int) -> list[DataWarning]:
    """Missing targets and, for classification, the classes as ``prepare_data`` makes them
    (``core.preprocess._target``): rare classes, imbalance, and values merged into one."""
    out: list[DataWarning] = []
    classification = task is not None and task.is_classification
    labels = canonical_labels(y) if classification else None
    missing = int((~labels.present).sum()) if labels is not None else int(y.isna().sum())
    if missing:
        out.append(
            DataWarning(
                "target_missing",
                f"The target '{target}' is missing in {missing:,} of {n:,} rows "
                f"({_pct(missing, n)}); those rows will be left out.",
                column=target,
                count=missing,
                severity="warning" if missing >= 0.05 * n else "info",
            )
        )
    if labels is None:
        return out
    merges = labels.notice(target)
    if merges:
        out.append(
            DataWarning(
                "label_merge",
                merges + " Fix the file if they are different classes.",
                column=target,
                count=len(labels.merged),
            )
        )
    counts = labels.counts()
    total = int(counts.sum())
    rare = [(v, int(c)) for v, c in counts.items() if c < MIN_STRATIFY_ROWS]
    for value, c in rare[::-1][:10]:
        label = str(value)
        if c < 2:
            text = (
                f"Class '{label}' has {c} row of {total:,} ({_pct(c, total)}); a class needs "
                "at least 2 rows to be learned and tested. Remove or merge it."
            )
        else:
            text = (
                f"Class '{label}' has {c} rows of {total:,} ({_pct(c, total)}): too few to "
                f"stratify a train/validation/test split (it needs {MIN_STRATIFY_ROWS}), so "
                "stratification will be relaxed."
            )
        out.append(
            DataWarning(
                "rare_class", text, column=target, count=c, severity="error" if c < 2 else "warning"
            )
        )
    if len(rare) > 10:
        out.append(
            DataWarning(
                "rare_class",
                f"{len(rare) - 10} more classes have fewer than {MIN_STRATIFY_ROWS} rows.",
                column=target,
                count=len(rare) - 10,
            )
        )
    if len(counts) >= 2:
        big, small = int(counts.iloc[0]), int(counts.iloc[-1])
        ratio = big / small
        if is_imbalanced(counts):
            out.append(
                DataWarning(
                    "imbalance",
                    f"The classes are imbalanced: '{counts.index[0]}' "
                    f"has {big:,} rows ({_pct(big, total)}) but "
                    f"'{counts.index[-1]}' has {small:,} "
                    f"({_pct(small, total)}), a ratio of {ratio:.1f} : 1. Judge models by "
                    "balanced accuracy or F1 rather than accuracy.",
                    column=target,
                    count=small,
                )
            )
    return out


def _column_warnings(col: ColumnProfile, n: int) -> list[DataWarning]:
    out: list[DataWarning] = []
    name = col.name
    if col.kind == ColumnKind.CONSTANT:
        if col.count == 0:
            text = f"Column '{name}' is empty (all {n:,} values are missing); it will be ignored."
        else:
            value = col.top_values[0][0] if col.top_values else "?"
            text = (
                f"Column '{name}' has the same value ('{value}') in every filled row; it "
                "carries no information and will be ignored."
            )
        out.append(DataWarning("constant", text, column=name, count=col.count, severity="info"))
        return out
    if col.kind == ColumnKind.IDENTIFIER:
        out.append(
            DataWarning(
                "identifier",
                f"Column '{name}' looks like an identifier ({col.unique:,} distinct values in "
                f"{col.count:,} rows); ids do not generalize to new rows, so it will be ignored.",
                column=name,
                count=col.unique,
                severity="info",
            )
        )
    elif col.kind == ColumnKind.TEXT:
        example = col.top_values[0][0] if col.top_values else ""
        example = example if len(example) <= 40 else example[:37] + "..."
        out.append(
            DataWarning(
                "text",
                f"Column '{name}' looks like free text ({col.unique:,} distinct values, e.g. "
                f"'{example}'); the model reads it as words and word pairs (TF-IDF) beside "
                "the other columns.",
                column=name,
                count=col.unique,
                severity="info",
            )
        )
    if col.non_numeric:
        shown = ", ".join(f"'{v}'" for v in col.non_numeric_examples)
        out.append(
            DataWarning(
                "mixed",
                f"Column '{name}' is mostly numbers, but {col.non_numeric:,} of {col.count:,} "
                f"values are not ({shown}); it is treated as categories. Fix or clear those "
                "values in the file to use it as a number.",
                column=name,
                count=col.non_numeric,
            )
        )
    elif col.kind == ColumnKind.CATEGORICAL and col.unique > HIGH_CARDINALITY:
        out.append(
            DataWarning(
                "high_cardinality",
                f"Column '{name}' has {col.unique:,} distinct categories; rare categories "
                "carry little signal." + phrases_note(name, col),
                column=name,
                count=col.unique,
                severity="info",
            )
        )
    if col.missing:
        out.append(
            DataWarning(
                "missing",
                f"Column '{name}' is missing {col.missing:,} of {n:,} values "
                f"({_pct(col.missing, n)}).",
                column=name,
                count=col.missing,
                severity="warning" if col.missing >= 0.05 * n else "info",
            )
        )
    if col.infinite:
        out.append(
            DataWarning(
                "infinite",
                f"Column '{name}' has {col.infinite:,} infinite values (inf or -inf); they "
                "will be treated like missing values.",
                column=name,
                count=col.infinite,
            )
        )
    return out


# -- helpers -----------------------------------------------------------------------------


def _mostly_numbers(series: pd.Series) -> bool:
    head = series.dropna().head(1000).astype(str)
    return bool(len(head)) and sum(is_number_text(v) for v in head) >= 0.9 * len(head)


def _pct(part: int, whole: int) -> str:
    if whole <= 0:
        return "0 %"
    share = 100.0 * part / whole
    return f"{share:.1f} %" if share >= 0.1 or share == 0 else f"{share:.2f} %"
