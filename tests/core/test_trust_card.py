"""The model card's calibration paragraph, threshold sentence and trust limits (high ECE,
subgroup gaps, a failed four-fifths rule), from metadata and report alone."""

from __future__ import annotations

from automl_gui.core.export._card_trust import calibration_lines, trust_limits
from automl_gui.core.export.model_card import known_limits
from automl_gui.core.trust.calibration import not_refitted
from automl_gui.core.trust.thresholds import set_threshold

META = {"kind": "tabular", "task": "binary", "class_names": ["no", "yes"]}
APPLIED = {
    "method": "Temperature scaling (Guo et al. 2017)",
    "bins": 15,
    "ece": 0.021,
    "ece_before": 0.064,
    "temperature": 1.8,
    "applied": True,
    "reason": "temperature 1.80 lowered the validation ECE from 0.071 to 0.018",
}
SLICES = {
    "region": {
        "by": "region",
        "task": "binary",
        "positive": "yes",
        "min_count": 30,
        "data": "the run's test split (240 of 1,200 rows)",
        "gaps": [
            {
                "metric": "accuracy",
                "gap": 0.12,
                "low": "South",
                "low_value": 0.79,
                "high": "North",
                "high_value": 0.91,
                "p_value": 0.004,
                "test": "chi-square test",
                "low_count": 120,
                "high_count": 108,
            },
            {
                "metric": "selection_rate",
                "gap": 0.19,
                "low": "South",
                "low_value": 0.31,
                "high": "North",
                "high_value": 0.5,
            },
            {
                "metric": "false_negative_rate",
                "gap": 0.2,
                "low": "North",
                "low_value": 0.1,
                "high": "South",
                "high_value": 0.3,
                "p_value": 0.31,
                "test": "Fisher's exact test",
                "low_count": 20,
                "high_count": 30,
            },
        ],
        "worst": {"metric": "accuracy", "group": "South"},
        "four_fifths": {
            "class": "yes",
            "ratio": 0.62,
            "passed": False,
            "low": "South",
            "low_rate": 0.31,
            "high": "North",
            "high_rate": 0.5,
            "p_value": 0.002,
            "test": "chi-square test",
            "protected": False,
        },
        "small": [{"group": "West", "count": 12}],
    }
}


def test_calibration_paragraph_applied_and_not() -> None:
    lines = calibration_lines(META, {"calibration": APPLIED})
    text = " ".join(lines)
    assert "temperature 1.80" in text and "0.064 before, 0.021 after" in text
    assert "Guo et al. 2017" in text
    refit = not_refitted(dict(APPLIED, ece=0.05, ece_before=0.05), 1.8)
    text = " ".join(calibration_lines(META, {"calibration": refit}))
    assert "not rescaled" in text and "refit on all data" in text and "0.050" in text
    # an export's metadata carries the short entry; a regression has none
    assert calibration_lines(dict(META, calibration=APPLIED), {}) == lines
    assert calibration_lines({"kind": "tabular", "task": "regression"}, {}) == []


def test_threshold_sentence() -> None:
    meta = set_threshold(dict(META), 0.37, "F1", precision=0.81, recall=0.74)
    lines = calibration_lines(meta, {})
    assert lines == [
        "Decision threshold: Predicts 'yes' when its probability is at least 0.37 (chosen "
        "for F1 on the test split; precision 0.81, recall 0.74)."
    ]


def test_limits_name_significant_gaps_main_metric_first_and_protected_four_fifths() -> None:
    report = {"calibration": dict(APPLIED, ece=0.14), "slices": SLICES}
    limits = trust_limits(META, report)
    assert limits[0].startswith("Poorly calibrated probabilities") and "0.140" in limits[0]
    gap = limits[1]
    assert gap.startswith("Subgroups by region (the run's test split")
    assert "accuracy 0.790 for South (120 rows) against 0.910 for North (108 rows)" in gap
    assert "a gap of 0.120 (p = 0.004, chi-square test)" in gap
    # the false negative rate's gap is within chance (p = 0.31): not a limit; region is not
    # a protected attribute: its four-fifths ratio is not a limit either
    assert not any("false negative" in x or "Four-fifths" in x for x in limits)
    assert "West" in limits[2]
    assert all(item in known_limits(META, report) for item in limits)
    rule = dict(SLICES["region"]["four_fifths"], protected=True)
    sex = {"sex": dict(SLICES["region"], by="sex", four_fifths=rule)}
    limits = trust_limits(META, {"slices": sex})
    assert any("Four-fifths rule failed by sex" in x and "0.62" in x for x in limits)
    chance = dict(rule, p_value=0.2)
    limits = trust_limits(META, {"slices": {"sex": dict(sex["sex"], four_fifths=chance)}})
    assert not any("Four-fifths" in x for x in limits)
    calm = {"calibration": APPLIED, "slices": {"region": dict(SLICES["region"], four_fifths=None)}}
    assert not any("Four-fifths" in x or "Poorly" in x for x in trust_limits(META, calm))


def test_platt_paragraph_and_no_real_change() -> None:
    entry = dict(
        APPLIED,
        method="Platt scaling on the logit",
        on="positive",
        positive="yes",
        bias=-1.2,
        temperature=1.25,
        class_weighted=True,
        ece=0.058,
        ece_before=0.064,
    )
    text = " ".join(calibration_lines(META, {"calibration": entry}))
    assert "Platt scaling" in text and "P(yes) = sigmoid(0.80 × logit − 1.20)" in text
    assert "weighted in training" in text and "no real change on the test split" in text
    assert "bins of P(yes)" in text
