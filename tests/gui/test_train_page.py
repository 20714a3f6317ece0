"""Train page: real tiny training, Stop keeps the best weights, failures and diagnoses shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.events import EpochEnd
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.pages.tabular.evaluate import EvaluatePage
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState


def write_csv(path, n: int = 240, seed: int = 0) -> str:
    """A small 3-class table with numeric and categorical features."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    score = x1 + 0.5 * x2 + (color == "red")
    label = np.where(score > 0.8, "high", np.where(score < -0.3, "low", "mid"))
    pd.DataFrame({"x1": x1, "x2": x2, "color": color, "label": label}).to_csv(path, index=False)
    return str(path)


def load_into(state: AppState, path: str, epochs: int = 3) -> None:
    """What the Data page does: read, profile, choose the target; tiny model settings."""
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular

    table = read_table(path)
    setup = setup_tabular(table, "label")
    state.set_dataset(TABULAR, table, setup.profile)
    state.set_target("label", setup.preprocess.task, setup.preprocess, setup.warnings)
    state.settings(TABULAR).model = MLPConfig(auto=False, hidden_units=[8], dropout=0.0)
    state.training = TrainConfig(epochs=epochs, batch_size=16, early_stopping=False, seed=1)
    state.set_engine_ready(True, None)


@pytest.fixture
def state(qtbot):
    return AppState()


@pytest.fixture
def page(qtbot, state):
    w = TrainPage(state)
    qtbot.addWidget(w)
    return w


def test_start_is_disabled_with_the_reason(page, state, tmp_path):
    assert not page.start_button.isEnabled()
    assert "dataset" in page.start_button.toolTip()
    load_into(state, write_csv(tmp_path / "d.csv"))
    assert page.start_button.isEnabled()
    state.set_engine_ready(False)
    assert not page.start_button.isEnabled()
    assert page.start_button.toolTip() == "Engine loading…"


def test_trains_for_real_and_the_evaluate_page_shows_metrics(qtbot, page, state, tmp_path):
    evaluate = EvaluatePage(state)
    qtbot.addWidget(evaluate)
    load_into(state, write_csv(tmp_path / "d.csv"), epochs=3)
    active: list[bool] = []
    requested: list[str] = []
    page.training_active_changed.connect(active.append)
    state.page_requested.connect(requested.append)

    with qtbot.waitSignal(state.run_finished, timeout=120_000):
        page.start_training()
        assert state.training_active
        assert not page.start_button.isEnabled() and page.stop_button.isEnabled()
    qtbot.waitUntil(lambda: not page.is_training(), timeout=10_000)

    run = state.run
    assert run is not None and run.result.epochs_run == 3
    assert page.plots.epochs() == [0, 1, 2]
    assert page.plots.epoch_points("val_loss") == pytest.approx(run.history["val_loss"])
    assert len(page.plots.epoch_points("accuracy")) == 3
    assert all(lr > 0 for lr in page.plots.epoch_points("lr"))
    assert page.plots.batch_points(), "batch-loss line got no points"
    assert page.plots.best_epoch() == run.result.best_epoch
    assert "Epoch 3/3" in page.log_view.toPlainText()
    assert page.progress.value() == page.progress.maximum()
    assert active == [True, False] and not state.training_active
    assert page.start_button.isEnabled() and not page.stop_button.isEnabled()
    assert requested == ["evaluate"]
    shown = evaluate.cards.values()
    assert shown["Accuracy"] == f"{run.report['metrics']['accuracy']:.4f}"
    assert evaluate.matrix.matrix == run.report["confusion_matrix"]
    assert sum(map(sum, evaluate.matrix.matrix)) == run.report["n_samples"]


def test_stop_ends_training_and_keeps_a_usable_model(qtbot, page, state, tmp_path):
    load_into(state, write_csv(tmp_path / "d.csv"), epochs=300)
    with qtbot.waitSignal(state.run_finished, timeout=120_000):
        page.start_training()
        qtbot.waitUntil(lambda: len(page.plots.epochs()) >= 1, timeout=60_000)
        page.stop_training()
        assert not page.stop_button.isEnabled()
    run = state.run
    assert run is not None
    assert run.result.stopped_reason == "cancelled"
    assert run.result.epochs_run < 300
    assert "stopped by you" in page.progress.format()
    from automl_gui.core.export.bundle import predict_frame

    out = predict_frame(run.bundle, run.prepared.test.head(5))  # the kept model still predicts
    assert np.isfinite(out["probability_high"].to_numpy(dtype=float)).all()
    qtbot.waitUntil(lambda: page.start_button.isEnabled(), timeout=10_000)


def test_a_failure_shows_message_and_hint_and_start_comes_back(qtbot, page, state, tmp_path):
    from automl_gui.core.base.errors import DataError
    from automl_gui.core.jobs import tabular as pipeline

    load_into(state, write_csv(tmp_path / "d.csv"))

    def boom(*args, **kwargs):
        raise DataError("The target has a single class.", "Pick another target column.")

    pipeline_train = pipeline.train_tabular
    try:
        pipeline.train_tabular = boom
        with qtbot.waitSignal(state.run_finished, timeout=10_000):
            page.start_training()
    finally:
        pipeline.train_tabular = pipeline_train
    assert state.run is None
    assert page.error_banner.isVisibleTo(page)
    assert "single class" in page.error_banner.text
    assert "Pick another target column." in page.error_banner.text
    qtbot.waitUntil(lambda: page.start_button.isEnabled(), timeout=10_000)


def test_overfitting_history_raises_the_banner_and_marks_the_plots(page):
    from automl_gui.core.train.diagnostics import diagnose

    page.plots.reset("binary")
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    for e in range(16):
        loss = 1.0 * 0.8**e
        val = 0.6 + 0.02 * (e - 4) ** 2  # best at epoch 4, then rising
        history["loss"].append(loss)
        history["val_loss"].append(val)
        page._on_epoch(EpochEnd(e, 16, {"loss": loss, "val_loss": val, "lr": 1e-3}, e, 16 - e))
    expected = diagnose(history)
    assert expected is not None and expected.kind == "overfitting"
    assert page.diagnosis_banner.isVisibleTo(page)
    assert page.diagnosis_banner.level == "warning"
    assert expected.message in page.diagnosis_banner.text
    for remedy in expected.remedies:
        assert remedy in page.diagnosis_banner.text
    assert page.plots.overfitting_epoch == expected.epoch
    assert "Epoch 16/16" in page.progress.format() and "left" in page.progress.format()
