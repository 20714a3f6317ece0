"""Metrics by subgroup (``core.trust.slices``): known answers on answers built with a gap."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import DataError
from automl_gui.core.trust.slices import (
    SliceReport,
    groups_for_column,
    groups_for_files,
    slice_metrics,
)


def _gapped(n: int = 3000, seed: int = 0):
    """Answers that are right 95 % of the time, but only 70 % for region South; region West
    has 12 rows; South is also predicted 'yes' half as often."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["North", "South"], n)
    region[:12] = "West"
    actual = rng.choice(["no", "yes"], n)
    south = region == "South"
    wrong = rng.random(n) < np.where(south, 0.30, 0.05)
    predicted = np.where(wrong, np.where(actual == "yes", "no", "yes"), actual)
    # South: half of its 'yes' predictions turned to 'no' (lower selection rate)
    drop = south & (predicted == "yes") & (rng.random(n) < 0.5)
    predicted = np.where(drop, "no", predicted)
    p_yes = np.where(predicted == "yes", 0.8, 0.2)
    frame = pd.DataFrame({"region": region, "age": rng.integers(18, 80, n)})
    return frame, actual, predicted, np.column_stack([1 - p_yes, p_yes])


def test_a_built_in_gap_is_reported_with_the_worse_group():
    frame, actual, predicted, proba = _gapped()
    report = slice_metrics(
        "binary", ["no", "yes"], actual, predicted, proba, groups_for_column(frame, "region")
    )
    table = report.table.set_index("group")
    north, south = table.loc["North"], table.loc["South"]
    # South's accuracy: 0.70 × (kept) minus the dropped yes's that were right, about 0.58
    expected = {
        g: float(np.mean(actual[frame.region == g] == predicted[frame.region == g]))
        for g in ("North", "South")
    }
    assert north["accuracy"] == pytest.approx(expected["North"])
    assert south["accuracy"] == pytest.approx(expected["South"])
    assert north["accuracy"] > 0.93 and south["accuracy"] < 0.65
    gap = report.gap("accuracy")
    assert gap.low == "South" and gap.high == "North"
    assert gap.gap == pytest.approx(expected["North"] - expected["South"])
    assert report.worst == "South"
    # the four-fifths rule fails: South is predicted 'yes' about half as often
    rule = report.four_fifths
    assert rule.positive == "yes" and rule.low == "South" and not rule.passed
    rates = {g: float(np.mean(predicted[frame.region == g] == "yes")) for g in ("North", "South")}
    assert rule.ratio == pytest.approx(rates["South"] / rates["North"])
    # the small group is named, not judged
    assert report.small == [("West", 12)]
    assert table.loc["West", "count"] == 12 and np.isnan(table.loc["West", "accuracy"])
    lines = report.lines()
    assert "worst for South" in lines[0]
    assert any("Four-fifths rule" in line and "below 0.8" in line for line in lines)
    assert any("West (12)" in line for line in lines)
    assert {"roc_auc", "false_negative_rate", "balanced_accuracy"} <= set(report.metrics)


def test_numbers_are_cut_into_quartiles_with_readable_names():
    frame = pd.DataFrame({"age": list(range(20, 60)) + [None, float("inf")]})
    groups = groups_for_column(frame, "age")
    order = list(groups.cat.categories)
    assert order == ["20–29", "30–39", "40–49", "50–59", "(missing)"]
    assert groups.value_counts()["(missing)"] == 2
    assert groups.iloc[0] == "20–29" and groups.iloc[39] == "50–59"
    floats = groups_for_column(pd.DataFrame({"r": np.linspace(0, 1, 101)}), "r", min_count=10)
    assert list(floats.cat.categories)[:2] == ["0–0.25", "0.26–0.5"]
    # quartiles of 25 rows would all be too small to judge (30): halves instead
    halves = groups_for_column(pd.DataFrame({"r": np.linspace(0, 1, 101)}), "r")
    assert list(halves.cat.categories) == ["0–0.5", "0.51–1", "(missing)"]
    below = groups_for_column(pd.DataFrame({"r": np.linspace(-1, 0, 101)}), "r", min_count=10)
    assert list(below.cat.categories)[0] == "-1 to -0.75"
    few = groups_for_column(pd.DataFrame({"stars": [1, 2, 3, 2.0, None]}), "stars")
    assert list(few) == ["1", "2", "3", "2", "(missing)"]
    flags = groups_for_column(pd.DataFrame({"member": [True, False, True]}), "member")
    assert list(flags) == ["True", "False", "True"]


def test_regression_slices_report_r2_mae_rmse_per_group():
    rng = np.random.default_rng(1)
    n = 400
    group = np.where(np.arange(n) % 2 == 0, "a", "b")
    actual = rng.normal(0, 3, n)
    noise = np.where(group == "a", 0.5, 2.0) * rng.standard_normal(n)
    report = slice_metrics("regression", None, actual, actual + noise, None, pd.Series(group))
    assert list(report.table.columns) == ["group", "count", "r2", "mae", "rmse"]
    table = report.table.set_index("group")
    b = group == "b"
    assert table.loc["b", "mae"] == pytest.approx(np.mean(np.abs(noise[b])))
    assert table.loc["b", "rmse"] == pytest.approx(np.sqrt(np.mean(noise[b] ** 2)))
    assert table.loc["a", "r2"] > table.loc["b", "r2"]
    assert report.worst == "b" and report.four_fifths is None


def test_dict_round_trip_and_csv(tmp_path):
    frame, actual, predicted, proba = _gapped(600)
    report = slice_metrics(
        "binary",
        ["no", "yes"],
        actual,
        predicted,
        None,
        groups_for_column(frame, "age"),
        data="the run's test split (600 of 3,000 rows)",
    )
    stored = json.loads(json.dumps(report.to_dict()))
    back = SliceReport.from_dict(stored)
    assert back.lines() == report.lines()
    # a worst group is named only for a gap beyond chance
    assert (stored["worst"] is None) == (not report.gap("accuracy").significant)
    assert stored["data"].startswith("the run's")
    path = report.to_csv(tmp_path / "slices.csv")
    written = pd.read_csv(path)
    assert list(written.columns[:3]) == ["group", "count", "accuracy"]
    assert written["count"].sum() == 600


def test_one_group_and_bad_columns_are_refused():
    frame = pd.DataFrame({"country": ["FR"] * 50, "x": range(50)})
    with pytest.raises(DataError, match="one group of 'country'"):
        slice_metrics(
            "binary", ["a", "b"], ["a"] * 50, ["b"] * 50, None, groups_for_column(frame, "country")
        )
    with pytest.raises(DataError, match="no column 'regoin'.*'country'"):
        groups_for_column(frame, "regoin")


def test_multiclass_selection_rate_of_each_class():
    actual = np.array(["a", "b", "c"] * 40)
    group = pd.Series(["x"] * 60 + ["y"] * 60, name="site")
    report = slice_metrics("multiclass", ["a", "b", "c"], actual, actual, None, group)
    assert {"selection_rate_a", "selection_rate_b", "selection_rate_c"} <= set(report.metrics)
    assert report.four_fifths is None and report.gap("accuracy").gap == 0


def test_groups_for_files_by_subfolder_and_attribute_csv(tmp_path):
    root = tmp_path / "photos"
    paths = [
        str(root / "cat" / "indoor" / "a.jpg"),
        str(root / "cat" / "outdoor" / "b.jpg"),
        str(root / "dog" / "c.jpg"),
        str(root / "train" / "dog" / "indoor" / "d.jpg"),
    ]
    labels = ["cat", "cat", "dog", "dog"]
    by_folder = groups_for_files(paths, root, "subfolder", labels=labels)
    assert list(by_folder) == ["indoor", "outdoor", "(no subfolder)", "indoor"]
    assert list(groups_for_files(paths, root, "subfolder")) == list(by_folder)
    attrs = tmp_path / "attrs.csv"
    attrs.write_text("file,camera\ncat/indoor/a.jpg,old\nb.jpg,new\ntrain/dog/indoor/d.jpg,new\n")
    by_camera = groups_for_files(paths, root, f"{attrs}:camera")
    assert list(by_camera) == ["old", "new", "(not listed)", "new"]
    with pytest.raises(DataError, match="no column 'lens'"):
        groups_for_files(paths, root, f"{attrs}:lens")


def test_texts_from_a_table_slice_by_its_columns(tmp_path):
    table = tmp_path / "posts.csv"
    table.write_text("text,label,lang\nhello there,a,en\nbonjour,b,fr\nhi,a,en\n")
    paths = [f"{table}#1", f"{table}#3", f"{table}#2"]
    assert list(groups_for_files(paths, tmp_path, "lang")) == ["en", "en", "fr"]


def test_the_data_page_names_groups_too_small_to_judge():
    from automl_gui.core.data.profile import dataset_warnings, profile_table

    rng = np.random.default_rng(0)
    n = 1000
    region = np.array(["South"] * 900 + ["North"] * 80 + ["East"] * 20)
    frame = pd.DataFrame(
        {
            "region": region,
            "member": rng.choice([True, False], n),
            "x": rng.normal(size=n),
            "y": rng.choice(["a", "b"], n),
        }
    )
    warnings = dataset_warnings(frame, profile_table(frame), "y", "binary")
    small = [w for w in warnings if w.code == "small_groups"]
    assert len(small) == 1
    assert small[0].message.startswith(
        "Too few rows to judge the model for: region=North (12 expected test rows), "
        "region=East (3)."
    )
    assert "South" not in small[0].message and "member" not in small[0].message
    big = frame.assign(region=rng.choice(["North", "South"], n))
    codes = [w.code for w in dataset_warnings(big, profile_table(big), "y", "binary")]
    assert "small_groups" not in codes
