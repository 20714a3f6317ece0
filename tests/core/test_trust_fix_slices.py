"""Subgroups with chance taken into account (review P1-a, P1-e, P2-h, P3-s, P2-x): Wilson
intervals, tested gaps, rates judged on their own denominators, the four-fifths rule only
for differences beyond chance and worded for protected attributes, the target refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import DataError
from automl_gui.core.trust._slices_stats import is_protected, rates_test, wilson
from automl_gui.core.trust.slices import SliceReport, groups_for_column, slice_metrics


def test_wilson_and_the_tests_against_known_values() -> None:
    low, high = wilson(42, 56)  # 0.75 of 56
    assert low == pytest.approx(0.6231, abs=1e-3) and high == pytest.approx(0.8453, abs=1e-3)
    p, test = rates_test(35, 56, 42, 56)  # 0.625 vs 0.75: chance on groups this small
    assert p > 0.05 and test == "chi-square test"
    p, test = rates_test(1, 2, 0, 1)
    assert test == "Fisher's exact test" and p == pytest.approx(1.0)
    assert is_protected("sex") and is_protected("attrs.csv:age_group")
    assert not is_protected("contract") and not is_protected("usage")


def _noise(n: int = 224, seed: int = 0) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    rng = np.random.default_rng(seed)
    actual = rng.choice(["no", "yes"], n, p=[0.7, 0.3])
    right = rng.uniform(size=n) < 0.7  # the same chance of a right answer everywhere
    predicted = np.where(right, actual, np.where(actual == "yes", "no", "yes"))
    groups = groups_for_column(pd.DataFrame({"noise": rng.normal(size=n)}), "noise")
    return actual, predicted, groups


def test_gaps_on_noise_are_within_chance_and_fail_no_rule() -> None:
    actual, predicted, groups = _noise()
    report = slice_metrics("binary", ["no", "yes"], actual, predicted, None, groups)
    main = report.gap("accuracy")
    assert main is not None and not main.significant and main.test
    assert "within what chance alone gives on groups this small (p = " in report.lines()[0]
    assert "worst" not in report.lines()[0]
    assert not any(x.startswith("Other gaps") for x in report.lines())  # none beyond chance
    rule = report.four_fifths
    assert rule is not None and not rule.fails and rule.passed
    table = report.table
    for column in ("accuracy_low", "accuracy_high", "positives", "selection_rate_low"):
        assert column in table.columns
    judged = table.dropna(subset=["accuracy"])
    assert (judged["accuracy_low"] <= judged["accuracy"]).all()
    assert (judged["accuracy"] <= judged["accuracy_high"]).all()
    back = SliceReport.from_dict(json.loads(json.dumps(report.to_dict())))
    assert back.lines() == report.lines() and back.gaps == report.gaps
    assert back.four_fifths == report.four_fifths


def test_a_real_gap_fnr_on_few_positives_and_the_four_fifths_words() -> None:
    rng = np.random.default_rng(1)
    n = 400
    group = np.where(np.arange(n) < 200, "month", "year")
    actual = np.where(
        group == "month",
        rng.choice(["no", "yes"], n, p=[0.5, 0.5]),
        rng.choice(["no", "yes"], n, p=[0.99, 0.01]),
    )
    actual[200:202] = "yes"  # a couple of positives in 'year'
    predicted = np.where(group == "month", "yes", "no")
    predicted[:40] = actual[:40]
    report = slice_metrics(
        "binary", ["no", "yes"], actual, predicted, None, pd.Series(group), by="contract"
    )
    table = report.table.set_index("group")
    assert table.loc["year", "positives"] < 30 and np.isnan(
        table.loc["year", "false_negative_rate"]
    )
    assert any(m == "false_negative_rate" and g == "year" for m, g, _ in report.unjudged)
    lines = report.lines()
    assert any("False negative rate not judged for year" in x for x in lines)
    assert report.gap("accuracy").significant and "p < 0.001" in lines[0]
    rule = report.four_fifths
    assert rule.fails and not rule.protected
    said = next(x for x in lines if x.startswith("Four-fifths"))
    assert "meant for protected attributes" in said and "contract changes the answer" in said
    sex = slice_metrics(
        "binary", ["no", "yes"], actual, predicted, None, pd.Series(group), by="sex"
    )
    assert "adverse impact" in next(x for x in sex.lines() if x.startswith("Four-fifths"))


def test_the_target_is_refused_and_quartile_names_never_touch() -> None:
    frame = pd.DataFrame({"churn": ["no", "yes"] * 20, "r": np.linspace(7.76, 23.1, 40)})
    with pytest.raises(DataError, match="is what the model predicts"):
        groups_for_column(frame, "churn", target="churn")
    values = np.r_[np.linspace(7.76, 11.62, 40), np.linspace(11.64, 13.46, 40)]
    values = np.r_[values, np.linspace(13.5, 15.8, 40), np.linspace(16.1, 23.1, 40)]
    names = list(groups_for_column(pd.DataFrame({"r": values}), "r").cat.categories)
    ends = [name.split("–") for name in names[:-1]]
    assert all(a[1] != b[0] for a, b in zip(ends, ends[1:], strict=False)), names
