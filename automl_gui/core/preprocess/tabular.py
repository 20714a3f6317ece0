"""Tabular preprocessing: automatic settings, the train/validation/test split, and the fitted
preprocessing layers that make the saved model take raw rows.

Train/serve skew is avoided by construction: every raw frame (training split, prediction
file, export sample rows) goes through :func:`frame_to_inputs`, and every fitted statistic
lives in a Keras layer inside the model. TensorFlow is imported only inside
:func:`build_preprocessor` and :func:`to_tensors`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.base.events import EventCallback, Progress, emit
from automl_gui.core.data.schema import ColumnKind, TableProfile, Task
from automl_gui.core.preprocess._build import Preprocessor, build_preprocessor, check_width
from automl_gui.core.preprocess._inputs import (
    _NUMBER,
    InputColumn,
    InputSchema,
    canonical_string,
    canonical_strings,
    frame_to_inputs,
    numeric_values,
    to_tensors,
)
from automl_gui.core.preprocess._skew import skewed_positions
from automl_gui.core.preprocess._target import canonical_labels, check_regression_values
from automl_gui.core.preprocess._text_column import MAX_TEXT_COLUMNS, check_settings
from automl_gui.core.preprocess._text_column import reason as text_reason
from automl_gui.core.preprocess.config import (
    ENCODINGS,
    FEATURE_TYPES,
    MISSING_BY_TYPE,
    MISSING_STRATEGIES,
    SCALINGS,
    ColumnConfig,
    PreprocessConfig,
    SplitConfig,
)

MIN_ROWS = 10  # fewer usable rows than this cannot be split into train/validation/test
INDICATOR_THRESHOLD = 0.05  # add a missing indicator above this fraction of missing values


# -- automatic settings -----------------------------------------------------------------------
def _kind_of(df: pd.DataFrame, profile: TableProfile | None, name: str) -> ColumnKind:
    if profile is not None:
        try:
            return ColumnKind(profile.column(name).kind)
        except KeyError:
            pass
    s = df[name]
    if pd.api.types.is_bool_dtype(s):
        return ColumnKind.BOOLEAN
    if isinstance(s.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(s):
        return ColumnKind.DATETIME
    if pd.api.types.is_numeric_dtype(s):
        return ColumnKind.NUMERIC
    return ColumnKind.CATEGORICAL


_EXCLUDED = {
    ColumnKind.IDENTIFIER: "unique per row: looks like an ID",
    ColumnKind.CONSTANT: "a single value: carries no information",
}
DATE_REASON = (
    "date/time: year, month, day of week (and hour when times vary), their cycles, and days "
    "since the first date; missing or unreadable dates: the median date, flagged"
)


def auto_config(
    df: pd.DataFrame, profile: TableProfile | None, target: str, task: Task | str
) -> PreprocessConfig:
    """Sensible defaults for every column, each with a short reason.

    Args:
        df: the loaded table (not modified).
        profile: its profile (column kinds, missing and unique counts); may be None.
        target: the target column (listed with ``use=False``).
        task: "binary", "multiclass" or "regression".
    """
    if target not in df.columns:
        raise ConfigError(f"Target column '{target}' is not in the table.", "Pick another target.")
    task_value = Task(task).value
    config = PreprocessConfig(target=target, task=task_value)
    names = [str(c) for c in df.columns]
    kinds = [_kind_of(df, profile, name) for name in names]
    # whole-table passes: one per column through pandas took 17 s on 20,000 columns
    missing_fractions = df.isna().to_numpy().mean(axis=0) if len(df) else np.zeros(len(names))
    skewed = skewed_positions(
        df, [i for i, k in enumerate(kinds) if k is ColumnKind.NUMERIC and names[i] != target]
    )
    for i, name in enumerate(names):
        kind = kinds[i]
        series = df[name]
        missing = float(missing_fractions[i])
        if name == target:
            col_type = "numeric" if task_value == Task.REGRESSION.value else "categorical"
            config.columns.append(ColumnConfig(name, use=False, type=col_type, reason="target"))
            continue
        if kind in _EXCLUDED:
            col_type = "numeric" if kind is ColumnKind.NUMERIC else "categorical"
            config.columns.append(
                ColumnConfig(name, use=False, type=col_type, reason=_EXCLUDED[kind])
            )
            continue
        if kind is ColumnKind.TEXT:
            text_col = ColumnConfig(name, type="text", missing="constant")
            text_col.reason = text_reason(text_col)
            config.columns.append(text_col)
            continue
        if kind is ColumnKind.DATETIME:
            config.columns.append(
                ColumnConfig(
                    name,
                    type="datetime",
                    missing="median",
                    missing_indicator=True,
                    reason=DATE_REASON,
                )
            )
            continue
        indicator = missing > INDICATOR_THRESHOLD
        miss_note = f"; {missing:.0%} missing: indicator added" if indicator else ""
        if kind is ColumnKind.NUMERIC:
            strategy = "median" if i in skewed else "mean"
            reason = "numeric: standardized" + (
                "; skewed: median fill" if strategy == "median" else ""
            )
            config.columns.append(
                ColumnConfig(
                    name,
                    type="numeric",
                    missing=strategy,
                    missing_indicator=indicator,
                    scaling="standardize",
                    reason=reason + miss_note,
                )
            )
            continue
        if profile is not None and kind is not ColumnKind.BOOLEAN:
            try:
                n_unique = int(profile.column(name).unique)
            except KeyError:
                n_unique = int(series.nunique(dropna=True))
        else:
            n_unique = int(series.nunique(dropna=True))
        if kind is ColumnKind.BOOLEAN:
            encoding, reason = "onehot", "yes/no: one-hot"
        elif n_unique <= config.embedding_threshold:
            encoding, reason = "onehot", f"{n_unique} categories: one-hot"
        else:
            encoding, reason = "embedding", f"{n_unique} categories: embedding"
        config.columns.append(
            ColumnConfig(
                name,
                type="categorical",
                missing="most_frequent",
                missing_indicator=indicator,
                encoding=encoding,
                reason=reason + miss_note,
            )
        )
    _limit_category_columns(config)
    _limit_text_columns(config)
    return config


def _limit_text_columns(config: PreprocessConfig) -> None:
    """Use at most :data:`MAX_TEXT_COLUMNS` free-text columns, the first in the table."""
    used = [c for c in config.feature_columns() if c.type == "text"]
    for col in used[MAX_TEXT_COLUMNS:]:
        col.use = False
        col.reason = (
            f"excluded: a model takes at most {MAX_TEXT_COLUMNS} free-text columns, "
            "and the first ones in the table are used"
        )


def _limit_category_columns(config: PreprocessConfig) -> None:
    """Use at most :data:`MAX_CATEGORY_COLUMNS` category columns, the first in the table; the
    rest are excluded with a reason saying so, so the automatic settings always build (the
    user may swap columns in the window)."""
    from automl_gui.core.preprocess._build import MAX_CATEGORY_COLUMNS

    used = [c for c in config.feature_columns() if c.type == "categorical"]
    for col in used[MAX_CATEGORY_COLUMNS:]:
        col.use = False
        col.reason = (
            f"excluded: a model takes at most {MAX_CATEGORY_COLUMNS:,} category columns, "
            "and the first ones in the table are used"
        )


# -- validation and the split -----------------------------------------------------------------
def validate_config(config: PreprocessConfig, columns: list[str]) -> None:
    """Raise ConfigError when the settings cannot be applied to a table with ``columns``."""
    known = set(columns)
    if config.target not in known:
        raise ConfigError(
            f"Target column '{config.target}' is not in the table.", "Pick a target from the table."
        )
    unknown = [c.name for c in config.columns if c.name not in known]
    if unknown:
        raise ConfigError(
            f"Settings name columns the table lacks: {', '.join(unknown[:20])}"
            + (f" and {len(unknown) - 20:,} more." if len(unknown) > 20 else "."),
            "Reset preprocessing to the automatic defaults for this table.",
        )
    try:
        Task(config.task)
    except ValueError:
        raise ConfigError(
            f"Unknown task '{config.task}'.", "Use binary, multiclass or regression."
        ) from None
    for col in config.feature_columns():
        if col.type not in FEATURE_TYPES:
            raise ConfigError(
                f"Column '{col.name}': unknown type '{col.type}'.",
                f"Use one of {', '.join(FEATURE_TYPES)}.",
            )
        allowed = MISSING_BY_TYPE.get(col.type, MISSING_STRATEGIES)
        if col.missing not in allowed:
            raise ConfigError(
                f"Column '{col.name}': missing-value strategy '{col.missing}' does not apply to "
                f"a {col.type} column.",
                f"Use one of {', '.join(allowed)}.",
            )
        if col.type == "numeric" and col.scaling not in SCALINGS:
            raise ConfigError(
                f"Column '{col.name}': unknown scaling '{col.scaling}'.",
                f"Use one of {', '.join(SCALINGS)}.",
            )
        if col.type == "categorical" and col.encoding not in ENCODINGS:
            raise ConfigError(
                f"Column '{col.name}': unknown encoding '{col.encoding}'.",
                f"Use one of {', '.join(ENCODINGS)}.",
            )
        if col.type == "text":
            check_settings(col)
        if col.type == "numeric" and col.missing == "constant":
            try:
                float(col.fill_value if col.fill_value is not None else 0.0)
            except (TypeError, ValueError):
                raise ConfigError(
                    f"Column '{col.name}': fill value '{col.fill_value}' is not a number.",
                    "Enter a number or choose another missing-value strategy.",
                ) from None
    if not config.feature_columns():
        raise ConfigError(
            "All columns are excluded, so the model would have no inputs.",
            "Include at least one column besides the target.",
        )
    check_width(config)
    s: SplitConfig = config.split
    fractions = (s.train, s.validation, s.test)
    if any(not isinstance(f, (int, float)) or not math.isfinite(f) or f <= 0 for f in fractions):
        raise ConfigError(
            "Train, validation and test fractions must each be above 0.",
            "For example use 0.7 / 0.15 / 0.15.",
        )
    if abs(sum(fractions) - 1.0) > 1e-6:
        raise ConfigError(
            f"Split fractions sum to {sum(fractions):.3f}, not 1.",
            "Adjust train, validation and test so they add up to 1.",
        )


@dataclass
class PreparedData:
    """Raw feature frames of each split and the encoded targets."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    y_train: np.ndarray
    y_validation: np.ndarray
    y_test: np.ndarray
    class_names: list[str] | None
    notices: list[str] = field(default_factory=list)
    rows_in: int = 0
    rows_used: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    #: the test rows' positions in the table given to :func:`prepare_data` (``core.trust``
    #: slices and explains the run's test rows by columns the model does not take)
    test_positions: np.ndarray | None = None


def _text_only_notice(features: list[ColumnConfig]) -> str:
    """A notice when free text is the table's only input and a text data kind exists."""
    if not features or any(c.type != "text" for c in features):
        return ""
    from automl_gui.core.kinds import kind_named

    try:
        kind = kind_named("text")
    except ConfigError:
        return ""
    names = ", ".join(f"'{c.name}'" for c in features)
    return (
        f"The only input is free text ({names}), read as TF-IDF of words and word pairs. "
        f"Opened as {kind.title} data, the same table offers more for text: word-sequence "
        "and pretrained models, and settings for how words are read."
    )


def _sort_classes(names: list[str]) -> list[str]:
    """Sort class names as strings, but numerically when they all are numbers ("2" < "10")."""
    if names and all(_NUMBER.match(n) for n in names):
        return sorted(names, key=lambda n: (float(n), n))
    return sorted(names)


def _split(
    n: int, y: np.ndarray, split: SplitConfig, stratify: bool, notices: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    n_test = max(1, int(round(n * split.test)))
    n_val = max(1, int(round(n * split.validation)))
    if n - n_test - n_val < 1:
        raise DataError(
            f"Only {n} usable rows: too few to split into train, validation and test.",
            f"Use a table with at least {MIN_ROWS} rows.",
        )
    idx = np.arange(n)

    def cut(ix: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
        nonlocal stratify
        if stratify:
            try:
                return train_test_split(
                    ix, test_size=size, random_state=split.seed, shuffle=True, stratify=y[ix]
                )
            except ValueError:
                stratify = False
                notices.append(
                    "Some classes have too few rows to stratify the split; split at random instead."
                )
        return train_test_split(ix, test_size=size, random_state=split.seed, shuffle=True)

    rest, test = cut(idx, n_test)
    train, val = cut(rest, n_val)
    return np.sort(train), np.sort(val), np.sort(test)


def prepare_data(
    df: pd.DataFrame, config: PreprocessConfig, *, on_event: EventCallback | None = None
) -> PreparedData:
    """Clean, encode the target and split; ``df`` itself is never modified.

    Raises:
        ConfigError: invalid settings (unknown columns, bad fractions, no features).
        DataError: unusable target or too few rows.
    """
    validate_config(config, [str(c) for c in df.columns])
    emit(on_event, Progress("prepare", 0.0, "Preparing data"))
    task = Task(config.task)
    features = config.feature_columns()
    names = [c.name for c in features]
    rows_in = len(df)
    dropped: dict[str, int] = {}
    notices: list[str] = []

    labels = canonical_labels(df[config.target]) if task.is_classification else None
    if labels is not None:  # blank text is a missing label too
        keep = labels.present.copy()
        merges = labels.notice(config.target)
        if merges:
            notices.append(merges)
    else:
        keep = df[config.target].notna().to_numpy(dtype=bool, copy=True)
    if (~keep).any():
        dropped["missing_target"] = int((~keep).sum())
        notices.append(f"Dropped {dropped['missing_target']} rows with a missing target.")
    if config.drop_duplicates:
        dup = df.duplicated().to_numpy() & keep
        if dup.any():
            dropped["duplicates"] = int(dup.sum())
            notices.append(f"Dropped {dropped['duplicates']} duplicate rows.")
            keep &= ~dup
    for col in features:
        if col.missing != "drop_rows":
            continue
        s = df[col.name]
        miss = s.isna().to_numpy(dtype=bool, copy=True)
        if col.type == "numeric" and pd.api.types.is_numeric_dtype(s):
            miss |= ~np.isfinite(s.to_numpy(dtype="float64", na_value=np.nan))
        miss &= keep
        if miss.any():
            dropped[f"missing:{col.name}"] = int(miss.sum())
            notices.append(f"Dropped {int(miss.sum())} rows with '{col.name}' missing.")
            keep &= ~miss

    data = df.loc[keep, names + ([config.target] if config.target not in names else [])].copy()
    data = data.reset_index(drop=True)
    X = data[names].copy()
    for col in features:
        s = X[col.name]
        if (
            col.type == "numeric"
            and pd.api.types.is_numeric_dtype(s)
            and not pd.api.types.is_bool_dtype(s)
        ):
            values = s.to_numpy(dtype="float64", na_value=np.nan)
            inf = np.isinf(values)
            if inf.any():
                X[col.name] = np.where(inf, np.nan, values)
                notices.append(
                    f"'{col.name}': {int(inf.sum())} infinite values treated as missing."
                )

    y_raw = data[config.target]
    class_names: list[str] | None = None
    if labels is not None:
        kept = labels.values[keep]
        class_names = _sort_classes(sorted(set(kept.tolist())))
        if len(class_names) < 2:
            merged = labels.describe()
            raise DataError(
                f"Target '{config.target}' has only one class after cleaning"
                + (f" ({merged})." if merged else "."),
                "Pick a target with at least two classes.",
            )
        lookup = {name: i for i, name in enumerate(class_names)}
        y = np.array([lookup[v] for v in kept], dtype=np.int32)
    else:
        try:
            y = numeric_values(y_raw, config.target)
        except DataError as exc:
            raise DataError(
                f"Target '{config.target}' is not numeric, so it cannot be regressed.",
                "Choose classification, or a numeric target.",
            ) from exc
        if np.isnan(y).any():
            raise DataError(
                f"Target '{config.target}' has {int(np.isnan(y).sum())} values that are not numbers.",
                "Fix those values or choose classification.",
            )
        if np.isinf(y).any():
            raise DataError(
                f"Target '{config.target}' has {int(np.isinf(y).sum())} infinite values.",
                "Remove or fix those rows in the file.",
            )
        check_regression_values(y, config.target)
        y = y.astype(np.float32)

    n = len(X)
    if n < MIN_ROWS:
        raise DataError(
            f"Only {n} usable rows: too few to train and evaluate a model.",
            f"Use a table with at least {MIN_ROWS} rows with a target value.",
        )
    text_note = _text_only_notice(features)
    if text_note:
        notices.append(text_note)
    emit(on_event, Progress("prepare", 0.5, "Splitting"))
    stratify = bool(config.split.stratify and task.is_classification)
    tr, va, te = _split(n, y, config.split, stratify, notices)
    emit(
        on_event,
        Progress("prepare", 1.0, f"{len(tr)} train, {len(va)} validation, {len(te)} test rows"),
    )
    return PreparedData(
        train=X.iloc[tr].reset_index(drop=True),
        validation=X.iloc[va].reset_index(drop=True),
        test=X.iloc[te].reset_index(drop=True),
        y_train=y[tr],
        y_validation=y[va],
        y_test=y[te],
        class_names=class_names,
        notices=notices,
        rows_in=rows_in,
        rows_used=n,
        dropped=dropped,
        test_positions=np.flatnonzero(keep)[te],
    )


__all__ = [
    "InputColumn",
    "InputSchema",
    "PreparedData",
    "Preprocessor",
    "auto_config",
    "build_preprocessor",
    "canonical_string",
    "canonical_strings",
    "frame_to_inputs",
    "numeric_values",
    "prepare_data",
    "to_tensors",
    "validate_config",
]
