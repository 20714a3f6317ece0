"""A reopened project shows the Train page as the search left it (issue 15, item 6): the
leaderboard's rows with their figures, the kept trial starred, and the kept run's epoch log
and curves, read from the project's ``search/`` folder and its run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.tune.search.space import SearchConfig
from automl_gui.gui import _project_questions as questions
from automl_gui.gui import settings as app_settings
from automl_gui.gui.main_window import MainWindow


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv(app_settings.ENV_DATA_DIR, str(tmp_path / "data"))


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(name: str) -> MainWindow:
        settings = QSettings(str(tmp_path / name), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, load_engine=False)
        window.state.set_engine_ready(True, None)  # trains in a thread: no engine process
        qtbot.addWidget(window)
        return window

    return make


def write_table(path: Path, n: int = 90) -> str:
    rng = np.random.default_rng(5)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    y = np.where(x1 - 0.5 * x2 > 0, "yes", "no")
    pd.DataFrame({"x1": x1, "x2": x2, "y": y}).to_csv(path, index=False)
    return str(path)


def best_run(window: MainWindow) -> str:
    return window.state.current_run_id


def test_reopening_a_project_restores_the_search_leaderboard_and_epoch_log(
    qtbot, tmp_path, monkeypatch, make_window
):
    window = make_window("a.ini")
    csv = write_table(tmp_path / "t.csv")
    with qtbot.waitSignal(window.data_page.loaded, timeout=60_000):
        window.open_path(csv)
    if window.state.target != "y":
        with qtbot.waitSignal(window.state.target_changed, timeout=60_000):
            window.data_page.set_target("y")
    st, page = window.state, window.train_page
    st.search = SearchConfig(algorithm="random", max_trials=2, max_epochs=2, cross_validation="off")
    st.notify_model_changed()
    with qtbot.waitSignal(st.run_finished, timeout=300_000):
        page.start_training()
    qtbot.waitUntil(lambda: not page.is_training(), timeout=60_000)
    board = page.search.leaderboard.model
    rows = [(r.trial_id, r.status, r.score_name, r.score) for r in board.records]
    best = board.best_id
    curves = page.plots.epoch_points("loss")
    assert len(rows) >= 3 and best is not None  # two trials and the baselines

    folder = tmp_path / "proj"
    monkeypatch.setattr(questions, "choose_project_folder", lambda *_a: str(folder))
    with qtbot.waitSignal(window.projects.saved, timeout=120_000):
        window.projects.action_save.trigger()
    assert (folder / "search" / "leaderboard.json").is_file()

    other = make_window("b.ini")
    with qtbot.waitSignal(other.projects.opened, timeout=120_000):
        assert other.open_project(folder)
    opage = other.train_page
    oboard = opage.search.leaderboard
    assert not oboard.isHidden()
    got = [(r.trial_id, r.status, r.score_name, r.score) for r in oboard.model.records]
    assert got == rows and oboard.model.best_id == best
    kept = oboard.model.record(best)  # the kept model's test score, beside the baselines'
    assert kept.test_score == pytest.approx(
        other.state.run_record(best_run(other)).metrics["accuracy"]
    )
    assert oboard.model.header("Score") == "Validation accuracy"
    log = opage.log_view.toPlainText()
    record = other.state.run_record(other.state.current_run_id)
    epochs = len(record.history["loss"])
    assert f"Epoch {epochs}/{epochs} - loss" in log and "Training finished: best epoch" in log
    assert opage.plots.epoch_points("loss") == pytest.approx(curves, nan_ok=True)
