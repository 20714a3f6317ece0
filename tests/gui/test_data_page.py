"""Data page: background loading, preview, profile, target and task choice, warnings, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages
from automl_gui.gui.main_window import MainWindow
from automl_gui.gui.pages.tabular.data import DataPage
from automl_gui.gui.state import AppState


def write_csv(path, n: int = 200) -> str:
    """Imbalanced binary label, a numeric and a categorical feature, an id and a constant."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    label = np.where(np.arange(n) % 10 == 0, "yes", "no")
    pd.DataFrame(
        {
            "id": np.arange(n),
            "x": x,
            "color": rng.choice(["red", "green", "blue"], size=n),
            "const": 1,
            "label": label,
        }
    ).to_csv(path, index=False)
    return str(path)


@pytest.fixture(autouse=True)
def tmp_settings(tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def state(qtbot):
    return AppState()


@pytest.fixture
def page(qtbot, state):
    p = DataPage(state)
    qtbot.addWidget(p)
    return p


def load(qtbot, page: DataPage, path: str) -> None:
    with qtbot.waitSignal(page.state.target_changed, timeout=30_000):
        page.load(path)
        assert page.is_busy and page.busy_box.isVisibleTo(page)
    assert not page.is_busy


def test_load_fills_preview_profile_target_and_warnings(qtbot, page, state, tmp_path):
    load(qtbot, page, write_csv(tmp_path / "d.csv"))
    assert state.loaded(TABULAR) is not None and state.profile is not None
    assert page.model.rowCount() == 200 and page.model.columnCount() == 5
    assert page.model.data(page.model.index(0, 4)) == "yes"
    view = page.profile_view
    assert view.row_count() == 5
    kinds = dict(view.row_texts(i)[:2] for i in range(5))
    assert kinds["x"] == "numeric" and kinds["const"] == "constant"
    assert kinds["id"] == "identifier"
    assert state.target == "label" and state.task == "binary"
    assert page.target_combo.currentText() == "label"
    assert page.task_combo.itemText(0) == "Auto (binary classification)"
    assert (
        state.settings(TABULAR).preprocess is not None
        and state.settings(TABULAR).preprocess.target == "label"
    )
    codes = page.warnings_view.codes()
    assert "imbalance" in codes and "constant" in codes
    assert page.warnings_view.rowCount() == len(codes)
    assert "200 rows × 5 columns" in page.info_label.text()
    # the target's distribution is plotted
    assert page.profile_view.current_column() == "label"
    assert page.profile_view.bars is not None


def test_changing_the_target_reruns_the_checks(qtbot, page, state, tmp_path):
    load(qtbot, page, write_csv(tmp_path / "d.csv"))
    with qtbot.waitSignal(state.target_changed, timeout=30_000):
        page.target_combo.setCurrentText("x")
    assert state.target == "x" and state.task == "regression"
    assert state.settings(TABULAR).preprocess.target == "x"
    assert "imbalance" not in page.warnings_view.codes()
    assert page.task_combo.itemText(0) == "Auto (regression)"


def test_task_override(qtbot, page, state, tmp_path):
    load(qtbot, page, write_csv(tmp_path / "d.csv"))
    with qtbot.waitSignal(state.target_changed, timeout=30_000):
        page.task_combo.setCurrentIndex(page.task_combo.findData("multiclass"))
    assert state.task == "multiclass" and state.settings(TABULAR).preprocess.task == "multiclass"
    assert page.task_combo.itemText(0) == "Auto (binary classification)"


def test_untrainable_target_shows_an_error_row_and_blocks_the_next_steps(qtbot, tmp_path):
    window = MainWindow(
        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat), load_engine=False
    )
    qtbot.addWidget(window)
    page, state = window.data_page, window.state
    load(qtbot, page, write_csv(tmp_path / "d.csv"))
    assert window.go_to("model")
    with qtbot.waitSignal(state.target_changed, timeout=30_000):
        page.set_target("const", "binary")
    assert page.warnings_view.has_errors()
    assert page.warnings_view.codes()[0] == "target"
    assert window.current_page_name() == "data"  # moved off the now-blocked page
    for name in ("model", "train"):
        assert not window.page_actions[name].isEnabled()
        assert "const" in window.step_blocker(name)
    assert not window.action_start.isEnabled()
    assert window.page_actions["preprocess"].isEnabled()
    # a good target unblocks again
    with qtbot.waitSignal(state.target_changed, timeout=30_000):
        page.set_target("label")
    assert not page.warnings_view.has_errors() and window.page_actions["model"].isEnabled()


def test_a_bad_file_keeps_the_previous_dataset(qtbot, page, state, tmp_path):
    load(qtbot, page, write_csv(tmp_path / "good.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with qtbot.waitSignal(page.load_failed, timeout=30_000) as blocker:
        page.load(str(empty))
    message, _hint = blocker.args
    assert message
    assert page.banner.isVisibleTo(page) and page.banner.level == "error"
    assert "empty.csv" in page.banner.text and "good.csv" in page.banner.text
    assert state.dataset_name == "good.csv" and page.model.rowCount() == 200
    assert not page.is_busy


def test_loading_error_through_the_window_is_not_a_crash(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(messages, "show_error", lambda *a, **k: None)
    window = MainWindow(
        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat), load_engine=False
    )
    qtbot.addWidget(window)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)) * 20)
    with qtbot.waitSignal(window.data_page.load_failed, timeout=30_000):
        window.open_path(str(binary))
    assert window.state.loaded(TABULAR) is None
    assert window.recent_files() == []


def test_replaced_tables_are_freed_and_a_load_ends_any_target_check(qtbot, page, state, tmp_path):
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    load(qtbot, page, write_csv(tmp_path / "a.csv"))
    first = weakref.ref(state.loaded(TABULAR).df)
    with qtbot.waitSignal(state.target_changed, timeout=30_000):
        page.set_target("x")
    # A load started while a target check runs supersedes it: the page ends idle.
    page.set_target("color")
    load(qtbot, page, write_csv(tmp_path / "b.csv", n=120))
    qtbot.waitUntil(lambda: not page.is_busy, timeout=30_000)
    assert state.dataset_name == "b.csv"
    qtbot.waitUntil(lambda: not page._workers, timeout=30_000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    assert first() is None  # finished workers no longer hold the old DataFrame
