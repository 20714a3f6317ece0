"""The end-to-end tabular job: events flow, Stop keeps the best weights, exports match."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.events import CancelToken, EpochEnd, Log
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.pipeline import save_run, setup_tabular, train_tabular
from automl_gui.core.train.config import TrainConfig


def _table(n: int = 400, seed: int = 0) -> LoadedTable:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    y = np.where(x1 + 0.5 * x2 + (color == "red") > 0.3, "yes", "no")
    df = pd.DataFrame({"x1": x1, "x2": x2, "color": color, "outcome": y})
    df.loc[::17, "x2"] = np.nan
    df.loc[::23, "color"] = None
    return LoadedTable(df=df, source=TableSource(path="mem.csv", format="csv"))


def _small(**overrides) -> tuple[MLPConfig, TrainConfig]:
    mlp = MLPConfig(auto=False, hidden_units=[8], dropout=0.0)
    training = TrainConfig(epochs=4, batch_size=32, **overrides)
    return mlp, training


def test_train_tabular_reports_epochs_and_evaluates_on_test_split(tmp_path):
    table = _table()
    before = table.df.copy()
    setup = setup_tabular(table, "outcome")
    assert setup.preprocess.task == "binary"
    events = []
    mlp, training = _small()
    run = train_tabular(table.df, setup.preprocess, mlp, training, on_event=events.append)
    pd.testing.assert_frame_equal(table.df, before)  # the user's data is never modified
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [0, 1, 2, 3]
    assert {"loss", "val_loss", "accuracy", "val_accuracy"} <= set(epochs[-1].logs)
    assert any(isinstance(e, Log) for e in events)
    assert run.report["task"] == "binary"
    assert run.report["n_samples"] == len(run.prepared.test)
    assert len(run.test_predictions) == len(run.prepared.test)
    assert {"actual", "prediction", "probability_no", "probability_yes"} <= set(
        run.test_predictions.columns
    )

    path = save_run(run, tmp_path / "model")
    metadata = json.loads((path / "metadata.json").read_text())
    assert metadata["task"] == "binary" and metadata["class_names"] == ["no", "yes"]
    assert len(metadata["sample_rows"]) == len(metadata["sample_predictions"]) > 0
    with pytest.raises(Exception, match="exists"):
        save_run(run, tmp_path / "model")


def test_stop_ends_training_early_and_keeps_a_usable_model():
    table = _table()
    setup = setup_tabular(table, "outcome")
    cancel = CancelToken()

    def on_event(event):
        if isinstance(event, EpochEnd) and event.epoch == 1:
            cancel.cancel()

    mlp, training = _small()
    training.epochs = 50
    run = train_tabular(table.df, setup.preprocess, mlp, training, on_event=on_event, cancel=cancel)
    assert run.result.stopped_reason == "cancelled"
    assert run.result.epochs_run <= 3
    assert run.report["metrics"]["accuracy"] is not None


def test_regression_predictions_are_on_the_target_scale():
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 10, size=300)
    df = pd.DataFrame({"x": x, "price": 1000.0 + 250.0 * x + rng.normal(0, 5, size=300)})
    table = LoadedTable(df=df, source=TableSource(path="mem.csv", format="csv"))
    setup = setup_tabular(table, "price")
    assert setup.preprocess.task == "regression"
    mlp, training = _small()
    training.epochs = 60
    training.learning_rate = 0.01
    run = train_tabular(df, setup.preprocess, mlp, training)
    predicted = run.test_predictions["prediction"].to_numpy()
    assert 800 < predicted.mean() < 3800  # de-standardized, not around 0
    assert run.report["metrics"]["r2"] > 0.5
