"""Every leaderboard row of a search carries one shared figure (issue 15, item 3): the
baselines' headline metric on the validation rows, so a trial (objective val_loss) and a
baseline (accuracy, R²) are compared on the same number."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.jobs.tabular import setup_tabular
from automl_gui.core.kinds import kind_named
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search._scores import history_score, mean_and_spread
from automl_gui.core.tune.search.jobs import SearchRequest, search
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord, leaderboard_rows


def _search(df: pd.DataFrame, target: str, cv: str):
    setup = setup_tabular(
        LoadedTable(df=df, source=TableSource(path="m.csv", format="csv")), target
    )
    # 2 folds (not the automatic 5) when cross-validated: a spread needs only two
    config = SearchConfig(
        algorithm="random", max_trials=2, max_epochs=2, cross_validation=cv, folds=2
    )
    request = SearchRequest(
        kind_named("tabular"),
        df,
        setup.preprocess,
        None,
        config,
        TrainConfig(epochs=2),
        baselines=True,
    )
    return search(request)


def _rows(n: int = 90, regression: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = x1 + 0.5 * x2 if regression else np.where(x1 + 0.5 * x2 > 0, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "y": y})


@pytest.mark.parametrize(
    ("regression", "cv", "name"),
    [(False, "off", "accuracy"), (True, "off", "r2"), (False, "on", "accuracy")],
)
def test_trials_and_baselines_share_the_headline_figure(regression, cv, name):
    run = _search(_rows(regression=regression), "y", cv)
    trials = [r for r in run.leaderboard if r.status != "baseline"]
    baselines = [r for r in run.leaderboard if r.status == "baseline"]
    assert trials and baselines
    assert {r.score_name for r in run.leaderboard} == {name}
    assert all(r.metric_name == "val_loss" for r in trials)  # the objective stays the value
    for r in trials:
        assert r.score is not None and math.isfinite(r.score)
        if not regression:
            assert 0.0 <= r.score <= 1.0
        assert (r.score_std is not None) == (cv == "on")
    for b in baselines:
        assert b.score == b.value  # a baseline's value already is its headline metric
    row = leaderboard_rows(run.leaderboard)[0]
    assert row["score_name"] == name and row["score"] == trials[0].score


def test_a_leaderboard_saved_before_scores_gives_baselines_theirs():
    old = {
        "trial_id": "baseline:random forest",
        "metric_name": "accuracy",
        "value": 0.81,
        "status": "baseline",
        "cv_std": 0.02,
    }
    record = TrialRecord.from_dict(old)
    assert (record.score_name, record.score, record.score_std) == ("accuracy", 0.81, 0.02)
    trial = TrialRecord.from_dict({"trial_id": "0000", "value": 0.4, "status": "completed"})
    assert trial.score is None and trial.score_text() == "—"


def test_files_trials_read_the_kept_epochs_validation_accuracy():
    history = {"val_accuracy": [0.5, 0.8, 0.7]}
    assert history_score(history, 1) == 0.8
    assert history_score(history, -1) == 0.7
    assert history_score({}, 0) is None
    assert mean_and_spread([0.5, None, 0.7]) == (pytest.approx(0.6), pytest.approx(0.1))


def test_a_fit_cut_mid_epoch_drops_that_epochs_training_figures():
    """The budget (or Stop) ends a fit after the batch that crossed it: the last epoch's loss
    and accuracy average part of an epoch (the spike on the kept trial's curve)."""
    from automl_gui.core.train.result import drop_partial_epoch

    def history():
        return {
            "loss": [0.6, 0.5, 0.9],
            "accuracy": [0.7, 0.8, 0.4],
            "val_loss": [0.65, 0.55, 0.54],
            "val_accuracy": [0.7, 0.75, 0.76],
            "lr": [1e-3] * 3,
        }

    cut = history()
    drop_partial_epoch(cut, "val_loss")
    assert math.isnan(cut["loss"][2]) and math.isnan(cut["accuracy"][2])
    assert cut["loss"][:2] == [0.6, 0.5]
    assert cut["val_loss"] == [0.65, 0.55, 0.54] and cut["lr"][2] == 1e-3
    stopped = history()
    drop_partial_epoch(stopped, "loss")  # the figure kept is kept
    assert stopped["loss"][2] == 0.9 and math.isnan(stopped["accuracy"][2])


def test_a_trial_cut_by_the_budget_keeps_no_partial_epoch_in_its_curves(monkeypatch):
    """The trainer knows whether the budget cut an epoch before its last batch (a cut on an
    epoch's last batch leaves a whole epoch): the search's rows keep its verdict."""
    from automl_gui.core.train.trainer import Trainer
    from automl_gui.core.tune.search.jobs import SearchRequest, search

    fits = []
    fit = Trainer.fit

    def recording_fit(self, *args, **kwargs):
        fits.append(fit(self, *args, **kwargs))
        return fits[-1]

    monkeypatch.setattr(Trainer, "fit", recording_fit)

    df = _rows(n=400)
    setup = setup_tabular(LoadedTable(df=df, source=TableSource(path="m.csv", format="csv")), "y")
    config = SearchConfig(
        algorithm="random", time_budget=6.0, max_epochs=400, cross_validation="off",
        final_share=0.0,
    )  # fmt: skip
    training = TrainConfig(epochs=400, batch_size=8, early_stopping=False)
    request = SearchRequest(
        kind_named("tabular"), df, setup.preprocess, None, config, training, baselines=False
    )
    run = search(request)
    cut = [r for r in run.leaderboard if r.reason == "Time budget reached."]
    assert cut, [r.reason for r in run.leaderboard]
    partial = [f for f in fits if f.partial_last_epoch]
    for f in partial:
        assert math.isnan(f.history["loss"][-1]) and not math.isnan(f.history["val_loss"][-1])
    whole_last = {f.history["loss"][-1] for f in fits if not f.partial_last_epoch}
    for r in cut:
        assert not math.isnan(r.history["val_loss"][-1])
        last = r.history["loss"][-1]
        assert math.isnan(last) or last in whole_last  # a whole last epoch keeps its figures


def test_the_command_lines_leaderboard_has_the_shared_column():
    from automl_gui.cli._search import format_leaderboard

    trial = TrialRecord("0000", {"units": 8}, "val_loss", 0.41, epochs=3, status="completed")
    trial.score_name, trial.score = "accuracy", 0.8125
    base = TrialRecord.from_dict(
        {
            "trial_id": "baseline:forest",
            "metric_name": "accuracy",
            "value": 0.79,
            "status": "baseline",
        }  # fmt: skip
    )
    lines = format_leaderboard([trial, base], trial).splitlines()
    header = lines[2]
    assert header.index("val accuracy") < header.index("metric")
    col = header.index("val accuracy") + len("val accuracy")
    assert lines[3][:col].endswith("0.8125") and lines[4][:col].endswith("0.79")
