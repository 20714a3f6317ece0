"""Review fixes of issue 18 in the window that need no trained model: a continued run's
before → after table and its verdict, the four-fifths verdict's colour, the groups offered."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pandas as pd

from automl_gui.gui.pages._continued_summary import change_verdict, continued_html
from automl_gui.gui.pages._trust_slices import FileGroups, TableGroups, four_fifths_verdict


def _continued(before: float, after: float, new: tuple[float, float] | None = None) -> Any:
    info = {
        "name": "Run 1",
        "data": "old and new",
        "items": "rows",
        "rows": {"test": 90},  # the new data's split
        "test_before": {"accuracy": before},
        "test_after": {"accuracy": after},
    }
    if new is not None:
        info["parts"] = {
            "new": {"before": {"accuracy": new[0]}, "after": {"accuracy": new[1]}, "test_rows": 90},
            "old": {"before": {"accuracy": 0.8}, "after": {"accuracy": 0.8}, "test_rows": 210},
        }
    return SimpleNamespace(metadata={"continued_from": info})


def test_a_small_change_on_few_rows_is_about_the_same_and_a_large_one_better() -> None:
    assert change_verdict("accuracy", 0.6111, 0.6222, 90) == "about the same"
    assert change_verdict("accuracy", 0.61, 0.80, 90) == "better"
    assert change_verdict("accuracy", 0.80, 0.61, 900) == "worse"
    assert change_verdict("r2", 0.50, 0.51, 90) == "about the same"


def test_a_continued_run_shows_a_before_after_table_led_by_the_new_data() -> None:
    html = continued_html(_continued(0.68, 0.70, new=(0.61, 0.62)))
    assert html.count("<tr>") == 4  # header, all, new, earlier
    assert "<td align='right'>300</td>" in html  # all = the parts' test rows together
    assert "New data&#x27;s test rows" in html and "Earlier data&#x27;s rows" in html
    assert "<b>About the same</b> on new data's test rows" in html.replace("&#x27;", "'")
    assert "within what chance gives on 90 rows" in html
    assert continued_html(SimpleNamespace(metadata={})) == ""
    only_new = continued_html(_continued(0.55, 0.85))
    assert "<td align='right'>90</td>" in only_new
    assert only_new.count("<tr>") == 2 and "<b>Better</b>" in only_new


def test_the_four_fifths_verdict_is_red_only_for_a_protected_gap_beyond_chance() -> None:
    def rule(**kw: Any) -> Any:
        base = {"positive": "yes", "ratio": 0.5, "below": True, "fails": True, "protected": True}
        return SimpleNamespace(**{**base, **kw}, passed=not {**base, **kw}["fails"])

    assert four_fifths_verdict(rule(), "sex")[0] == "fails"
    verdict, words = four_fifths_verdict(rule(protected=False), "contract")
    assert verdict == "below" and "only shows that it changes the answer" in words
    assert four_fifths_verdict(rule(fails=False), "noise")[0] == "chance"
    assert four_fifths_verdict(rule(ratio=0.9, below=False, fails=False), "x")[0] == "passes"
    assert four_fifths_verdict(None, "x") == (None, "")


def test_the_target_is_never_offered_and_flat_folders_grey_subfolder(tmp_path) -> None:
    run = SimpleNamespace(
        metadata={"target": "churn"},
        test_predictions=pd.DataFrame({"a": [1], "churn": ["no"], "actual": ["no"]}),
    )
    table = SimpleNamespace(df=pd.DataFrame({"id": [1], "a": [1], "churn": ["no"]}))
    assert TableGroups(lambda: table).choices(run) == ["id", "a"]
    assert TableGroups(lambda: None).choices(run) == ["a"]
    flat = SimpleNamespace(
        metadata={},
        test_predictions=pd.DataFrame(
            {"path": [str(tmp_path / "cat" / "1.png")], "actual": ["cat"]}
        ),
    )
    assert "subfolder" in FileGroups(lambda: None).disabled(flat)
    nested = SimpleNamespace(
        metadata={},
        test_predictions=pd.DataFrame(
            {"path": [str(tmp_path / "cat" / "indoor" / "1.png")], "actual": ["cat"]}
        ),
    )
    assert FileGroups(lambda: None).disabled(nested) == {}
