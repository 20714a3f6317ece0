"""k-fold trials of the table search: mean ± std recorded, folds fitted on their own rows only,
a failing fold fails its trial, Stop mid-fold, the time budget, Hyperband, and "off"."""

from __future__ import annotations

import json
import math
import time

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EpochEnd, PhaseChanged, TrialEnded
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.jobs import tabular as pipeline
from automl_gui.core.jobs.tabular import setup_tabular
from automl_gui.core.kinds import kind_named
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.train.result import TrainResult
from automl_gui.core.tune.search import tables as search_module
from automl_gui.core.tune.search._trials import TabularTrials
from automl_gui.core.tune.search.jobs import SearchRequest, search
from automl_gui.core.tune.search.saved import open_folder
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord, leaderboard_rows
from automl_gui.core.tune.search.tables import TRAIN_ON_PHASE

FOLDS = 3


def _frame(n: int = 60, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "blue"], size=n).astype(object)
    color[7] = "purple"  # one row: in the validation part of exactly one fold (or the test)
    y = np.where(x1 + 0.5 * x2 > 0.1, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "y": y})


@pytest.fixture(scope="module")
def table():
    df = _frame()
    setup = setup_tabular(LoadedTable(df=df, source=TableSource(path="t.csv", format="csv")), "y")
    return df, setup.preprocess


def _config(**kwargs) -> SearchConfig:
    kwargs.setdefault("algorithm", "random")
    kwargs.setdefault("max_epochs", 2)
    kwargs.setdefault("folds", FOLDS)
    return SearchConfig(**kwargs)


def _fake_fit(calls=None, nan_at=(), raise_at=()):
    """A stand-in for ``pipeline.fit_tabular`` (no training: these tests are about what the
    search does with each fold's result). Records each call's epochs and training rows; call
    numbers in ``nan_at`` end in NaN, those in ``raise_at`` run out of memory."""
    calls = [] if calls is None else calls

    def fit(prepared, pre, built, training, **kwargs):
        calls.append({"epochs": training.epochs, "rows": len(prepared.train)})
        n = len(calls)
        if n in raise_at:
            raise ModelError("Out of memory even at batch size 8.", "Use a smaller model.")
        rng = np.random.default_rng(n)
        losses = list(np.linspace(0.7, 0.5, training.epochs) + rng.uniform(0, 0.1))
        history = {"loss": losses, "val_loss": losses, "accuracy": [0.7] * training.epochs}
        history["val_accuracy"] = [0.7] * training.epochs
        reason = "nan" if n in nan_at else "completed"
        return TrainResult(history, training.epochs - 1, training.epochs, reason, 0.1, 32)

    return fit


def _search(table, config, *, training=None, **kwargs):
    df, pre = table
    kwargs.setdefault("baselines", False)
    events = {k: kwargs.pop(k) for k in ("on_event", "cancel") if k in kwargs}
    training = training or TrainConfig(epochs=2)
    request = SearchRequest(kind_named("tabular"), df, pre, None, config, training, **kwargs)
    return search(request, **events)


def test_each_trial_is_scored_by_the_mean_of_its_folds_fitted_on_their_own_rows(
    table, tmp_path, monkeypatch
):
    seen = []
    real = pipeline.build_tabular

    def spy(prepared, preprocess, mlp, **kwargs):
        pre, built = real(prepared, preprocess, mlp, **kwargs)
        seen.append((prepared, pre.summary))
        return pre, built

    monkeypatch.setattr(pipeline, "build_tabular", spy)
    events = []
    run = _search(
        table,
        _config(max_trials=1),
        on_event=events.append,
        directory=tmp_path / "s",
    )
    (trial,) = [r for r in run.leaderboard if r.status != "baseline"]
    assert trial.status == "completed"
    assert trial.cross_validated and trial.cv_folds == FOLDS and len(trial.cv_scores) == FOLDS
    assert trial.cv_mean == pytest.approx(np.mean(trial.cv_scores))
    assert trial.cv_std == pytest.approx(np.std(trial.cv_scores)) and trial.cv_std > 0
    assert trial.value == trial.cv_mean  # what the oracle ranks and the leaderboard shows
    assert trial.value_text().endswith(f"({FOLDS}-fold)") and " ± " in trial.value_text()
    assert len(trial.history["val_loss"]) == trial.epochs == 2  # the folds' mean curve
    # each fold is announced and trains afresh (its epochs count from 0)
    folds = [e.phase for e in events if isinstance(e, PhaseChanged) and e.phase.startswith("fold")]
    assert folds == [f"fold {i}/{FOLDS}" for i in range(1, FOLDS + 1)]
    # the kept model: the chosen configuration trained again on the training split
    refit = run.metadata["search"]["refit"]
    assert refit["source"] == "training split" and refit["epochs"] == len(run.history["loss"])
    assert run.metadata["search"]["cross_validation"]["folds"] == FOLDS
    assert any(isinstance(e, PhaseChanged) and e.phase == TRAIN_ON_PHASE for e in events)
    assert run.report["n_samples"] == len(run.prepared.test)
    n_epochs = sum(isinstance(e, EpochEnd) for e in events)  # every fold ran its 2 epochs
    assert n_epochs == trial.epochs * FOLDS + refit["epochs"]

    # no leakage: each fold's preprocessing is fitted on the fold's training rows only
    (*fold_builds, final) = seen
    assert len(fold_builds) == FOLDS
    pooled = pd.concat([run.prepared.train, run.prepared.validation])
    validated = []
    for prepared, summary in fold_builds:
        train_x1, val_x1 = set(prepared.train["x1"]), set(prepared.validation["x1"])
        assert not train_x1 & val_x1 and not (train_x1 | val_x1) & set(run.prepared.test["x1"])
        assert train_x1 | val_x1 == set(pooled["x1"])
        assert len(prepared.y_train) == len(prepared.train)
        validated.extend(val_x1)
        assert summary["x1"]["mean"] == pytest.approx(prepared.train["x1"].mean())
        vocab = set(summary["color"]["top_values"])
        assert vocab == set(prepared.train["color"])  # a category seen only in validation:
        if "purple" in set(prepared.validation["color"]):  # unknown to that fold's model
            assert "purple" not in vocab
    assert sorted(validated) == sorted(pooled["x1"])  # every pooled row validated once
    # the kept model is fitted on the search's training split, as a normal run
    assert final[1]["x1"]["mean"] == pytest.approx(run.prepared.train["x1"].mean())

    # JSON: the leaderboard file and the flat rows carry the spread
    (saved,) = json.loads((tmp_path / "s" / "leaderboard.json").read_text())
    assert saved["cv_folds"] == FOLDS and saved["cv_scores"] == trial.cv_scores
    rows = leaderboard_rows(run.leaderboard)
    assert rows[0]["cv_folds"] == FOLDS and rows[0]["cv_std"] == pytest.approx(trial.cv_std)
    json.dumps(run.metadata)
    assert TrialRecord.from_dict(trial.to_dict()).cv_scores == trial.cv_scores


def test_baseline_rows_are_cross_validated_on_the_trials_folds(table):
    from automl_gui.core.preprocess.tabular import prepare_data

    df, pre = table
    prepared = prepare_data(df, pre)
    rows = search_module._baseline_records(prepared, pre, 42, None, CancelToken(), folds=FOLDS)
    assert [r.trial_id for r in rows] == [
        "baseline:logistic regression",
        "baseline:random forest",
        "baseline:hist gradient boosting",
    ]
    for r in rows:
        assert r.cv_folds == FOLDS and r.value == r.cv_mean == pytest.approx(np.mean(r.cv_scores))
        assert r.reason.startswith("accuracy ") and r.reason.endswith("on the validation split")
        assert r.value_text().endswith(f"({FOLDS}-fold)") and r.test_score is not None
    off = search_module._baseline_records(prepared, pre, 42, None, CancelToken(), folds=0)
    assert all(not r.cross_validated and r.reason == "" for r in off)


def test_a_failing_fold_fails_its_trial_and_the_search_goes_on(table, monkeypatch):
    # folds are fit calls 1-3 (trial 0000), 4-5 (0001: out of memory in its second fold),
    # 6-8 (0002: NaN in its third), 9-11 (0003), then 12 trains the chosen one again
    monkeypatch.setattr(pipeline, "fit_tabular", _fake_fit(raise_at={5}, nan_at={8}))
    events = []
    run = _search(table, _config(max_trials=4), on_event=events.append)
    status = {r.trial_id: r.status for r in run.leaderboard}
    assert status == {"0000": "completed", "0001": "failed", "0002": "failed", "0003": "completed"}
    oom, nan = run.leaderboard[1], run.leaderboard[2]
    assert oom.reason.startswith("Out of memory") and oom.value is None
    assert nan.reason.startswith("Failed in fold 3 of 3: the loss became NaN") and nan.value is None
    assert not nan.cross_validated and not nan.scored
    assert run.best_trial.trial_id in ("0000", "0003")
    ended = [e.record.status for e in events if isinstance(e, TrialEnded)]
    assert ended == ["completed", "failed", "failed", "completed"]


def test_hyperband_rounds_of_a_cross_validated_trial_train_afresh(table, monkeypatch):
    calls = []
    monkeypatch.setattr(pipeline, "fit_tabular", _fake_fit(calls))
    loaded = []
    monkeypatch.setattr(TabularTrials, "_load_weights", lambda self, *a: loaded.append(a))
    config = _config(algorithm="hyperband", max_trials=4, max_epochs=3, min_epochs=1, folds=2)
    run = _search(table, config)
    assert [r.epochs for r in run.leaderboard] == [1, 1, 1, 3]
    assert run.leaderboard[3].hyperparameters["tuner/initial_epoch"] == 1  # a continuation
    assert [c["epochs"] for c in calls[:8]] == [1] * 6 + [3, 3]  # yet all 3 epochs afresh
    assert not loaded and run.metadata["search"]["refit"] is not None
    # with k-fold trials Hyperband's automatic shortest round is a third of max epochs
    run = _search(table, _config(algorithm="hyperband", max_trials=1, max_epochs=9, folds=2))
    assert run.leaderboard[0].hyperparameters["tuner/epochs"] == 3


def test_stop_in_a_fold_ends_the_search_with_the_folds_that_ran(table):
    cancel = CancelToken()
    state = {"phase": "", "train_on": False}

    def on_event(event):
        if isinstance(event, PhaseChanged):
            state["phase"] = event.phase
            state["train_on"] |= event.phase == TRAIN_ON_PHASE
        elif isinstance(event, EpochEnd) and state["phase"] == "fold 2/3":
            cancel.cancel()  # in the first trial's second fold

    run = _search(
        table,
        _config(max_trials=5, max_epochs=8),
        training=TrainConfig(epochs=8, early_stopping=False),
        on_event=on_event,
        cancel=cancel,
        baselines=True,  # skipped after a Stop
    )
    (stopped,) = run.leaderboard
    assert (
        stopped.status == "stopped" and stopped.reason == "Stopped by the user after 2 of 3 folds."
    )
    assert stopped.cv_folds == 2 and stopped.value == pytest.approx(np.mean(stopped.cv_scores))
    assert stopped.epochs == 8  # the first fold ran all its epochs, the second was cut
    # no time to train the choice again after Stop: its best fold's model is kept
    assert run.metadata["search"]["refit"]["source"] == "best fold" and not state["train_on"]
    assert run.model is not None and 0.0 <= run.report["metrics"]["accuracy"] <= 1.0


def test_a_trials_folds_share_the_time_budget(table):
    config = _config(time_budget=8.0, max_epochs=500, folds=2)
    start = time.monotonic()
    run = _search(table, config, training=TrainConfig(epochs=500, early_stopping=False))
    elapsed = time.monotonic() - start
    assert elapsed <= 8.0 + 25.0, elapsed  # 500 epochs take minutes; a busy machine
    last = run.leaderboard[-1]
    assert last.status == "stopped" and last.reason == "Time budget reached."
    assert last.cv_folds == 2  # every fold got its share, none was skipped
    assert run.metadata["search"]["refit"]["source"] in ("training split", "best fold")


def test_off_scores_trials_on_the_single_validation_split(table, monkeypatch):
    monkeypatch.setattr(pipeline, "fit_tabular", _fake_fit())
    events = []
    config = _config(max_trials=1, cross_validation="off", folds=0)
    run = _search(table, config, on_event=events.append)
    (trial,) = run.leaderboard
    assert not trial.cross_validated and trial.cv_mean is None and trial.cv_std is None
    assert trial.value_text() == f"{trial.value:.4g}"
    assert not any(isinstance(e, PhaseChanged) and e.phase.startswith("fold") for e in events)
    assert run.metadata["search"]["cross_validation"] is None
    assert run.metadata["search"]["refit"] is None


def test_cross_validation_settings_are_checked_and_kept_across_resume(table, tmp_path):
    with pytest.raises(ConfigError, match="cross-validation setting"):
        SearchConfig(max_trials=1, cross_validation="yes").validate()
    with pytest.raises(ConfigError, match="2 folds or more"):
        SearchConfig(max_trials=1, folds=1).validate()
    with pytest.raises(ConfigError, match="folds from"):  # more folds than rows
        _search(table, _config(max_trials=1, cross_validation="on", folds=500))
    folder = tmp_path / "s"
    open_folder(folder, _config(max_trials=1), resume=False, overwrite=False)
    (folder / "leaderboard.json").write_text("[]")
    off = _config(max_trials=2, cross_validation="off")
    with pytest.raises(ConfigError, match="cannot continue with 'off'"):
        open_folder(folder, off, resume=True, overwrite=False)


def test_value_text_shows_mean_spread_and_folds():
    record = TrialRecord("0001", value=0.9533, cv_mean=0.9533, cv_std=0.0212, cv_folds=5)
    assert record.value_text() == "0.953 ± 0.021 (5-fold)"
    assert TrialRecord("0002", value=0.40771).value_text() == "0.4077"
    assert TrialRecord("0003").value_text() == "—"
    assert not math.isnan(record.cv_std)
