"""Evaluation reports: exact keys the GUI reads, correct values, always JSON-serializable."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from automl_gui.core.evaluate.metrics import (
    evaluate_classification,
    evaluate_regression,
    report_metrics,
    summary_line,
)

METRIC_KEYS = {
    "accuracy",
    "balanced_accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "log_loss",
    "roc_auc",
    "top_k_accuracy",
}


def _strict_json(report):
    return json.loads(json.dumps(report, allow_nan=False))


def test_binary_report_has_exact_values_and_roc():
    y = np.array([0, 0, 1, 1, 1, 0])
    proba1 = np.array([0.1, 0.6, 0.8, 0.7, 0.3, 0.2])
    proba = np.stack([1 - proba1, proba1], axis=1)
    report = evaluate_classification(y, proba, ["no", "yes"])
    assert report["task"] == "binary"
    assert report["n_samples"] == 6
    assert report["class_names"] == ["no", "yes"]
    assert set(report["metrics"]) == METRIC_KEYS
    m = report["metrics"]
    # predictions: 0 1 1 1 0 0 -> 4 of 6 right
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert report["confusion_matrix"] == [[2, 1], [1, 2]]
    assert m["roc_auc"] == pytest.approx(8 / 9)
    assert m["top_k_accuracy"] is None
    assert m["log_loss"] > 0
    per = report["per_class"]
    assert [p["class"] for p in per] == ["no", "yes"]
    assert per[1] == {
        "class": "yes",
        "precision": pytest.approx(2 / 3),
        "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(2 / 3),
        "support": 3,
    }
    roc = report["roc"]
    assert set(roc) == {"fpr", "tpr", "thresholds"}
    assert roc["fpr"][0] == 0.0 and roc["tpr"][-1] == 1.0
    assert roc["thresholds"][0] is None  # sklearn's +inf threshold
    _strict_json(report)


def test_roc_is_thinned_to_200_points():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 5000)
    p1 = np.clip(y * 0.3 + rng.random(5000) * 0.7, 0, 1)
    report = evaluate_classification(y, np.stack([1 - p1, p1], 1), [0, 1])
    roc = report["roc"]
    assert 2 < len(roc["fpr"]) <= 200
    assert len(roc["fpr"]) == len(roc["tpr"]) == len(roc["thresholds"])
    assert roc["fpr"][-1] == 1.0 and roc["tpr"][-1] == 1.0
    assert report["class_names"] == ["0", "1"]


def test_multiclass_report_with_auc_and_top_k():
    rng = np.random.default_rng(1)
    k = 5
    y = np.repeat(np.arange(k), 20)
    logits = rng.normal(size=(100, k))
    logits[np.arange(100), y] += 2.0
    proba = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    report = evaluate_classification(y, proba, list("abcde"))
    assert report["task"] == "multiclass"
    m = report["metrics"]
    assert m["accuracy"] == pytest.approx(float(np.mean(proba.argmax(1) == y)))
    assert 0.5 < m["roc_auc"] <= 1.0
    assert m["accuracy"] <= m["top_k_accuracy"] <= 1.0
    assert report["roc"] is None
    cm = np.array(report["confusion_matrix"])
    assert cm.shape == (k, k) and cm.sum() == 100 and list(cm.sum(1)) == [20] * k
    assert [p["support"] for p in report["per_class"]] == [20] * k
    _strict_json(report)


def test_multiclass_with_a_missing_class_has_no_auc_and_three_classes_no_top_k():
    y = np.array([0, 0, 1, 1, 0, 1])
    proba = np.array([[0.7, 0.2, 0.1]] * 3 + [[0.1, 0.8, 0.1]] * 3)
    report = evaluate_classification(y, proba, ["a", "b", "c"])
    m = report["metrics"]
    assert m["roc_auc"] is None
    assert m["top_k_accuracy"] is None
    assert report["per_class"][2]["support"] == 0
    assert report["per_class"][2]["precision"] == 0.0
    assert report["confusion_matrix"][2] == [0, 0, 0]
    _strict_json(report)


def test_binary_with_one_class_present_has_no_roc():
    y = np.array([1, 1, 1])
    proba = np.array([[0.2, 0.8], [0.6, 0.4], [0.1, 0.9]])
    report = evaluate_classification(y, proba, ["n", "y"])
    assert report["roc"] is None and report["metrics"]["roc_auc"] is None
    _strict_json(report)


def test_wrong_proba_shape_is_rejected():
    with pytest.raises(ValueError):
        evaluate_classification(np.array([0, 1]), np.ones((2, 3)) / 3, ["a", "b"])


def test_regression_report_values():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    p = np.array([1.5, 2.0, 2.5, 5.0])
    report = evaluate_regression(y, p)
    assert report["task"] == "regression"
    assert report["n_samples"] == 4
    m = report["metrics"]
    assert m["mse"] == pytest.approx((0.25 + 0 + 0.25 + 1) / 4)
    assert m["rmse"] == pytest.approx(math.sqrt(m["mse"]))
    assert m["mae"] == pytest.approx(0.5)
    assert m["r2"] == pytest.approx(1 - 1.5 / 5.0)
    assert report["samples"] == {"actual": [1.0, 2.0, 3.0, 4.0], "predicted": [1.5, 2.0, 2.5, 5.0]}
    _strict_json(report)


def test_regression_samples_are_a_fixed_subset_of_at_most_2000():
    rng = np.random.default_rng(2)
    y = rng.normal(size=10_000)
    p = y + rng.normal(scale=0.1, size=10_000)
    a, b = evaluate_regression(y, p), evaluate_regression(y, p.reshape(-1, 1))
    assert len(a["samples"]["actual"]) == 2000
    assert a["samples"] == b["samples"]
    assert set(a["samples"]["actual"]) <= set(y.tolist())
    assert a["metrics"]["r2"] > 0.95


def test_nan_predictions_become_none_and_metrics_use_finite_rows():
    report = evaluate_regression([1.0, 2.0, 3.0], [1.0, float("nan"), 3.0])
    assert report["samples"]["predicted"][1] is None
    assert report["metrics"]["mse"] == 0.0
    _strict_json(report)


def test_summary_lines():
    y = np.array([0, 1, 1, 0])
    proba = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])
    line = summary_line(evaluate_classification(y, proba, ["a", "b"]))
    assert line == "accuracy 1.000 · balanced accuracy 1.000 · F1 (macro) 1.000 · ROC AUC 1.000"
    reg = summary_line(evaluate_regression([1.0, 2.0, 3.0], [1.0, 2.0, 4.0]))
    assert reg.startswith("RMSE 0.5774 · MAE 0.3333 · R² 0.500")


def test_balanced_accuracy_known_answer_on_imbalanced_classes():
    """8 of 10 rows are "no"; always answering "no" is 80 % accurate but finds no "yes":
    balanced accuracy (the classes' recalls averaged) is 0.5, as sklearn's."""
    from sklearn.metrics import balanced_accuracy_score

    y = np.array([0] * 8 + [1] * 2)
    proba = np.tile([0.9, 0.1], (10, 1))
    m = evaluate_classification(y, proba, ["no", "yes"])["metrics"]
    assert m["accuracy"] == pytest.approx(0.8)
    assert m["balanced_accuracy"] == pytest.approx(0.5)
    # one "yes" found: recalls 1.0 and 0.5 -> 0.75
    proba[9] = [0.2, 0.8]
    m = evaluate_classification(y, proba, ["no", "yes"])["metrics"]
    assert m["balanced_accuracy"] == pytest.approx(0.75)
    assert m["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, proba.argmax(1)))


def test_balanced_accuracy_of_three_classes_and_a_class_missing_from_the_test_split():
    y = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    pred = np.array([0, 0, 0, 1, 1, 0, 2, 1])  # recalls 3/4, 1/2, 1/2
    m = evaluate_classification(y, np.eye(3)[pred], ["a", "b", "c"])["metrics"]
    assert m["balanced_accuracy"] == pytest.approx((0.75 + 0.5 + 0.5) / 3)
    # class "c" has no test rows but is predicted once: averaged over the classes present
    y2, pred2 = np.array([0, 0, 1, 1]), np.array([0, 2, 1, 1])
    m2 = evaluate_classification(y2, np.eye(3)[pred2], ["a", "b", "c"])["metrics"]
    assert m2["balanced_accuracy"] == pytest.approx((0.5 + 1.0) / 2)


def test_a_report_saved_before_balanced_accuracy_gets_it_from_its_confusion_matrix():
    old = {
        "task": "binary",
        "metrics": {"accuracy": 0.8, "f1_macro": 0.44},
        "confusion_matrix": [[8, 0], [2, 0]],
    }
    assert report_metrics(old)["balanced_accuracy"] == pytest.approx(0.5)
    assert "balanced accuracy 0.500" in summary_line(old)
    assert "balanced_accuracy" not in report_metrics({"task": "regression", "metrics": {}})
