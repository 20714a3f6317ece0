"""Evaluate and Predict pages on real tiny runs (classification and regression)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.pages.predict import PredictPage
from automl_gui.gui.pages.tabular.evaluate import EvaluatePage
from automl_gui.gui.state import AppState


def _frame(n: int, seed: int, regression: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    score = x1 + 0.5 * x2 + (color == "red")
    if regression:
        target = 3.0 * score + rng.normal(scale=0.1, size=n)
    else:
        target = np.where(score > 0.8, "high", np.where(score < -0.3, "low", "mid"))
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "label": target})


def _train(tmp_path_factory, regression: bool):
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular

    path = tmp_path_factory.mktemp("data") / "train.csv"
    _frame(240, 0, regression).to_csv(path, index=False)
    table = read_table(path)
    setup = setup_tabular(table, "label", "regression" if regression else None)
    run = train_tabular(
        table.df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0),
        TrainConfig(epochs=3, batch_size=16, early_stopping=False, seed=1),
    )
    return table, setup, run


@pytest.fixture(scope="module")
def classification(tmp_path_factory):
    return _train(tmp_path_factory, regression=False)


@pytest.fixture(scope="module")
def regression(tmp_path_factory):
    return _train(tmp_path_factory, regression=True)


def _state(trained) -> AppState:
    table, setup, run = trained
    state = AppState()
    state.set_dataset(TABULAR, table, setup.profile)
    state.set_target("label", setup.preprocess.task, setup.preprocess, setup.warnings)
    state.set_run(run)
    return state


# -- Evaluate ---------------------------------------------------------------------------------
def test_evaluate_shows_classification_report_and_lists_clicked_cells(
    qtbot, classification, tmp_path
):
    state = AppState()
    page = EvaluatePage(state)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    assert page.cards.values() == {}
    state.set_run(classification[2])
    run = classification[2]
    report = run.report
    values = page.cards.values()
    assert values["Accuracy"] == f"{report['metrics']['accuracy']:.4f}"
    assert values["F1 macro"] == f"{report['metrics']['f1_macro']:.4f}"
    assert page.per_class_model.rowCount() == len(report["class_names"]) == 3
    assert page.matrix.matrix == report["confusion_matrix"]
    assert page.stack.currentIndex() == 1
    assert not page.tabs.isTabVisible(2)  # ROC only for binary

    # click every non-empty cell: the rows table lists exactly that many test rows
    for t in range(3):
        for p in range(3):
            count = report["confusion_matrix"][t][p]
            center = page.matrix.cell_rect(t, p).center()
            with qtbot.waitSignal(page.matrix.cell_clicked) as blocker:
                qtbot.mouseClick(page.matrix, Qt.MouseButton.LeftButton, pos=center)
            assert blocker.args == [t, p]
            rows = page.shown_rows()
            assert len(rows) == count
            assert (rows["actual"].astype(str) == report["class_names"][t]).all()
            assert (rows["prediction"].astype(str) == report["class_names"][p]).all()

    out = tmp_path / "report.json"
    assert page.save_report(str(out))
    assert json.loads(out.read_text()) == json.loads(json.dumps(report))
    assert not page.save_report(str(tmp_path / "missing" / "report.json"))
    assert page.banner.level == "error"


def test_evaluate_shows_regression_plots(qtbot, regression):
    state = _state(regression)
    page = EvaluatePage(state)
    qtbot.addWidget(page)
    report = regression[2].report
    values = page.cards.values()
    assert set(values) == {"MSE", "RMSE", "MAE", "R²"}
    assert values["R²"] == f"{report['metrics']['r2']:.4f}"
    assert page.stack.currentIndex() == 2
    scatter = [i for i in page.scatter_plot.getPlotItem().listDataItems() if i.opts["symbol"]]
    assert len(scatter) == 1
    assert len(scatter[0].getData()[0]) == len(report["samples"]["actual"])
    state.set_run(None)
    assert page.stack.currentIndex() == 0 and page.cards.values() == {}


# -- Predict ----------------------------------------------------------------------------------
def test_predict_on_file_with_unseen_category_then_save(qtbot, classification, tmp_path):
    state = _state(classification)
    page = PredictPage(state)
    qtbot.addWidget(page)
    new = _frame(30, 7)
    new.loc[0, "color"] = "purple"  # never seen in training
    path = tmp_path / "new.csv"
    new.to_csv(path, index=False)
    assert page.accept_drop(str(tmp_path / "picture.png")) is False
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        assert page.accept_drop(str(path)) is True
    frame = blocker.args[0]
    assert len(frame) == 30 and page.model.rowCount() == 30
    assert set(frame["prediction"].astype(str)) <= {"high", "low", "mid"}
    proba = frame[["probability_high", "probability_low", "probability_mid"]].to_numpy(float)
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-4)
    # probabilities in one format ("90.4%"), not 0.0810076 beside 0.90393; exact on hover
    col = list(page.model.frame.columns).index("probability_mid")
    cell = page.model.index(0, col)
    assert cell.data() == f"{100 * frame['probability_mid'][0]:.1f}%"
    assert float(cell.data(Qt.ItemDataRole.ToolTipRole)) == pytest.approx(
        frame["probability_mid"][0], rel=1e-5
    )
    qtbot.waitUntil(lambda: page.save_button.isEnabled(), timeout=5_000)

    out = tmp_path / "pred.csv"
    assert page.save_predictions(str(out))
    saved = pd.read_csv(out)
    assert len(saved) == 30 and "prediction" in saved.columns
    assert not page.save_predictions(str(path))  # never overwrites the input file
    assert pd.read_csv(path).shape == new.shape

    # A later file that fails must not leave the earlier file's answers on show as its own.
    bad = tmp_path / "bad.csv"
    new.drop(columns=["x2"]).to_csv(bad, index=False)
    qtbot.waitUntil(lambda: page.worker is None, timeout=5_000)
    with qtbot.waitSignal(page.prediction_failed, timeout=60_000):
        page.predict_file(str(bad))
    assert page.predictions is None and page.model.rowCount() == 0
    qtbot.waitUntil(lambda: not page.save_button.isEnabled(), timeout=5_000)


def test_predict_reports_a_missing_column_in_the_banner(qtbot, classification, tmp_path):
    state = _state(classification)
    page = PredictPage(state)
    qtbot.addWidget(page)
    path = tmp_path / "missing.csv"
    _frame(10, 3).drop(columns=["x2", "label"]).to_csv(path, index=False)
    with qtbot.waitSignal(page.prediction_failed, timeout=60_000) as blocker:
        page.predict_file(str(path))
    message, hint = blocker.args
    assert "x2" in message and hint
    assert page.banner.isVisibleTo(page) and page.banner.level == "error"
    assert "x2" in page.banner.text
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=5_000)


def test_predict_with_a_loaded_exported_model(qtbot, classification, tmp_path):
    from automl_gui.core.export.bundle import predict_frame
    from automl_gui.core.jobs.run import save_run

    run = classification[2]
    save_run(run, tmp_path / "bundle")
    page = PredictPage(AppState())
    qtbot.addWidget(page)
    assert page.accept_drop(str(tmp_path / "x.csv")) is False  # no model yet
    with qtbot.waitSignal(page.model_loaded, timeout=60_000):
        page.load_model(str(tmp_path / "bundle"))
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=10_000)
    path = tmp_path / "rows.csv"
    rows = run.prepared.test.head(8)
    rows.to_csv(path, index=False)
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        page.predict_file(str(path))
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    expected = predict_frame(run.bundle, pd.read_csv(path))
    got = blocker.args[0]
    assert list(got["prediction"].astype(str)) == list(expected["prediction"].astype(str))
    assert np.allclose(
        got["probability_mid"].to_numpy(float),
        expected["probability_mid"].to_numpy(float),
        atol=1e-5,
    )


def test_predict_warns_per_column_about_odd_values_and_keeps_a_users_prediction_column(
    qtbot, classification, tmp_path
):
    state = _state(classification)
    page = PredictPage(state)
    qtbot.addWidget(page)
    new = _frame(20, 9).drop(columns=["label"]).astype({"x1": object})
    new.loc[0, "x1"] = "twelve"  # text in a numeric column
    new.loc[1, "color"] = "purple"  # a category never seen
    new["prediction"] = "mine"  # the user's own column of that name
    path = tmp_path / "odd.csv"
    new.to_csv(path, index=False)
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        page.predict_file(str(path))
    frame = blocker.args[0]
    assert (frame["prediction"] == "mine").all()
    assert set(frame["prediction_2"].astype(str)) <= {"high", "low", "mid"}
    assert page.banner.level == "warning" and page.banner.isVisibleTo(page)
    text = page.banner.text
    assert "Column 'x1': 1 value is not a number (treated as missing)" in text
    # the category never seen is said once, by the drift strip (not again in the banner)
    assert "Column 'color'" not in text and "never saw" in page.drift_strip.shown_text
    assert "kept as it is" in text  # the user's 'prediction' column
    # the model's answers come first in the table, the user's column among the inputs
    headers = [page.model.headerData(i, Qt.Orientation.Horizontal) for i in range(4)]
    assert headers[0] == "prediction_2" and "prediction" not in headers[:4]


def test_predict_banner_names_a_few_columns_and_lists_the_rest_on_hover(qtbot, classification):
    from automl_gui.gui.widgets.frame_table import FrameTable

    page = PredictPage(_state(classification))
    qtbot.addWidget(page)
    assert isinstance(page.table, FrameTable)  # a wide table is not measured column by column
    frame = pd.DataFrame({f"g{i}": [1.0] for i in range(30)})
    problems = [{"column": f"g{i}", "not_numbers": 1} for i in range(30)]
    lines = [f"Column 'g{i}': 1 value is not a number (treated as missing)." for i in range(10)]
    frame.attrs.update(
        input_problems=problems,
        notices=[*lines, "…and 20 more columns with odd values."],
        answer_columns={},
    )
    page.source_path = "wide.csv"
    page._on_predicted((frame, [], None))  # answers, read notices, no drift report
    shown = page.banner.text.splitlines()
    assert shown[:4] == lines[:4]
    assert shown[4] == "…and 26 more columns with odd values (hover to list them)."
    assert "Column 'g9'" in page.banner.toolTip()
