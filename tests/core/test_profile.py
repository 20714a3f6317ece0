"""Profiling, target guessing, task detection, warnings and target checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from data_factory import iris_csv, iris_frame, one_of_each_kind

from automl_gui.core.base.errors import CancelledError, DataError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.data import (
    ColumnKind,
    Task,
    check_target,
    dataset_warnings,
    detect_task,
    guess_target,
    profile_table,
    read_table,
)


def _codes(warnings, code):
    return [w for w in warnings if w.code == code]


# -- profile_table -----------------------------------------------------------------------


def test_one_column_of_each_kind():
    df = one_of_each_kind()
    profile = profile_table(df)
    kinds = {c.name: c.kind for c in profile.columns}
    assert kinds == {
        "customer_id": ColumnKind.IDENTIFIER,
        "uuid": ColumnKind.IDENTIFIER,
        "age": ColumnKind.NUMERIC,
        "visits": ColumnKind.NUMERIC,  # unique integers spread widely: a measure, not an id
        "color": ColumnKind.CATEGORICAL,
        "member": ColumnKind.BOOLEAN,
        "flag01": ColumnKind.BOOLEAN,
        "active": ColumnKind.BOOLEAN,
        "review": ColumnKind.TEXT,
        "signup": ColumnKind.DATETIME,
        "signup_text": ColumnKind.DATETIME,
        "country": ColumnKind.CONSTANT,
        "empty": ColumnKind.CONSTANT,
    }
    assert profile.n_rows == len(df) and profile.n_columns == df.shape[1]


def test_numeric_statistics_match_pandas():
    rng = np.random.default_rng(1)
    x = rng.normal(5, 2, 1000)
    x[:7] = np.nan
    x[7:10] = [np.inf, -np.inf, np.inf]
    df = pd.DataFrame({"x": x})
    col = profile_table(df).column("x")
    finite = pd.Series(x[np.isfinite(x)])
    assert col.count == 993 and col.missing == 7 and col.infinite == 3
    assert col.minimum == pytest.approx(finite.min()) and col.maximum == pytest.approx(finite.max())
    assert col.mean == pytest.approx(finite.mean()) and col.std == pytest.approx(finite.std())
    assert col.unique == pd.Series(x).nunique()
    counts, edges = col.histogram
    assert len(counts) == 20 and len(edges) == 21 and sum(counts) == finite.size
    expected, _ = np.histogram(finite, bins=20)
    assert np.abs(np.asarray(counts) - expected).sum() <= 2  # same bins up to edge rounding


def test_small_integer_columns_get_one_bin_per_value():
    df = pd.DataFrame({"stars": [1, 2, 2, 3, 3, 3, 5, 5, 5, 5] * 3})
    col = profile_table(df).column("stars")
    counts, edges = col.histogram
    assert counts == (3, 6, 9, 0, 12) and edges[0] == 0.5 and edges[-1] == 5.5
    assert col.top_values[0] == ("5", 12) and col.unique == 4
    assert col.mean == pytest.approx(df["stars"].mean()) and col.std == pytest.approx(
        df["stars"].std()
    )


def test_top_values_are_strings_and_at_most_ten():
    df = pd.DataFrame({"c": [f"v{i % 15}" for i in range(300)] + ["v0"] * 5})
    col = profile_table(df).column("c")
    assert len(col.top_values) == 10 and col.top_values[0] == ("v0", 25)
    assert all(isinstance(v, str) and isinstance(n, int) for v, n in col.top_values)
    assert col.histogram is None and col.kind == ColumnKind.CATEGORICAL


def test_missing_counts_are_exact_for_every_dtype():
    df = pd.DataFrame(
        {
            "f": [1.0, None, 3.0, None],
            "s": ["a", None, "b", "c"],
            "d": pd.to_datetime(["2024-01-01", None, "2024-01-03", "2024-01-04"]),
            "o": pd.Series([True, None, False, True], dtype=object),
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
        }
    )
    profile = profile_table(df)
    assert [profile.column(c).missing for c in df.columns] == [2, 1, 1, 1, 1]


def test_duplicate_rows_match_pandas_including_missing_values():
    df = pd.DataFrame(
        {
            "a": [1.0, 1.0, np.nan, np.nan, 0.0, -0.0, 2.0],
            "b": ["x", "x", None, None, "y", "y", "z"],
            "c": [1, 1, 2, 2, 3, 3, 4],
        }
    )
    assert profile_table(df).duplicate_rows == int(df.duplicated().sum()) == 3


def test_duplicate_rows_on_a_large_table_match_pandas():
    rng = np.random.default_rng(3)
    n = 300_000
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n).round(2),
            "k": rng.integers(0, 50, n),
            "s": rng.choice(["a", "b", "c"], n),
        }
    )
    df.iloc[1000:1500] = df.iloc[0:500].to_numpy()
    assert profile_table(df).duplicate_rows == int(df.duplicated().sum())


def test_big_float_columns_estimate_distinct_counts_but_count_missing_exactly():
    rng = np.random.default_rng(4)
    n = 400_000
    x = rng.normal(size=n)
    x[rng.random(n) < 0.01] = np.nan
    col = profile_table(pd.DataFrame({"x": x})).column("x")
    assert col.missing == int(np.isnan(x).sum())
    assert col.unique_approx and col.unique > 0.9 * (n - col.missing)
    assert col.top_values == ()


def test_mixed_column_is_categorical_with_the_junk_counted():
    values = [str(i) for i in range(1000)]
    values[10] = values[20] = "unknown"
    values[30] = "?"
    df = pd.DataFrame({"age": values, "y": [i % 2 for i in range(1000)]})
    col = profile_table(df).column("age")
    assert col.kind == ColumnKind.CATEGORICAL
    assert col.non_numeric == 3 and col.non_numeric_examples == ("unknown", "?")
    mixed = _codes(dataset_warnings(df, profile_table(df), "y", Task.BINARY), "mixed")
    assert len(mixed) == 1 and mixed[0].count == 3
    assert "'unknown'" in mixed[0].message and "3 of 1,000" in mixed[0].message


def test_mixed_csv_column_loads_and_profiles(tmp_path):
    rows = "".join(f"{i},{i % 2}\n" for i in range(200))
    path = tmp_path / "m.csv"
    path.write_text("amount,y\n" + rows + "n/a?,1\n")
    table = read_table(path)
    col = profile_table(table.df).column("amount")
    assert col.non_numeric == 1 and col.non_numeric_examples == ("n/a?",)


def test_profile_of_a_one_row_table():
    df = pd.DataFrame({"a": [1.5], "b": ["x"]})
    profile = profile_table(df)
    assert profile.n_rows == 1 and profile.duplicate_rows == 0
    assert profile.column("a").kind == ColumnKind.CONSTANT and profile.column("a").std is None


def test_profile_cancel():
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        profile_table(pd.DataFrame({"a": [1, 2]}), cancel=token)


def test_profile_of_a_large_wide_table_uses_threads_and_agrees():
    rng = np.random.default_rng(5)
    n = 150_000
    df = pd.DataFrame({f"f{i}": rng.normal(size=n).round(1) for i in range(12)})
    df["s"] = rng.choice(["u", "v"], n)
    profile = profile_table(df)
    assert profile.n_columns == 13
    assert profile.column("f0").unique == df["f0"].nunique()
    assert profile.column("s").top_values[0][1] == df["s"].value_counts().iloc[0]


# -- guess_target and detect_task ----------------------------------------------------------


def test_iris_target_and_task(tmp_path):
    df = read_table(iris_csv(tmp_path)).df
    profile = profile_table(df)
    target = guess_target(df, profile)
    assert target == "species"
    assert detect_task(df[target], profile.column(target)) == Task.MULTICLASS
    assert detect_task(df["petal_length"], profile.column("petal_length")) == Task.REGRESSION
    check_target(df, target, Task.MULTICLASS)
    warnings = dataset_warnings(df, profile, target, Task.MULTICLASS)
    assert not _codes(warnings, "imbalance") and not _codes(warnings, "rare_class")


def test_iris_with_numeric_codes_is_multiclass():
    df = iris_frame()
    df["species"] = pd.factorize(df["species"])[0]
    profile = profile_table(df)
    assert detect_task(df["species"], profile.column("species")) == Task.MULTICLASS


def test_target_named_like_a_label_wins_wherever_it_is():
    df = pd.DataFrame({"Label": ["a", "b"] * 10, "x": range(20), "z": [0.5] * 20})
    assert guess_target(df, profile_table(df)) == "Label"


def test_without_a_named_target_the_last_usable_column_is_chosen():
    n = 50
    df = pd.DataFrame(
        {
            "price": np.linspace(1, 9, n),
            "kind": ["a", "b"] * (n // 2),
            "row_id": np.arange(n),
            "comment": [f"this is a long free text comment {i}" for i in range(n)],
        }
    )
    assert guess_target(df, profile_table(df)) == "kind"


def test_detect_task_rules():
    n = 200
    rng = np.random.default_rng(6)
    df = pd.DataFrame(
        {
            "yes_no": rng.choice(["yes", "no"], n),
            "bool": rng.random(n) > 0.5,
            "two_words": rng.choice(["cat", "dog"], n),
            "three": rng.choice(["a", "b", "c"], n),
            "rating": rng.integers(1, 6, n),
            "count": rng.integers(0, 1000, n),
            "price": rng.normal(100, 10, n),
        }
    )
    profile = profile_table(df)
    expected = {
        "yes_no": Task.BINARY,
        "bool": Task.BINARY,
        "two_words": Task.BINARY,
        "three": Task.MULTICLASS,
        "rating": Task.MULTICLASS,
        "count": Task.REGRESSION,
        "price": Task.REGRESSION,
    }
    for name, task in expected.items():
        assert detect_task(df[name], profile.column(name)) == task, name
    assert detect_task(df["three"]) == Task.MULTICLASS  # profile optional


# -- dataset_warnings ----------------------------------------------------------------------


def _base(n: int = 1000, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["p", "q", "r"], n)})


def test_imbalance_warning_gives_ratio_and_counts():
    df = _base()
    df["y"] = ["a"] * 900 + ["b"] * 100
    warnings = dataset_warnings(df, profile_table(df), "y", Task.BINARY)
    (w,) = _codes(warnings, "imbalance")
    assert "'a' has 900 rows" in w.message and "'b' has 100" in w.message
    assert "9.0 : 1" in w.message and w.count == 100


def test_rare_class_warning_says_stratification_is_relaxed():
    df = _base()
    df["y"] = ["a"] * 600 + ["b"] * 397 + ["c"] * 3
    warnings = dataset_warnings(df, profile_table(df), "y", Task.MULTICLASS)
    (w,) = _codes(warnings, "rare_class")
    assert "Class 'c' has 3 rows of 1,000 (0.3 %)" in w.message
    assert "stratification will be relaxed" in w.message and w.count == 3


def test_duplicate_rows_warning():
    df = pd.DataFrame({"x": [1, 2, 3, 1, 2] * 4, "y": [0, 1, 0, 0, 1] * 4})
    profile = profile_table(df)
    (w,) = _codes(dataset_warnings(df, profile, "y", Task.BINARY), "duplicates")
    assert w.count == int(df.duplicated().sum()) == 17
    assert "17 of 20 rows" in w.message


def test_constant_and_identifier_warnings():
    df = _base()
    df["site"] = "paris"
    df["order_id"] = np.arange(len(df))
    df["y"] = np.where(df["x"] > 0, "hi", "lo")
    warnings = dataset_warnings(df, profile_table(df), "y", Task.BINARY)
    (const,) = _codes(warnings, "constant")
    assert const.column == "site" and "'paris'" in const.message
    (ident,) = _codes(warnings, "identifier")
    assert ident.column == "order_id" and "1,000 distinct values" in ident.message


def test_leak_warnings_for_copies_correlations_and_recodings():
    df = _base()
    df["y"] = np.where(df["x"] > 0.2, "yes", "no")
    df["y_copy"] = df["y"].map({"yes": "Y", "no": "N"})
    df["score"] = df["x"] * 3 + 1
    df["target_num"] = (df["y"] == "yes").astype(int)
    profile = profile_table(df)
    leaks = {w.column: w for w in _codes(dataset_warnings(df, profile, "y", Task.BINARY), "leak")}
    assert {"y_copy", "target_num"} <= set(leaks)
    assert "under other names" in leaks["y_copy"].message
    assert "x" not in leaks and "g" not in leaks

    reg = df.assign(price=df["x"] * 10 + 5)
    profile = profile_table(reg)
    leaks = {
        w.column: w
        for w in _codes(dataset_warnings(reg, profile, "price", Task.REGRESSION), "leak")
    }
    assert {"x", "score"} <= set(leaks) and "correlation +1.000" in leaks["x"].message


def test_categorical_that_determines_the_target_is_a_leak():
    rng = np.random.default_rng(8)
    n = 600
    code = rng.choice(["c1", "c2", "c3", "c4"], n)
    df = pd.DataFrame({"code": code, "x": rng.normal(size=n)})
    df["y"] = np.where(np.isin(code, ["c1", "c2"]), "good", "bad")
    leaks = _codes(dataset_warnings(df, profile_table(df), "y", Task.BINARY), "leak")
    assert [w.column for w in leaks] == ["code"]
    assert "predicts the target" in leaks[0].message and "4 values" in leaks[0].message


def test_missing_infinite_text_and_high_cardinality_warnings():
    df = _base()
    df.loc[:119, "x"] = np.nan
    df["ratio"] = 1.0
    df.loc[:2, "ratio"] = np.inf
    df.loc[3:, "ratio"] = np.linspace(0, 1, len(df) - 3)
    df["note"] = [f"a long free text note number {i} about the row" for i in range(len(df))]
    df["city"] = [f"city_{i % 300}" for i in range(len(df))]
    df["y"] = np.arange(len(df)) % 2
    warnings = dataset_warnings(df, profile_table(df), "y", Task.BINARY)
    (missing,) = _codes(warnings, "missing")
    assert missing.column == "x" and missing.count == 120 and "12.0 %" in missing.message
    (inf,) = _codes(warnings, "infinite")
    assert inf.column == "ratio" and inf.count == 3
    (text,) = _codes(warnings, "text")
    assert text.column == "note"
    (high,) = _codes(warnings, "high_cardinality")
    assert high.column == "city" and high.count == 300


def test_missing_target_values_are_reported():
    df = _base(100)
    df["y"] = ["a", "b", None, "a"] * 25
    (w,) = _codes(dataset_warnings(df, profile_table(df), "y", Task.BINARY), "target_missing")
    assert w.count == 25 and "25 of 100 rows" in w.message


# -- check_target ---------------------------------------------------------------------------


def _target_error(df, target, task) -> DataError:
    with pytest.raises(DataError) as info:
        check_target(df, target, task)
    assert info.value.hint
    return info.value


def test_target_with_one_class():
    df = pd.DataFrame({"x": range(20), "y": ["a"] * 20})
    err = _target_error(df, "y", Task.BINARY)
    assert "only one class" in err.message and "'a'" in err.message


def test_target_all_missing():
    df = pd.DataFrame({"x": range(20), "y": [np.nan] * 20})
    err = _target_error(df, "y", Task.REGRESSION)
    assert "all 20 values are missing" in err.message


def test_target_class_with_a_single_row_names_it():
    df = pd.DataFrame({"x": range(30), "y": ["a"] * 14 + ["b"] * 14 + ["c", "d"]})
    err = _target_error(df, "y", Task.MULTICLASS)
    assert "single row" in err.message and "'c'" in err.message and "'d'" in err.message
    assert "merge" in err.hint


def test_free_text_target_with_thousands_of_values():
    df = pd.DataFrame({"x": range(3000), "y": [f"comment number {i} here" for i in range(3000)]})
    err = _target_error(df, "y", Task.MULTICLASS)
    assert "3,000 different values" in err.message and "free text" in err.message
    assert "another target" in err.hint


def test_regression_on_text_target():
    df = pd.DataFrame({"x": range(20), "y": ["low", "high"] * 10})
    err = _target_error(df, "y", Task.REGRESSION)
    assert "numeric target" in err.message and "classification" in err.hint


def test_regression_on_numbers_with_junk_names_the_junk():
    df = pd.DataFrame({"x": range(20), "y": [str(i) for i in range(19)] + ["unknown"]})
    err = _target_error(df, "y", Task.REGRESSION)
    assert "'unknown'" in err.message


def test_too_few_rows_and_one_row_dataset():
    one = pd.DataFrame({"x": [1.0], "y": [2.0]})
    assert "at least 10" in _target_error(one, "y", Task.REGRESSION).message
    few = pd.DataFrame({"x": range(12), "y": [1.0] * 5 + [np.nan] * 7})
    assert "Only 5 row(s)" in _target_error(few, "y", Task.REGRESSION).message


def test_infinite_regression_target():
    df = pd.DataFrame({"x": range(20), "y": [1.0, np.inf] + [2.0] * 18})
    err = _target_error(df, "y", Task.REGRESSION)
    assert "1 infinite value" in err.message


def test_missing_target_column():
    df = pd.DataFrame({"x": range(20)})
    err = _target_error(df, "y", Task.BINARY)
    assert "'y' is not in the table" in err.message and "'x'" in err.hint


def test_good_targets_pass():
    df = _base(100)
    df["y"] = ["a", "b"] * 50
    check_target(df, "y", Task.BINARY)
    check_target(df, "x", Task.REGRESSION)
    check_target(df, "y", "binary")


# -- big tables: sampled where exactness buys nothing, exact where it matters ----------------


def _big_frame(n: int = 300_000, seed: int = 9) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    country = np.full(n, "fr", dtype=object)
    country[rng.choice(n, 5, replace=False)] = "de"  # nearly constant: must not be "constant"
    df = pd.DataFrame(
        {
            "a": rng.normal(size=n).round(1),
            "b": rng.normal(size=n).round(1),
            "c": rng.normal(size=n).round(1),
            "d": rng.integers(0, 3, n),
            "city": rng.choice([f"c{i}" for i in range(40)], n),
            "member": rng.choice(["yes", "no"], n),
            "country": country,
            "day": pd.Series(
                pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 9, n), "D")
            ).dt.date.astype(object),
        }
    )
    df.iloc[5000:6000] = df.iloc[0:1000].to_numpy()  # 1,000 exact duplicate rows
    return df


def test_big_text_columns_are_sampled_but_kinds_stay_exact():
    df = _big_frame()
    profile = profile_table(df)
    city = profile.column("city")
    assert city.unique_approx and city.unique == 40
    top_share = city.top_values[0][1] / len(df)
    assert abs(top_share - 1 / 40) < 0.01  # estimated counts are close to the true share
    member = profile.column("member")
    assert member.kind == ColumnKind.BOOLEAN and not member.unique_approx
    assert sum(c for _, c in member.top_values) == len(df)
    country = profile.column("country")
    assert country.kind == ColumnKind.CATEGORICAL and country.unique == 2
    assert dict(country.top_values)["de"] == int((df["country"] == "de").sum())


def test_big_table_duplicates_match_pandas_with_text_and_date_columns():
    df = _big_frame()
    assert profile_table(df).duplicate_rows == int(df.duplicated().sum())


def test_big_target_with_a_rare_third_class_is_multiclass():
    df = _big_frame()
    y = np.where(df["d"].to_numpy() == 0, "low", "high").astype(object)
    y[:3] = "rare"
    df["y"] = y
    profile = profile_table(df)
    assert detect_task(df["y"], profile.column("y")) == Task.MULTICLASS
