"""Predict page: run the trained (or a loaded) model on a new table and save the predictions.

Files are read with :func:`core.data.tabular.read_table` and predicted with
:func:`core.export.predict_frame` in a :class:`JobWorker`; the target column, if present, is
just an extra column that ``predict_frame`` ignores. Problems (missing columns, unreadable
files) appear in a banner with the engine's message and hint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs.messages import Banner
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.dataframe_model import DataFrameModel
from automl_gui.gui.workers import JobWorker

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".parquet", ".pq")
TABLE_FILTER = "Tables (*.csv *.tsv *.txt *.tab *.parquet *.pq);;All files (*)"


class PredictPage(QWidget):
    """Predict on new files with the current model."""

    name = "predict"
    title = "Predict"

    predictions_ready = Signal(object)  # DataFrame
    prediction_failed = Signal(str, str)  # message, hint
    model_loaded = Signal(object)  # Bundle

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.bundle: Any = None  # the model predictions use
        self.bundle_source = ""
        self.predictions: Any = None  # DataFrame of the last prediction
        self.source_path: str | None = None
        self.worker: JobWorker | None = None

        title = QLabel("Predict")
        title.setProperty("role", "title")
        self.model_label = QLabel()
        self.model_label.setProperty("role", "muted")
        self.model_label.setWordWrap(True)
        self.open_button = QPushButton("Open file…")
        self.open_button.setProperty("primary", True)
        self.open_button.setToolTip("Choose a CSV/TSV/Parquet file with the same feature columns")
        self.open_button.clicked.connect(self._open_clicked)
        self.load_button = QPushButton("Load model…")
        self.load_button.setToolTip("Predict with an exported model (folder or .keras file)")
        self.load_button.clicked.connect(self._load_clicked)
        self.save_button = QPushButton("Save predictions…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self._save_clicked)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        buttons = QHBoxLayout()
        for b in (self.open_button, self.load_button, self.save_button):
            buttons.addWidget(b)
        buttons.addWidget(self.busy)
        buttons.addStretch(1)

        self.banner = Banner()
        self.info = QLabel("Drop a table file here, or use Open file…")
        self.info.setProperty("role", "muted")
        self.model = DataFrameModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.model_label)
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)

        state.run_finished.connect(self._on_run_finished)
        self._on_run_finished()

    # -- model source -------------------------------------------------------------------------
    def _on_run_finished(self) -> None:
        run = self.state.run
        if run is not None:
            self.bundle = run.bundle
            self.bundle_source = "the model trained in this session"
        elif self.bundle_source.startswith("the model trained"):
            self.bundle, self.bundle_source = None, ""
        self._refresh()

    def _refresh(self) -> None:
        has_model = self.bundle is not None
        busy = self.worker is not None
        if has_model:
            meta = getattr(self.bundle, "metadata", {}) or {}
            target = meta.get("target", "?")
            task = meta.get("task", "?")
            self.model_label.setText(
                f"Model: {self.bundle_source} (predicts <b>{target}</b>, {task})."
            )
        else:
            self.model_label.setText("No model yet: train one, or load an exported model.")
        self.open_button.setEnabled(has_model and not busy)
        self.open_button.setToolTip(
            "Choose a CSV/TSV/Parquet file with the same feature columns"
            if has_model
            else "Train a model or load one first"
        )
        self.load_button.setEnabled(not busy)
        self.save_button.setEnabled(self.predictions is not None and not busy)
        self.busy.setVisible(busy)

    # -- drop / open ---------------------------------------------------------------------------
    def accept_drop(self, path: str) -> bool:
        """Predict on a dropped table file when a model exists; False otherwise."""
        if self.bundle is None or self.worker is not None:
            return False
        if Path(path).suffix.lower() not in TABLE_SUFFIXES:
            return False
        self.predict_file(path)
        return True

    def _open_clicked(self) -> None:
        settings = app_settings.current()
        folder = app_settings.last_folder(settings, "predict/last_folder")
        path, _ = QFileDialog.getOpenFileName(self, "Predict on file", folder, TABLE_FILTER)
        if path:
            app_settings.set_last_folder(settings, path, "predict/last_folder")
            self.predict_file(path)

    def predict_file(self, path: str) -> None:
        """Read ``path`` and predict on it in the background (emits predictions_ready/failed)."""
        if self.bundle is None:
            self._fail("No model to predict with.", "Train a model or load an exported one.")
            return
        bundle = self.bundle

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.data.tabular import read_table
            from automl_gui.core.export.bundle import predict_frame

            table = read_table(path, on_event=on_event, cancel=cancel)
            return predict_frame(bundle, table.df), table.notices

        self.source_path = path
        self.info.setText(f"Predicting on {Path(path).name}…")
        self._start(job, self._on_predicted, clear_on_fail=True)

    def _on_predicted(self, result: Any) -> None:
        frame, notices = result
        self.predictions = frame
        # The answers first: the input columns can be many and would push them off screen.
        answers = [c for c in frame.columns if c == "prediction" or c.startswith("probability_")]
        shown = frame[answers + [c for c in frame.columns if c not in answers]]
        self.model.set_frame(shown)
        self.table.resizeColumnsToContents()
        name = Path(self.source_path or "").name
        self.info.setText(f"{len(frame):,} predictions for {name}.")
        if notices:
            self.banner.show_message("; ".join(notices), "", "info")
        self.state.status.emit(f"Predicted {len(frame):,} rows of {name}")
        self.predictions_ready.emit(frame)

    # -- loading a model -----------------------------------------------------------------------
    def _load_clicked(self) -> None:
        settings = app_settings.current()
        folder = app_settings.last_folder(settings, "predict/model_folder")
        path = QFileDialog.getExistingDirectory(self, "Load exported model (folder)", folder)
        if path:
            settings.setValue("predict/model_folder", str(Path(path).parent))
            self.load_model(path)

    def load_model(self, path: str) -> None:
        """Load an exported bundle (folder or ``.keras`` file) in the background."""

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.export.bundle import load_bundle

            return load_bundle(path)

        self.info.setText(f"Loading model {Path(path).name}…")
        self._start(job, lambda bundle: self._on_loaded(bundle, path))

    def _on_loaded(self, bundle: Any, path: str) -> None:
        self.bundle = bundle
        self.bundle_source = f"loaded from {path}"
        self.info.setText("Model loaded. Drop a table file here, or use Open file…")
        self.model_loaded.emit(bundle)

    # -- saving --------------------------------------------------------------------------------
    def _save_clicked(self) -> None:
        settings = app_settings.current()
        folder = app_settings.last_folder(settings, "predict/last_folder")
        stem = Path(self.source_path).stem if self.source_path else "data"
        path, _ = QFileDialog.getSaveFileName(
            self, "Save predictions", str(Path(folder) / f"{stem}_predictions.csv"), "CSV (*.csv)"
        )
        if path:
            self.save_predictions(path)

    def save_predictions(self, path: str) -> bool:
        """Write the predictions table to ``path`` as CSV (atomically). True on success."""
        if self.predictions is None:
            return False
        target = Path(path)
        if self.source_path and target.resolve() == Path(self.source_path).resolve():
            self._fail(
                "Will not overwrite the input file.", "Choose another name for the predictions."
            )
            return False
        from automl_gui.core.errors import describe
        from automl_gui.core.files import atomic_write

        frame = self.predictions
        try:
            atomic_write(target, lambda tmp: frame.to_csv(tmp, index=False))
        except OSError as exc:
            self._fail(*describe(exc))
            return False
        self.banner.show_message(
            f"Saved {len(self.predictions):,} predictions to {target}.", "", "success"
        )
        return True

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until the background job (if any) has ended; True when idle."""
        return self.worker is None or self.worker.wait(msecs)

    # -- worker plumbing -----------------------------------------------------------------------
    def _start(self, job: Any, on_result: Any, *, clear_on_fail: bool = False) -> None:
        self.banner.dismiss()
        worker = JobWorker(job, self)
        worker.finished.connect(on_result)
        if clear_on_fail:  # the table must never show another file's answers as this one's
            worker.failed.connect(self._clear_predictions)
        worker.failed.connect(self._fail)
        worker.done.connect(self._on_done)
        self.worker = worker
        self._refresh()
        worker.start()

    def _clear_predictions(self, *_: Any) -> None:
        self.predictions = None
        self.model.set_frame(None)

    def _fail(self, message: str, hint: str = "") -> None:
        self.banner.show_message(message, hint, "error")
        self.info.setText("")
        self.prediction_failed.emit(message, hint)

    def _on_done(self) -> None:
        self.worker = None  # it deletes itself
        self._refresh()
