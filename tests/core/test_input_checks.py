"""Odd values at prediction time are counted per column and said, never silently absorbed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.export.bundle import Bundle, make_metadata, predict_frame
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.models.mlp import build_tabular_model
from automl_gui.core.preprocess.input_checks import FAR, input_problems
from automl_gui.core.preprocess.tabular import auto_config, build_preprocessor, prepare_data


def _bundle(df: pd.DataFrame, target: str = "y") -> Bundle:
    config = auto_config(df, None, target, "binary")
    prepared = prepare_data(df, config)
    pre = build_preprocessor(config, prepared.train)
    model = build_tabular_model(
        pre, "binary", 2, len(prepared.train), MLPConfig(auto=False, hidden_units=[4])
    )
    meta = make_metadata(
        schema=pre.schema,
        task="binary",
        class_names=prepared.class_names,
        preprocess=config,
        mlp=MLPConfig(),
        training={},
        metrics={},
        sample_rows=prepared.test.head(3),
        target=target,
        extra={"preprocessing_fitted": pre.summary},
    )
    return Bundle(model=model.serving_model, metadata=meta)


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    rng = np.random.default_rng(3)
    n = 120
    df = pd.DataFrame(
        {
            "age": np.resize(np.arange(20.0, 71.0), n),  # every age 20..70 in each split
            "color": rng.choice(["red", "green", "blue"], n),
            "y": rng.choice(["no", "yes"], n),
        }
    )
    return _bundle(df)


def _new_rows() -> pd.DataFrame:
    rows = pd.DataFrame(
        {
            "age": ["33", "41", "fifty", "1e30", "", "52", "inf", "28", "n/a", "45"],
            "color": ["red", "purple", "42", "blue", "green", "", "red", "PURPLE", "blue", "red"],
        }
    )
    return rows


def test_text_huge_values_and_unseen_categories_are_counted_per_column(bundle):
    problems = {p.column: p for p in input_problems(_new_rows(), bundle.metadata, bundle.model)}
    age, color = problems["age"], problems["color"]
    assert (age.not_numbers, age.infinite, age.far_outside, age.unseen) == (2, 1, 1, 0)
    assert "fifty" in age.examples and "n/a" in age.examples
    # "purple", the number 42 and "PURPLE" (categories are case-sensitive); "" is missing
    assert (color.unseen, color.not_numbers) == (3, 0)
    line = age.describe()
    assert line.startswith("Column 'age': 2 values are not numbers (treated as missing)")
    assert "1 value is far outside the training range 2" in line  # 20 to 70, as split
    assert "never saw" in color.describe()


def test_predict_frame_says_so_and_still_answers_every_row(bundle):
    frame = predict_frame(bundle, _new_rows())
    assert len(frame) == 10 and frame["prediction"].notna().all()
    counts = {p["column"]: p for p in frame.attrs["input_problems"]}
    assert counts["age"]["not_numbers"] == 2 and counts["color"]["unseen"] == 3
    notices = frame.attrs["notices"]
    assert any(n.startswith("Column 'age'") for n in notices)
    assert any(n.startswith("Column 'color'") for n in notices)


def test_clean_rows_raise_no_notice(bundle):
    rows = pd.DataFrame({"age": [25.0, 60.0, np.nan], "color": ["red", "blue", None]})
    frame = predict_frame(bundle, rows)
    assert "input_problems" not in frame.attrs and not frame.attrs.get("notices")


def test_far_outside_is_relative_to_the_training_range(bundle):
    fitted = bundle.metadata["preprocessing_fitted"]["age"]
    low, high = fitted["min"], fitted["max"]
    span = high - low
    rows = pd.DataFrame(
        {"age": [high + FAR * span - 1, high + FAR * span + 1, low - FAR * span - 1]}
    )
    rows["color"] = "red"
    (age,) = input_problems(rows, bundle.metadata, bundle.model)
    assert age.far_outside == 2


def test_a_wide_table_is_checked_through_its_grouped_input():
    rng = np.random.default_rng(0)
    n, k = 60, 120  # wide: the numeric columns share one input
    df = pd.DataFrame(rng.normal(size=(n, k)), columns=[f"g{i}" for i in range(k)])
    df["y"] = rng.choice(["a", "b"], n)
    bundle = _bundle(df)
    assert bundle.metadata["input_schema"]["columns"][0].get("index") is not None
    rows = df.drop(columns="y").head(4).astype(object)
    rows.loc[0, "g7"] = "oops"
    rows.loc[1, "g9"] = 1e30
    frame = predict_frame(bundle, rows)
    counts = {p["column"]: p for p in frame.attrs["input_problems"]}
    assert counts["g7"]["not_numbers"] == 1 and counts["g9"]["far_outside"] == 1
    assert set(counts) == {"g7", "g9"}


def test_a_users_prediction_column_is_kept_beside_the_answers(bundle):
    rows = _new_rows().assign(prediction="user's own")
    frame = predict_frame(bundle, rows)
    assert (frame["prediction"] == "user's own").all()
    assert frame.attrs["answer_columns"]["prediction"] == "prediction_2"
    assert set(frame["prediction_2"]) <= {"no", "yes"}
