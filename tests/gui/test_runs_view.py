"""Compare Runs window: the runs list, overlaid curves, the comparison table with the best
values highlighted, rename, delete, "Use this run", CSV export, live updates, empty state.

Runs are RunRecords built by hand (no training): histories of different lengths, metrics.
``python tests/gui/test_runs_view.py OUT.png`` saves the window with three realistic runs
(docs/screenshot-runs.png).
"""

from __future__ import annotations

import csv
import math
import sys
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QSettings, Qt

from automl_gui.core.base.errors import ModelError
from automl_gui.core.project import RunRecord
from automl_gui.gui import runs_data
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages
from automl_gui.gui.dialogs._runs_tables import COL_NAME, COL_SCORE
from automl_gui.gui.dialogs.runs import EMPTY_TEXT, RunsWindow, open_runs_window
from automl_gui.gui.state import AppState


def curve(start: float, end: float, n: int, rise_after: int | None = None) -> list[float]:
    """A decaying curve from ``start`` to about ``end`` over ``n`` epochs; with
    ``rise_after`` it climbs again after that epoch (overfitting)."""
    out = []
    for i in range(n):
        v = end + (start - end) * math.exp(-i / max(n / 4, 1))
        if rise_after is not None and i > rise_after:
            v += 0.02 * (i - rise_after) ** 1.3
        out.append(round(v, 4))
    return out


def record(
    run_id: str,
    name: str,
    *,
    epochs: int = 5,
    task: str = "binary",
    metrics: dict | None = None,
    lr: float = 1e-3,
    units: list[int] | None = None,
    best: int | None = None,
    rise_after: int | None = None,
    val: bool = True,
    kind: str = "tabular",
    created: str = "2025-03-01T10:00:00+00:00",
    seconds: float = 12.0,
) -> RunRecord:
    loss = curve(0.7, 0.25, epochs)
    history = {"loss": loss, "lr": [lr] * epochs}
    if task == "regression":
        history["mae"] = curve(3.0, 1.0, epochs)
        if val:
            history["val_mae"] = curve(3.2, 1.2, epochs, rise_after)
    else:
        history["accuracy"] = [round(1 - v / 1.4, 4) for v in loss]
        if val:
            history["val_accuracy"] = [round(1 - v / 1.3, 4) for v in loss]
    if val:
        history["val_loss"] = curve(0.72, 0.3, epochs, rise_after)
    if best is None:
        best = min(range(epochs), key=lambda i: history.get("val_loss", loss)[i])
    return RunRecord(
        id=run_id,
        name=name,
        created=created,
        kind=kind,
        task=task,
        dataset="tiny.csv",
        settings={
            "preprocess": {
                "target": "label",
                "columns": [{"name": "x1", "scaling": "standardize", "reason": "numeric"}],
                "split": {"train": 0.7, "validation": 0.15, "test": 0.15},
                "version": 2,
            },
            "model": {"auto": False, "hidden_units": units or [64, 32], "dropout": 0.1},
            "training": {"learning_rate": lr, "epochs": epochs, "batch_size": 0},
            "search": None,
        },
        history=history,
        metrics=metrics if metrics is not None else {"accuracy": 0.8, "f1_macro": 0.78},
        summary={
            "best_epoch": best,
            "epochs_run": epochs,
            "stopped_reason": "completed",
            "seconds": seconds,
            "batch_size": 16,
        },
    )


def show_active(qtbot, window) -> None:
    """Show ``window`` as the active window (its keyboard shortcuts work only then)."""
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


class FakeRun:
    """What AppState keeps per run: enough for select_run (no files, no model)."""

    def __init__(self, rec: RunRecord) -> None:
        self.record = rec
        self.metadata = {"kind": rec.kind, "task": rec.task, "model": rec.settings["model"]}
        self.report = {"metrics": rec.metrics}
        self.history = rec.history
        self.result = SimpleNamespace(summary=lambda: dict(rec.summary))


def add(state: AppState, rec: RunRecord, *, loaded: bool = True) -> None:
    state.runs.append(rec)
    if loaded:
        state.run_objects[rec.id] = FakeRun(rec)


@pytest.fixture(autouse=True)
def settings(tmp_path):
    store = app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield store
    app_settings.use(None)


@pytest.fixture
def state(qtbot):
    s = AppState()
    add(
        s,
        record(
            "run-001", "Run 1 · MLP 2×64", epochs=4, metrics={"accuracy": 0.81, "f1_macro": 0.80}
        ),
    )
    add(
        s,
        record(
            "run-002",
            "Run 2 · MLP 1×16",
            epochs=7,
            units=[16],
            lr=1e-2,
            metrics={"accuracy": 0.86, "f1_macro": 0.79, "log_loss": 0.4},
        ),
    )
    add(
        s,
        record(
            "run-003",
            "Run 3 · MLP 2×64",
            epochs=5,
            metrics={"accuracy": 0.84, "f1_macro": 0.83, "log_loss": 0.35},
        ),
    )
    s.current_run_id = "run-003"
    return s


@pytest.fixture
def window(qtbot, state):
    w = RunsWindow(state)
    qtbot.addWidget(w)
    return w


def test_the_list_shows_every_run_and_checks_the_current_and_previous(window):
    runs = window.runs_list
    assert sorted(runs.ids()) == ["run-001", "run-002", "run-003"]
    assert sorted(runs.checked_ids()) == ["run-002", "run-003"]
    assert runs.cell_text("run-002", COL_SCORE) == "0.8600 acc"  # the table's precision
    name = runs.item(runs.row_of("run-003"), COL_NAME)
    assert name.font().bold() and name.data(Qt.ItemDataRole.UserRole + 2)
    assert not runs.item(runs.row_of("run-001"), COL_NAME).font().bold()
    assert "3 runs" in window.summary_label.text()
    # sortable by the score, numerically
    runs.sortByColumn(COL_SCORE, Qt.SortOrder.DescendingOrder)
    assert runs.ids() == ["run-002", "run-003", "run-001"]


def test_checked_runs_are_plotted_with_their_lengths_and_best_epoch(window, state):
    data = window.plot.curve_data()
    assert set(data) == {
        ("run-002", "val"),
        ("run-002", "train"),
        ("run-003", "val"),
        ("run-003", "train"),
    }
    xs, ys = data[("run-002", "val")]
    assert xs == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert ys == pytest.approx(state.runs[1].history["val_loss"])
    assert len(data[("run-003", "train")][0]) == 5
    best = window.plot.best_points()
    assert best["run-003"][0] == state.runs[2].summary["best_epoch"] + 1
    assert window.plot.legend_names() == ["Run 2 · MLP 1×16", "Run 3 · MLP 2×64"]
    # another quantity; a run without it is named, not drawn
    window.set_checked(["run-001", "run-002"])
    state.runs[0].history.pop("accuracy")
    state.runs[0].history.pop("val_accuracy")
    window.plot.set_runs(window.checked_records(), window.colors())
    assert window.plot.set_quantity("accuracy")
    assert {k[0] for k in window.plot.curve_data()} == {"run-002"}
    assert "Run 1" in window.plot.note.text()
    assert window.plot.set_quantity("lr")
    assert window.plot.plot.getAxis("left").logMode


def test_the_table_highlights_the_best_metric_and_shows_differing_settings(window):
    table = window.compare
    labels = table.row_labels()
    assert labels[0] == "Test metrics"
    assert table.value("Accuracy", 0) == "0.8600" and table.value("Accuracy", 1) == "0.8400"
    best = table.best_cells()
    assert ("Accuracy", 0) in best  # higher is better
    assert ("F1 (macro)", 1) in best
    assert ("Log loss", 1) in best  # lower is better
    # settings that differ only: learning rate, hidden units, epochs
    assert table.value("Training · learning rate", 0) == "0.01"
    assert table.value("Model · hidden units", 1) == "64, 32"
    assert table.value("Model · dropout", 0) is None
    assert table.value("Epochs run", 0) == "7"
    assert table.value("Best epoch", 1) == str(window.state.runs[2].summary["best_epoch"] + 1)
    window.show_all.setChecked(True)
    assert table.value("Model · dropout", 0) == "0.1"
    assert table.value("Preprocess · column x1 · scaling", 0) == "standardize"
    assert "Preprocess · version" not in table.row_labels()


def test_a_run_of_another_task_is_listed_apart_and_all_shows_dashes(window, state):
    add(
        state,
        record("run-004", "Run 4 · regression", task="regression", metrics={"r2": 0.7, "mae": 1.2}),
    )
    state.current_run_id = "run-004"  # what finishing a run does
    state.runs_changed.emit()
    # the new run's dataset and task are listed: the classification runs are apart
    assert window.runs_list.ids() == ["run-004"]
    assert window.runs_list.checked_ids() == ["run-004"]
    assert "tiny.csv · regression" in window.picker.text()
    # the other task's runs are named apart, greyed, under the list (they were only counted)
    assert window.others.isVisibleTo(window)
    assert "3 runs of other data" in window.others.title.text()
    assert [line.split(" — ")[0] for line in window.others.lines()] == [
        "Run 1 · MLP 2×64",
        "Run 2 · MLP 1×16",
        "Run 3 · MLP 2×64",
    ]
    # all datasets: every run, the other task's metrics are dashes
    window.show_group(None)
    window.set_checked(["run-003", "run-004"])
    col = [r.id for r in window.checked_records()].index("run-004")
    assert window.compare.value("Accuracy", col) == "—"
    assert window.compare.value("R²", col) == "0.7000"
    assert window.compare.value("Task", col) == "regression"
    assert window.runs_list.cell_text("run-004", COL_SCORE) == "0.7000 R²"
    assert ("run-004", "val") in window.plot.curve_data()  # loss is shared
    assert window.compare.best_cells() == []  # one run per task: nothing is "best"


def test_runs_of_another_dataset_are_listed_apart_and_never_best(qtbot, state):
    """A table run and an audio run in one project: the window opens on the loaded data's runs,
    lists the other dataset apart, and "best" is never picked across datasets (it was: an
    audio run's accuracy highlighted against table runs)."""
    other = record(
        "run-004",
        "Run 4 · Compact CNN",
        kind="audio",
        task="multiclass",
        metrics={"accuracy": 0.97, "f1_macro": 0.96},
    )
    other.dataset = "speech"
    add(state, other)
    state.current_run_id = "run-003"
    w = RunsWindow(state)
    qtbot.addWidget(w)
    assert sorted(w.runs_list.ids()) == ["run-001", "run-002", "run-003"]
    assert sorted(r.id for r in w.checked_records()) == ["run-002", "run-003"]
    assert w.picker.labels() == [
        "tiny.csv · binary (3 runs)",
        "speech · multiclass (1 run)",
        "All datasets (4 runs)",
    ]
    assert w.others.lines() == ["Run 4 · Compact CNN — speech · multiclass · 0.9700 acc"]
    assert "1 run of other data, not compared" in w.others.title.text()
    # clicking it lists the audio runs, that run selected; the table runs are apart then
    w.others.chosen.emit("run-004")
    assert w.runs_list.ids() == ["run-004"] and w.runs_list.selected_id() == "run-004"
    assert len(w.others.lines()) == 3
    w.show_current_dataset()
    # everything, with the audio run checked too: its accuracy is the highest, but it is not
    # "best" against the table runs, whose best stays marked among themselves
    w.show_group(None)
    assert not w.others.isVisibleTo(w)  # every run is listed: nothing apart
    assert w.runs_list.horizontalHeaderItem(3).text() == "Dataset · model"
    # in a 1024x700 window the dataset column is elided inside the list, never cut at its edge
    w.resize(942, 644)
    w.show()
    qtbot.waitUntil(lambda: w._laid_out)
    w.fit_panes()
    runs = w.runs_list
    assert "Dataset · model" not in runs.hidden_columns()
    assert runs.horizontalHeader().length() <= runs.viewport().width()
    w.set_checked(["run-002", "run-003", "run-004"])
    assert ("Accuracy", 0) in w.compare.best_cells()  # run 2, best of the table runs
    assert all(col != 2 for _label, col in w.compare.best_cells())
    assert "speech" in w.compare.horizontalHeaderItem(2).text()
    assert "within each dataset" in w.compare_note.text()
    csv_best = runs_data.comparison_csv(
        w.checked_records(), runs_data.comparison_rows(w.checked_records())
    )
    assert "Run 4" not in csv_best.split("\n")[1]
    # opening the window again goes back to the loaded data's (here: the current run's) runs
    w.show_current_dataset()
    assert "run-004" not in w.runs_list.ids()


def test_the_window_opens_on_the_loaded_dataset_s_runs(qtbot, state):
    other = record("run-004", "Run 4 · other", metrics={"accuracy": 0.9})
    other.dataset = "wine.csv"
    add(state, other)
    state.current_run_id = "run-004"
    state.dataset = SimpleNamespace(root="/data/tiny.csv", source=None)  # tiny.csv is loaded
    w = RunsWindow(state)
    qtbot.addWidget(w)
    assert "run-004" not in w.runs_list.ids()
    assert w.picker.text().startswith("tiny.csv")


def test_names_and_run_titles_are_not_cut(qtbot, state):
    """The Name column and the comparison's run titles fit their text ("Ru…", "Run 3 · C…")."""
    from PySide6.QtGui import QFontMetrics

    state.runs[2].name = "Run 3 · MLP 2×64, lr 3e-3 (overfits a little)"
    w = RunsWindow(state)
    qtbot.addWidget(w)
    for size in ((1288, 828), (942, 644)):
        w.resize(*size)
        w.show()
        qtbot.waitUntil(lambda: w._laid_out)
        w.fit_panes()
        runs = w.runs_list
        name = runs.horizontalHeader().sectionSize(COL_NAME)
        font = QFontMetrics(runs.font())
        assert name >= font.horizontalAdvance(state.runs[2].name) + 60  # + the "current" tag
        assert runs.viewport().width() >= runs.columnViewportPosition(COL_SCORE) + 60
        # the list never scrolls sideways ("Crea…" cut at its edge): the columns that do not
        # fit are hidden, the rightmost first; each one shown is whole
        shown = [c for c in range(runs.columnCount()) if not runs.isColumnHidden(c)]
        assert shown == list(range(len(shown)))
        last = shown[-1]
        assert runs.columnViewportPosition(last) + runs.columnWidth(last) <= runs.viewport().width()
        assert max(shown[:-1]) < last and all(
            runs.columnWidth(c) >= runs.sizeHintForColumn(c) for c in shown[:-1]
        )
        if size == (942, 644):
            assert runs.hidden_columns(), "at 1024x700 the list cannot hold every column"
        assert runs.horizontalScrollBar().isHidden() or not runs.horizontalScrollBar().isVisible()
        # the curves' key wraps only between its phrases ("● best" over "epoch" at 1024x700)
        key = w.plot.style_label
        assert all(" " not in phrase for phrase in key.text().split(" · "))
        if key.width() >= key.fontMetrics().horizontalAdvance(key.text()) + 4:
            assert key.heightForWidth(key.width()) < 1.5 * key.fontMetrics().lineSpacing()
        header = w.compare.horizontalHeader()
        for col in range(w.compare.columnCount()):
            title = w.compare.horizontalHeaderItem(col).text()
            widest = max(
                QFontMetrics(header.font()).horizontalAdvance(t) for t in title.split("\n")
            )
            assert header.sectionSize(col) >= widest + 8, title
            assert "…" not in title
        # the curves' legend fits its pane (three columns of long names pushed the plot out)
        w.set_checked(["run-001", "run-002", "run-003"])
        legend = w.plot.legend
        assert legend.boundingRect().width() <= w.plot.view.width()


def test_rename_in_place_and_f2(qtbot, window, state):
    runs = window.runs_list
    item = runs.item(runs.row_of("run-001"), COL_NAME)
    item.setText("Baseline")
    assert state.runs[0].name == "Baseline"
    assert runs.cell_text("run-001", COL_NAME) == "Baseline"
    item.setText("  ")  # an empty name is refused: the old one stays
    assert state.runs[0].name == "Baseline" and item.text() == "Baseline"
    show_active(qtbot, window)
    runs.setFocus()
    runs.selectRow(runs.row_of("run-002"))
    qtbot.keyClick(runs, Qt.Key.Key_F2)
    assert runs.state() == runs.State.EditingState


def test_delete_asks_and_removes(window, state, monkeypatch):
    asked = []
    window.runs_list.selectRow(window.runs_list.row_of("run-002"))
    monkeypatch.setattr(messages, "confirm", lambda *a: asked.append(a) or False)
    assert not window.delete_selected()
    assert len(state.runs) == 3
    monkeypatch.setattr(messages, "confirm", lambda *a: asked.append(a) or True)
    assert window.delete_selected()
    assert [r.id for r in state.runs] == ["run-001", "run-003"]
    assert "Run 2" in asked[-1][2]
    assert sorted(window.runs_list.ids()) == ["run-001", "run-003"]
    assert [r.id for r in window.checked_records()] == ["run-003"]


def test_keyboard_delete_asks_and_ctrl_w_and_esc_close(qtbot, window, state, monkeypatch):
    asked = []
    monkeypatch.setattr(messages, "confirm", lambda *a: asked.append(a) or True)
    show_active(qtbot, window)
    window.runs_list.setFocus()
    window.runs_list.selectRow(window.runs_list.row_of("run-001"))
    qtbot.keyClick(window.runs_list, Qt.Key.Key_Delete)
    assert asked and [r.id for r in state.runs] == ["run-002", "run-003"]
    qtbot.keyClick(window.runs_list, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()
    show_active(qtbot, window)
    qtbot.keyClick(window.runs_list, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_a_note_is_kept_on_the_run(window, state):
    runs = window.runs_list
    runs.selectRow(runs.row_of("run-001"))
    state.dirty = False
    window.details.note.setText("baseline, no dropout tuning")
    window.details.note.editingFinished.emit()
    assert state.runs[0].note == "baseline, no dropout tuning" and state.dirty
    assert "Run 1" in window.details.text.text()


def test_use_this_run_selects_it_and_says_when_its_files_are_missing(window, state):
    runs = window.runs_list
    runs.selectRow(runs.row_of("run-001"))
    assert window.use_button.isEnabled()
    assert window.use_selected()
    assert state.current_run_id == "run-001" and state.run is state.run_objects["run-001"]
    assert runs.item(runs.row_of("run-001"), COL_NAME).font().bold()
    assert not window.use_button.isEnabled()  # already current

    def missing(rec):
        raise ModelError(f"The model of {rec.name} is missing.", "Train it again.")

    state.run_loader = missing
    state.run_objects.pop("run-002")
    runs.selectRow(runs.row_of("run-002"))
    assert not window.use_selected()
    assert "missing" in window.banner.text and state.current_run_id == "run-001"


def test_export_csv_writes_the_comparison(window, tmp_path):
    path = window.export_csv(tmp_path / "cmp.csv")
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == ["section", "row", "Run 2 · MLP 1×16", "Run 3 · MLP 2×64", "best"]
    accuracy = next(r for r in rows if r[1] == "Accuracy")
    assert accuracy[2:] == ["0.86", "0.84", "Run 2 · MLP 1×16"]
    assert any(r[1] == "Training · learning rate" for r in rows)
    bad = window.export_csv(tmp_path / "no-such-folder" / "cmp.csv")
    assert bad is None and "Could not write" in window.banner.text


def test_a_run_finishing_while_open_appears_checked(window, state):
    rec = record("run-004", "ignored", epochs=3)
    state.add_run(FakeRun(rec))  # what set_run does after training
    assert "run-004" in window.runs_list.ids()
    assert "run-004" in window.runs_list.checked_ids()
    assert ("run-004", "val") in window.plot.curve_data()
    assert window.runs_list.item(window.runs_list.row_of("run-004"), COL_NAME).font().bold()


def test_another_project_starts_with_the_default_checks(window, state):
    window.set_checked(["run-001"])
    state.project_path = "/elsewhere/p2"  # what reopening a project does, then runs_changed
    state.runs = [record("run-001", "A"), record("run-002", "B"), record("run-003", "C")]
    state.current_run_id = None
    state.runs_changed.emit()
    assert sorted(window.runs_list.checked_ids()) == ["run-002", "run-003"]
    assert window.runs_list.cell_text("run-001", COL_NAME) == "A"


def test_empty_state_then_first_run(qtbot):
    state = AppState()
    w = RunsWindow(state)
    qtbot.addWidget(w)
    assert w.stack.currentWidget() is w.empty_label and w.empty_label.text() == EMPTY_TEXT
    assert not w.csv_button.isEnabled() and not w.use_button.isEnabled()
    state.add_run(FakeRun(record("run-001", "x", epochs=2)))
    assert w.stack.currentWidget() is w.splitter
    assert w.runs_list.checked_ids() == ["run-001"]


def test_open_runs_window_is_one_per_main_window(qtbot, state):
    from PySide6.QtWidgets import QMainWindow

    main = QMainWindow()
    main.state = state
    qtbot.addWidget(main)
    first = open_runs_window(main)
    assert open_runs_window(main) is first and first.isVisible()
    assert first.parent() is main


def test_balanced_accuracy_follows_accuracy_and_scores_share_the_metrics_precision():
    """Balanced accuracy was the last metric row, below the fold; the list's score had three
    decimals, the table four."""
    rec = record("run-001", "Run 1", metrics={"log_loss": 0.3, "accuracy": 0.8, "f1_macro": 0.7})
    rec.metrics["balanced_accuracy"] = 0.75
    labels = [r.label for r in runs_data.comparison_rows([rec]) if r.section == "metrics"]
    assert labels[:3] == ["Accuracy", "Balanced accuracy", "F1 (macro)"]
    assert runs_data.headline_text(rec) == f"{runs_data.fmt_metric(0.8)} acc" == "0.8000 acc"


def test_settings_flatten_and_labels():
    flat = runs_data.flatten_settings(
        {
            "training": {"learning_rate": 0.01},
            "preprocess": {"split": {"test": 0.2}},
            "search": {"max_trials": 4},
        }
    )
    assert flat == {
        "training.learning_rate": 0.01,
        "preprocess.split.test": 0.2,
        "search": "on",
        "search.max_trials": 4,
    }
    assert runs_data.setting_label("preprocess.split.test") == "Preprocess · split · test"
    assert runs_data.lower_is_better("val_loss") and runs_data.lower_is_better("rmse")
    assert not runs_data.lower_is_better("r2")
    assert runs_data.best_indexes("accuracy", [0.5, 0.5]) == set()


# -- screenshot ---------------------------------------------------------------------------------
def realistic_state() -> AppState:
    """Three runs that look like real training on a table: a small MLP, a bigger one that
    overfits (its validation loss climbs after epoch 9), and one with a higher learning rate."""
    import datetime as dt

    state = AppState()
    day = dt.date.today().isoformat()
    runs = [
        record(
            "run-001",
            "Run 1 · MLP 2×64",
            epochs=24,
            seconds=18.4,
            created=f"{day}T09:12:00",
            metrics={
                "accuracy": 0.874,
                "f1_macro": 0.861,
                "precision_macro": 0.868,
                "recall_macro": 0.857,
                "roc_auc": 0.931,
                "log_loss": 0.312,
            },
        ),
        record(
            "run-002",
            "Run 2 · MLP 3×256 (overfits)",
            epochs=30,
            units=[256, 256, 256],
            rise_after=9,
            seconds=41.7,
            created=f"{day}T09:31:00",
            metrics={
                "accuracy": 0.851,
                "f1_macro": 0.839,
                "precision_macro": 0.842,
                "recall_macro": 0.836,
                "roc_auc": 0.915,
                "log_loss": 0.398,
            },
        ),
        record(
            "run-003",
            "Run 3 · MLP 2×64, lr 3e-3",
            epochs=18,
            lr=3e-3,
            seconds=13.9,
            created=f"{day}T09:48:00",
            metrics={
                "accuracy": 0.889,
                "f1_macro": 0.877,
                "precision_macro": 0.881,
                "recall_macro": 0.874,
                "roc_auc": 0.944,
                "log_loss": 0.288,
            },
        ),
    ]
    runs[1].settings["model"]["dropout"] = 0.0
    runs[1].summary["stopped_reason"] = "early_stopping"
    # the learning rate drops on plateau in the longer runs
    runs[0].history["lr"] = [1e-3] * 16 + [5e-4] * 8
    runs[2].history["lr"] = [3e-3] * 12 + [1.5e-3] * 6
    for rec in runs:
        add(state, rec)
    state.current_run_id = "run-003"
    return state


def save_screenshot(path: str) -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    state = realistic_state()
    window = RunsWindow(state)
    window.set_checked(["run-001", "run-002", "run-003"])
    window.runs_list.selectRow(window.runs_list.row_of("run-002"))
    window.resize(1200, 760)
    window.show()
    for _ in range(5):
        app.processEvents()
    window.grab().save(path)


if __name__ == "__main__":
    save_screenshot(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot-runs.png")
