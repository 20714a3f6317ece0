"""Automatic preprocessing choices, the split, and raw-frame conversion (no TensorFlow here
except in the last tests, which fit layers)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.base.events import Progress
from automl_gui.core.data.schema import ColumnKind, ColumnProfile, TableProfile
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.preprocess.tabular import (
    InputSchema,
    auto_config,
    canonical_string,
    frame_to_inputs,
    prepare_data,
)


def _profile(df: pd.DataFrame, kinds: dict[str, ColumnKind]) -> TableProfile:
    cols = tuple(
        ColumnProfile(
            name=c,
            kind=kinds[c],
            dtype=str(df[c].dtype),
            count=int(df[c].notna().sum()),
            missing=int(df[c].isna().sum()),
            unique=int(df[c].nunique()),
        )
        for c in df.columns
    )
    return TableProfile(n_rows=len(df), n_columns=df.shape[1], columns=cols)


def _table(n: int = 100, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "id": np.arange(n),
            "const": ["same"] * n,
            "age": rng.normal(40, 10, n),
            "income": rng.lognormal(10, 1.5, n),
            "color": rng.choice(["red", "green", "blue"], n),
            "zip": [f"z{i % 40}" for i in range(n)],
            "member": rng.random(n) > 0.5,
            "note": [f"free text number {i} with words" for i in range(n)],
            "when": pd.date_range("2024-01-01", periods=n, freq="D"),
            "label": rng.choice(["a", "b"], n),
        }
    )
    df.loc[: n // 10, "age"] = np.nan  # ~11 % missing
    return df


KINDS = {
    "id": ColumnKind.IDENTIFIER,
    "const": ColumnKind.CONSTANT,
    "age": ColumnKind.NUMERIC,
    "income": ColumnKind.NUMERIC,
    "color": ColumnKind.CATEGORICAL,
    "zip": ColumnKind.CATEGORICAL,
    "member": ColumnKind.BOOLEAN,
    "note": ColumnKind.TEXT,
    "when": ColumnKind.DATETIME,
    "label": ColumnKind.CATEGORICAL,
}


def test_auto_config_choices_and_reasons():
    df = _table()
    config = auto_config(df, _profile(df, KINDS), "label", "binary")
    col = config.column
    assert [c.name for c in config.columns] == list(df.columns)  # every column listed
    assert not col("label").use and col("label").reason == "target"
    assert not col("id").use and "looks like an ID" in col("id").reason
    assert not col("const").use and "single value" in col("const").reason
    assert col("note").use and col("note").type == "text" and "TF-IDF" in col("note").reason
    assert col("when").use and col("when").type == "datetime" and "date" in col("when").reason
    age, income = col("age"), col("income")
    assert (age.type, age.scaling, age.missing, age.missing_indicator) == (
        "numeric",
        "standardize",
        "mean",
        True,
    )
    assert income.missing == "median" and "skewed" in income.reason  # lognormal
    assert not income.missing_indicator
    assert (col("color").type, col("color").encoding) == ("categorical", "onehot")
    assert col("color").reason == "3 categories: one-hot"
    assert col("zip").encoding == "embedding" and "40 categories" in col("zip").reason
    assert (col("member").type, col("member").encoding) == ("categorical", "onehot")
    assert [c.name for c in config.feature_columns()] == [
        "age",
        "income",
        "color",
        "zip",
        "member",
        "note",
        "when",
    ]
    # round trip through JSON-able dicts keeps everything
    assert PreprocessConfig.from_dict(config.to_dict()) == config


def test_prepare_data_never_mutates_input_and_splits_all_rows():
    df = _table()
    df.loc[3, "label"] = None
    df = pd.concat([df, df.iloc[[5, 6]]], ignore_index=True)  # two duplicate rows
    df.loc[7, "income"] = np.inf
    before = df.copy()
    config = auto_config(df, _profile(df, KINDS), "label", "binary")
    events = []
    prepared = prepare_data(df, config, on_event=events.append)
    pd.testing.assert_frame_equal(df, before)
    assert prepared.rows_in == 102
    assert prepared.dropped == {"missing_target": 1, "duplicates": 2}
    assert prepared.rows_used == 99
    sizes = (len(prepared.train), len(prepared.validation), len(prepared.test))
    assert sum(sizes) == 99 and min(sizes) > 0
    assert list(prepared.train.columns) == [
        "age",
        "income",
        "color",
        "zip",
        "member",
        "note",
        "when",
    ]
    assert prepared.train.index.tolist() == list(range(len(prepared.train)))
    assert prepared.class_names == ["a", "b"]
    assert prepared.y_train.dtype == np.int32 and set(prepared.y_train) <= {0, 1}
    all_income = pd.concat([prepared.train, prepared.validation, prepared.test])["income"]
    assert not np.isinf(all_income).any()  # inf became missing, with a notice
    assert any("infinite" in n for n in prepared.notices)
    assert any(isinstance(e, Progress) for e in events)


def test_stratified_split_keeps_class_shares_and_falls_back_with_a_notice():
    n = 200
    df = pd.DataFrame({"x": np.arange(n, dtype=float), "y": ["a"] * 150 + ["b"] * 50})
    config = auto_config(df, None, "y", "binary")
    prepared = prepare_data(df, config)
    assert prepared.notices == []
    assert prepared.y_test.mean() == pytest.approx(0.25, abs=0.04)
    assert prepared.y_validation.mean() == pytest.approx(0.25, abs=0.04)

    df.loc[0, "y"] = "rare"  # a class with one row cannot be stratified
    prepared = prepare_data(df, auto_config(df, None, "y", "multiclass"))
    assert any("stratify" in n for n in prepared.notices)
    assert prepared.class_names == ["a", "b", "rare"]


def test_numeric_class_names_sort_naturally_and_regression_target_is_float():
    n = 60
    df = pd.DataFrame({"x": np.arange(n, dtype=float), "y": [2, 10, 1] * 20})
    prepared = prepare_data(df, auto_config(df, None, "y", "multiclass"))
    assert prepared.class_names == ["1", "2", "10"]
    df["y"] = np.linspace(0, 1, n)
    prepared = prepare_data(df, auto_config(df, None, "y", "regression"))
    assert prepared.y_train.dtype == np.float32 and prepared.class_names is None
    df.loc[4, "y"] = np.inf
    with pytest.raises(DataError, match="infinite"):
        prepare_data(df, auto_config(df, None, "y", "regression"))


def test_drop_rows_strategy_drops_rows_missing_that_column():
    df = _table()
    config = auto_config(df, _profile(df, KINDS), "label", "binary")
    config.column("age").missing = "drop_rows"
    prepared = prepare_data(df, config)
    assert prepared.dropped["missing:age"] == 11
    assert prepared.rows_used == 89
    assert not pd.concat([prepared.train, prepared.test])["age"].isna().any()


def test_invalid_settings_raise_config_errors():
    df = _table()
    config = auto_config(df, _profile(df, KINDS), "label", "binary")
    other = auto_config(df.rename(columns={"age": "years"}), None, "label", "binary")
    with pytest.raises(ConfigError, match="years"):
        prepare_data(df, other)
    for c in config.columns:
        c.use = False
    with pytest.raises(ConfigError, match="All columns are excluded"):
        prepare_data(df, config)
    config = auto_config(df, _profile(df, KINDS), "label", "binary")
    config.split.train = 0.9
    with pytest.raises(ConfigError, match="sum to"):
        prepare_data(df, config)
    config.split.train, config.split.test = 0.85, 0.0
    with pytest.raises(ConfigError, match="above 0"):
        prepare_data(df, config)


def test_too_few_rows_is_a_data_error_with_a_hint():
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": ["a", "b"] * 2 + ["a"]})
    with pytest.raises(DataError) as err:
        prepare_data(df, auto_config(df, None, "y", "binary"))
    assert "too few" in err.value.message and "10 rows" in err.value.hint


def test_input_names_are_sanitized_and_unique():
    schema = InputSchema.from_columns(
        [("petal length (cm)", "float32"), ("petal_length_cm", "float32"), ("1st", "string")]
    )
    names = [c.input_name for c in schema.columns]
    assert names == ["petal_length_cm", "petal_length_cm_2", "c_1st"]
    assert InputSchema.from_dict(schema.to_dict()) == schema


def test_frame_to_inputs_names_missing_columns_and_ignores_extras():
    schema = InputSchema.from_columns([("a", "float32"), ("b", "string"), ("c", "float32")])
    with pytest.raises(DataError) as err:
        frame_to_inputs(pd.DataFrame({"b": ["x"], "zzz": [1]}), schema)
    assert err.value.message == "The file lacks columns the model needs: a, c."
    assert err.value.hint


def test_frame_to_inputs_coerces_numbers_and_canonicalizes_strings():
    schema = InputSchema.from_columns([("n", "float32"), ("s", "string")])
    df = pd.DataFrame(
        {"n": ["1.5", "oops", None, "3"], "s": [1.0, None, True, " unseen "], "extra": 1}
    )
    out = frame_to_inputs(df, schema)
    assert out["n"].dtype == np.float32 and out["n"].shape == (4, 1)
    np.testing.assert_array_equal(out["n"][:, 0], [1.5, np.nan, np.nan, 3.0])
    assert out["s"].dtype == object and out["s"][:, 0].tolist() == ["1", "", "true", "unseen"]
    # the same value typed differently maps to the same string (training vs serving)
    assert canonical_string(1) == canonical_string(1.0) == canonical_string("1.0") == "1"
    assert canonical_string(np.bool_(False)) == canonical_string("FALSE") == "false"
    mostly_text = pd.DataFrame({"n": ["a", "b", "3"], "s": ["x"] * 3})
    with pytest.raises(DataError, match="'n'"):
        frame_to_inputs(mostly_text, schema)


def test_preprocessor_is_fitted_on_training_rows_only():
    train = pd.DataFrame({"n": [1.0, 3.0, np.nan, 4.0], "s": ["a", "a", "b", None]})
    config = auto_config(train.assign(y=[0, 1, 0, 1]), None, "y", "binary")
    from automl_gui.core.preprocess.tabular import build_preprocessor, to_tensors

    pre = build_preprocessor(config, train)
    facts = pre.summary
    assert facts["n"]["fill_value"] == pytest.approx(8 / 3)
    assert facts["n"]["missing_indicator"] is True and facts["n"]["width"] == 2
    assert facts["s"]["top_values"] == ["a", "b"] and facts["s"]["fill_value"] == "a"
    import keras

    encoder = keras.Model(pre.inputs, pre.features)
    rows = pd.DataFrame({"n": [np.inf, 3.0], "s": ["never seen", ""]})
    feats = np.asarray(encoder(to_tensors(frame_to_inputs(rows, pre.schema))))
    assert np.isfinite(feats).all()
    # n: standardized fill (inf -> fill -> 0 after scaling), indicator 1; s: one-hot unseen slot 0
    assert feats[0, 0] == pytest.approx(0.0, abs=1e-5) and feats[0, 1] == 1.0
    assert feats[0, 2:5].tolist() == [1.0, 0.0, 0.0]
    assert feats[1, 2:5].tolist() == [0.0, 1.0, 0.0]  # missing -> most frequent "a"
    assert feats[1, 5] == 1.0  # ...with its missing indicator set


def test_columns_named_like_the_models_layers_still_build():
    """A column 'x' and a column 'scale_x' (or 'features', 'dense_0', 'prediction') made
    Keras refuse the model: "The name 'scale_x' is used 2 times in the model"."""
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.models.mlp import build_tabular_model
    from automl_gui.core.preprocess.tabular import build_preprocessor

    rng = np.random.default_rng(0)
    names = ["x", "scale_x", "features", "dense_0", "prediction", "lookup_c", "c"]
    df = pd.DataFrame({n: rng.normal(size=40) for n in names[:-1]})
    df["c"] = rng.choice(["a", "b"], 40)
    df["y"] = rng.normal(size=40)
    config = auto_config(df, None, "y", "regression")
    prepared = prepare_data(df, config)
    pre = build_preprocessor(config, prepared.train)
    model = build_tabular_model(pre, "regression", 1, len(prepared.train), MLPConfig())
    layer_names = [layer.name for layer in model.serving_model.layers]
    assert len(layer_names) == len(set(layer_names))
    assert [c.name for c in pre.schema.columns] == names


def test_long_category_values_such_as_urls_stay_categories():
    from automl_gui.core.preprocess._build import MAX_VALUE_CHARS, build_preprocessor

    rng = np.random.default_rng(2)
    urls = [f"https://example.org/{'a' * 400}/{i}" for i in range(3)]  # ~420 characters
    df = pd.DataFrame(
        {
            "page": rng.choice(urls, 90),
            "x": rng.normal(size=90),  # rows differ (duplicates are dropped)
            "blob": ["x" * (MAX_VALUE_CHARS + 1)] * 90,  # a stray blob stays out
            "y": rng.choice(["p", "q"], 90),
        }
    )
    config = auto_config(df, None, "y", "binary")
    for name in ("page", "blob"):
        config.column(name).use = True
        config.column(name).type = "categorical"
    pre = build_preprocessor(config, prepare_data(df, config).train)
    assert sorted(pre.summary["page"]["top_values"]) == sorted(urls)
    assert pre.summary["blob"]["long_values_left_out"] == 1
