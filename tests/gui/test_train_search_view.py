"""The Train page as a new user reads it during and after a search (issue 15): readable plots
on short windows, Start saying what it will do, one comparable figure per leaderboard column,
and a reopened project's leaderboard and epoch log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.tune.search.space import SearchConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.live_plots import MIN_HEIGHT


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv(app_settings.ENV_DATA_DIR, str(tmp_path / "data"))
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield
    app_settings.use(QSettings(str(tmp_path / "after.ini"), QSettings.Format.IniFormat))


def loaded_state(tmp_path) -> AppState:
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular

    rng = np.random.default_rng(0)
    x = rng.normal(size=80)
    path = tmp_path / "t.csv"
    pd.DataFrame({"x": x, "y": np.where(x > 0, "yes", "no")}).to_csv(path, index=False)
    table = read_table(str(path))
    setup = setup_tabular(table, "y")
    state = AppState()
    state.set_dataset(TABULAR, table, setup.profile)
    state.set_target("y", setup.preprocess.task, setup.preprocess, setup.warnings)
    state.set_engine_ready(True, None)
    return state


@pytest.mark.parametrize("size", [(1200, 840), (824, 600)])  # the page at 1400×900, 1024×700
def test_the_plots_keep_a_readable_height_while_the_leaderboard_shows(qtbot, tmp_path, size):
    page = TrainPage(loaded_state(tmp_path))
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    page.search.leaderboard.show()  # as during a search
    page.splitter.setSizes([40, 800, 40])  # even dragged: the plots are no strip
    qtbot.wait(20)
    assert page.plots.height() >= MIN_HEIGHT
    assert page.search.leaderboard.height() >= 150
    # a short window scrolls instead of squeezing them
    assert page.scroll.widget() is page.splitter


def test_start_says_when_it_will_run_a_search_and_with_which_budget(qtbot, tmp_path):
    state = loaded_state(tmp_path)
    page = TrainPage(state)
    qtbot.addWidget(page)
    assert page.mode_label.text() == "Trains one model"
    assert "Search for the best model" in page.mode_label.toolTip()
    state.search = SearchConfig(time_budget=300, max_trials=20)
    state.notify_model_changed()
    assert page.mode_label.text() == "AutoML search: 5:00 budget, up to 20 trials"
    assert "Start runs an AutoML search" in page.mode_label.toolTip()
    assert "Train one model" in page.mode_label.toolTip()
    assert page.start_button.text() == "Start search"
    state.search = None
    state.notify_model_changed()
    assert page.mode_label.text() == "Trains one model"


def test_the_leaderboard_shows_one_comparable_figure_per_column_with_its_name(qtbot):
    from PySide6.QtCore import Qt

    from automl_gui.core.tune.search.space import TrialRecord
    from automl_gui.gui.widgets.leaderboard import Leaderboard
    from automl_gui.gui.widgets.leaderboard_model import COLUMNS, SORT_ROLE

    board = Leaderboard()
    qtbot.addWidget(board)
    model = board.model
    trial = TrialRecord("0000", {}, "val_loss", 0.41, status="completed", score_name="accuracy")
    trial.score = 0.8125
    base = TrialRecord.from_dict(
        {
            "trial_id": "baseline:logistic regression",
            "metric_name": "accuracy",
            "value": 0.79,
            "status": "baseline",
            "test_score": 0.8,
        }  # fmt: skip
    )
    model.set_records([trial, base])

    def header(col: str) -> str:  # shown on two lines: the figures' columns stay narrow
        return model.headerData(COLUMNS.index(col), Qt.Orientation.Horizontal, 0).replace("\n", " ")

    def cell(row: int, col: str, role=Qt.ItemDataRole.DisplayRole):
        return model.data(model.index(row, COLUMNS.index(col)), role)

    assert header("Score") == "Validation accuracy"
    assert header("Objective") == "Objective val_loss"
    assert model.header("Objective") == "Objective: val_loss"
    assert header("Test") == "Test accuracy"
    assert "Metric" not in COLUMNS and "Validation" not in COLUMNS
    # the shared column holds the same metric for the trial and the baseline
    assert (cell(0, "Score"), cell(1, "Score")) == ("0.8125", "0.79")
    assert (cell(0, "Objective"), cell(1, "Objective")) == ("0.41", "—")
    assert cell(0, "Score", SORT_ROLE) > cell(1, "Score", SORT_ROLE)
    model.set_records([TrialRecord("0000", {}, "val_loss", 0.4, status="completed",
                                   score_name="r2", score=0.5)])  # fmt: skip
    assert header("Score") == "Validation R²"


def test_the_kept_trial_is_scrolled_into_view_on_a_board_just_shown(qtbot):
    from automl_gui.core.tune.search.space import TrialRecord
    from automl_gui.gui.widgets.leaderboard import Leaderboard

    board = Leaderboard()
    qtbot.addWidget(board)
    board.resize(900, 200)  # about five rows visible
    records = [
        TrialRecord(f"{i:04d}", {}, "val_loss", 1.0 - i / 100, status="completed")
        for i in range(30)
    ]
    board.model.set_records(records, "0025")
    board.scroll_to("0025")  # before the board is laid out, as after a reopened project
    board.show()
    qtbot.wait(50)

    def kept_in_view() -> bool:
        rect = board.view.visualRect(board.proxy.mapFromSource(board.model.index(25, 0)))
        return board.view.viewport().rect().contains(rect.center())

    assert kept_in_view()
    board.resize(900, 400)  # laid out anew later (the page shown after the reopening)
    qtbot.waitUntil(kept_in_view, timeout=1000)
    board.resize(900, 140)
    qtbot.waitUntil(kept_in_view, timeout=1000)
