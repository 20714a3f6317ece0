"""Fit preprocessing on the training split and express it as Keras layers inside the model."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.preprocess._dates import date_branch, detect_parse
from automl_gui.core.preprocess._impute import category_index, fill_numbers
from automl_gui.core.preprocess._inputs import InputSchema, frame_to_inputs
from automl_gui.core.preprocess._text_column import MAX_TEXT_COLUMNS, TEXT, text_branch
from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig

MAX_VOCABULARY = 10_000  # most frequent categories kept; rarer ones share the unseen slot
MAX_VALUE_CHARS = 1_000  # longer category values are left out of vocabularies (unseen slot);
# long URLs and file paths stay categories, a stray text cell or a blob does not
MISSING_TOKEN = "(missing)"  # category used for constant fill without a value
# Numeric features share one (n, k) input from this many on: one Keras input (and impute and
# scale layers) per column took 120 s and 2.4 GB to build at 2,000 columns.
GROUP_NUMERIC_FROM = 100
MAX_SUMMARY_COLUMNS = 1_000  # per-column fitted facts kept in the metadata (the model has all)
# Category columns keep a Keras input and lookup layers each: 200 built and trained an epoch
# in 18 s, 500 in 80 s and 1.5 GB (two cores); thousands never finish. Numbers have no limit.
MAX_CATEGORY_COLUMNS = 500
#: quantile levels of each numeric column's scaled training values kept on the preprocessor:
#: the piecewise-linear encoding's bin edges for any bin count are read from them
QUANTILE_LEVELS = 257


@dataclass
class Preprocessor:
    """Keras inputs and the encoded feature tensor, plus what was fitted (for metadata)."""

    inputs: dict[str, Any]  # input_name -> keras.Input
    features: Any  # KerasTensor (batch, n_features), float32
    schema: InputSchema
    summary: dict[str, Any] = field(default_factory=dict)
    summary_omitted: int = 0  # feature columns whose facts were left out of ``summary``
    #: of the features, how many are free-text vectors (TF-IDF weights) and from how many
    #: text columns: the MLP's automatic size counts a sparse text vector apart
    text_width: int = 0
    text_columns: int = 0
    #: the numeric features' scaled values as one (batch, n_numeric) tensor (None: no numeric
    #: column), everything else (categories, texts, dates, missing indicators) as ``rest``
    #: (None: nothing else); ``[numeric, rest]`` holds what ``features`` holds
    numeric: Any = None
    rest: Any = None
    #: (n_numeric, QUANTILE_LEVELS) quantiles of each numeric column's scaled training
    #: values at levels 0, 1/256, ..., 1 (:meth:`numeric_edges` reads bin edges from them)
    numeric_quantiles: np.ndarray | None = None

    @property
    def n_features(self) -> int:
        return int(self.features.shape[-1])

    @property
    def n_numeric(self) -> int:
        return 0 if self.numeric is None else int(self.numeric.shape[-1])

    def numeric_edges(self, n_bins: int) -> list[np.ndarray]:
        """Each numeric column's bin edges for ``n_bins`` quantile bins of its scaled training
        values: ``n_bins + 1`` edges at most, repeated edges dropped (a column of few distinct
        values gets fewer bins; a constant column one edge, so no bin)."""
        if self.numeric_quantiles is None:
            return []
        levels = np.linspace(0.0, 1.0, self.numeric_quantiles.shape[1])
        wanted = np.linspace(0.0, 1.0, int(n_bins) + 1)
        return [np.unique(np.interp(wanted, levels, q)) for q in self.numeric_quantiles]


def column_quantiles(scaled: np.ndarray) -> np.ndarray:
    """(k, QUANTILE_LEVELS) quantiles of each column of ``scaled`` (n, k); zeros when n = 0.

    Rounded to float32 (the precision the model compares in), so values that only differ in
    float64 noise give one edge."""
    if scaled.shape[0] == 0:
        return np.zeros((scaled.shape[1], QUANTILE_LEVELS))
    q = np.quantile(scaled, np.linspace(0.0, 1.0, QUANTILE_LEVELS), axis=0, method="linear")
    return q.T.astype(np.float32).astype(np.float64)


def check_width(config: PreprocessConfig) -> None:
    """Refuse settings with more category columns than a model can be built from.

    Raises:
        ConfigError: more than :data:`MAX_CATEGORY_COLUMNS` feature columns are categorical,
            or more than :data:`_text_column.MAX_TEXT_COLUMNS` are free text.
    """
    n_text = sum(c.type == "text" for c in config.feature_columns())
    if n_text > MAX_TEXT_COLUMNS:
        raise ConfigError(
            f"{n_text} free-text columns are set to be used, but a model takes at most "
            f"{MAX_TEXT_COLUMNS}: each becomes a vector of word weights as wide as its "
            "vocabulary.",
            "Exclude the text columns you need least, or set short ones to categorical.",
        )
    n = sum(c.type == "categorical" for c in config.feature_columns())
    if n > MAX_CATEGORY_COLUMNS:
        raise ConfigError(
            f"{n:,} category columns are set to be used, but a model can take at most "
            f"{MAX_CATEGORY_COLUMNS:,}: each needs its own text lookup layers, and building "
            "that many takes many minutes and gigabytes.",
            "Exclude the category columns you do not need, or set columns that hold numbers "
            "to numeric (numeric columns have no such limit).",
        )


def _input_of(col: ColumnConfig, train_df: pd.DataFrame) -> tuple[str, str, str | None]:
    """``(name, dtype, parse)`` of a feature column's model input; a date column's parse is
    detected on the training split (and stored in the schema for every later frame)."""
    if col.type == "numeric":
        return col.name, "float32", None
    if col.type == "text":
        return col.name, "string", TEXT
    if col.type == "datetime":
        series = train_df[col.name]
        if isinstance(series, pd.DataFrame):  # duplicate names: the first, as frame_to_inputs
            series = series.iloc[:, 0]
        return col.name, "float32", detect_parse(series)
    return col.name, "string", None


def embedding_size(n_tokens: int, configured: int | None = None) -> int:
    """Embedding width: the configured one, else a rule of thumb growing slowly with cardinality."""
    if configured:
        return int(configured)
    return int(min(50, max(2, round(1.6 * n_tokens**0.56))))


def _numeric_fill(col: ColumnConfig, finite: np.ndarray) -> float:
    if col.missing == "constant":
        return float(col.fill_value if col.fill_value is not None else 0.0)
    if finite.size == 0:
        return 0.0
    if col.missing == "median":
        return float(np.median(finite))
    if col.missing == "most_frequent":
        values, counts = np.unique(finite, return_counts=True)
        return float(values[np.argmax(counts)])
    return float(np.mean(finite))  # "mean", and "drop_rows" for rows that arrive at serving


def _numeric_branch(keras: Any, col: ColumnConfig, inp: Any, values: np.ndarray):
    """The column's parts (scaled value, then its missing indicator if any), fitted facts and
    scaled training values (numpy, as the model computes them)."""
    finite = values[np.isfinite(values)].astype(np.float64)
    fill = _numeric_fill(col, finite)
    name = inp.name
    x, indicator = fill_numbers(keras, inp, fill, [0] if col.missing_indicator else [])
    filled = np.where(np.isfinite(values), values, fill).astype(np.float64)
    facts: dict[str, Any] = {"type": "numeric", "fill_value": fill, "scaling": col.scaling}
    if filled.size:
        facts.update(min=float(filled.min()), max=float(filled.max()))
    if col.scaling == "standardize":
        mean = float(filled.mean()) if filled.size else 0.0
        var = float(filled.var()) if filled.size else 1.0
        x = keras.layers.Normalization(
            mean=mean, variance=var if var > 0 else 1.0, dtype="float32", name=f"scale_{name}"
        )(x)
        facts.update(mean=mean, std=float(np.sqrt(var)))
        filled = (filled - mean) / np.sqrt(var if var > 0 else 1.0)
    elif col.scaling == "minmax":
        lo = float(filled.min()) if filled.size else 0.0
        span = float(filled.max()) - lo if filled.size else 0.0
        scale = 1.0 / span if span > 0 else 1.0
        x = keras.layers.Rescaling(
            scale=scale, offset=-lo * scale, dtype="float32", name=f"scale_{name}"
        )(x)
        filled = (filled - lo) * scale
    parts = [x] + ([indicator] if indicator is not None else [])
    facts["missing_indicator"] = bool(col.missing_indicator)
    facts["missing_in_train"] = int((~np.isfinite(values)).sum())
    return parts, facts, filled


def _categorical_branch(
    keras: Any,
    col: ColumnConfig,
    inp: Any,
    values: np.ndarray,
    embedding_dim: int | None,
    seed: int,
):
    counts = Counter(v for v in values.tolist() if v != "")
    # A value longer than MAX_VALUE_CHARS (a stray text cell, a 200 MB blob) would be stored
    # in the model's config and the metadata: it stays out, and maps to the unseen slot.
    long_values = [v for v in counts if len(v) > MAX_VALUE_CHARS]
    for v in long_values:
        del counts[v]
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_VOCABULARY]
    vocab = [v for v, _ in ranked]
    if col.missing == "constant":
        from automl_gui.core.preprocess._inputs import canonical_string

        fill = canonical_string(col.fill_value)[:MAX_VALUE_CHARS] or MISSING_TOKEN
    else:  # most_frequent (also for "drop_rows" rows that arrive at serving, and mean/median)
        fill = vocab[0] if vocab else MISSING_TOKEN
    if fill not in vocab:
        vocab.append(fill)
    name = inp.name
    ids, indicator = category_index(keras, inp, vocab, fill, col.missing_indicator)
    n_tokens = len(vocab) + 1  # index 0: unseen categories
    facts: dict[str, Any] = {
        "type": "categorical",
        "fill_value": fill,
        "encoding": col.encoding,
        "vocabulary_size": len(vocab),
        "top_values": vocab[:20],
        "missing_indicator": bool(col.missing_indicator),
        "missing_in_train": int((values == "").sum()),
    }
    if long_values:
        facts["long_values_left_out"] = len(long_values)
    if col.encoding == "embedding":
        dim = embedding_size(n_tokens, embedding_dim)
        emb = keras.layers.Embedding(
            n_tokens,
            dim,
            embeddings_initializer=keras.initializers.RandomUniform(-0.05, 0.05, seed=seed),
            dtype="float32",
            name=f"embed_{name}",
        )(ids)
        x = keras.layers.Reshape((dim,), dtype="float32", name=f"flat_{name}")(emb)
        facts["embedding_dim"] = dim
    else:
        x = keras.layers.CategoryEncoding(
            num_tokens=n_tokens, output_mode="one_hot", dtype="float32", name=f"onehot_{name}"
        )(ids)
    parts = [x] + ([indicator] if indicator is not None else [])
    return parts, facts


def build_preprocessor(
    config: PreprocessConfig,
    train_df: pd.DataFrame,
    *,
    embedding_dim: int | None = None,
    seed: int = 42,
) -> Preprocessor:
    """Fit every feature's preprocessing on the training split as Keras layers.

    A table with fewer than :data:`GROUP_NUMERIC_FROM` numeric features gets one ``(n, 1)``
    input per column (the form of every model saved so far). From that many on, the numeric
    features share one ``(n, k)`` float32 input, filled by one ``where`` over the vector and
    scaled by one ``Normalization`` over the vector (minmax and unscaled columns as a mean
    and variance too); category columns keep an input each (``validate_config`` caps them).

    Args:
        config: preprocessing settings (feature columns, fills, scaling, encoding).
        train_df: raw training rows (only the training split: no leakage from val/test).
        embedding_dim: width of category embeddings (None: from cardinality).
        seed: seed for embedding initializers.
    """
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    features = config.feature_columns()
    if not features:
        raise ConfigError(
            "All columns are excluded, so the model would have no inputs.",
            "Include at least one column besides the target.",
        )
    check_width(config)
    n_numeric = sum(c.type == "numeric" for c in features)
    schema = InputSchema.from_columns(
        [_input_of(c, train_df) for c in features], group_numeric=n_numeric >= GROUP_NUMERIC_FROM
    )
    arrays = frame_to_inputs(train_df, schema)
    inputs = {
        spec.name: keras.Input(shape=(spec.width,), name=spec.name, dtype=spec.dtype)
        for spec in schema.inputs()
    }
    parts: list[Any] = []
    numeric: list[Any] = []  # scaled numeric values (also in parts)
    scaled: list[np.ndarray] = []  # their training values
    summary: dict[str, Any] = {}
    grouped: list[tuple[ColumnConfig, Any]] = []
    text_width = text_columns = 0
    for i, (col, spec) in enumerate(zip(features, schema.columns, strict=True)):
        if spec.index is not None:
            grouped.append((col, spec))
            continue
        inp = inputs[spec.input_name]
        values = arrays[spec.input_name][:, 0]
        if col.type == "numeric":
            col_parts, facts, filled = _numeric_branch(keras, col, inp, values)
            numeric.append(col_parts[0])
            scaled.append(filled)
        elif col.type == "text":
            col_parts, facts = text_branch(keras, col, inp, arrays[spec.input_name])
            text_width += int(sum(p.shape[-1] for p in col_parts))
            text_columns += 1
        elif col.type == "datetime":
            col_parts, facts = date_branch(keras, col, inp, arrays[spec.input_name])
            facts["parse"] = spec.parse
        else:
            col_parts, facts = _categorical_branch(keras, col, inp, values, embedding_dim, seed + i)
        facts["input_name"] = spec.input_name
        facts["width"] = int(sum(p.shape[-1] for p in col_parts))
        summary[col.name] = facts
        parts.extend(col_parts)
    if grouped:
        from automl_gui.core.preprocess._group import numeric_group

        name = grouped[0][1].input_name
        group_parts, group_facts, group_scaled = numeric_group(
            keras, [c for c, _ in grouped], inputs[name], arrays[name]
        )
        parts = group_parts + parts
        numeric = [group_parts[0], *numeric]
        scaled = [group_scaled, *(v[:, None] for v in scaled)]
        summary = {c.name: summary.get(c.name) or group_facts[c.name] for c in features}
    omitted = max(0, len(summary) - MAX_SUMMARY_COLUMNS)
    if omitted:
        summary = dict(list(summary.items())[:MAX_SUMMARY_COLUMNS])
    feats = _joined(keras, parts, "features")
    numeric_ids = {id(t) for t in numeric}
    rest = [p for p in parts if id(p) not in numeric_ids]
    quantiles = None
    if numeric:
        columns = [v.reshape(len(v), -1) for v in scaled]
        quantiles = column_quantiles(np.concatenate(columns, axis=1))
    return Preprocessor(
        inputs=inputs,
        features=feats,
        schema=schema,
        summary=summary,
        summary_omitted=omitted,
        text_width=text_width,
        text_columns=text_columns,
        numeric=_joined(keras, numeric, "numeric_features") if numeric else None,
        rest=_joined(keras, rest, "other_features") if rest else None,
        numeric_quantiles=quantiles,
    )


def _joined(keras: Any, parts: list[Any], name: str) -> Any:
    """``parts`` side by side (one part as it is)."""
    if len(parts) == 1:
        return parts[0]
    return keras.layers.Concatenate(dtype="float32", name=name)(parts)
