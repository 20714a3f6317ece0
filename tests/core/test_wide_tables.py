"""Wide tables (issue 13, item 6): numeric columns share one input, so thousands of columns
build and train in seconds; thousands of category columns are refused at once; narrow
tables keep their per-column form, and a bundle saved before the change still predicts."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.export.bundle import load_bundle, predict_frame, save_bundle
from automl_gui.core.jobs.tabular import train_tabular
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.preprocess import _build
from automl_gui.core.preprocess.tabular import (
    InputSchema,
    auto_config,
    build_preprocessor,
    frame_to_inputs,
    prepare_data,
    to_tensors,
)
from automl_gui.core.train.config import TrainConfig

OLD_BUNDLE = Path(__file__).parent / "fixtures" / "bundles" / "before_issue13_binary"


def wide_frame(width: int, rows: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width))
    x[rng.random(size=x.shape) < 0.08] = np.nan
    x[3, 0] = np.inf
    df = pd.DataFrame(x, columns=[f"g{i}" for i in range(width)])
    df["color"] = rng.choice(["red", "green", "blue"], rows)
    df["target"] = np.where(np.nan_to_num(x[:, 1]) + (df["color"] == "red") > 0.5, "yes", "no")
    return df


def _features(pre, df) -> np.ndarray:
    import keras

    encoder = keras.Model(pre.inputs, pre.features)
    return np.asarray(encoder(to_tensors(frame_to_inputs(df, pre.schema))))


def test_numeric_columns_share_one_input_and_encode_as_per_column_layers(monkeypatch):
    df = wide_frame(150)
    config = auto_config(df, None, "target", "binary")
    config.column("g2").scaling = "minmax"
    config.column("g3").scaling = "none"
    config.column("g4").missing = "median"
    config.column("g5").missing, config.column("g5").fill_value = "constant", -7.0
    config.column("g6").missing = "most_frequent"
    for name in ("g0", "g4", "g9"):
        config.column(name).missing_indicator = True
    prepared = prepare_data(df, config)

    grouped = build_preprocessor(config, prepared.train)
    specs = grouped.schema.inputs()
    assert [(s.dtype, s.width) for s in specs] == [("float32", 150), ("string", 1)]
    assert len(grouped.inputs) == 2

    monkeypatch.setattr(_build, "GROUP_NUMERIC_FROM", 10**9)
    per_column = build_preprocessor(config, prepared.train)
    assert len(per_column.inputs) == 151 and not per_column.schema.grouped

    a = _features(grouped, prepared.test)
    b = _features(per_column, prepared.test)
    assert a.shape == b.shape
    # per column: [value, indicator?] each; grouped: all values, then indicators, then color
    widths = [per_column.summary[f"g{i}"]["width"] for i in range(150)]
    starts = np.cumsum([0] + widths)
    values = b[:, starts[:-1]]
    indicators = b[:, [s + 1 for s, w in zip(starts, widths, strict=False) if w == 2]]
    np.testing.assert_allclose(a[:, :150], values, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(a[:, 150 : 150 + indicators.shape[1]], indicators)
    np.testing.assert_array_equal(a[:, -4:], b[:, -4:])  # color one-hot, unchanged
    for name in ("g0", "g2", "g4", "g5", "g6"):
        g, p = grouped.summary[name], per_column.summary[name]
        assert g["fill_value"] == pytest.approx(p["fill_value"], rel=1e-6)
        assert g["index"] == int(name[1:]) and g["input_name"] == specs[0].name


def test_wide_model_saves_reloads_and_answers_raw_rows(tmp_path):
    df = wide_frame(150)
    config = auto_config(df, None, "target", "binary")
    run = train_tabular(df, config, MLPConfig(auto=False, hidden_units=[8]), TrainConfig(epochs=1))
    assert len(run.model.inputs) == 2
    bundle = load_bundle(save_bundle(run.model, run.metadata, run.report, tmp_path / "b"))
    rows = df.drop(columns="target").head(6).astype(object)
    rows.iloc[0, 5] = "2.5"  # a number as text
    rows.iloc[1, :150] = None  # every number missing
    rows.iloc[2, 7] = -np.inf
    got = predict_frame(bundle, rows)
    expected = np.asarray(
        run.model.predict(to_tensors(frame_to_inputs(rows, bundle_schema(run))), verbose=0)
    )
    probs = got[[f"probability_{c}" for c in run.metadata["class_names"]]].to_numpy()
    np.testing.assert_allclose(probs, expected, atol=1e-6)
    assert np.isfinite(probs).all()
    again = predict_frame(bundle, pd.DataFrame.from_records(run.metadata["sample_rows"]))
    cols = [f"probability_{c}" for c in run.metadata["class_names"]]
    np.testing.assert_allclose(
        again[cols].to_numpy(), run.metadata["sample_predictions"], atol=1e-6
    )


def bundle_schema(run) -> InputSchema:
    return InputSchema.from_dict(run.metadata["input_schema"])


def test_twenty_thousand_numeric_columns_train_in_seconds():
    df = wide_frame(20_000, rows=60)
    config = auto_config(df, None, "target", "binary")
    start = time.monotonic()
    run = train_tabular(df, config, MLPConfig(auto=False, hidden_units=[16]), TrainConfig(epochs=1))
    seconds = time.monotonic() - start
    # one Keras input per column never finished (> 300 s); grouped: a few seconds (slack: CI)
    assert seconds < 90, seconds
    assert run.result.epochs_run == 1
    meta = run.metadata
    assert len(meta["preprocessing_fitted"]) == _build.MAX_SUMMARY_COLUMNS
    assert meta["preprocessing_fitted_omitted"] == 20_001 - _build.MAX_SUMMARY_COLUMNS
    assert len(meta["sample_rows"]) == 1  # 20,000 values per row: one row is the sample
    assert len(json.dumps(meta["sample_rows"])) < 1_000_000


def test_thousands_of_category_columns_are_limited_by_auto_and_refused_when_forced():
    rng = np.random.default_rng(0)
    limit = _build.MAX_CATEGORY_COLUMNS
    n = limit + 100
    df = pd.DataFrame({f"c{i}": rng.choice(["a", "b", "c"], 40) for i in range(n)})
    df["target"] = rng.choice(["y", "n"], 40)
    config = auto_config(df, None, "target", "binary")
    # the automatic settings always build (the command line has no way to exclude columns)
    used = [c.name for c in config.feature_columns()]
    assert used == [f"c{i}" for i in range(limit)]
    excluded = config.column(f"c{limit}")
    assert not excluded.use and f"at most {limit:,} category columns" in excluded.reason
    prepare_data(df, config)
    for col in config.columns:  # every column forced in: refused at once
        col.use = col.name != "target"
    start = time.monotonic()
    with pytest.raises(ConfigError) as info:
        prepare_data(df, config)
    assert time.monotonic() - start < 10
    assert f"{n:,} category columns" in info.value.message
    assert f"{limit:,}" in info.value.message
    assert "numeric" in info.value.hint


def test_narrow_table_keeps_one_input_per_column_and_the_old_schema():
    df = wide_frame(5)
    config = auto_config(df, None, "target", "binary")
    pre = build_preprocessor(config, prepare_data(df, config).train)
    assert len(pre.inputs) == 6
    assert all(set(c) == {"name", "input_name", "dtype"} for c in pre.schema.to_dict()["columns"])
    assert {s.width for s in pre.schema.inputs()} == {1}


def test_grouped_inputs_from_any_frame():
    schema = InputSchema.from_columns(
        [("a", "float32"), ("numeric_columns", "string"), ("b", "float32")], group_numeric=True
    )
    names = [c.input_name for c in schema.columns]
    assert names[0] == names[2] != names[1]  # a column named like the group keeps its own
    again = InputSchema.from_dict(json.loads(json.dumps(schema.to_dict())))
    assert again == schema
    df = pd.DataFrame(
        {"b": ["1.5", None, "x"], "a": [1, 2, 3], "numeric_columns": ["u", "v", None]}
    )
    arrays = frame_to_inputs(df, schema)
    block = arrays[names[0]]
    assert block.shape == (3, 2) and block.dtype == np.float32
    np.testing.assert_array_equal(block[:, 0], [1, 2, 3])
    np.testing.assert_array_equal(block[:, 1], [1.5, np.nan, np.nan])
    assert list(arrays[names[1]][:, 0]) == ["u", "v", ""]
    wide = InputSchema.from_columns([(f"x{i}", "float32") for i in range(300)], group_numeric=True)
    with pytest.raises(DataError) as info:
        frame_to_inputs(pd.DataFrame({"y": [1]}), wide)
    assert "and 280 more" in info.value.message and len(info.value.message) < 400


def test_a_bundle_saved_before_grouped_inputs_still_predicts():
    bundle = load_bundle(OLD_BUNDLE)
    meta = bundle.metadata
    assert "index" not in json.dumps(meta["input_schema"])
    rows = pd.DataFrame.from_records(meta["sample_rows"])
    got = predict_frame(bundle, rows)
    cols = [f"probability_{c}" for c in meta["class_names"]]
    np.testing.assert_allclose(got[cols].to_numpy(), meta["sample_predictions"], atol=1e-6)
    raw = pd.DataFrame(
        {
            "num": [np.nan, np.inf],
            "color": [None, "purple"],
            "flag": [True, None],
            "city": ["x", None],
        }
    )
    assert np.isfinite(predict_frame(bundle, raw)[cols].to_numpy()).all()


def test_a_wide_table_lists_twenty_column_warnings_of_a_kind_then_sums_up():
    from automl_gui.core.data import dataset_warnings, profile_table

    df = wide_frame(300, rows=60)
    warnings = dataset_warnings(df, profile_table(df), "target", "binary")
    missing = [w for w in warnings if w.code == "missing"]
    with_missing = int(df.drop(columns="target").isna().any().sum())
    assert with_missing > 250
    assert len(missing) == 21  # was one per column with missing values
    more = with_missing - 20
    assert missing[-1].count == more and missing[-1].message.startswith(f"{more} more columns")
    assert missing[-1].column is None and "have missing values" in missing[-1].message
