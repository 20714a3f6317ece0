"""Wide tables export in all six formats (issue 13, item 6): TFLite holds the whole model; the
numeric columns' one ``(n, k)`` input reaches ONNX through its ``fill_<input>`` layer, preprocessing.json
lists the columns in order with their fill values and indicators, and ``encode_rows``
reproduces the app's own encoding; narrow tables' exports keep their form."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.export import _serving, encode_rows
from automl_gui.core.export.bundle import (
    MAX_SAMPLE_ROWS,
    Bundle,
    make_metadata,
    predict_frame,
    sample_records,
)
from automl_gui.core.export.formats import FORMATS, MIN_AGREEMENT, export_model
from automl_gui.core.export.model_card import model_card, usage_text
from automl_gui.core.jobs.tabular import train_tabular
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.preprocess._inputs import NUMERIC_GROUP
from automl_gui.core.preprocess.tabular import auto_config
from automl_gui.core.train.config import TrainConfig

WIDTH = 150
FLAGGED = ("g0", "g4", "g9")  # numeric columns with a missing-value indicator
CONVERTED = ("tflite", "tflite-dynamic", "tflite-float16", "onnx")


def wide_frame(width: int = WIDTH, rows: int = 160, categories: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(rows, width))
    x[rng.random(size=x.shape) < 0.08] = np.nan
    x[3, 0] = np.inf
    df = pd.DataFrame(x, columns=[f"g{i}" for i in range(width)])
    signal = np.nan_to_num(x[:, 1]) + np.nan_to_num(x[:, 4])
    if categories:
        df["color"] = rng.choice(["red", "green", "blue"], rows).astype(object)
        df.loc[::9, "color"] = None
        df["size"] = rng.choice(["s", "m", "l"], rows)
        signal = signal + (df["color"] == "red")
    df["target"] = np.where(signal > 0.5, "yes", "no")
    return df


def train(df: pd.DataFrame, flagged: tuple[str, ...]) -> Bundle:
    config = auto_config(df, None, "target", "binary")
    for col in config.columns:
        col.missing_indicator = col.name in flagged
    run = train_tabular(
        df, config, MLPConfig(auto=False, hidden_units=[8]), TrainConfig(epochs=2, seed=1)
    )
    assert [i.shape[-1] for i in run.model.inputs].count(WIDTH) == 1  # the grouped form
    return run.bundle


@pytest.fixture(scope="module")
def wide() -> Bundle:
    """150 numbers (3 with indicators) and two categories (one with an indicator)."""
    return train(wide_frame(), (*FLAGGED, "color"))


@pytest.fixture(scope="module")
def plain() -> Bundle:
    """The same table without any missing-value indicator."""
    return train(wide_frame(), ())


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_a_wide_model_exports_in_every_format_and_passes_its_check(wide, tmp_path, fmt):
    out = tmp_path / fmt
    result = export_model(wide, fmt, out)
    assert result.ok, result.message
    assert result.rows_compared == len(wide.metadata["sample_rows"]) > 0
    assert result.agreement is not None and result.agreement >= MIN_AGREEMENT
    export = json.loads((out / "metadata.json").read_text())["export"]
    card = (out / "MODEL_CARD.md").read_text()
    assert f"{NUMERIC_GROUP}: float32 (n, {WIDTH}), the columns in this order: g0, g1," in card
    assert " and 100 more" in card and "g50," not in card
    if fmt != "onnx":  # TFLite holds the lookups (LiteRT's hash tables): raw rows in
        assert export["part"] == "full" and not (out / "preprocessing.json").exists()
        return
    assert export["part"] == "encoded" and export["encoding_matches_app"] is True
    assert "LookupTableFindV2" in export["whole_model_error"]
    assert set(export["inputs"]) == {
        NUMERIC_GROUP,
        f"{NUMERIC_GROUP}__missing",
        "color",
        "color__missing",
        "size",
    }
    assert f"{NUMERIC_GROUP}__missing: float32 (n, 3), 0/1 = missing, for g0, g4, g9" in card


def test_preprocessing_json_lists_the_columns_in_order_with_fills_and_indicators(wide, tmp_path):
    export_model(wide, "onnx", tmp_path / "onnx")
    spec = json.loads((tmp_path / "onnx" / "preprocessing.json").read_text())
    items = {item["input"]: item for item in spec["inputs"]}
    numbers = items[NUMERIC_GROUP]
    assert numbers["encoding"] == "numbers" and numbers["shape"] == [None, WIDTH]
    assert numbers["columns"] == [f"g{i}" for i in range(WIDTH)]
    fitted = wide.metadata["preprocessing_fitted"]
    np.testing.assert_allclose(
        numbers["fill_values"], [fitted[f"g{i}"]["fill_value"] for i in range(WIDTH)], rtol=1e-6
    )
    flags = items[f"{NUMERIC_GROUP}__missing"]
    assert flags["encoding"] == "missing_indicators" and flags["of_input"] == NUMERIC_GROUP
    assert flags["columns"] == list(FLAGGED) and flags["positions"] == [0, 4, 9]
    assert flags["shape"] == [None, 3]
    assert items["color"]["encoding"] == "category_index"
    assert items["color__missing"]["encoding"] == "missing_indicator"


def messy_rows(bundle: Bundle) -> pd.DataFrame:
    rows = pd.DataFrame.from_records(bundle.metadata["sample_rows"]).astype(object)
    rows.iloc[0, :WIDTH] = None  # every number missing
    rows.loc[1, "g0"] = np.inf
    rows.loc[2, "g4"] = "2.5"  # a number as text
    rows.loc[3, "g9"] = -np.inf
    if "color" in rows:
        rows.loc[4, "color"] = "purple"  # unseen
        rows.loc[5, "color"] = "  "  # missing after stripping
    return rows


@pytest.mark.parametrize("which", ["wide", "plain"])
def test_encode_rows_reproduces_the_apps_encoding(request, which):
    bundle = request.getfixturevalue(which)
    rows = messy_rows(bundle)
    spec = _serving.preprocessing_spec(bundle.model, bundle.metadata)
    ours = encode_rows(spec, rows)
    app = _serving.keras_encoding(bundle.model, bundle.metadata, rows)
    assert set(ours) == set(app)
    for name, values in app.items():
        np.testing.assert_array_equal(ours[name], np.asarray(values).reshape(ours[name].shape))
    assert (NUMERIC_GROUP + "__missing" in ours) == (which == "wide")
    if which == "wide":  # g0, g4, g9: all missing; g0 infinite; g4 "2.5"; g9 -inf
        flags = ours[NUMERIC_GROUP + "__missing"]
        assert list(flags[0]) == [1, 1, 1] and flags[1, 0] == 1 and flags[3, 2] == 1
        assert flags[2, 1] == 0 and ours[NUMERIC_GROUP][2, 4] == 2.5


@pytest.mark.parametrize("fmt", ["onnx"])
def test_a_wide_model_without_indicators_exports(plain, tmp_path, fmt):
    result = export_model(plain, fmt, tmp_path / fmt)
    assert result.ok, result.message
    export = json.loads((tmp_path / fmt / "metadata.json").read_text())["export"]
    assert set(export["inputs"]) == {NUMERIC_GROUP, "color", "size"}
    spec = json.loads((tmp_path / fmt / "preprocessing.json").read_text())
    assert [i["encoding"] for i in spec["inputs"]][0] == "numbers"
    assert "missing_indicators" not in {i["encoding"] for i in spec["inputs"]}


def test_the_onnx_file_answers_like_the_app_from_preprocessing_json_alone(wide, tmp_path):
    import onnxruntime

    export_model(wide, "onnx", tmp_path / "onnx")
    spec = json.loads((tmp_path / "onnx" / "preprocessing.json").read_text())
    rows = messy_rows(wide)
    session = onnxruntime.InferenceSession(str(tmp_path / "onnx" / "model.onnx"))
    got = session.run(None, encode_rows(spec, rows))[0]
    want = predict_frame(wide, rows)[[f"probability_{c}" for c in wide.metadata["class_names"]]]
    np.testing.assert_allclose(got, want.to_numpy(), atol=1e-5)


def test_the_full_graph_takes_each_input_at_its_width(wide):
    graph = _serving.full_graph(wide.model, wide.metadata)
    shapes = {name: tuple(spec.shape) for name, spec in graph.input_specs.items()}
    assert shapes == {NUMERIC_GROUP: (None, WIDTH), "color": (None, 1), "size": (None, 1)}
    feed = graph.feed(messy_rows(wide))
    assert feed[NUMERIC_GROUP].shape == (len(wide.metadata["sample_rows"]), WIDTH)


def test_a_numbers_only_wide_model_converts_whole_where_its_runtime_fills_missing_values(
    tmp_path,
):
    """TFLite holds the whole model (raw rows, NaN = missing). tf2onnx's file answered NaN
    for missing numbers: a probe of all-missing rows finds it and the export falls back to
    the encoded part, which the caller fills."""
    bundle = train(wide_frame(categories=False), FLAGGED)
    for fmt, part in (("tflite", "full"), ("onnx", "encoded")):
        result = export_model(bundle, fmt, tmp_path / fmt)
        assert result.ok, result.message
        export = json.loads((tmp_path / fmt / "metadata.json").read_text())["export"]
        assert export["part"] == part
    assert "NaN for rows with missing values" in export["whole_model_error"]
    card = (tmp_path / "tflite" / "MODEL_CARD.md").read_text()
    assert f"{NUMERIC_GROUP}: float32 (n, {WIDTH}), the columns in this order" in card
    assert "(NaN = missing)" in card and "category column" not in card


def test_usage_text_of_a_narrow_table_is_unchanged():
    columns = [{"name": "x", "input_name": "x", "dtype": "float32"}]
    meta = {"kind": "tabular", "input_schema": {"columns": columns}}
    assert "one (n, 1) tensor per input of input_schema" in usage_text(meta, "keras")
    assert usage_text(meta, "onnx", "encoded").startswith(
        "session = onnxruntime.InferenceSession('model.onnx'); session.run(None, feed) with "
        "feed = the encoded row as preprocessing.json describes (numbers as float32 (n, 1)"
    )
    assert "(n, 1)" in model_card(meta, None)


def test_sample_records_caps_values_and_texts_for_any_caller():
    from automl_gui.core.jobs._tabular_parts import MAX_SAMPLE_CELLS, MAX_SAMPLE_TEXT

    wide_df = pd.DataFrame(np.zeros((40, 3_000)), columns=[f"c{i}" for i in range(3_000)])
    records = sample_records(wide_df)
    assert len(records) == MAX_SAMPLE_CELLS // 3_000 and len(records[0]) == 3_000
    assert len(sample_records(wide_df, ["c1", "c2", "nope"])) == MAX_SAMPLE_ROWS
    huge = pd.DataFrame(np.zeros((2, 30_000)), columns=[f"c{i}" for i in range(30_000)])
    assert len(sample_records(huge)) == 1  # one row at least
    text = pd.DataFrame({"t": ["x" * 5_000, "short", None], "n": [1.5, np.inf, np.nan]})
    rows = sample_records(text)
    assert rows[0]["t"] == "x" * MAX_SAMPLE_TEXT + "…" and rows[1]["t"] == "short"
    assert rows[1]["n"] is None and rows[2] == {"t": None, "n": None}
    again = sample_records(pd.DataFrame.from_records(rows))
    assert again == rows  # a cut text stays as it was cut
    for given in (text, text.to_dict(orient="records")):
        meta = make_metadata(
            schema={"columns": [{"name": c, "input_name": c, "dtype": "?"} for c in "tn"]},
            task="binary",
            class_names=["a", "b"],
            preprocess={},
            mlp={},
            training={},
            metrics={},
            sample_rows=given,
            target="y",
        )
        assert meta["sample_rows"][0]["t"].endswith("…") and len(meta["sample_rows"]) == 3
