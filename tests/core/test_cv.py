"""k-fold cross-validation: folds partition the rows, are stratified, and the loop scores them."""

from __future__ import annotations

import math
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import CancelledError, ConfigError, ModelError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.preprocess.tabular import PreparedData
from automl_gui.core.tune.search.cv import (
    cross_validate,
    default_folds,
    fit_folds,
    kfold_indices,
    plan_folds,
    pool_splits,
    should_cross_validate,
)


def _labels() -> np.ndarray:
    # 60 / 30 / 10 rows of three classes, in blocks (an unshuffled file)
    return np.array([0] * 60 + [1] * 30 + [2] * 10)


def test_kfold_validation_parts_are_disjoint_and_cover_every_row():
    y = _labels()
    folds = kfold_indices(y, 5, "multiclass", seed=3)
    assert len(folds) == 5
    seen = np.concatenate([va for _, va in folds])
    assert sorted(seen.tolist()) == list(range(len(y)))  # each row validated exactly once
    for tr, va in folds:
        assert not set(tr.tolist()) & set(va.tolist())
        assert len(tr) + len(va) == len(y)


def test_kfold_is_stratified_for_classification():
    y = _labels()
    for _, va in kfold_indices(y, 5, "multiclass", seed=0):
        counts = np.bincount(y[va], minlength=3)
        assert counts.tolist() == [12, 6, 2]  # every fold keeps the 60/30/10 mix


def test_kfold_shuffles_and_is_reproducible():
    y = _labels()
    a = kfold_indices(y, 4, "multiclass", seed=1)
    b = kfold_indices(y, 4, "multiclass", seed=1)
    c = kfold_indices(y, 4, "multiclass", seed=2)
    assert all(np.array_equal(x[1], z[1]) for x, z in zip(a, b, strict=True))
    assert not all(np.array_equal(x[1], z[1]) for x, z in zip(a, c, strict=True))
    assert not np.array_equal(a[0][1], np.arange(25))  # not the first block of the file


def test_kfold_regression_and_rare_class():
    y = np.linspace(0, 1, 23)
    folds = kfold_indices(y, 5, "regression", seed=0)
    assert sorted(len(va) for _, va in folds) == [4, 4, 5, 5, 5]
    rare = np.array([0] * 20 + [1] * 2)  # fewer rows of class 1 than folds: still works
    folds = kfold_indices(rare, 5, "binary", seed=0)
    assert sum(int((rare[va] == 1).sum()) for _, va in folds) == 2


@pytest.mark.parametrize("k", [1, 0, 11])
def test_kfold_rejects_impossible_fold_counts(k):
    with pytest.raises(ConfigError):
        kfold_indices(np.arange(10) % 2, k, "binary")


def test_cross_validate_returns_mean_std_and_scores():
    y = np.arange(20) % 2
    calls = []

    def fit_score(train_idx, val_idx):
        calls.append((train_idx, val_idx))
        return float(len(calls))  # 1, 2, 3, 4

    progress = []
    mean, std, scores = cross_validate(
        fit_score, y, "binary", k=4, seed=0, on_fold=lambda i, n, s: progress.append((i, n, s))
    )
    assert scores == [1.0, 2.0, 3.0, 4.0]
    assert mean == pytest.approx(2.5)
    assert std == pytest.approx(np.std([1, 2, 3, 4]))  # population std over the folds
    assert progress == [(0, 4, 1.0), (1, 4, 2.0), (2, 4, 3.0), (3, 4, 4.0)]
    assert len(calls) == 4 and all(len(va) == 5 for _, va in calls)


def test_cross_validate_nan_fold_gives_nan_mean_and_bad_value_is_an_error():
    y = np.arange(12) % 2
    values = iter([0.5, float("nan"), 0.7])
    mean, std, scores = cross_validate(lambda tr, va: next(values), y, "binary", k=3)
    assert np.isnan(mean) and np.isnan(std) and len(scores) == 3
    with pytest.raises(ModelError, match="Fold 1"):
        cross_validate(lambda tr, va: "oops", y, "binary", k=3)


def test_cross_validate_honours_cancel_between_folds():
    y = np.arange(20) % 2
    token = CancelToken()
    calls = []

    def fit_score(train_idx, val_idx):
        calls.append(1)
        if len(calls) == 2:
            token.cancel()
        return 1.0

    with pytest.raises(CancelledError):
        cross_validate(fit_score, y, "binary", k=5, cancel=token)
    assert len(calls) == 2  # the third fold never started


def test_when_to_cross_validate_and_pooling():
    assert should_cross_validate(150)
    assert should_cross_validate(999)
    assert not should_cross_validate(1000)
    assert not should_cross_validate(3)
    assert default_folds(500) == 5 and default_folds(6) == 3 and default_folds(4) == 2
    prepared = PreparedData(
        train=pd.DataFrame({"a": [1.0, 2.0, 3.0]}),
        validation=pd.DataFrame({"a": [4.0]}),
        test=pd.DataFrame({"a": [5.0]}),
        y_train=np.array([0, 1, 0]),
        y_validation=np.array([1]),
        y_test=np.array([0]),
        class_names=["a", "b"],
    )
    frame, y = pool_splits(prepared)
    assert frame["a"].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert y.tolist() == [0, 1, 0, 1]


def _prepared(n_train: int, n_val: int = 6) -> PreparedData:
    n = n_train + n_val
    frame = pd.DataFrame({"a": np.arange(n, dtype=float)})
    y = np.arange(n) % 2
    return PreparedData(
        train=frame.iloc[:n_train].reset_index(drop=True),
        validation=frame.iloc[n_train:].reset_index(drop=True),
        test=pd.DataFrame({"a": [-1.0, -2.0]}),
        y_train=y[:n_train],
        y_validation=y[n_train:],
        y_test=np.array([0, 1]),
        class_names=["a", "b"],
    )


def test_plan_folds_by_mode_and_each_fold_replaces_train_and_validation():
    small, big = _prepared(24), _prepared(1200)
    assert plan_folds(small, "binary", "off") is None
    assert plan_folds(big, "binary", "auto") is None  # big enough for one split
    assert plan_folds(big, "binary", "on", folds=2).k == 2
    plan = plan_folds(small, "binary", "auto", seed=1)
    assert plan.k == 5 and len(plan.y) == 30
    fold = plan.fold(small, 0)
    tr, va = plan.folds[0]
    assert fold.train["a"].tolist() == tr.astype(float).tolist()  # pooled positions = values
    assert fold.validation["a"].tolist() == va.astype(float).tolist()
    assert fold.y_train.tolist() == plan.y[tr].tolist()
    assert fold.test is small.test and fold.class_names == small.class_names
    with pytest.raises(ConfigError):
        plan_folds(small, "binary", "on", folds=31)


def _result(values, reason="completed"):
    return SimpleNamespace(
        history={"val_loss": list(values)}, epochs_run=len(values), stopped_reason=reason
    )


def _best(result):
    finite = [v for v in result.history["val_loss"] if math.isfinite(v)]
    return min(finite) if finite else None


def test_fit_folds_scores_every_fold_keeps_the_best_and_averages_the_curves():
    prepared = _prepared(24)
    plan = plan_folds(prepared, "binary", "on", folds=3)
    curves = iter([[0.9, 0.5], [0.8, 0.3, 0.4], [0.7, 0.6]])
    seen = []

    def fit_fold(data, until):
        seen.append((len(data.train), until))
        return ("pre", f"model{len(seen)}", _result(next(curves)))

    events = []
    out = fit_folds(
        plan, prepared, fit_fold, _best, task="binary", direction="min", on_event=events.append
    )
    assert out.scores == [0.5, 0.3, 0.6] and out.epochs == [2, 3, 2]
    assert out.mean == pytest.approx(np.mean([0.5, 0.3, 0.6]))
    assert out.std == pytest.approx(np.std([0.5, 0.3, 0.6]))
    assert out.kept[1] == "model2" and out.stopped == ""
    assert out.mean_history()["val_loss"] == pytest.approx([0.8, 0.466666, 0.4], abs=1e-5)
    assert [n for n, _ in seen] == [len(tr) for tr, _ in plan.folds]
    assert all(math.isinf(u) for _, u in seen)  # no deadline: no limit
    phases = [e.phase for e in events if hasattr(e, "phase")]
    assert phases == ["fold 1/3", "fold 2/3", "fold 3/3"]


def test_fit_folds_share_the_time_left_equally():
    prepared = _prepared(24)
    plan = plan_folds(prepared, "binary", "on", folds=3)
    start = time.monotonic()
    deadline = start + 30.0
    shares = []

    def fit_fold(data, until):
        shares.append(until - time.monotonic())
        return (None, None, _result([0.5]))

    fit_folds(plan, prepared, fit_fold, _best, task="binary", direction="min", deadline=deadline)
    # 30 s for three folds: each fold (which returns at once) gets a third of what is left
    assert shares[0] == pytest.approx(10.0, abs=0.5)
    assert shares[1] == pytest.approx(15.0, abs=0.5)
    assert shares[2] == pytest.approx(30.0, abs=0.5)


def test_fit_folds_stop_keeps_the_folds_that_ran_and_a_nan_fold_fails():
    prepared = _prepared(24)
    plan = plan_folds(prepared, "binary", "on", folds=4)
    token = CancelToken()
    calls = []

    def fit_fold(data, until):
        calls.append(1)
        if len(calls) == 2:  # Stop during the second fold: it ends normally, cut short
            token.cancel()
            return (None, None, _result([0.4], "cancelled"))
        return (None, None, _result([0.6, 0.5]))

    out = fit_folds(plan, prepared, fit_fold, _best, task="binary", direction="min", cancel=token)
    assert len(calls) == 2 and out.scores == [0.5, 0.4] and out.stopped == "cancelled"
    assert out.mean == pytest.approx(0.45)
    with pytest.raises(CancelledError):  # stopped before any fold
        fit_folds(plan, prepared, fit_fold, _best, task="binary", direction="min", cancel=token)

    results = iter([_result([0.5]), _result([0.5, math.nan], "nan")])
    with pytest.raises(ModelError, match="Failed in fold 2 of 4: the loss became NaN"):
        fit_folds(
            plan,
            prepared,
            lambda d, u: (None, None, next(results)),
            _best,
            task="binary",
            direction="min",
        )
    with pytest.raises(ModelError, match="no finite validation value"):
        fit_folds(
            plan,
            prepared,
            lambda d, u: (None, None, _result([math.inf])),
            _best,
            task="binary",
            direction="min",
        )
