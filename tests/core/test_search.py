"""The AutoML search for tables: best trial kept, budget and Stop honoured, failures and resume."""

from __future__ import annotations

import json
import math
import pickle
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EpochEnd, TrialEnded, TrialStarted
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.jobs.tabular import setup_tabular
from automl_gui.core.kinds import kind_named
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search.jobs import SearchRequest, SearchRun, search
from automl_gui.core.tune.search.space import (
    SearchConfig,
    TabularSpace,
    TrialRecord,
    batch_sizes_for,
    leaderboard_rows,
)


def _frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "blue"], size=n)
    y = np.where(x1 + 0.5 * x2 + (color == "red") > 0.4, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "y": y})


@pytest.fixture(scope="module")
def table():
    df = _frame()
    setup = setup_tabular(LoadedTable(df=df, source=TableSource(path="m.csv", format="csv")), "y")
    return df, setup.preprocess


def _search(table, config, *, training=None, **kwargs):
    """The single-split search (k-fold trials are tested in test_search_cv.py), keeping the
    best trial alone (the average of the best trials: test_search_ensemble.py)."""
    df, pre = table
    kwargs.setdefault("baselines", False)
    if config.cross_validation == "auto":
        config = replace(config, cross_validation="off")
    config = replace(config, average_best=0)
    events = {k: kwargs.pop(k) for k in ("on_event", "cancel") if k in kwargs}
    training = training or TrainConfig(epochs=2)
    request = SearchRequest(kind_named("tabular"), df, pre, None, config, training, **kwargs)
    return search(request, **events)


class _Forced(TabularSpace):
    """Alters chosen trials: a learning rate that makes the loss NaN, or a crash."""

    def __init__(self, nan=(), crash=(), oom=()):
        self.nan, self.crash, self.oom = set(nan), set(crash), set(oom)

    def before_trial(self, trial_id, settings):
        if trial_id in self.crash:
            raise _Crash(trial_id)
        if trial_id in self.oom:  # what the Trainer raises when even half the batch is too big
            raise ModelError("Out of memory even at batch size 8.", "Use a smaller model.")
        if trial_id in self.nan:
            settings.optimizer, settings.learning_rate = "sgd", 1e12
        return settings


class _Crash(BaseException):
    """Stands for the process dying mid-trial (not an Exception: nothing catches it)."""


def test_search_keeps_the_trial_with_the_lowest_val_loss(table, tmp_path):
    events = []
    run = _search(
        table,
        SearchConfig(algorithm="random", max_trials=3, max_epochs=2),
        on_event=events.append,
        directory=tmp_path / "s",
    )
    assert isinstance(run, SearchRun)
    trials = [r for r in run.leaderboard if r.status != "baseline"]
    assert [r.status for r in trials] == ["completed"] * 3
    assert run.best_trial.value == min(r.value for r in trials)
    assert run.best_trial.value == pytest.approx(min(run.best_trial.history["val_loss"]))
    # the kept model is the best trial's: its validation loss is the best trial's best
    assert run.history == run.best_trial.history
    assert 0.0 <= run.report["metrics"]["accuracy"] <= 1.0
    search_meta = run.metadata["search"]
    assert search_meta["best_trial"]["trial_id"] == run.best_trial.trial_id
    assert len(search_meta["leaderboard"]) == 3 and "history" not in search_meta["leaderboard"][0]
    json.dumps(run.metadata)  # JSON-ready for export
    started = [e for e in events if isinstance(e, TrialStarted)]
    ended = [e for e in events if isinstance(e, TrialEnded)]
    assert [e.trial for e in started] == [e.record.trial_id for e in ended]
    assert sum(isinstance(e, EpochEnd) for e in events) == sum(r.epochs for r in trials)
    assert pickle.loads(pickle.dumps(ended[0])).record.value == ended[0].record.value
    saved = json.loads((tmp_path / "s" / "leaderboard.json").read_text())
    assert [r["trial_id"] for r in saved] == [r.trial_id for r in trials]
    rows = leaderboard_rows(run.leaderboard)
    assert "units" in json.loads(rows[0]["hyperparameters"])


@pytest.mark.parametrize("algorithm", ["hyperband", "bayesian"])
def test_each_algorithm_runs_its_trials(table, algorithm):
    run = _search(table, SearchConfig(algorithm=algorithm, max_trials=2, max_epochs=1))
    assert len(run.leaderboard) == 2
    assert all(r.status == "completed" and r.epochs == 1 for r in run.leaderboard)
    if algorithm == "hyperband":
        assert run.leaderboard[0].hyperparameters["tuner/epochs"] == 1


def test_time_budget_ends_the_search_and_keeps_the_best_model(table):
    config = SearchConfig(algorithm="random", time_budget=6.0, max_epochs=500)
    start = time.monotonic()
    run = _search(table, config, training=TrainConfig(epochs=500, early_stopping=False))
    elapsed = time.monotonic() - start
    # trials end at 4.8 s (the last fifth is kept to train the best on, when over 1 s is left)
    # the upper bound only shows the budget ended it (500 epochs take minutes); it allows a
    # busy machine (the suite runs on every core at once)
    assert 4.8 <= elapsed <= 6.0 + 24.0, elapsed
    assert run.leaderboard[-1].status == "stopped"
    assert run.leaderboard[-1].reason == "Time budget reached."
    assert run.best_trial.scored and run.model is not None


def test_a_budget_spent_setting_up_still_runs_one_short_trial(table):
    from automl_gui.core.base.events import Log

    events: list = []
    config = SearchConfig(algorithm="random", time_budget=0.01, max_epochs=50)
    run = _search(
        table, config, training=TrainConfig(epochs=50, early_stopping=False), on_event=events.append
    )
    logs = [e.message for e in events if isinstance(e, Log)]
    assert "The time budget went on setting up; one short trial runs anyway." in logs
    assert len(run.leaderboard) >= 1 and run.best_trial.scored and run.model is not None
    assert [r for r in run.leaderboard if r.status != "baseline"][0].epochs >= 1


def test_stop_mid_trial_ends_cleanly_with_a_best_model(table):
    cancel = CancelToken()
    seen = []

    def on_event(event):
        seen.append(event)
        if isinstance(event, EpochEnd) and sum(isinstance(e, TrialStarted) for e in seen) == 2:
            cancel.cancel()  # in the second trial's first epoch

    run = _search(
        table,
        SearchConfig(algorithm="random", max_trials=5, max_epochs=12),
        training=TrainConfig(epochs=12, early_stopping=False),
        on_event=on_event,
        cancel=cancel,
        baselines=True,  # skipped after a Stop
    )
    assert [r.status for r in run.leaderboard] == ["completed", "stopped"]
    assert run.leaderboard[1].epochs < 12
    assert run.best_trial in run.leaderboard and run.model is not None


def test_nan_and_out_of_memory_trials_are_marked_failed_and_the_search_goes_on(table):
    events = []
    run = _search(
        table,
        SearchConfig(algorithm="random", max_trials=4, max_epochs=2),
        space=_Forced(nan={"0001"}, oom={"0002"}),
        on_event=events.append,
    )
    statuses = {r.trial_id: r.status for r in run.leaderboard}
    assert statuses == {
        "0000": "completed",
        "0001": "failed",
        "0002": "failed",
        "0003": "completed",
    }
    nan, oom = run.leaderboard[1], run.leaderboard[2]
    assert "NaN" in nan.reason and nan.value is None
    assert oom.reason.startswith("Out of memory") and oom.value is None
    assert run.best_trial.trial_id in ("0000", "0003")
    ended = [e.record.status for e in events if isinstance(e, TrialEnded)]
    assert ended == ["completed", "failed", "failed", "completed"]


def test_a_search_where_every_trial_fails_says_so(table):
    with pytest.raises(ModelError, match="Every trial of the search failed"):
        _search(
            table,
            SearchConfig(algorithm="random", max_trials=2, max_epochs=1),
            space=_Forced(nan={"0000", "0001"}),
        )


def test_resume_after_a_crash_keeps_finished_trials_and_finishes(table, tmp_path):
    folder = tmp_path / "search"
    config = SearchConfig(algorithm="random", max_trials=4, max_epochs=1)
    with pytest.raises(_Crash):
        _search(table, config, directory=folder, space=_Forced(crash={"0002"}))
    before = {r["trial_id"]: r for r in json.loads((folder / "leaderboard.json").read_text())}
    assert before["0002"]["status"] == "running"
    with pytest.raises(ConfigError, match="already holds a search"):
        _search(table, config, directory=folder)
    run = _search(table, config, directory=folder, resume=True)
    ids = [r.trial_id for r in run.leaderboard]
    assert sorted(ids) == ["0000", "0001", "0002", "0003"]
    assert all(r.status == "completed" for r in run.leaderboard)
    for trial_id in ("0000", "0001"):  # kept as they were, not trained again
        kept = next(r for r in run.leaderboard if r.trial_id == trial_id)
        assert kept.seconds == before[trial_id]["seconds"]
        assert kept.hyperparameters == before[trial_id]["hyperparameters"]
    assert run.best_trial.value == min(r.value for r in run.leaderboard)


def test_search_settings_are_checked():
    with pytest.raises(ConfigError, match="time budget or a number of trials"):
        SearchConfig().validate()
    with pytest.raises(ConfigError, match="Unknown search algorithm"):
        SearchConfig(algorithm="grid", max_trials=1).validate()
    with pytest.raises(ConfigError, match="does not fit"):
        SearchConfig(max_trials=1, objective="val_mae").validate("binary")
    assert SearchConfig(objective="val_accuracy").direction == "max"
    record = TrialRecord("0001", {"units": 8}, value=math.nan, status="completed")
    assert not record.scored
    assert TrialRecord.from_dict(record.to_dict()).hyperparameters == {"units": 8}


def test_the_kept_configuration_is_trained_on_after_a_short_hyperband_round(table):
    events = []
    config = SearchConfig(algorithm="hyperband", max_trials=2, max_epochs=9, min_epochs=3)
    run = _search(table, config, on_event=events.append)
    assert [r.epochs for r in run.leaderboard] == [3, 3]  # Hyperband's first round
    trained_on = run.metadata["search"]["trained_on"]
    assert trained_on is not None and 1 <= trained_on["epochs"] <= 6 and trained_on["improved"]
    assert trained_on["value"] < run.best_trial.value
    assert len(run.history["val_loss"]) == 3 + trained_on["epochs"]
    assert min(run.history["val_loss"]) == pytest.approx(trained_on["value"])


def test_tiny_tables_try_batch_sizes_that_give_an_epoch_enough_steps(table):
    import keras_tuner as kt

    assert batch_sizes_for(0) == [16, 32, 64, 128, 256, 512]  # rows unknown: every size
    assert batch_sizes_for(5000) == [16, 32, 64, 128, 256, 512]
    assert batch_sizes_for(4000) == [16, 32, 64, 128, 256]  # 512 would be under 8 steps
    assert batch_sizes_for(300) == [16, 32]  # 64 would be under 8 steps an epoch
    assert batch_sizes_for(100) == [4, 8]  # iris's folds: 32 was 4 steps an epoch
    assert batch_sizes_for(10) == [4, 8]
    settings = TabularSpace(rows=100).build(kt.HyperParameters())
    assert settings.batch_size == 8  # the first trial's default fits the table
    assert TabularSpace().build(kt.HyperParameters()).batch_size == 32
    # a search on the 120-row table (84 training rows) tries only small batches, from 8
    run = _search(table, SearchConfig(algorithm="random", max_trials=2, max_epochs=1))
    sizes = [r.hyperparameters["batch_size"] for r in run.leaderboard]
    assert sizes[0] == 8 and set(sizes) <= {4, 8}


def test_the_isolated_search_sends_a_picklable_job_and_its_child_saves_the_model(
    table, tmp_path, monkeypatch
):
    from automl_gui.core.jobs import isolated
    from automl_gui.core.tune.search import jobs as search_module

    sent = {}

    class Sent(Exception):
        pass

    class FakeProcess:
        def run(self, target, kwargs, *, on_event=None, cancel=None):
            sent.update(target=target, kwargs=pickle.loads(pickle.dumps(kwargs)))
            raise Sent

    df, pre = table
    config = SearchConfig(algorithm="random", max_trials=1, max_epochs=1, cross_validation="off")
    training = TrainConfig(epochs=1)
    request = SearchRequest(kind_named("tabular"), df, pre, None, config, training)
    with pytest.raises(Sent):
        isolated.run_isolated(FakeProcess(), search, request)
    module, name = sent["kwargs"]["job"].split(":")
    assert module == search_module.__name__ and callable(getattr(search_module, name))
    path = tmp_path / "model.keras"
    sent["kwargs"]["request"].baselines = False
    run = isolated._in_child(**{**sent["kwargs"], "model_path": str(path)})
    assert path.exists() and run.model is None and run.prepared is None
    assert pickle.loads(pickle.dumps(run)).best_trial.trial_id == "0000"


def test_a_missing_tensorboard_is_a_clear_error(table, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "tensorboard" else real(name)
    )
    with pytest.raises(ConfigError, match="tensorboard"):
        _search(table, SearchConfig(max_trials=1))
