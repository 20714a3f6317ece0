"""The kept model of a search described as one model (issue 15 follow-up): its leaderboard
row when the search trained the kept trial on, its words, and a baseline that beat it."""

from __future__ import annotations

import types

from automl_gui.core.tune.search.compare import baseline_verdict, kept_row, kept_words
from automl_gui.core.tune.search.space import TrialRecord

HISTORY = {
    "loss": [0.62, 0.53, 0.51, 0.49, 0.48, 0.47, 0.47, 0.46, 0.46],
    "val_loss": [0.58, 0.5081, 0.54, 0.50, 0.4874, 0.51, 0.49, 0.54, 0.54],
    "val_accuracy": [0.68, 0.74, 0.69, 0.72, 0.73, 0.71, 0.74, 0.70, 0.70],
}


def trial() -> TrialRecord:
    return TrialRecord("0000", {"units": 64}, "val_loss", 0.5081, epochs=2, seconds=6.2,
                       status="completed", score_name="accuracy", score=0.7422,
                       history={k: v[:2] for k, v in HISTORY.items()})  # fmt: skip


def search_run(epochs: int = 9, trained_on: dict | None = None) -> types.SimpleNamespace:
    result = types.SimpleNamespace(best_epoch=4 if epochs > 2 else 1, epochs_run=epochs)
    meta = {"search": {"trained_on": trained_on}}
    return types.SimpleNamespace(history=HISTORY, result=result, metadata=meta)


def test_the_kept_row_is_the_model_trained_on_not_the_trial():
    best = trial()
    more = {"epochs": 7, "value": 0.4874, "improved": True, "score": 0.7312, "seconds": 3.5}
    row = kept_row(best, search_run(9, more), 0.7156)
    assert (row.trial_id, row.epochs, row.value, row.score) == ("0000", 9, 0.4874, 0.7312)
    assert row.test_score == 0.7156 and row.seconds == 6.2 + 3.5
    assert row.history["val_loss"] == HISTORY["val_loss"]
    assert "reached val_loss 0.5081 in 2 epochs" in row.reason
    assert "7 more epochs to 0.4874" in row.reason
    assert best.value == 0.5081 and best.epochs == 2  # the trial's own record is kept as it was
    assert kept_words(row, best) == "trial 0000 + 7 more epochs (val_loss 0.4874)"
    assert kept_words(row, best, short=True) == "trial 0000 + 7 epochs"


def test_a_kept_trial_not_trained_on_keeps_its_figures_with_the_test_score():
    best = trial()
    row = kept_row(best, search_run(epochs=2), 0.71)
    assert (row.epochs, row.value, row.score, row.test_score) == (2, 0.5081, 0.7422, 0.71)
    assert kept_words(row, best) == "trial 0000 (val_loss 0.5081)"


def test_a_reopened_projects_run_record_gives_the_same_row():
    """A project's RunRecord has no ``result``: its summary says the epochs; the validation
    accuracy is read at the kept epoch."""
    record = types.SimpleNamespace(history=HISTORY,
                                   summary={"best_epoch": 4, "epochs_run": 9, "seconds": 9.0},
                                   metrics={"accuracy": 0.7156})  # fmt: skip
    row = kept_row(trial(), record, 0.7156)
    assert (row.epochs, row.value, row.score) == (9, 0.4874, 0.73)


def test_a_baseline_that_beats_the_kept_model_is_said_plainly():
    forest = TrialRecord("baseline:random forest", {}, "accuracy", 0.76, status="baseline",
                         test_score=0.7733)  # fmt: skip
    logistic = TrialRecord("baseline:logistic regression", {}, "accuracy", 0.70,
                           status="baseline", test_score=0.7067)  # fmt: skip
    rows = [trial(), logistic, forest]
    assert baseline_verdict(rows, {"metrics": {"accuracy": 0.7156}}) == (
        "The random forest baseline scored higher (0.773 vs 0.716 test accuracy): the network "
        "may need more time or data."
    )
    assert baseline_verdict(rows, {"metrics": {"accuracy": 0.80}}) == ""
    assert baseline_verdict([trial()], {"metrics": {"accuracy": 0.5}}) == ""


def test_the_command_lines_leaderboard_names_the_kept_model():
    from automl_gui.cli._search import format_leaderboard

    best = trial()
    row = kept_row(best, search_run(9, {"epochs": 7, "value": 0.4874, "improved": True}))
    text = format_leaderboard([best], best, kept_words(row, best))
    assert text.splitlines()[-1] == "* kept: trial 0000 + 7 more epochs (val_loss 0.4874)"
    assert format_leaderboard([best], best).splitlines()[-1] == "* kept: trial 0000"
