"""Train → Continue Training with New Data…: enabled with a run, bad data told in the dialog,
a real continued training on the Train page kept as "<earlier> + new data" beside the
earlier run, which stays as it was."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.dialogs.continue_training import ContinueTrainingDialog
from automl_gui.gui.main_window import MainWindow


def write_rows(path, n: int, edge: float, seed: int, **columns) -> str:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    frame = pd.DataFrame({"x": x, "z": z, "y": np.where(x > edge, "yes", "no")})
    for name, value in columns.items():
        if value is None:
            frame = frame.drop(columns=name)
        else:
            frame[name] = value
    frame.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """A run trained on the table as the window reads it (so its identity matches)."""
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular

    path = write_rows(tmp_path_factory.mktemp("old") / "old.csv", 300, -0.8, 1)
    table = read_table(path)
    setup = setup_tabular(table, "y")
    training = TrainConfig(epochs=20, batch_size=32, learning_rate=3e-3, seed=1)
    run = train_tabular(table.df, setup.preprocess, MLPConfig(), training)
    return path, run


@pytest.fixture
def window(qtbot, tmp_path, earlier):
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(w)
    path, _ = earlier
    table = read_table(path)
    setup = setup_tabular(table, "y")
    st = w.state
    st.set_dataset(TABULAR, table, setup.profile)
    st.set_target("y", setup.preprocess.task, setup.preprocess, setup.warnings)
    st.training = TrainConfig(epochs=8, batch_size=32, seed=1)
    return w


def test_the_action_needs_a_run(window, earlier):
    action = window.action_continue
    assert "Ctrl+Shift+R" in action.shortcut().toString()
    assert not action.isEnabled()
    assert "select a run" in action.toolTip()
    window.state.set_engine_ready(True, None)
    window.state.set_run(earlier[1])
    assert action.isEnabled()
    assert action.toolTip().startswith("Train the selected run's model further")


def test_the_action_is_enabled_again_as_soon_as_a_training_ends(qtbot, window, earlier):
    """The window clears its "training" flag in a slot connected after the action's: the
    action re-checks once every slot has run (it stayed greyed right after a training)."""
    action = window.action_continue
    window.state.set_engine_ready(True, None)
    window.state.set_run(earlier[1])
    window.train_page.training_active_changed.emit(True)
    qtbot.waitUntil(lambda: not action.isEnabled(), timeout=2000)
    window.train_page.training_active_changed.emit(False)
    qtbot.waitUntil(action.isEnabled, timeout=2000)


def _dialog(qtbot, window, earlier) -> ContinueTrainingDialog:
    st = window.state
    st.set_engine_ready(True, None)
    st.set_run(earlier[1])
    dialog = ContinueTrainingDialog(st, st.run, st.run_record(st.current_run_id), window)
    qtbot.addWidget(dialog)
    return dialog


@pytest.mark.parametrize(
    ("columns", "words"),
    [
        ({"z": None}, "lacks 1 of the run's columns: 'z'"),
        ({"y": "maybe"}, "the run does not know: 'maybe'"),
    ],
)
def test_data_that_does_not_fit_is_told_in_the_dialog(
    qtbot, window, earlier, tmp_path, columns, words
):
    dialog = _dialog(qtbot, window, earlier)
    dialog.path_edit.setText(write_rows(tmp_path / "new.csv", 50, 0.8, 2, **columns))
    assert dialog.start_button.isEnabled()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.banner.active, timeout=30_000)
    assert words in dialog.banner.text
    assert dialog.banner.level == "error"
    assert dialog.result() == 0  # still open: the user can choose other data
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=5_000)
    assert dialog.start_button.isEnabled()


def test_old_and_new_needs_the_runs_data_loaded(qtbot, window, earlier, tmp_path):
    dialog = _dialog(qtbot, window, earlier)
    other = write_rows(tmp_path / "other.csv", 300, 0.0, 9)
    from automl_gui.core.data.tabular import read_table

    window.state.dataset = read_table(other)  # another table loaded since
    dialog.path_edit.setText(write_rows(tmp_path / "new.csv", 50, 0.8, 2))
    assert dialog.both.isChecked()  # old and new is the default
    dialog.start()
    qtbot.waitUntil(lambda: dialog.banner.active, timeout=30_000)
    assert "not the data the run was trained on" in dialog.banner.text


def test_a_continued_run_is_kept_beside_the_earlier_one(qtbot, window, earlier, tmp_path):
    st = window.state
    dialog = _dialog(qtbot, window, earlier)
    old_record = st.run_record(st.current_run_id)
    old_run = earlier[1]
    weights = [w.copy() for w in old_run.model.get_weights()]
    dialog.path_edit.setText(write_rows(tmp_path / "new.csv", 300, 0.8, 2))
    dialog.factor.setValue(0.5)
    assert "0.0015" in dialog.lr_label.text()
    dialog.accepted.connect(lambda: start_continued(window, dialog))
    from automl_gui.gui.dialogs.continue_training import start_continued

    with qtbot.waitSignal(st.run_finished, timeout=180_000):
        dialog.start()
    qtbot.waitUntil(lambda: not window.train_page.is_training(), timeout=30_000)
    assert len(st.runs) == 2
    record = st.run_record(st.current_run_id)
    assert record.name == f"{old_record.name} + new data"
    assert record.dataset == old_record.dataset  # one group in Compare Runs
    info = st.run.metadata["continued_from"]
    assert info["run_id"] == old_record.id and info["data"] == "old and new"
    assert info["lr_factor"] == pytest.approx(0.5)
    assert window.train_page.plots is not None and st.run.history["loss"]
    assert all(
        np.array_equal(a, b) for a, b in zip(weights, old_run.model.get_weights(), strict=True)
    )
    assert "continued_from" not in old_run.metadata


def test_cancel_gives_the_earlier_run_back(qtbot, window, earlier, tmp_path):
    from automl_gui.gui.dialogs.continue_training import start_continued

    st = window.state
    dialog = _dialog(qtbot, window, earlier)
    earlier_id = st.current_run_id
    dialog.new_data = pd.read_csv(write_rows(tmp_path / "new.csv", 300, 0.8, 2))
    page = window.train_page
    with qtbot.waitSignal(st.run_selected, timeout=60_000):
        start_continued(window, dialog)
        assert "<b>Continuing</b>" in page.summary.text()
        page.stop_training()  # before training began: the job is cancelled
    qtbot.waitUntil(lambda: not page.is_training(), timeout=30_000)
    assert st.current_run_id == earlier_id and st.run is earlier[1]
    assert len(st.runs) == 1
