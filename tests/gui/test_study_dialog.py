"""Compare Settings dialog: a real tiny study fills the table and plot, exports, Stop keeps the
finished rows, bad values and missing data are said plainly, the window is guarded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMainWindow

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages
from automl_gui.gui.dialogs._study_form import NO_GPU, parse_batch_sizes, parse_sizes
from automl_gui.gui.dialogs.study import StudyDialog, open_study_dialog
from automl_gui.gui.state import AppState


def load_table(state: AppState, tmp_path, n: int = 120) -> None:
    """A small 2-class table, loaded the way the Data page does; tiny model settings."""
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular

    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    label = np.where(x1 + 0.5 * x2 > 0, "yes", "no")
    path = tmp_path / "tiny.csv"
    pd.DataFrame({"x1": x1, "x2": x2, "label": label}).to_csv(path, index=False)
    table = read_table(str(path))
    setup = setup_tabular(table, "label")
    state.set_dataset(TABULAR, table, setup.profile)
    state.set_target("label", setup.preprocess.task, setup.preprocess, setup.warnings)
    state.settings(TABULAR).model = MLPConfig(  # one tiny network: scaled numbers, no ensemble
        auto=False, hidden_units=[8], dropout=0.0, numeric_embedding="none", ensemble_size=1
    )
    state.training = TrainConfig(epochs=5, batch_size=16, early_stopping=False, seed=1)
    state.set_engine_ready(True, None)


@pytest.fixture(autouse=True)
def settings(tmp_path):
    store = app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield store
    app_settings.use(None)


@pytest.fixture
def state(qtbot):
    return AppState()


@pytest.fixture
def dialog(qtbot, state):
    d = StudyDialog(state)
    qtbot.addWidget(d)
    yield d
    if d.worker is not None:  # never leave a study running into the next test
        d.worker.cancel()
        qtbot.waitUntil(lambda: d.worker is None, timeout=60_000)


def choose_optimizers(dialog: StudyDialog, names: tuple[str, ...], epochs: int) -> None:
    dialog.form.set_kind("optimizers")
    for name, box in dialog.form.optimizer_boxes.items():
        box.setChecked(name in names)
    dialog.form.epochs_spin.setValue(epochs)


def test_a_study_fills_the_table_and_plot_and_exports_csv_and_png(
    qtbot, dialog, state, tmp_path, monkeypatch
):
    load_table(state, tmp_path)
    choose_optimizers(dialog, ("sgd", "adam"), epochs=2)
    assert not dialog.csv_button.isEnabled() and not dialog.png_button.isEnabled()
    active: list[bool] = []
    dialog.training_active_changed.connect(active.append)
    with qtbot.waitSignal(dialog.study_finished, timeout=120_000) as blocker:
        assert dialog.run_study()
        assert state.training_active and dialog.stop_button.isEnabled()
        assert not dialog.run_button.isEnabled() and not dialog.form.isEnabled()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)

    result = blocker.args[0]
    assert [r.label for r in result.rows] == dialog.table.labels()
    assert len(result.rows) == 2 and all(r.status == "completed" for r in result.rows)
    assert dialog.table.header_text(0) == "Optimizer"
    assert dialog.table.header_text(2) == "Test accuracy"
    assert [r.label for r in dialog.plot.rows] == [r.label for r in result.rows]
    assert dialog.plot.metric == "test_accuracy" and dialog.plot.data_name == "tiny.csv"
    assert dialog.plot.left.getAxis("left").autoSIPrefixScale == 1.0  # 0.8 drawn as 0.8
    for i, row in enumerate(result.rows):
        assert dialog.table.cell_text(i, "Status") == "completed"
        assert dialog.table.cell_text(i, "metric") == f"{row.metrics['test_accuracy']:.4f}"
        assert dialog.table.cell_text(i, "Epochs") == "2"
        assert dialog.table.cell_text(i, "Iterations to converge").split(" ")[0].isdigit()
    assert len(dialog.loss_plot.val_loss_points()) == 2  # the last training's curve
    assert "Done" in dialog.progress.format() and "completed" in dialog.status_label.text()
    assert active == [True, False] and not state.training_active
    assert dialog.csv_button.isEnabled() and dialog.png_button.isEnabled()
    assert dialog.run_button.isEnabled() and not dialog.stop_button.isEnabled()

    csv = dialog.export_csv(tmp_path / "out" / "study.csv")
    frame = pd.read_csv(csv, comment="#")
    assert list(frame["optimizer"]) == [r.label for r in result.rows]
    assert list(frame["status"]) == ["completed", "completed"]
    assert frame["test_accuracy"].between(0, 1).all()
    asked: list[str] = []

    def save_as(_parent, _title, default, _filter):
        asked.append(default)
        return str(tmp_path / "chosen" / "mine"), ""  # typed without an extension

    (tmp_path / "chosen").mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    dialog.csv_button.click()  # Export CSV…: asks, with study_<kind>.csv offered
    assert asked[0].endswith("study_optimizers.csv") and (tmp_path / "chosen/mine.csv").exists()
    dialog.png_button.click()  # the chosen folder is remembered
    assert asked[1] == str(tmp_path / "chosen" / "study_optimizers.png")
    png = QImage(str(dialog.export_png(tmp_path / "study.png")))
    assert (
        png.width() >= 600 and len({png.pixel(x, png.height() // 2) for x in range(0, 600, 3)}) > 2
    )


def test_stop_keeps_the_finished_rows(qtbot, dialog, state, tmp_path):
    load_table(state, tmp_path)
    choose_optimizers(dialog, ("sgd", "adam", "rmsprop"), epochs=40)
    with qtbot.waitSignal(dialog.study_finished, timeout=120_000) as blocker:
        dialog.run_study()
        qtbot.waitUntil(lambda: len(dialog.rows) >= 1, timeout=90_000)
        dialog.stop_study()
        assert not dialog.stop_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)
    rows = blocker.args[0].rows
    assert rows[0].status == "completed"
    assert len(rows) < 3 or rows[-1].status == "stopped", "Stop did not end the study"
    assert dialog.table.labels() == [r.label for r in rows]
    assert dialog.table.cell_text(0, "Status") == "completed"
    assert dialog.progress.format().startswith("Stopped: ")
    assert dialog.csv_button.isEnabled() and not state.training_active


def test_bad_batch_sizes_show_a_message_and_do_not_run(qtbot, dialog, state, tmp_path):
    load_table(state, tmp_path)
    dialog.form.set_kind("batch-sizes")
    for text, said in (("8, sixteen", "sixteen"), ("8, 0", "above zero"), ("2.5", "whole")):
        dialog.form.batch_edit.setText(text)
        assert not dialog.run_study()
        assert dialog.banner.isVisibleTo(dialog) and said in dialog.banner.text
        assert dialog.worker is None and not state.training_active
    dialog.form.batch_edit.setText("")
    assert not dialog.run_study() and "at least one batch size" in dialog.banner.text


def test_no_dataset_says_so_and_nothing_runs(qtbot, dialog, state):
    assert not dialog.run_button.isEnabled()
    assert "no dataset is open" in dialog.run_button.toolTip()
    assert "no dataset is open" in dialog.status_label.text()
    assert not dialog.run_study()
    assert "Open a table" in dialog.banner.text and dialog.worker is None


def test_training_on_the_train_page_blocks_a_study(qtbot, dialog, state, tmp_path):
    load_table(state, tmp_path)
    assert dialog.run_button.isEnabled()
    state.training_active = True
    dialog.refresh()
    assert not dialog.run_button.isEnabled()
    assert not dialog.run_study() and "Training is running" in dialog.banner.text


def test_devices_study_without_a_gpu_says_it_times_the_cpu_only(qtbot, state, tmp_path):
    from automl_gui.core.hardware import Device

    load_table(state, tmp_path)
    d = StudyDialog(state, devices=[Device(kind="CPU", name="CPU")])
    qtbot.addWidget(d)
    d.form.set_kind("devices")
    assert d.form.devices_note.text() == NO_GPU
    assert d.status_label.text() == NO_GPU


def test_parsing_the_lists():
    assert parse_batch_sizes("64, 8;16 16") == (8, 16, 64)
    assert parse_sizes("1, 25%, 0.1, 200") == (0.1, 0.25, 1.0, 200.0)
    with pytest.raises(ConfigError, match="neither a fraction"):
        parse_sizes("0.5, 2.5")
    with pytest.raises(ConfigError, match="not a number"):
        parse_sizes("half")


def test_the_choices_are_remembered(qtbot, state, settings):
    first = StudyDialog(state)
    qtbot.addWidget(first)
    first.form.set_kind("learning-curve")
    first.form.sizes_edit.setText("0.2, 1")
    first.form.epochs_spin.setValue(7)
    first.close()
    second = StudyDialog(state)
    qtbot.addWidget(second)
    assert second.form.kind == "learning-curve"
    assert second.form.sizes_edit.text() == "0.2, 1"
    assert second.form.epochs_spin.value() == 7
    second.form.sizes_edit.setText("nonsense")
    second.close()  # bad values are not remembered over good ones
    third = StudyDialog(state)
    qtbot.addWidget(third)
    assert third.form.sizes_edit.text() == "0.2, 1"


class _FakeWorker:
    """Stands in for a running study's worker (closing logic only, no training)."""

    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


def test_one_dialog_per_window_and_closing_while_running_asks(qtbot, state, monkeypatch):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    dialog = open_study_dialog(state, window)
    assert open_study_dialog(state, window) is dialog and dialog.isVisible()

    asked: list[str] = []
    answer = {"yes": False}
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, q: asked.append(q) or answer["yes"])
    worker = _FakeWorker()
    dialog.worker = worker  # as if a study were running
    dialog.reject()  # Esc / Close: asks; "No" keeps it running
    assert dialog.isVisible() and len(asked) == 1 and not worker.cancelled
    window.close()  # the window asks too; "No" keeps both
    assert window.isVisible() and len(asked) == 2
    answer["yes"] = True
    window.close()
    assert window.isVisible() and worker.cancelled  # it waits for the study to stop
    dialog._on_done()  # the study ended
    assert not window.isVisible() and not state.training_active


def test_the_summary_names_the_best_by_validation_and_for_time_studies_the_fastest():
    from automl_gui.core.tune.study.baseline import Baseline
    from automl_gui.core.tune.study.studies import StudyConfig, StudyResult, StudyRow
    from automl_gui.gui.dialogs._study_table import summary_text

    def row(label, val, test, seconds, status="completed", **kw):
        metrics = {"val_accuracy": val, "test_accuracy": test}
        return StudyRow(label, 0, status=status, metrics=metrics, seconds=seconds, **kw)

    rows = [row("8", 0.9, 0.7, 30), row("32", 0.8, 0.9, 12), row("64", 0.99, 0.95, 5, "failed")]
    result = StudyResult(
        "batch-sizes", "binary", StudyConfig("batch-sizes"), "t", "test_accuracy", rows
    )
    # the best validation score wins, not the best test score; a failed row never wins
    assert summary_text(result) == (
        "Study finished: 2 of 3 trainings completed; best by val accuracy: 8 (0.9000; test "
        "accuracy 0.7000); fastest: 32 (0:12)"
    )
    devices = StudyResult(
        "devices", "binary", StudyConfig("devices"), "t", "test_accuracy", rows[:1]
    )
    assert summary_text(devices).endswith("completed; fastest: 8 (0:30)")
    # none beat the majority class: no best, and the summary says so
    baseline = Baseline("val_accuracy", 0.95, "always answering the most common class, 'a'")
    none = StudyResult(
        "batch-sizes", "binary", StudyConfig("batch-sizes"), "t", "test_accuracy", rows, [],
        baseline,
    )  # fmt: skip
    assert "none beat the trivial baseline (validation accuracy 0.95" in summary_text(none)


def test_a_training_below_the_baseline_says_it_did_not_converge_and_is_not_best(qtbot, dialog):
    """Adadelta's flat loss was starred "converged" at epoch 1 with accuracy 0.34 under the
    majority class's 0.78, and the best was picked by test score."""
    from automl_gui.core.tune.study.baseline import Baseline
    from automl_gui.core.tune.study.studies import StudyConfig, StudyResult, StudyRow

    def row(label, val, test, below=False):
        return StudyRow(
            label, 0, metrics={"val_accuracy": val, "test_accuracy": test, "val_loss": 0.5},
            epochs=5, epochs_to_converge=None if below else 3,
            steps_to_converge=None if below else 30, below_baseline=below,
            history={"val_loss": [0.6, 0.5, 0.5]},
        )  # fmt: skip

    rows = [row("adam", 0.86, 0.80), row("sgd", 0.82, 0.84), row("adadelta", 0.34, 0.33, True)]
    baseline = Baseline("val_accuracy", 0.78, "always answering the most common class, 'no'", 0.77)
    result = StudyResult(
        "optimizers", "binary", StudyConfig("optimizers"), "t", "test_accuracy", rows, [], baseline
    )
    dialog._config, dialog._task = result.config, "binary"
    dialog._on_finished(result)
    table = dialog.table
    assert table.cell_text(2, "Iterations to converge") == "did not converge"
    from automl_gui.gui.dialogs._study_table import COLUMNS

    tip = table.item(2, COLUMNS.index("Iterations to converge")).toolTip()
    assert "0.78" in tip and "most common class" in tip
    assert table.header_text(3) == "Val accuracy"
    bold = [r for r in range(3) if table.item(r, 0).font().bold()]
    assert bold == [0]  # adam: the best validation accuracy, though sgd tested higher
    assert "best by val accuracy: adam" in dialog.status_label.text()
    # one wording everywhere (issue 15 follow-up): the status line, the table and its tooltip
    status = dialog.status_label.text()
    assert "did not converge (never beat the trivial baseline): adadelta" in status
    assert tip.startswith("adadelta did not converge (never beat the trivial baseline: ")
    assert "learned nothing" not in status + tip
    # the plot: no "converged" star for adadelta, the baseline drawn and named
    assert dialog.plot.converged_labels() == ["adam", "sgd"]
    assert any("most common class" in name for name in dialog.plot.legend_texts())


def test_the_window_menu_opens_it_and_a_running_study_blocks_training(qtbot, tmp_path):
    from automl_gui.gui.main_window import MainWindow

    window = MainWindow(
        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
        load_engine=False,
    )
    qtbot.addWidget(window)
    load_table(window.state, tmp_path)
    window.update_steps()
    assert window.action_start.isEnabled()
    window.action_compare.trigger()
    dialog = window.findChild(StudyDialog)
    assert dialog is not None and dialog.isVisible()
    window.action_compare.trigger()
    assert window.findChildren(StudyDialog) == [dialog]  # raised, not a second one
    dialog._set_active(True)  # what a starting study does
    assert window.state.training_active and not window.action_start.isEnabled()
    dialog._set_active(False)
    assert not window.state.training_active and window.action_start.isEnabled()


def test_the_window_fits_a_small_screen_with_its_buttons_and_legible_charts(qtbot, dialog):
    """It opened at a fixed 1180×900 (taller than a 900-px screen: Export and Close hidden),
    and shrunk, its charts became strips ~40 px tall. Now everything but the buttons scrolls
    and the charts keep a legible height."""
    from automl_gui.gui.dialogs._study_table import PLOT_MIN_HEIGHT, TABLE_MIN_HEIGHT

    free = dialog.screen().availableGeometry()
    assert dialog.height() <= free.height() and dialog.width() <= free.width()
    for size in ((1288, 828), (942, 644)):  # what 1400×900 and 1024×700 screens give it
        dialog.resize(*size)
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.wait(20)
        assert dialog.minimumSizeHint().height() <= size[1]
        inside = dialog.rect()
        for button in (dialog.csv_button, dialog.png_button, dialog.close_button):
            assert inside.contains(button.geometry()), button.text()
        assert dialog.plot.height() >= PLOT_MIN_HEIGHT
        assert dialog.table.height() >= TABLE_MIN_HEIGHT
    assert dialog.scroll.verticalScrollBar().maximum() > 0  # the rest is a scroll away


def test_at_1024_the_table_is_whole_beside_a_legible_running_plot_and_the_data_line_says_what_varies(
    qtbot, dialog, state, tmp_path
):
    """At 1024x700 the results table scrolled sideways ("Time" cut), the running training's plot
    was cut at its right edge with its legend over the val loss line, and the data line said
    "Training adam" while optimizers were compared."""
    from automl_gui.core.tune.study.studies import StudyConfig, StudyResult, StudyRow

    load_table(state, tmp_path)
    dialog.form.set_kind("optimizers")
    assert "<b>Compared</b> the optimizer" in dialog.data_label.text()
    shared = dialog.data_label.text().split("<b>Same for all</b>")[1]
    assert "adam" not in shared and "lr 0.001" in shared and "batch 16" in shared
    dialog.form.set_kind("batch-sizes")
    shared = dialog.data_label.text().split("<b>Same for all</b>")[1]
    assert "the batch size" in dialog.data_label.text() and "adam" in shared
    assert "batch" not in shared
    dialog.form.set_kind("optimizers")

    def row(label, val_loss, steps):
        return StudyRow(
            label, 0, metrics={"val_accuracy": 0.6667, "test_accuracy": 0.68, "val_loss": val_loss},
            seconds=2.0, epochs=4, epochs_to_converge=3, steps_to_converge=steps,
            history={"val_loss": [0.7, 0.65, 0.62, val_loss]},
        )  # fmt: skip

    rows = [row("sgd", 0.6035, 198), row("adam", 0.4979, 132), row("adadelta", 0.7938, 264)]
    result = StudyResult(
        "optimizers", "binary", StudyConfig("optimizers"), "churn.csv", "test_accuracy", rows
    )
    dialog.loss_plot.start("adadelta")
    for epoch, value in enumerate((0.7945, 0.794, 0.7939, 0.7938)):
        dialog.loss_plot.add_epoch(epoch, {"loss": 0.75, "val_loss": value})
    dialog.loss_plot.finish()
    dialog._config, dialog._task = result.config, "binary"
    dialog._on_finished(result)
    dialog.resize(942, 644)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.wait(20)
    table = dialog.table
    used = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert used <= table.viewport().width()
    for col in range(table.columnCount()):
        assert table.columnWidth(col) >= table.sizeHintForColumn(col), table.header_text(col)
    loss = dialog.loss_plot
    assert loss.width() >= 280  # legible beside the table
    assert loss.plot.legend is None  # the key is under the title, never over a line
    assert loss.title_text() == "Last: adadelta" and "val" in loss.title.text
