"""A binary model's threshold: the curve, the rules that choose it (known answers), storing
it, its words, and applying it to prediction tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.trust.thresholds import (
    apply_threshold,
    best_threshold,
    clear_threshold,
    cost_words,
    curve_at,
    set_threshold,
    threshold_curve,
    threshold_words,
)


def _binary_meta() -> dict:
    return {"kind": "tabular", "task": "binary", "class_names": ["no", "yes"]}


def _calibrated(n: int = 20_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 1, n)
    return (rng.uniform(0, 1, n) < p).astype(int), p


def test_curve_counts_match_a_hand_count() -> None:
    y = np.array([1, 1, 0, 1, 0, 0])
    p = np.array([0.9, 0.6, 0.6, 0.3, 0.2, 0.1])
    curve = threshold_curve(y, p)
    row = curve_at(curve, 0.5)
    assert (row["tp"], row["fp"], row["fn"], row["tn"]) == (2, 1, 1, 2)
    assert row["precision"] == pytest.approx(2 / 3)
    assert row["recall"] == pytest.approx(2 / 3)
    assert row["f1"] == pytest.approx(2 / 3)
    assert row["predicted_positive_rate"] == pytest.approx(0.5)
    # the PR curve's own points are in the curve, beside the regular grid
    assert {0.6, 0.3, 0.9}.issubset(set(np.round(curve["threshold"], 6)))
    assert len(curve) >= 101 and curve["threshold"].is_monotonic_increasing
    assert curve_at(curve, 0.0)["recall"] == 1.0
    assert curve_at(curve, 1.0)["precision"] == 1.0  # nothing predicted positive


def test_cost_rule_finds_the_bayes_threshold_on_calibrated_probabilities() -> None:
    y, p = _calibrated()
    curve = threshold_curve(y, p)
    for ratio in (1.0, 4.0):
        # a miss costs `ratio` false alarms: positive when p * ratio >= 1 - p
        assert best_threshold(curve, rule="cost", cost_ratio=ratio) == pytest.approx(
            1 / (1 + ratio), abs=0.04
        )


def test_f1_rule_picks_the_highest_f1() -> None:
    y, p = _calibrated(5000, seed=1)
    curve = threshold_curve(y, p)
    t = best_threshold(curve, rule="f1")
    assert curve_at(curve, t)["f1"] == pytest.approx(curve["f1"].max())
    with pytest.raises(ConfigError):
        best_threshold(curve, rule="cost", cost_ratio=0)
    with pytest.raises(ConfigError):
        best_threshold(curve, rule="nope")


def test_set_words_and_clear() -> None:
    meta = _binary_meta()
    assert threshold_words(meta) == ""
    set_threshold(meta, 0.37, "F1", precision=0.81, recall=0.74)
    assert meta["threshold"] == {
        "positive": "yes",
        "value": 0.37,
        "chosen": "F1",
        "precision": 0.81,
        "recall": 0.74,
    }
    words = threshold_words(meta)
    assert words.startswith("Predicts 'yes' when its probability is at least 0.37")
    assert "F1 on the test split" in words
    set_threshold(meta, 0.2, cost_words(5))
    assert "1:5" in threshold_words(meta)
    clear_threshold(meta)
    assert "threshold" not in meta
    with pytest.raises(ConfigError):
        set_threshold({"task": "multiclass", "class_names": ["a", "b", "c"]}, 0.5, "F1")
    with pytest.raises(ConfigError):
        set_threshold(_binary_meta(), 1.5, "by hand")


def test_apply_threshold_redecides_predictions_and_confidence() -> None:
    frame = pd.DataFrame(
        {
            "path": ["a", "b", "c", "d"],
            "prediction": ["no", "no", "yes", ""],
            "confidence": [0.9, 0.6, 0.8, np.nan],
            "probability_no": [0.9, 0.6, 0.2, np.nan],
            "probability_yes": [0.1, 0.4, 0.8, np.nan],
            "error": ["", "", "", "could not be read"],
        }
    )
    frame.attrs["answer_columns"] = {"prediction": "prediction"}
    meta = _binary_meta()
    assert apply_threshold(frame, meta) is frame  # none stored: as it was
    set_threshold(meta, 0.3, "by hand")
    out = apply_threshold(frame, meta)
    assert list(out["prediction"]) == ["no", "yes", "yes", ""]
    assert list(out["confidence"][:3]) == pytest.approx([0.9, 0.4, 0.8])
    assert np.isnan(out["confidence"][3])
    assert out.attrs["answer_columns"] == {"prediction": "prediction"}
    assert list(frame["prediction"]) == ["no", "no", "yes", ""]  # the input is not changed
    # a multiclass model ignores any stored threshold
    multi = {"task": "multiclass", "class_names": ["a", "b", "c"], "threshold": {"value": 0.1}}
    assert apply_threshold(frame, multi) is frame


def test_apply_threshold_follows_renamed_answer_columns() -> None:
    frame = pd.DataFrame(
        {
            "prediction": ["x"],
            "prediction_2": ["no"],
            "probability_no_2": [0.55],
            "probability_yes_2": [0.45],
        }
    )
    frame.attrs["answer_columns"] = {
        "prediction": "prediction_2",
        "probability_no": "probability_no_2",
        "probability_yes": "probability_yes_2",
    }
    meta = set_threshold(_binary_meta(), 0.4, "by hand")
    out = apply_threshold(frame, meta)
    assert list(out["prediction"]) == ["x"] and list(out["prediction_2"]) == ["yes"]
