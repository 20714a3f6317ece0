""" "Refit on all data" (``TrainConfig.refit``, ``core.jobs._refit``): a table and an image
folder trained with it keep a model refitted on training + validation for the epochs
validation chose, record both test figures, save, reload and export; the rules for when
and how long to refit; a plateau schedule replayed; a stopped refit keeps the first model."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from data_factory import iris_frame
from kind_jobs import train_kind

from automl_gui.core.base.events import CancelToken, EpochEnd, Log, PhaseChanged
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.jobs._refit import plan_refit
from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
from automl_gui.core.kinds import kind_named
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.train.result import TrainResult

SMALL = MLPConfig(auto=False, hidden_units=[16])


def _table() -> tuple[pd.DataFrame, object]:
    df = iris_frame()
    return df, setup_tabular(LoadedTable(df, TableSource("iris.csv", "csv")), "species")


@pytest.fixture(scope="module")
def table_runs():
    """The iris table trained without and with refit (same settings, same seed)."""
    df, setup = _table()
    training = TrainConfig(epochs=6, patience=2, seed=3, schedule="plateau", batch_size=64)
    plain = train_tabular(df, setup.preprocess, SMALL, training)
    events: list = []
    refit = train_tabular(
        df,
        setup.preprocess,
        SMALL,
        dataclasses.replace(training, refit=True),
        on_event=events.append,
    )
    return plain, refit, events


def test_a_table_refit_is_recorded_and_is_the_runs_model(table_runs):
    plain, run, events = table_runs
    record = run.metadata["refit"]
    data = run.metadata["data"]
    assert record["epochs"] == plain.result.best_epoch + 1
    assert record["rows"] == data["train_rows"] + data["validation_rows"]
    assert set(record["test_before"]) >= {"accuracy", "log_loss"}
    assert record["test_before"] == {k: plain.metadata["metrics"][k] for k in record["test_before"]}
    assert record["test_after"]["accuracy"] == run.metadata["metrics"]["accuracy"]
    # the curves and split counts are the first training's (what validation judged)
    assert run.history == plain.history
    assert data == plain.metadata["data"]
    # the model is another one: its preprocessing saw the validation rows too
    fitted = run.metadata["preprocessing_fitted"]
    assert fitted != plain.metadata["preprocessing_fitted"]
    sample = run.metadata["sample_rows"]
    again = run.model.predict(
        {k: np.asarray(v).reshape(-1, 1) for k, v in pd.DataFrame(sample).items()}, verbose=0
    )
    assert np.allclose(again, np.asarray(run.metadata["sample_predictions"]), atol=1e-5)
    # the refit's epochs go on after the first training's, announced as their own phase
    phases = [e for e in events if isinstance(e, PhaseChanged)]
    assert phases == [PhaseChanged("refit", plain.result.epochs_run)]
    epochs = [e.epoch for e in events if isinstance(e, EpochEnd)]
    assert epochs[plain.result.epochs_run :] == list(
        range(plain.result.epochs_run, plain.result.epochs_run + record["epochs"])
    )


def test_a_table_refit_saves_reloads_exports_and_says_so_in_the_card(table_runs, tmp_path):
    from automl_gui.core.export.bundle import load_bundle
    from automl_gui.core.export.formats import export_model
    from automl_gui.core.export.model_card import model_card
    from automl_gui.core.jobs.run import save_run

    run = table_runs[1]
    bundle = load_bundle(save_run(run, tmp_path / "model"))
    assert bundle.metadata["refit"] == run.metadata["refit"]
    result = export_model(bundle, "keras", tmp_path / "export")
    assert result.ok, result.message
    card = model_card(run.metadata, run.report)
    assert "Refit on all data" in card
    assert f"{run.metadata['refit']['rows']:,}" in card
    assert "before the refit" in card


def test_an_image_folder_refit_trains_on_training_and_validation_images(image_folder):
    from automl_gui.core.data.images import scan_images
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    images = kind_named("images")
    pre = ImagePreprocessConfig(image_size=16)  # small: what is checked is the bookkeeping
    pre.augment.enabled = False
    logs: list[str] = []
    run = train_kind(
        images,
        scan_images(str(image_folder)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=2, batch_size=16, seed=1, refit=True),
        on_event=lambda e: logs.append(e.message) if isinstance(e, Log) else None,
    )
    record = run.metadata["refit"]
    data = run.metadata["data"]
    assert record["rows"] == data["train_images"] + data["validation_images"]
    assert record["epochs"] == run.result.best_epoch + 1
    assert "accuracy" in record["test_before"] and "accuracy" in record["test_after"]
    assert run.metadata["metrics"]["accuracy"] == record["test_after"]["accuracy"]
    assert any("Refit on all data: training" in m for m in logs)
    again = np.asarray(run.model.predict(run.samples, verbose=0))
    assert np.allclose(again, np.asarray(run.metadata["sample_predictions"]), atol=1e-5)


def _result(best: int, reason: str = "early_stopping", **kw) -> TrainResult:
    lr = [1e-3] * 4 + [5e-4] * 4 + [2.5e-4] * 4
    return TrainResult(
        history={"loss": [1.0] * 12, "lr": lr},
        best_epoch=best,
        epochs_run=12,
        stopped_reason=reason,
        batch_size=32,
        **kw,
    )


def test_the_refit_runs_the_epochs_validation_chose_with_the_same_schedule():
    training = TrainConfig(epochs=40, schedule="plateau", refit=True, batch_size=0)
    plan = plan_refit(training, _result(5))
    assert plan.epochs == 6 and plan.training.epochs == 6
    assert not plan.training.early_stopping and not plan.training.restore_best
    assert not plan.training.refit and plan.training.batch_size == 32
    assert plan.schedule_epochs == 40
    assert plan.lr_by_epoch == [1e-3] * 4 + [5e-4] * 2
    # a fine-tune phase's rates are read from where it starts
    later = plan_refit(training, _result(9), first_epoch=6)
    assert later.epochs == 4 and later.lr_by_epoch == [5e-4] * 2 + [2.5e-4] * 2


@pytest.mark.parametrize("reason", ["cancelled", "time_budget", "nan"])
def test_no_refit_after_a_first_training_that_did_not_end_normally(reason):
    logs: list = []
    assert plan_refit(TrainConfig(refit=True), _result(3, reason), on_event=logs.append) is None
    assert "Refit on all data skipped" in logs[0].message


def test_no_refit_when_stopped_or_out_of_time():
    token = CancelToken()
    token.cancel()
    assert plan_refit(TrainConfig(refit=True), _result(3), cancel=token) is None
    spent = _result(3, seconds=20.0)
    assert plan_refit(TrainConfig(refit=True, time_budget=10), spent) is None
    plan = plan_refit(TrainConfig(refit=True, time_budget=30), spent)
    assert plan.training.time_budget == pytest.approx(10.0)


def test_a_stopped_refit_keeps_the_first_model():
    df, setup = _table()
    token = CancelToken()

    def on_event(event):
        if isinstance(event, PhaseChanged) and event.phase == "refit":
            token.cancel()

    training = TrainConfig(epochs=2, patience=1, seed=3, batch_size=64, refit=True)
    run = train_tabular(df, setup.preprocess, SMALL, training, on_event=on_event, cancel=token)
    assert run.metadata["refit"]["kept"] == "first"
    assert "stopped" in run.metadata["refit"]["reason"]
    assert "test_after" not in run.metadata["refit"]
    assert any("Refit on all data" in n for n in run.notices)


def test_the_card_says_when_a_refit_was_asked_for_but_not_used():
    from automl_gui.core.export.model_card import refit_lines

    record = {"epochs": 0, "rows": 90, "kept": "first", "reason": "the refit stopped early"}
    text = " ".join(refit_lines({"kind": "images", "refit": record}))
    assert "asked for but not used: the refit stopped early." in text
    assert refit_lines({"kind": "tabular"}) == []
