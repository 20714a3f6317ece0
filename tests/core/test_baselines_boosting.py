"""The gradient boosting baseline: native categories (missing, unseen, many), untuned and
reproducible, grown in chunks that honour Stop and the time allowance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.preprocess.tabular import PreparedData
from automl_gui.core.tune.search import baselines
from automl_gui.core.tune.search._baseline_features import ordinal_transformer
from automl_gui.core.tune.search.baselines import BOOSTING_NAME, run_baselines


@pytest.fixture(autouse=True)
def _small_ensembles(monkeypatch):
    monkeypatch.setattr(baselines, "FOREST_TREES", 20)
    monkeypatch.setattr(baselines, "FOREST_CHUNK", 20)
    monkeypatch.setattr(baselines, "BOOSTING_ITERS", 40)


def _frame(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The class is set by the category alone (a missing category is class 1 too): only a
    model that reads the categories scores well; ``x`` is noise with missing values."""
    rng = np.random.default_rng(seed)
    shop = rng.choice(["a", "b", "c", "d", None], size=n)
    x = rng.normal(size=n)
    x[::5] = np.nan
    y = np.isin(shop, ["b", "d", None]).astype(np.int32)
    return pd.DataFrame({"x": x, "shop": shop}), y


def _prepared(n: int = 600) -> PreparedData:
    train, y_train = _frame(n, 0)
    validation, y_validation = _frame(n // 4, 1)
    test, y_test = _frame(n // 4, 2)
    test.loc[0, "shop"] = "never seen"
    return PreparedData(
        train=train,
        validation=validation,
        test=test,
        y_train=y_train,
        y_validation=y_validation,
        y_test=y_test,
        class_names=["no", "yes"],
    )


def _boosting(results):
    (row,) = [r for r in results if r.name == BOOSTING_NAME]
    return row


def test_boosting_reads_categories_natively_including_missing_and_unseen_ones():
    results = run_baselines(_prepared(), "binary", seed=0, cross_validation=False)
    assert [r.name for r in results][-1] == BOOSTING_NAME
    boosting = _boosting(results)
    assert boosting.test_score > 0.95  # the category decides the class, missing included
    assert boosting.settings["iterations"] == 40
    assert boosting.settings["early_stopping"] is False  # sklearn's auto: off under 10,000
    again = _boosting(run_baselines(_prepared(), "binary", seed=0, cross_validation=False))
    assert again.test_score == boosting.test_score  # a fixed random_state


def test_ordinal_features_put_categories_last_and_cap_their_codes():
    frame = pd.DataFrame(
        {"n": [1.0, np.nan, 3.0] * 200, "c": [f"v{i}" for i in range(600)]}  # 600 categories
    )
    transformer = ordinal_transformer(["n"], ["c"])
    x = transformer.fit_transform(frame)
    assert x.shape == (600, 2) and np.isnan(x[1, 0])  # numeric as is, missing kept
    assert x[:, 1].max() < 255  # gradient boosting bins a category into at most 255 codes
    unseen = transformer.transform(pd.DataFrame({"n": [0.0], "c": ["new"]}))
    assert unseen[0, 1] in (-1, x[:, 1].max())  # unseen: missing (-1) or the rare-values code


def test_many_categories_do_not_break_boosting():
    prepared = _prepared(400)
    prepared.train["shop"] = [f"shop {i}" for i in range(len(prepared.train))]
    boosting = _boosting(run_baselines(prepared, "binary", cross_validation=False))
    assert boosting.test_score is not None


def test_regression_boosting_on_missing_values():
    rng = np.random.default_rng(0)
    n = 800
    a = rng.uniform(-2, 2, n)
    target = np.where(a > 0, 3.0, -1.0) + rng.normal(0, 0.1, n)
    a[::7] = np.nan
    target[::7] = 10.0  # the missing value itself predicts: boosting learns where it goes
    frame = pd.DataFrame({"a": a, "city": rng.choice(["x", "y"], n)})
    parts = [slice(0, 500), slice(500, 650), slice(650, n)]
    prepared = PreparedData(
        *(frame.iloc[p].reset_index(drop=True) for p in parts),
        *(target[p] for p in parts),
        class_names=None,
    )
    linear, _, boosting = run_baselines(prepared, "regression", cross_validation=False)
    assert boosting.metric_name == "r2"
    assert boosting.test_score > 0.95 > linear.test_score


def test_boosting_stops_at_cancel_and_after_its_time_allowance(monkeypatch):
    monkeypatch.setattr(baselines, "ENSEMBLE_SECONDS", 0.0)
    boosting = _boosting(run_baselines(_prepared(), "binary", cross_validation=False))
    assert boosting.settings["iterations"] == 20  # one chunk of 20, not 40

    from sklearn.ensemble import HistGradientBoostingClassifier

    token = CancelToken()
    fits = []
    original_fit = HistGradientBoostingClassifier.fit

    def fit_then_stop(self, x, y, *args, **kwargs):
        out = original_fit(self, x, y, *args, **kwargs)
        fits.append(self.n_iter_)
        token.cancel()  # Stop pressed while the first chunk of iterations runs
        return out

    monkeypatch.setattr(HistGradientBoostingClassifier, "fit", fit_then_stop)
    with pytest.raises(CancelledError):
        run_baselines(_prepared(), "binary", cancel=token, cross_validation=False)
    assert fits == [20]
