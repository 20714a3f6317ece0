"""Predict page: run the trained (or a loaded) model on new data and save the predictions.

Table models: files are read with :func:`core.data.tabular.read_table` and predicted with
:func:`core.export.predict_frame` in a :class:`JobWorker`; the target column, if present, is
just an extra column that ``predict_frame`` ignores.

Image and audio models (``bundle.kind`` "images" / "audio"): files and folders (recursed) are
dropped or chosen and predicted in a worker with progress and Cancel, shown as a table (path,
prediction, confidence, probability_<class>, error) beside a gallery (images) or the selected
clip with Play, waveform and spectrogram (audio); see ``_predict_files.py``.

Problems (missing columns, unreadable files) appear in a banner with the engine's message and
hint. "Save predictions…" writes the table as CSV.

Trust (``_predict_drift.py``): the data is compared with the training data while it is
answered (``predict_with_drift``, the same worker) and a strip names what drifted; a
table model's selected row shows what moved its answer; the model line says a binary
model's chosen threshold.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages._predict_drift import PredictTrust, said_by_drift
from automl_gui.gui.pages._predict_files import (
    FilesPredicting,
    files_model_text,
    image_items,
    is_media_input,
)
from automl_gui.gui.pages._predict_model import PredictionsModel, probability_columns
from automl_gui.gui.pages._predict_text import TypeBox
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.widgets.clip_list import ClipPanel
from automl_gui.gui.widgets.frame_table import FrameTable
from automl_gui.gui.widgets.image_gallery import ImageGallery
from automl_gui.gui.workers import JobWorker

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".tab", ".parquet", ".pq")
TABLE_FILTER = "Tables (*.csv *.tsv *.txt *.tab *.parquet *.pq);;All files (*)"

__all__ = ["PredictPage", "image_items"]


#: notice lines shown in the banner; more go to its tooltip
SHOWN_NOTICES = 4


class PredictPage(PredictTrust, FilesPredicting, QWidget):
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
        self.source_name = ""  # what the predictions are for ("photos", "3 items")
        self.worker: JobWorker | None = None
        self.gallery_items: list[tuple[str, str, str]] = []

        title = QLabel("Predict")
        title.setProperty("role", "title")
        self.model_label = QLabel()
        self.model_label.setProperty("role", "muted")
        self.model_label.setWordWrap(True)
        self.open_button = QPushButton("Open file…")
        self.open_button.setProperty("primary", True)
        self.open_button.setToolTip("Choose a CSV/TSV/Parquet file with the same feature columns")
        self.open_button.clicked.connect(self._open_clicked)
        self.folder_button = QPushButton("Open folder…")
        self.folder_button.setToolTip("Predict every image in a folder and its subfolders")
        self.folder_button.clicked.connect(self._open_folder_clicked)
        self.load_button = QPushButton("Load model…")
        self.load_button.setToolTip("Predict with an exported model (folder or .keras file)")
        self.load_button.clicked.connect(self._load_clicked)
        self.save_button = QPushButton("Save predictions…")
        self.save_button.setEnabled(False)
        self.save_button.setToolTip("Write the predictions table as a CSV file")
        self.save_button.clicked.connect(self._save_clicked)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(160)
        self.busy.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop predicting (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        QShortcut(
            QKeySequence(Qt.Key.Key_Escape),
            self,
            self.cancel,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        buttons = QHBoxLayout()
        for b in (self.open_button, self.folder_button, self.load_button, self.save_button):
            buttons.addWidget(b)
        buttons.addWidget(self.busy)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)

        self.banner = Banner()
        self.info = QLabel("Drop a table file here, or use Open file…")
        self.info.setProperty("role", "muted")
        self.info.setWordWrap(True)
        self.model = PredictionsModel()  # probabilities as "90.4%"
        self.table = FrameTable()  # columns fitted as they come into view (wide tables)
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setResizeContentsPrecision(200)  # rows measured: fast
        self.gallery = ImageGallery()
        self.gallery.setToolTip(
            "The predicted images: hover for the probabilities, double-click for a larger view"
        )
        self.gallery.activated_path.connect(self.select_path)
        self._clip_panel: ClipPanel | None = None  # made for the first audio model
        self._type_box: TypeBox | None = None  # made for the first text model
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(self.table)
        self.split.addWidget(self.gallery)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.gallery.hide()
        self._init_trust()
        self.split.addWidget(self.contributions)  # the clip panel goes before it (index 2)
        self.split.setStretchFactor(self.split.indexOf(self.contributions), 2)
        self.predictions_ready.connect(self._after_predictions)

        layout = self._layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.model_label)
        layout.addLayout(buttons)
        layout.addWidget(self.banner)
        layout.addWidget(self.drift_strip)
        layout.addWidget(self.info)
        layout.addWidget(self.split, 1)

        state.run_finished.connect(self._on_run_finished)
        self._on_run_finished()

    # -- model source -------------------------------------------------------------------------
    @property
    def clip_panel(self) -> ClipPanel:
        """The selected clip of an audio model's predictions (play, waveform, spectrogram)."""
        if self._clip_panel is None:
            self._clip_panel = ClipPanel(shortcut_scope=self.table)  # Space plays
            self._clip_panel.hide()
            self.split.insertWidget(2, self._clip_panel)  # the files' side view is third
            self.split.setStretchFactor(2, 2)
        return self._clip_panel

    @property
    def type_box(self) -> TypeBox:
        """Where one example is typed and classified as it is typed (text models)."""
        if self._type_box is None:
            self._type_box = TypeBox()
            self._type_box.hide()
            self._layout.insertWidget(self._layout.indexOf(self.split), self._type_box)
        return self._type_box

    def _on_run_finished(self) -> None:
        run = self.state.run
        if run is not None:  # a kept run (one opened from a folder too) by its name
            record = self.state.run_record(self.state.current_run_id)
            named = f"of “{html.escape(record.name)}”" if record else "trained in this session"
            self._set_bundle(run.bundle, f"the model {named}")
        elif self.bundle_source.startswith("the model "):
            self._set_bundle(None, "")
        self._refresh()

    def _set_bundle(self, bundle: Any, source: str) -> None:
        """Use ``bundle``; answers of a model of another kind (table/images/audio) are
        cleared."""
        old = self.media()
        if bundle is not self.bundle:
            self._stop_trust()  # drift and contributions were the old model's
        self.bundle, self.bundle_source = bundle, source
        media = self.media()
        if media is not old:
            self._clear_predictions()
            self.info.setText(self._prompt())
        typed = media is not None and media.words.type_box
        if typed:
            self.type_box.setTitle(f"Type or paste a {media.noun}")
            self.type_box.set_bundle(bundle)
        if typed or self._type_box is not None:
            self.type_box.setVisible(typed)

    def _prompt(self) -> str:
        media = self.media()
        if media is not None:
            typed = f"Type a {media.noun} above, or drop" if media.words.type_box else "Drop"
            return (
                f"{typed} {media.noun}s or a folder here, or use {media.open_text} / Open folder…"
            )
        return "Drop a table file here, or use Open file…"

    def _model_text(self) -> str:
        from html import escape

        from automl_gui.core.trust.thresholds import threshold_words

        media = self.media()
        meta = getattr(self.bundle, "metadata", {}) or {}
        if media is not None:
            text = files_model_text(self.bundle, media, self.bundle_source)
        else:
            target = meta.get("target", "?")
            task = meta.get("task", "?")
            text = f"Model: {self.bundle_source} (predicts <b>{target}</b>, {task})."
        threshold = threshold_words(meta)  # a binary model's chosen threshold
        return f"{text} {escape(threshold)}" if threshold else text

    def _refresh(self) -> None:
        has_model = self.bundle is not None
        busy = self.worker is not None
        media = self.media()
        self.contributions.setVisible(
            has_model and media is None and self.predictions is not None and self._asked_row >= 0
        )
        if has_model:
            self.model_label.setText(self._model_text())
        else:
            self.model_label.setText("No model yet: train one, or load an exported model.")
        self.open_button.setText(media.open_text if media else "Open file…")
        self.open_button.setEnabled(has_model and not busy)
        if not has_model:
            tip = "Train a model or load one first"
        elif media is not None:
            tip = media.open_tip
        else:
            tip = "Choose a CSV/TSV/Parquet file with the same feature columns"
        self.open_button.setToolTip(tip)
        self.folder_button.setVisible(media is not None)
        if media is not None:
            self.folder_button.setToolTip(media.folder_tip)
        if not self.is_image_model():
            self.gallery.hide()
        if not self.is_audio_model() and self._clip_panel is not None:
            self._clip_panel.hide()
        self.folder_button.setEnabled(media is not None and not busy)
        self.load_button.setEnabled(not busy)
        self.save_button.setEnabled(self.predictions is not None and not busy)
        self.busy.setVisible(busy)
        self.cancel_button.setVisible(busy)

    # -- drop / open ---------------------------------------------------------------------------
    def accept_drop(self, path: str) -> bool:
        """Predict on a dropped table file (table model) or image/audio file or folder (image
        or audio model) when a model exists and nothing is running; False otherwise."""
        return self.accept_drops([path])

    def accept_drops(self, paths: list[str]) -> bool:
        """:meth:`accept_drop` for several dropped items: a file model predicts them all."""
        if self.bundle is None or self.worker is not None or not paths:
            return False
        media = self.media()
        if media is not None:
            if not all(is_media_input(p, media) for p in paths):
                return False
            self.predict_files(paths)
            return True
        if Path(paths[0]).suffix.lower() not in TABLE_SUFFIXES:
            return False
        self.predict_file(paths[0])
        return True

    def _open_clicked(self) -> None:
        settings = app_settings.current()
        folder = app_settings.last_folder(settings, "predict/last_folder")
        media = self.media()
        if media is not None:
            paths, _ = QFileDialog.getOpenFileNames(
                self, f"Classify {media.noun}s", folder, media.file_filter
            )
            if paths:
                app_settings.set_last_folder(settings, paths[0], "predict/last_folder")
                self.predict_files(paths)
            return
        path, _ = QFileDialog.getOpenFileName(self, "Predict on file", folder, TABLE_FILTER)
        if path:
            app_settings.set_last_folder(settings, path, "predict/last_folder")
            self.predict_file(path)

    def _open_folder_clicked(self) -> None:
        settings = app_settings.current()
        folder = app_settings.last_folder(settings, "predict/last_folder")
        media = self.media()
        noun = media.noun if media is not None else "file"
        path = QFileDialog.getExistingDirectory(self, f"Classify the {noun}s in a folder", folder)
        if path:
            settings.setValue("predict/last_folder", str(Path(path).parent))
            self.predict_files([path])

    def predict_file(self, path: str) -> None:
        """Read ``path`` and predict on it in the background (emits predictions_ready/failed)."""
        if self.bundle is None:
            self._fail("No model to predict with.", "Train a model or load an exported one.")
            return
        bundle = self.bundle
        self._stop_trust()

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.data.tabular import read_table
            from automl_gui.core.trust.drift import predict_with_drift

            table = read_table(path, on_event=on_event, cancel=cancel)
            # the answers (through the kind: a chosen threshold applies), then the drift
            frame, drift = predict_with_drift(bundle, table.df, on_event=on_event, cancel=cancel)
            return frame, table.notices, drift

        self.source_path = path
        self.info.setText(f"Predicting on {Path(path).name}…")
        self._start(job, self._on_predicted, clear_on_fail=True)

    def _on_predicted(self, result: Any) -> None:
        frame, notices, drift = result
        self.predictions = frame
        self.source_name = Path(self.source_path or "").name
        self._show_side_view(None)
        # The answers first: the input columns can be many and would push them off screen.
        # Their names come from the engine (a user's own "prediction" column is kept and ours
        # then carry a suffix); an older frame without the mapping uses the plain names.
        named = frame.attrs.get("answer_columns")
        answers = (
            [c for c in named.values() if c in frame.columns and c != named.get("actual")]
            if named
            else [c for c in frame.columns if c == "prediction" or c.startswith("probability_")]
        )
        shown = frame[answers + [c for c in frame.columns if c not in answers]]
        self.model.set_frame(shown, probability_columns(frame))
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.resizeColumnsToContents()
        name = Path(self.source_path or "").name
        self.info.setText(f"{len(frame):,} predictions for {name}.")
        # categories the model never saw are said once, in the drift strip
        notices = said_by_drift(
            [*notices, *frame.attrs.get("notices", [])], frame.attrs.get("input_problems"), drift
        )
        if frame.attrs.get("input_problems") and notices:  # values filled, unknown or extrapolated
            shown, more = notices[:SHOWN_NOTICES], notices[SHOWN_NOTICES:]
            if more:  # a wide table can name thousands of columns: the rest in the tooltip
                n = len(frame.attrs["input_problems"]) - sum(
                    line.startswith("Column '") for line in shown
                )
                shown.append(f"…and {n:,} more columns with odd values (hover to list them).")
            self.banner.show_message(
                "\n".join(shown),
                "The model still answered for these rows; check the columns named.",
                "warning",
            )
            self.banner.setToolTip("\n".join(notices[:200]))
        elif notices:
            self.banner.show_message("; ".join(notices), "", "info")
        self.state.status.emit(f"Predicted {len(frame):,} rows of {name}")
        self._show_drift(drift)
        self._split_for_contributions()
        self.predictions_ready.emit(frame)

    def cancel(self) -> None:
        """Stop the running prediction (the job ends at its next batch)."""
        if self.worker is not None:
            self.worker.cancel()
            self.info.setText("Cancelling…")

    def _on_cancelled(self) -> None:
        self._clear_predictions()
        self.info.setText("Prediction cancelled.")

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
        self._set_bundle(bundle, f"loaded from {path}")
        self.info.setText(f"Model loaded. {self._prompt()}")
        self.model_loaded.emit(bundle)

    # -- saving --------------------------------------------------------------------------------
    def _save_clicked(self) -> None:
        settings = app_settings.current()
        folder = app_settings.last_folder(settings, "predict/last_folder")
        media = self.media()
        default = f"{media.noun}s" if media is not None else "data"
        stem = Path(self.source_path).stem if self.source_path else default
        path, _ = QFileDialog.getSaveFileName(
            self, "Save predictions", str(Path(folder) / f"{stem}_predictions.csv"), "CSV (*.csv)"
        )
        if path:
            app_settings.set_last_folder(settings, path, "predict/last_folder")
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
        from automl_gui.core.base.errors import describe
        from automl_gui.core.base.files import atomic_write

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
        panel_idle = self._clip_panel is None or self._clip_panel.wait_idle(msecs)
        box_idle = self._type_box is None or self._type_box.wait_idle(msecs)
        idle = self.worker is None or self.worker.wait(msecs)
        return panel_idle and box_idle and idle and self._trust_idle(msecs)

    # -- worker plumbing -----------------------------------------------------------------------
    def _start(self, job: Any, on_result: Any, *, clear_on_fail: bool = False) -> None:
        self.banner.dismiss()
        worker = JobWorker(job, self)
        worker.finished.connect(on_result)
        if clear_on_fail:  # the table must never show another file's answers as this one's
            worker.failed.connect(self._clear_predictions)
        worker.failed.connect(self._fail)
        worker.cancelled.connect(self._on_cancelled)
        worker.done.connect(self._on_done)
        self.worker = worker
        self.busy.setRange(0, 0)  # busy until the job reports a fraction
        self._refresh()
        worker.start()

    def _clear_predictions(self, *_: Any) -> None:
        self._stop_trust()
        self.predictions = None
        self.model.set_frame(None)
        self.gallery_items = []
        self.gallery.clear()
        if self._clip_panel is not None:
            self._clip_panel.clear()

    def _fail(self, message: str, hint: str = "") -> None:
        self.banner.show_message(message, hint, "error")
        self.info.setText("")
        self.prediction_failed.emit(message, hint)

    def _on_done(self) -> None:
        self.worker = None  # it deletes itself
        self._refresh()
