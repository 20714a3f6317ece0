"""Compare Settings: run a comparison study on the loaded data and watch it row by row.

A study (``core.tune.studies``) trains the current model several times, varying one thing:
the optimizer, the batch size, the amount of training data (a learning curve) or the device.
The dialog takes the data and settings from :class:`AppState`, runs the study in a
:class:`JobWorker` (in the engine process when there is one), fills a table and a
:class:`StudyPlot` as each training ends, plots the running training's loss, and exports the
result as CSV and PNG. While it runs, ``state.training_active`` is set (the Train page must not
start), and closing the dialog or the window asks first.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import EpochEnd, StudyRowEnded, StudyRowStarted
from automl_gui.core.base.units import format_duration
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import _study_job, messages
from automl_gui.gui.dialogs._study_form import NO_GPU, STUDY_TYPES, StudyForm
from automl_gui.gui.dialogs._study_table import (
    RunningLossPlot,
    StudyTable,
    results_area,
    scroll_area,
    summary_text,
    time_left,
    unscale_axes,
)
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner, muted_label
from automl_gui.gui.widgets.screen import resize_within_screen
from automl_gui.gui.workers import JobWorker

KEY_FORM = "study/form"
KEY_FOLDER = "study/last_folder"
PROGRESS_SCALE = 1000  # progress bar units per training

_dialogs: dict[int, StudyDialog] = {}  # parentless dialogs, kept alive (one per process)


class StudyDialog(QDialog):
    """The comparison study window (non-modal; one per main window)."""

    training_active_changed = Signal(bool)
    study_finished = Signal(object)  # the StudyResult (also after Stop)

    def __init__(
        self, state: AppState, parent: QWidget | None = None, devices: list[Any] | None = None
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.devices = list(devices) if devices else None
        self.worker: JobWorker | None = None
        self.result: Any = None
        self.rows: list[Any] = []
        self._config: Any = None
        self._task = ""
        self._total = 0
        self._running: int | None = None
        self._label = ""
        self._row_start = 0.0
        self._stopping = False
        self._close_after_stop = False
        self._close_window_after = False
        self.setWindowTitle("Compare Settings")
        self.setWindowFlags(
            self.windowFlags()
            | Qt.WindowType.WindowMaximizeButtonHint
            | Qt.WindowType.WindowMinimizeButtonHint
        )
        self.setModal(False)
        resize_within_screen(self, 1180, 900)

        self.data_label = QLabel()
        self.data_label.setWordWrap(True)
        self.data_label.setTextFormat(Qt.TextFormat.RichText)
        self.form = StudyForm()
        box = QGroupBox("What to compare")
        QVBoxLayout(box).addWidget(self.form)
        self.banner = Banner()

        self.run_button = QPushButton("Run study")
        self.run_button.setProperty("primary", True)
        self.run_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.run_button.clicked.connect(self.run_study)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current batch; finished trainings are kept")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_study)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("Not started")
        self.progress.setToolTip("Trainings done and the time left (an estimate)")
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.stop_button)
        run_row.addWidget(self.progress, 1)
        self.status_label = muted_label("Ready.")
        self.notes_label = muted_label()
        self.notes_label.hide()

        from automl_gui.plots.study import StudyPlot

        self.table = StudyTable()
        self.plot = StudyPlot()
        self.loss_plot = RunningLossPlot()
        results = results_area(self.table, self.loss_plot, self.plot)

        self.csv_button = QPushButton("Export &CSV…")
        self.csv_button.setToolTip("Save the table of results as a CSV file")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.png_button = QPushButton("Export &PNG…")
        self.png_button.setToolTip("Save the plot as a PNG image")
        self.png_button.clicked.connect(lambda: self.export_png())
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close this window (Esc); the results stay until the next run")
        self.close_button.clicked.connect(self.close)
        bottom = QHBoxLayout()
        bottom.addWidget(self.csv_button)
        bottom.addWidget(self.png_button)
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)

        # everything but the buttons scrolls: on a small screen the charts keep a legible
        # height (a scroll bar appears) instead of being squeezed into strips
        parts = (self.data_label, box, self.banner, run_row, self.status_label, results)
        self.scroll = scroll_area(parts, self.notes_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addLayout(bottom)

        self.form.restore(_study_job.load_json(KEY_FORM))
        self.form.kind_changed.connect(lambda _kind: self.refresh())
        for sig in (
            state.dataset_changed,
            state.target_changed,
            state.preprocess_changed,
            state.model_changed,
        ):
            sig.connect(self.refresh)
        state.engine_ready_changed.connect(lambda _ready: self.refresh())
        self.refresh()

    # -- what can run ---------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.worker is not None

    def gpu_available(self) -> bool | None:
        """Whether this computer has a GPU (None while the engine has not looked)."""
        devices = self.devices
        if devices is None:
            engine = getattr(self.parent(), "engine", None)
            devices = list(getattr(engine, "devices", []) or []) or None
        return _study_job.gpu_available(self.state, devices)

    def blocker(self) -> tuple[str, str]:
        """(message, hint) saying why a study cannot run now; empty strings when it can."""
        if self.is_running():
            return "A study is running.", ""
        return _study_job.blocker(self.state)

    def refresh(self) -> None:
        """Update the data summary, the devices note and the buttons from the state."""
        self.data_label.setText(_study_job.summary_html(self.state, self.form.kind))
        gpu = self.gpu_available()
        self.form.set_gpu_available(gpu)
        message, hint = self.blocker()
        running = self.is_running()
        self.run_button.setEnabled(not message)
        self.run_button.setToolTip(
            " ".join(p for p in (message, hint) if p) or "Run the study (Ctrl+Enter)"
        )
        self.stop_button.setEnabled(running and not self._stopping)
        self.form.setEnabled(not running)
        has_rows = self.result is not None and not running
        self.csv_button.setEnabled(has_rows)
        self.png_button.setEnabled(has_rows)
        if running or self.rows:
            return
        if message:
            self.status_label.setText(" ".join(p for p in (message, hint) if p))
        elif STUDY_TYPES[self.form.kind].on_gpus and gpu is False:
            self.status_label.setText(NO_GPU)
        else:
            self.status_label.setText("Ready.")

    # -- run ------------------------------------------------------------------------------------
    def study_config(self) -> Any:
        """The StudyConfig the form describes (ConfigError for bad values or this task)."""
        from automl_gui.core.tune.study.studies import StudyConfig

        config = StudyConfig(**self.form.values_dict())
        config.validate(_study_job.task_of(self.state))
        return config

    def run_study(self) -> bool:
        """Start the study with the state's data and the form's values; False when it cannot."""
        message, hint = self.blocker()
        if message:
            self.banner.show_message(message, hint, "info")
            return False
        try:
            config = self.study_config()
        except ConfigError as exc:
            self.banner.show_message(exc.message, exc.hint, "error")
            self.form.focus_values()
            return False
        app_settings.current().setValue(KEY_FORM, json.dumps(self.form.saved()))
        self._config = config
        self._task = _study_job.task_of(self.state) or ""
        self.banner.dismiss()
        self.notes_label.hide()
        self.result = None
        self.rows = []
        self._running = None
        self._total = 0
        self._stopping = False
        self.table.clear_rows(config.kind)
        self.table.set_metric("")
        self.plot.clear()
        self.loss_plot.start("waiting…")
        self.progress.setRange(0, 0)
        self.progress.setFormat("Preparing…")
        self.status_label.setText("Preparing the data…")

        worker = JobWorker(_study_job.make_job(self.state, config, self.devices), self)
        worker.study.connect(self._on_study)
        worker.epoch.connect(self._on_epoch)
        worker.progress.connect(lambda e: e.message and self.status_label.setText(e.message))
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        worker.done.connect(self._on_done)
        self.worker = worker
        self._set_active(True)
        worker.start()
        return True

    def stop_study(self) -> None:
        """Stop at the next batch; the finished trainings stay."""
        if self.worker is None:
            return
        self.worker.cancel()
        self._stopping = True
        self.stop_button.setEnabled(False)
        self.status_label.setText("Stopping after the current batch…")

    def _set_active(self, active: bool) -> None:
        self.state.training_active = active
        if active:
            self.state.run_started.emit()
            self.state.status.emit("Comparison study running…")
        self.training_active_changed.emit(active)
        self.refresh()

    # -- worker slots (main thread) -------------------------------------------------------------
    def _on_study(self, event: Any) -> None:
        if isinstance(event, StudyRowStarted):
            self._running, self._total, self._label = event.index, event.total, event.label
            self._row_start = time.monotonic()
            self.table.start_row(event.index, event.label)
            self.table.scrollToItem(self.table.item(event.index, 0))
            self.loss_plot.start(event.label)
            self.progress.setRange(0, max(event.total, 1) * PROGRESS_SCALE)
            self.progress.setValue(event.index * PROGRESS_SCALE)
            text = f"Training {event.index + 1} of {event.total}: {event.label}…"
            self.progress.setFormat(text)
            self.status_label.setText(text)
        elif isinstance(event, StudyRowEnded):
            row = event.row
            index = self._running if self._running is not None else self.table.rowCount()
            self._running = None
            self.rows.append(row)
            if not self.table.headline:
                from automl_gui.core.tune.study.baseline import selection_metric
                from automl_gui.core.tune.study.studies import headline_metric

                task = self._task
                self.table.set_metric(headline_metric(task), selection_metric(task))
            self.table.set_row(index, row, self.table.headline)
            self.plot.add_row(row, self._config.kind, self._task)
            unscale_axes(self.plot)
            done = min(index + 1, max(self._total, 1))
            if self._total:
                self.progress.setValue(done * PROGRESS_SCALE)
            self.status_label.setText(f"{row.label}: {row.status}. {row.reason}".strip())

    def _on_epoch(self, event: EpochEnd) -> None:
        if self._running is None:
            return
        self.loss_plot.add_epoch(event.epoch, event.logs)
        elapsed = time.monotonic() - self._row_start
        self.table.update_running(
            self._running, event.epoch + 1, event.logs.get("val_loss"), elapsed
        )
        total = max(self._total, 1)
        fraction = (event.epoch + 1) / max(event.epochs, 1)
        self.progress.setValue(round((self._running + min(fraction, 1.0)) * PROGRESS_SCALE))
        left = time_left(event, elapsed, self.rows, self._running, self._total)
        about = f" — about {format_duration(left, unknown='?')} left" if left is not None else ""
        self.progress.setFormat(
            f"Training {self._running + 1} of {total}: {self._label}, "
            f"epoch {event.epoch + 1}/{event.epochs}{about}"
        )

    def _on_finished(self, result: Any) -> None:
        self.result = result
        self.rows = list(result.rows)
        self.table.clear_rows(result.kind)
        self.table.set_metric(result.metric, result.selection, result.baseline)
        for i, row in enumerate(self.rows):
            self.table.set_row(i, row, result.metric)
        self.table.mark_best(result.best_index())  # by validation score, as the CLI and CSV
        self.plot.show_result(result)
        unscale_axes(self.plot)
        notes = list(getattr(result, "notes", []) or [])
        if notes:
            self.notes_label.setText("\n".join(notes))
            self.notes_label.show()
        summary = summary_text(result)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        seconds = format_duration(sum(r.seconds for r in self.rows), unknown="?")
        word = "Stopped" if self._stopping else "Done"
        n = len(self.rows)
        self.progress.setFormat(f"{word}: {n} training{'s' * (n != 1)} in {seconds}")
        self.status_label.setText(summary + ".")
        self.state.status.emit(summary)
        self.study_finished.emit(result)

    def _on_failed(self, message: str, hint: str) -> None:
        self.banner.show_message(message, hint, "error")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Failed")
        self.status_label.setText("The study failed; the finished trainings stay in the table.")
        self.state.status.emit(f"Study failed: {message}")
        self.result = _study_job.partial_result(
            self.state, self._config, self._task, self.rows, self.table.headline
        )

    def _on_cancelled(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Stopped")
        self.status_label.setText("Stopped before any training finished.")
        self.state.status.emit("Study stopped.")
        if self._running is not None:
            self.table.removeRow(self._running)
            self._running = None

    def _on_done(self) -> None:
        self.worker = None  # it deletes itself
        self.loss_plot.finish()
        self._stopping = False
        if self._running is not None:  # a row that neither finished nor was reported
            self.table.removeRow(self._running)
            self._running = None
        self._set_active(False)
        self.table.setCurrentCell(-1, -1)
        self.run_button.setFocus()  # Enter runs again; focus had gone to the table
        if self._close_window_after and self.parent() is not None:
            self._close_window_after = False
            self.parent().close()
        elif self._close_after_stop:
            self._close_after_stop = False
            self.close()

    # -- export ---------------------------------------------------------------------------------
    def export_csv(self, path: str | Path | None = None) -> Path | None:
        """Write the results as CSV (asks where when ``path`` is None); the path or None."""
        return self._export(path, "csv", "CSV files (*.csv)", lambda p: self.result.to_csv(p))

    def export_png(self, path: str | Path | None = None) -> Path | None:
        """Save the plot as PNG (asks where when ``path`` is None); the path or None."""
        return self._export(path, "png", "PNG images (*.png)", self.plot.save_png)

    def _export(self, path: str | Path | None, ext: str, filter_text: str, write: Any) -> Any:
        if self.result is None:
            return None
        if not path:
            kind = self.result.kind
            path = _study_job.ask_save_path(self, KEY_FOLDER, f"study_{kind}.{ext}", filter_text)
        if path is None:
            return None
        path = Path(path)
        try:
            written = Path(write(path))
        except OSError as exc:
            self.banner.show_message(f"Could not write {path}: {exc}", "Choose another folder.")
            return None
        self.status_label.setText(f"Saved {written}")
        self.state.status.emit(f"Saved {written.name}")
        return written

    # -- closing --------------------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Escape and self.is_running():
            self.status_label.setText("The study is running: press Stop first, or Close.")
            event.accept()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self.is_running():
            self.close()  # asks
            return
        super().reject()

    def _confirm_stop(self, question: str) -> bool:
        return messages.confirm(self, "A study is running", question)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.is_running():
            event.ignore()
            if not self._close_after_stop and self._confirm_stop(
                "Stop the study and close? The trainings that finished stay in the table."
            ):
                self._close_after_stop = True
                self.stop_study()
            return
        self._remember()
        super().closeEvent(event)

    def _remember(self) -> None:
        try:
            self.form.values_dict()
        except ConfigError:
            return  # keep the last good values
        app_settings.current().setValue(KEY_FORM, json.dumps(self.form.saved()))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        """The main window is closing while a study runs: ask, stop, then close it."""
        if obj is self.parent() and event.type() == QEvent.Type.Close and self.is_running():
            event.ignore()
            if not self._close_window_after and self._confirm_stop(
                "A comparison study is running. Stop it and quit?"
            ):
                self._close_window_after = True
                self.stop_study()
            return True
        return super().eventFilter(obj, event)


def open_study_dialog(state: AppState, parent: QWidget | None = None) -> StudyDialog:
    """Show the comparison study window (created once per ``parent``, raised if open).

    With a main window as parent, the window's training flag follows the study (its Start
    action and close prompt) and quitting during a study asks first and stops it.
    """
    dialog = parent.findChild(StudyDialog) if parent is not None else _dialogs.get(id(state))
    if dialog is None:
        engine = getattr(parent, "engine", None)
        devices = list(getattr(engine, "devices", []) or []) or None
        dialog = StudyDialog(state, parent, devices=devices)
        if parent is None:
            _dialogs[id(state)] = dialog
        else:
            parent.installEventFilter(dialog)
            train_page = getattr(parent, "train_page", None)
            signal = getattr(train_page, "training_active_changed", None)
            if signal is not None:  # the window's Start/Stop actions and close prompt
                dialog.training_active_changed.connect(signal)
            refresh = getattr(train_page, "refresh", None)
            if refresh is not None:
                dialog.training_active_changed.connect(lambda _active: refresh())
    dialog.refresh()
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
