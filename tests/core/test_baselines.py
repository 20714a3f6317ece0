"""scikit-learn baselines: same split as the network, real scores, robust features, cancel."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import CancelledError, DataError
from automl_gui.core.base.events import CancelToken, Log, Progress
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.jobs.tabular import setup_tabular
from automl_gui.core.preprocess.tabular import PreparedData, prepare_data
from automl_gui.core.tune.search import baselines
from automl_gui.core.tune.search.baselines import (
    BaselineResult,
    best_baseline,
    headline_metric,
    run_baselines,
)


@pytest.fixture(autouse=True)
def _small_forest(monkeypatch):
    monkeypatch.setattr(baselines, "FOREST_TREES", 40)
    monkeypatch.setattr(baselines, "FOREST_CHUNK", 20)
    monkeypatch.setattr(baselines, "BOOSTING_ITERS", 40)


def _classification_table(n: int = 400, seed: int = 0) -> LoadedTable:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    y = np.where(x1 + 0.5 * x2 + 1.5 * (color == "red") > 0.5, "yes", "no")
    df = pd.DataFrame({"x1": x1, "x2": x2, "color": color, "row_id": np.arange(n), "outcome": y})
    df.loc[::7, "x2"] = np.nan
    df.loc[::11, "color"] = None
    return LoadedTable(df=df, source=TableSource(path="mem.csv", format="csv"))


def _regression_table(n: int = 300, seed: int = 1) -> LoadedTable:
    rng = np.random.default_rng(seed)
    a = rng.uniform(-2, 2, n)
    b = rng.uniform(-2, 2, n)
    shop = rng.choice(["north", "south"], size=n)
    price = 3.0 * a - 2.0 * b + 4.0 * (shop == "north") + rng.normal(0, 0.3, n)
    df = pd.DataFrame({"a": a, "b": b, "shop": shop, "price": price})
    df.loc[::9, "a"] = np.nan
    return LoadedTable(df=df, source=TableSource(path="mem.csv", format="csv"))


def test_classification_baselines_on_the_network_split_reach_a_sensible_score():
    table = _classification_table(n=1300)
    setup = setup_tabular(table, "outcome")
    prepared = prepare_data(table.df, setup.preprocess)
    events = []
    results = run_baselines(
        prepared, setup.preprocess.task, preprocess=setup.preprocess, on_event=events.append
    )
    assert [r.name for r in results] == [
        "logistic regression",
        "random forest",
        "hist gradient boosting",
    ]
    for r in results:
        assert r.metric_name == "accuracy" == headline_metric("binary")
        assert r.validation_score > 0.8 and r.test_score > 0.8  # the rule is easy to learn
        assert r.details["accuracy"] == r.test_score
        assert 0.8 < r.details["roc_auc"] <= 1.0
        assert r.seconds > 0
        assert r.cv_mean is None and r.cv_scores == []  # 1,000+ learnable rows: no k-fold
    assert sum(isinstance(e, Log) for e in events) == 3
    fractions = [e.fraction for e in events if isinstance(e, Progress)]
    assert fractions == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert best_baseline(results) in results
    # JSON-able and back
    text = json.dumps([r.to_dict() for r in results])
    again = [BaselineResult.from_dict(d) for d in json.loads(text)]
    assert again[1].test_score == results[1].test_score


def test_baselines_use_the_same_test_rows_as_prepare_data():
    table = _classification_table(n=200, seed=4)
    setup = setup_tabular(table, "outcome")
    prepared = prepare_data(table.df, setup.preprocess)
    seen = {}

    def spy(y_true, proba, names):
        seen.setdefault("n", []).append(len(y_true))
        seen.setdefault("y", []).append(np.asarray(y_true).tolist())
        return original(y_true, proba, names)

    from automl_gui.core.evaluate import metrics

    original = metrics.evaluate_classification
    try:
        metrics.evaluate_classification = spy
        run_baselines(prepared, "binary", preprocess=setup.preprocess, cross_validation=False)
    finally:
        metrics.evaluate_classification = original
    # per model: validation then test report, on exactly the prepared rows
    assert seen["n"] == [len(prepared.validation), len(prepared.test)] * 3
    assert seen["y"][1] == prepared.y_test.tolist()


def test_regression_baselines_report_r2():
    table = _regression_table()
    setup = setup_tabular(table, "price", "regression")
    prepared = prepare_data(table.df, setup.preprocess)
    results = run_baselines(prepared, "regression", preprocess=setup.preprocess, seed=3)
    assert [r.name for r in results] == [
        "linear regression (ridge)",
        "random forest",
        "hist gradient boosting",
    ]
    linear, forest, boosting = results
    assert linear.metric_name == "r2"
    assert linear.test_score > 0.9  # the target is linear in the features
    assert forest.test_score > 0.7
    assert {"mse", "rmse", "mae", "r2"} <= set(linear.details)
    assert 1e-3 <= linear.settings["alpha"] <= 1e3
    assert forest.settings["n_estimators"] == 40 and forest.settings["max_samples"] is None
    assert boosting.test_score > 0.8
    assert 0 < boosting.settings["iterations"] <= 40
    # a small table: cross-validated on train + validation
    assert len(linear.cv_scores) == 5 and linear.cv_mean > 0.9 and linear.cv_std >= 0


def test_forest_stops_adding_trees_after_its_time_allowance(monkeypatch):
    monkeypatch.setattr(baselines, "ENSEMBLE_SECONDS", 0.0)
    monkeypatch.setattr(baselines, "DENSE_MAX_VALUES", 0)  # keep the one-hot matrix sparse
    prepared = _handmade([f"color {i}" for i in range(30)], ["color 1", "mauve"])
    logistic, forest, boosting = run_baselines(prepared, "binary", cross_validation=False)
    assert forest.settings["n_estimators"] == 20  # one chunk, not 40 trees
    assert boosting.settings["iterations"] == 20  # one chunk, not 40 iterations
    assert forest.test_score is not None
    assert logistic.settings == {"C": 1.0}


def test_small_table_is_cross_validated_with_mean_and_std():
    table = _classification_table(n=120, seed=2)
    setup = setup_tabular(table, "outcome")
    prepared = prepare_data(table.df, setup.preprocess)
    results = run_baselines(prepared, "binary", preprocess=setup.preprocess)
    for r in results:
        assert len(r.cv_scores) == 5
        assert r.cv_mean == pytest.approx(np.mean(r.cv_scores))
        assert r.cv_std == pytest.approx(np.std(r.cv_scores))
        assert 0.6 < r.cv_mean <= 1.0


def _handmade(train_colors, test_colors) -> PreparedData:
    n = len(train_colors)
    rng = np.random.default_rng(0)
    y_train = np.array([i % 2 for i in range(n)], dtype=np.int32)
    train = pd.DataFrame({"size": y_train * 2.0 + rng.normal(0, 0.1, n), "color": train_colors})
    test = pd.DataFrame(
        {"size": [0.0, 2.0, np.inf, "n/a"][: len(test_colors)], "color": test_colors}
    )
    return PreparedData(
        train=train,
        validation=train.head(6),
        test=test,
        y_train=y_train,
        y_validation=y_train[:6],
        y_test=np.array([0, 1, 0, 1][: len(test_colors)], dtype=np.int32),
        class_names=["a", "b"],
    )


def test_unknown_categories_and_bad_values_at_test_time_do_not_crash():
    prepared = _handmade(["red", "blue"] * 10, ["purple", None, "red", ""])
    results = run_baselines(prepared, "binary", cross_validation=False)
    for r in results:
        assert r.details["accuracy"] is not None
        assert r.test_score >= 0.5  # "size" alone separates the first two rows


def test_class_missing_from_training_rows_still_gets_a_probability_column():
    prepared = _handmade(["red", "blue"] * 10, ["red", "blue"])
    prepared.class_names = ["a", "b", "c"]  # "c" only in the test rows
    prepared.y_test = np.array([2, 1], dtype=np.int32)
    results = run_baselines(prepared, "multiclass", cross_validation=False)
    assert all(r.test_score is not None and r.test_score <= 0.5 for r in results)


def test_no_feature_columns_is_a_data_error():
    prepared = _handmade(["red", "blue"] * 10, ["red"])
    from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig

    config = PreprocessConfig(
        target="y",
        task="binary",
        columns=[ColumnConfig("size", use=False), ColumnConfig("color", use=False)],
    )
    with pytest.raises(DataError, match="no feature columns"):
        run_baselines(prepared, "binary", preprocess=config)


def test_cancel_is_honoured_between_models_and_inside_the_forest(monkeypatch):
    table = _classification_table(n=200)
    setup = setup_tabular(table, "outcome")
    prepared = prepare_data(table.df, setup.preprocess)
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        run_baselines(prepared, "binary", preprocess=setup.preprocess, cancel=token)

    from sklearn.ensemble import RandomForestClassifier

    token = CancelToken()
    forests = []
    original_fit = RandomForestClassifier.fit

    def fit_then_stop(self, x, y, *args, **kwargs):
        out = original_fit(self, x, y, *args, **kwargs)
        forests.append(self)
        token.cancel()  # Stop pressed while the first chunk of trees grows
        return out

    monkeypatch.setattr(RandomForestClassifier, "fit", fit_then_stop)
    with pytest.raises(CancelledError):
        run_baselines(
            prepared, "binary", preprocess=setup.preprocess, cancel=token, cross_validation=False
        )
    assert len(forests) == 1
    assert len(forests[0].estimators_) == 20  # stopped after one chunk of 40 trees


def _imbalanced_table(n: int = 600, seed: int = 2) -> LoadedTable:
    """About 85:15 classes, the minority only partly separable: weighting changes answers."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    noise = rng.normal(size=n)
    y = np.where(x + 0.8 * noise > 1.4, "rare", "common")
    return LoadedTable(
        df=pd.DataFrame({"x": x, "z": rng.normal(size=n), "label": y}),
        source=TableSource(path="mem.csv", format="csv"),
    )


def test_baselines_weight_imbalanced_classes_as_the_network_does():
    """With class weights 'auto' on imbalanced classes the network trains 'balanced': the
    baselines must too, or the leaderboard sets weighted trials against unweighted
    baselines (higher plain accuracy, lower minority recall)."""
    table = _imbalanced_table()
    setup = setup_tabular(table, "label")
    prepared = prepare_data(table.df, setup.preprocess)
    task = setup.preprocess.task
    kw = {"preprocess": setup.preprocess, "cross_validation": False}
    plain = run_baselines(prepared, task, class_weights="none", **kw)
    with warnings.catch_warnings():  # no sklearn warm-start warning reaches the log
        warnings.simplefilter("error", UserWarning)
        auto = run_baselines(prepared, task, class_weights="auto", **kw)
    assert all("class_weight" not in r.settings for r in plain)
    assert all(r.settings.get("class_weight") == "balanced" for r in auto)
    logistic_plain, logistic_auto = plain[0].details, auto[0].details
    assert logistic_auto["balanced_accuracy"] > logistic_plain["balanced_accuracy"]
    # balanced classes: "auto" leaves the baselines unweighted
    table = _classification_table(n=400)
    setup = setup_tabular(table, "outcome")
    prepared = prepare_data(table.df, setup.preprocess)
    even = run_baselines(
        prepared,
        setup.preprocess.task,
        class_weights="auto",
        preprocess=setup.preprocess,
        cross_validation=False,
    )
    assert all("class_weight" not in r.settings for r in even)
