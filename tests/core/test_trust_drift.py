"""Drift on new data (``core.trust.drift``): known answers.

Tables: a column shifted in the new rows is flagged and an unchanged one is not (same seed,
200 and 5,000 rows), a category the model never saw is counted and named, the training rows
themselves flag nothing, the reference stays small, a model without one says nothing.
Files: images from another distribution (inverted colours, noise) drift on the model's own
embeddings, the same folder's held-out images do not (``test_trust_drift_files.py``).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.export.bundle import Bundle
from automl_gui.core.preprocess._inputs import InputSchema
from automl_gui.core.trust.drift import (
    DRIFT_KEY,
    DriftReport,
    table_drift,
    table_reference,
)

SCHEMA = InputSchema.from_columns(
    [("age", "float32"), ("income", "float32"), ("city", "string"), ("score", "float32")]
)
CITIES = ("Lyon", "Nantes", "Lille", "Nice")


def people(n: int, seed: int, *, shift_income: float = 0.0, cities=CITIES) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.4, n) * (1 + shift_income)
    score = rng.normal(0, 1, n)
    score[rng.random(n) < 0.05] = np.nan  # some missing values, as real data has
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n).astype(float),
            "income": income,
            "city": rng.choice(list(cities), n, p=[0.4, 0.3, 0.2, 0.1][: len(cities)]),
            "score": score,
        }
    )


def bundle_for(train: pd.DataFrame) -> Bundle:
    metadata = {"kind": "tabular", "task": "regression", "input_schema": SCHEMA.to_dict()}
    metadata[DRIFT_KEY] = table_reference(train, metadata)
    return Bundle(model=None, metadata=json.loads(json.dumps(metadata)))  # as saved


TRAIN = people(3000, seed=1)


@pytest.mark.parametrize("n", [200, 5000])
def test_a_shifted_column_is_flagged_and_the_others_are_not(n: int) -> None:
    bundle = bundle_for(TRAIN)
    new = people(n, seed=2, shift_income=0.6)  # incomes 60 % higher; nothing else changes
    report = table_drift(bundle, new)
    assert isinstance(report, DriftReport)
    assert report.drifted == ["income"]
    table = report.table.set_index("feature")
    assert table.loc["income", "psi"] >= 0.2 and table.loc["income", "p_value"] < 0.01
    assert table.loc["income", "test"] == "KS" and table.loc["income", "statistic"] == "PSI"
    assert table.loc["city", "test"] == "chi-square"
    assert list(report.table.columns[:4]) == ["feature", "statistic", "score", "drifted"]
    assert report.summary().startswith("1 of 4 columns differ from the training data: income")


@pytest.mark.parametrize("n", [200, 5000])
def test_new_rows_like_the_training_rows_flag_nothing(n: int) -> None:
    report = table_drift(bundle_for(TRAIN), people(n, seed=3))
    assert report.drifted == []
    assert report.summary().startswith("No drift: none of the 4 columns")


def test_the_training_rows_themselves_flag_nothing() -> None:
    report = table_drift(bundle_for(TRAIN), TRAIN)
    assert report.drifted == []
    assert (report.table["psi"] < 0.01).all()
    assert (report.table["p_value"] > 0.1).all()


def test_a_category_never_seen_is_counted_and_named() -> None:
    new = people(400, seed=4)
    new.loc[:59, "city"] = "Paris"  # 60 rows of a city the training data never had
    report = table_drift(bundle_for(TRAIN), new)
    city = report.table.set_index("feature").loc["city"]
    assert city["unseen"] == 60
    assert "Paris" in city["unseen_values"]
    assert "city" in report.drifted  # 15 % of the rows in a bin the training had empty
    assert "Categories the model never saw: city (60: Paris)" in report.summary()


def test_a_column_gone_missing_drifts() -> None:
    new = people(500, seed=5)
    new.loc[:299, "age"] = np.nan  # 60 % missing where training had none
    report = table_drift(bundle_for(TRAIN), new)
    age = report.table.set_index("feature").loc["age"]
    assert "age" in report.drifted
    assert age["missing_train"] == 0 and age["missing_new"] == pytest.approx(0.6)


def test_a_model_without_a_reference_says_nothing() -> None:
    bundle = Bundle(model=None, metadata={"kind": "tabular", "input_schema": SCHEMA.to_dict()})
    assert table_drift(bundle, TRAIN) is None


def test_the_reference_stays_small_for_a_wide_table() -> None:
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(rng.normal(size=(5000, 100)), columns=[f"x{i}" for i in range(100)])
    for i in range(0, 100, 5):  # a fifth of them categories with many values
        wide[f"x{i}"] = rng.integers(0, 500, 5000).astype(str)
    columns = [(c, "string" if i % 5 == 0 else "float32") for i, c in enumerate(wide.columns)]
    metadata = {"input_schema": InputSchema.from_columns(columns).to_dict()}
    reference = table_reference(wide, metadata)
    size = len(json.dumps(reference, indent=2))  # as metadata.json is written
    assert len(reference["columns"]) == 100
    assert size < 300_000, size


def test_drift_csv_is_written_with_the_first_columns(tmp_path) -> None:
    report = table_drift(bundle_for(TRAIN), people(300, seed=6, shift_income=1.0))
    path = report.to_csv(tmp_path / "out_drift.csv")
    written = pd.read_csv(path)
    assert list(written.columns[:4]) == ["feature", "statistic", "score", "drifted"]
    assert written.loc[0, "feature"] == "income" and bool(written.loc[0, "drifted"])


def test_free_text_and_date_columns_are_compared_as_numbers() -> None:
    rng = np.random.default_rng(7)
    n = 1000
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    train = pd.DataFrame(
        {
            "note": [" ".join(["word"] * k) for k in rng.integers(3, 8, n)],
            "when": days.strftime("%Y-%m-%d"),
        }
    )
    from automl_gui.core.preprocess._dates import detect_parse

    parse = detect_parse(train["when"])
    schema = InputSchema.from_columns([("note", "string", "text"), ("when", "float32", parse)])
    metadata = {"kind": "tabular", "input_schema": schema.to_dict()}
    metadata[DRIFT_KEY] = table_reference(train, metadata)
    later = train.copy()
    later["when"] = (days + pd.Timedelta(days=730)).strftime("%Y-%m-%d")  # two years on
    report = table_drift(Bundle(model=None, metadata=metadata), later)
    assert report.drifted == ["when"]
