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


def test_limits_name_the_largest_gap_a_failed_four_fifths_and_high_ece() -> None:
    report = {"calibration": dict(APPLIED, ece=0.14), "slices": SLICES}
    limits = trust_limits(META, report)
    assert limits[0].startswith("Poorly calibrated probabilities") and "0.140" in limits[0]
    gap = limits[1]
    assert gap.startswith("Subgroups by region (the run's test split")
    assert "false negative rate differs by 0.200 between North (0.100) and South (0.300)" in gap
    assert "Four-fifths rule failed by region" in limits[2] and "0.62" in limits[2]
    assert "West" in limits[3]
    assert all(item in known_limits(META, report) for item in limits)
    calm = {"calibration": APPLIED, "slices": {"region": dict(SLICES["region"], four_fifths=None)}}
    assert not any("Four-fifths" in x or "Poorly" in x for x in trust_limits(META, calm))
