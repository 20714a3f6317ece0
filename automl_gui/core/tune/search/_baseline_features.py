"""The baselines' features: column roles from the preprocessing settings, the raw rows
converted as the network sees them, and the two feature encodings (one-hot for the linear
model and the forest, ordinal categories for gradient boosting's native category support)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.preprocess.tabular import canonical_strings, numeric_values

#: gradient boosting bins a category column into at most 255 values: rarer categories beyond
#: the 254 most frequent share one code (sklearn's ``max_categories`` of ``OrdinalEncoder``)
BOOSTING_MAX_CATEGORIES = 254


def column_roles(
    frame: pd.DataFrame, preprocess: PreprocessConfig | None
) -> tuple[list[str], list[str]]:
    """(numeric, categorical) feature columns: from the settings, else from the dtypes."""
    if preprocess is not None:
        cols = [c for c in preprocess.feature_columns() if c.name in frame.columns]
        numeric = [c.name for c in cols if c.type == "numeric"]
        categorical = [c.name for c in cols if c.type == "categorical"]
    else:
        numeric, categorical = [], []
        for name in frame.columns:
            s = frame[name]
            is_num = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
            (numeric if is_num else categorical).append(str(name))
    return numeric, categorical


def as_model_frame(frame: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Raw rows → float numeric columns (NaN for missing/inf) and canonical category strings
    ("" for missing), the same conversion the network's inputs get."""
    out: dict[str, Any] = {}
    for name in numeric:
        values = numeric_values(frame[name], name)
        out[name] = np.where(np.isfinite(values), values, np.nan)
    for name in categorical:
        out[name] = canonical_strings(frame[name])
    return pd.DataFrame(out, index=range(len(frame)), columns=numeric + categorical)


def one_hot_transformer(numeric: list[str], categorical: list[str]) -> Any:
    """Numeric: median-filled and standardized; categories: most frequent value filled in and
    one-hot encoded (categories unseen in training ignored)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    parts = []
    if numeric:
        parts.append(
            (
                "numeric",
                make_pipeline(
                    SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()
                ),
                numeric,
            )
        )
    if categorical:
        parts.append(
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(
                        strategy="most_frequent", missing_values="", keep_empty_features=True
                    ),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            )
        )
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.3)


def ordinal_transformer(numeric: list[str], categorical: list[str]) -> Any:
    """Numeric columns as they are (gradient boosting routes missing values itself),
    categories as integer codes, numeric first: the estimator's ``categorical_features`` are
    the last ``len(categorical)`` columns. A missing category ("") is a category of its own;
    one unseen in training gets -1, which gradient boosting treats as missing."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OrdinalEncoder

    parts: list[tuple[str, Any, list[str]]] = []
    if numeric:
        parts.append(("numeric", "passthrough", numeric))
    if categorical:
        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-1,
            max_categories=BOOSTING_MAX_CATEGORIES,
            dtype=np.float64,
        )
        parts.append(("categorical", encoder, categorical))
    return ColumnTransformer(parts, remainder="drop", sparse_threshold=0.0)
