"""k-fold cross-validation: folds partition the rows, are stratified, and the loop scores them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.errors import CancelledError, ConfigError, ModelError
from automl_gui.core.events import CancelToken
from automl_gui.core.preprocess.tabular import PreparedData
from automl_gui.core.tune.cv import (
    cross_validate,
    default_folds,
    kfold_indices,
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
