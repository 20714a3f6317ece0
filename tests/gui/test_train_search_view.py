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
    assert "trains one model" in page.mode_label.text()
    state.search = SearchConfig(time_budget=300, max_trials=20)
    state.notify_model_changed()
    assert page.mode_label.text() == "Start runs an AutoML search: 5:00 budget, up to 20 trials."
    assert "Model page" in page.mode_label.toolTip()
    assert page.start_button.text() == "Start search"
    state.search = None
    state.notify_model_changed()
    assert "trains one model" in page.mode_label.text()
