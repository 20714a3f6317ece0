"""The 'no better than chance' verdict on the test split (issue 15 follow-up: an audio model at
accuracy 0.25 on 4 balanced classes got no word, and 0.78 accuracy can be always answering the
majority class)."""

from __future__ import annotations

import numpy as np

from automl_gui.core.evaluate.metrics import (
    chance_note,
    evaluate_classification,
    evaluate_regression,
)


def test_always_answering_the_majority_class_is_chance_however_high_its_accuracy():
    y = np.array([0] * 78 + [1] * 22)
    report = evaluate_classification(y, np.tile([0.9, 0.1], (100, 1)), ["no", "yes"])
    assert report["metrics"]["accuracy"] == 0.78
    note = chance_note(report)
    assert note and "balanced accuracy 0.500" in note and "0.500 with 2 classes" in note


def test_four_balanced_classes_near_a_quarter_are_chance_and_a_learner_is_not():
    y = np.repeat(np.arange(4), 10)
    names = list("abcd")
    right = evaluate_classification(y, np.eye(4)[y], names)
    assert chance_note(right) is None
    for n_right, said in ((3, True), (4, False)):  # balanced accuracy 0.30, then 0.40
        answers = y.copy()
        wrong = np.arange(40) % 10 >= n_right
        answers[wrong] = (answers[wrong] + 1) % 4
        report = evaluate_classification(y, np.eye(4)[answers], names)
        assert report["metrics"]["balanced_accuracy"] == n_right / 10
        note = chance_note(report)
        assert (note is not None) is said, note
    assert "0.250 with 4 classes" in chance_note(
        evaluate_classification(y, np.eye(4)[(y + 1) % 4], names)
    )


def test_a_regressor_no_better_than_the_mean_is_said_and_a_fit_is_not():
    y = np.linspace(0, 10, 50)
    mean = evaluate_regression(y, np.full(50, y.mean()))
    assert mean["metrics"]["r2"] <= 0 and "predicting the mean" in chance_note(mean)
    fit = evaluate_regression(y, y + 0.1)
    assert chance_note(fit) is None


def test_a_report_saved_before_balanced_accuracy_is_judged_from_its_matrix():
    y = np.array([0] * 8 + [1] * 2)
    report = evaluate_classification(y, np.tile([0.9, 0.1], (10, 1)), ["no", "yes"])
    report["metrics"].pop("balanced_accuracy")
    assert chance_note(report) is not None
