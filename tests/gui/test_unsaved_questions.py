"""Unsaved changes are asked about (Save / Discard / Cancel, one question) before another
dataset replaces the loaded one, as before quitting; quitting while training says what stopping
keeps and then asks that question."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from gui_helpers import drop
from PySide6.QtCore import QSettings

from automl_gui.core.project import PROJECT_FILE
from automl_gui.gui import _project_questions as questions
from automl_gui.gui.dialogs import messages
from automl_gui.gui.main_window import QUIT_WHILE_TRAINING, MainWindow


def write_csv(path: Path, n: int = 40) -> str:
    rng = np.random.default_rng(3)
    pd.DataFrame({"x": rng.normal(size=n), "y": rng.choice(["a", "b"], size=n)}).to_csv(
        path, index=False
    )
    return str(path)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(messages, "show_error", lambda *a, **k: None)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(w)
    return w


@pytest.fixture
def answers(monkeypatch):
    """The answers the Save / Discard / Cancel question gives, in order; asked: the names."""
    given: list[str] = []
    asked: list[str] = []

    def ask(_parent, name):
        asked.append(name)
        return given.pop(0) if given else "discard"  # the window closing at the end

    monkeypatch.setattr(questions, "ask_save_changes", ask)
    return given, asked


def load(qtbot, w: MainWindow, path: str) -> None:
    with qtbot.waitSignal(w.data_page.loaded, timeout=60_000):
        assert w.open_path(path)


def test_opening_another_dataset_asks_about_unsaved_changes(
    qtbot, window, tmp_path, monkeypatch, answers
):
    given, asked = answers
    load(qtbot, window, write_csv(tmp_path / "first.csv"))
    assert asked == []  # nothing was loaded before: nothing to lose
    window.state.mark_dirty()
    second = write_csv(tmp_path / "second.csv")
    given.append("cancel")
    assert not window.open_path(second)
    assert asked == ["Untitled"] and window.state.dataset_name == "first.csv"
    given.append("discard")
    load(qtbot, window, second)
    assert window.state.dataset_name == "second.csv"
    # Save: the project is saved, then the other dataset opens
    window.state.mark_dirty()
    folder = tmp_path / "proj"
    monkeypatch.setattr(questions, "choose_project_folder", lambda *_a: str(folder))
    given.append("save")
    with qtbot.waitSignal(window.data_page.loaded, timeout=60_000):
        assert window.open_path(tmp_path / "first.csv")
    assert (folder / PROJECT_FILE).is_file() and window.state.dataset_name == "first.csv"
    assert len(asked) == 3


def test_a_folder_dropped_on_a_folder_data_page_asks_too(qtbot, window, tmp_path, answers):
    from image_factory import make_class_folders

    given, asked = answers
    load(qtbot, window, write_csv(tmp_path / "first.csv"))
    window.state.mark_dirty()
    window.hosts["data"].show_kind("images")  # the image Data page scans a folder itself
    images = make_class_folders(tmp_path / "shapes", per_class=4)
    given.append("cancel")
    drop(window, str(images))
    assert asked == ["Untitled"] and window.state.dataset_name == "first.csv"
    assert not window.data_page_of(window.state.kind).is_busy


def test_quitting_while_training_says_what_stopping_keeps_then_asks_to_save(
    qtbot, window, tmp_path, monkeypatch, answers
):
    given, asked = answers
    window.show()
    load(qtbot, window, write_csv(tmp_path / "first.csv"))
    page = window.train_page
    monkeypatch.setattr(page, "stop_training", lambda: None)
    questions_asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, q: questions_asked.append(q) or True)
    page.training_active_changed.emit(True)
    window.close()
    assert questions_asked == [QUIT_WHILE_TRAINING] and window.isVisible()
    assert "not saved unless" not in QUIT_WHILE_TRAINING
    assert "save the project" in QUIT_WHILE_TRAINING and "Save keeps the run" in QUIT_WHILE_TRAINING
    window.state.mark_dirty()  # the stopped run joined the history
    given.append("cancel")
    page.training_active_changed.emit(False)  # stopped: the window closes, asking first
    qtbot.waitUntil(lambda: asked == ["Untitled"])
    assert window.isVisible()  # cancelled: stays open


def test_quitting_hides_the_window_before_waiting_for_the_engine(qtbot, window, monkeypatch):
    """Ending the engine process is most of a quit (0.85 of 1.2 s after a training): the
    window is gone by then (it stayed on screen until the process had ended)."""
    window.show()
    visible_when_closing: list[bool] = []
    monkeypatch.setattr(
        window.engine, "close", lambda: visible_when_closing.append(window.isVisible())
    )
    window.close()
    assert visible_when_closing == [False]
