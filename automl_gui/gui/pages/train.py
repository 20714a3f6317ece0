"""Train page: what will be trained, Start/Stop, progress with ETA, live plots, epoch log.

Training runs ``core.jobs.train`` with the kind's ``TrainRequest`` (tables, folders of
images or sound clips) through ``core.jobs.run_job`` (in the engine's child process, or,
without one, in a thread) from a :class:`JobWorker`. After each
epoch the accumulated history goes through :func:`core.train.diagnostics.diagnose`; an
overfitting finding shows a banner with remedies and a marker on the plots.

Every training (not a search) checkpoints each epoch; an interrupted one (a crash, a kill, a
closed window) is offered back by a banner: Resume training or Discard (``_resume_training``).
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.events import BatchEnd, EpochEnd, Log, PhaseChanged, Progress
from automl_gui.core.base.units import format_duration
from automl_gui.gui.pages._resume_training import TrainingCheckpoints
from automl_gui.gui.pages._search_run import SearchController
from automl_gui.gui.pages._train_summary import (
    STOP_REASONS,
    finished_message,
    replay_run,
    start_mode,
    summary_html,
)
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.widgets.live_plots import TrainingPlots
from automl_gui.gui.workers import JobWorker

LOG_MAX_LINES = 2000
LEADERBOARD_MIN_HEIGHT = 200  # px: the leaderboard's title, two-line header, 4 rows, scroll bar
LOG_MIN_HEIGHT = 70  # px: three lines of the epoch log
PROGRESS_SCALE = 1000  # progress bar units per epoch (batches move it within an epoch)


class TrainPage(QWidget):
    """Start and watch training; Stop keeps the best weights."""

    training_active_changed = Signal(bool)

    name = "train"
    title = "Train"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.worker: JobWorker | None = None
        self._history: dict[str, list[float]] = {}
        self._epochs_total = 0
        self._last_diagnosis: Any = None
        self._pending_weights_error: Any = None

        title = QLabel("Train")
        title.setProperty("role", "title")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)

        self.start_button = QPushButton("Start training")
        self.start_button.setProperty("primary", True)
        self.start_button.setShortcut("Ctrl+Return")
        self.start_button.clicked.connect(lambda: self.start_training())
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop at the next batch and keep the best weights so far")
        self.stop_button.setEnabled(False)
        self.stop_button.clicked.connect(self.stop_training)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Not started")
        self.progress.setTextVisible(True)
        self.mode_label = QLabel()  # what Start does: train one model or run a search
        self.mode_label.setProperty("role", "muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.mode_label)
        buttons.addWidget(self.progress, 1)

        self.status_label = QLabel("Ready.")
        self.status_label.setProperty("role", "muted")
        self.error_banner = Banner()
        self.diagnosis_banner = Banner()

        self.plots = TrainingPlots()
        self.log_view = QPlainTextEdit()
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(LOG_MAX_LINES)
        self.log_view.setPlaceholderText("Epoch log")
        self.search = SearchController(self)  # the AutoML search: leaderboard, resume banner
        self.checkpoints = TrainingCheckpoints(self)  # per-epoch checkpoints, resume banner
        self.resume_banner_training = self.checkpoints.banner
        self.splitter = splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)  # no plot dragged down to a strip
        self.search.leaderboard.setMinimumHeight(LEADERBOARD_MIN_HEIGHT)
        self.log_view.setMinimumHeight(LOG_MIN_HEIGHT)
        for i, (widget, stretch) in enumerate(
            ((self.plots, 4), (self.search.leaderboard, 3), (self.log_view, 1))
        ):
            splitter.addWidget(widget)
            splitter.setStretchFactor(i, stretch)
        # plots, leaderboard and log keep readable heights: on a short window they scroll
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(splitter)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.search.resume_banner)
        layout.addWidget(self.resume_banner_training)
        layout.addWidget(self.diagnosis_banner)
        layout.addWidget(self.scroll, 1)

        for sig in (
            state.dataset_changed,
            state.target_changed,
            state.preprocess_changed,
            state.model_changed,
        ):
            sig.connect(self.refresh)
        state.engine_ready_changed.connect(lambda _ready: self.refresh())
        self._shown_run_id: str | None = None  # the kept run whose curves are shown
        state.run_selected.connect(self._on_run_selected)
        state.dataset_changed.connect(self._on_dataset_changed)
        self.refresh()

    # -- summary and Start availability -------------------------------------------------------
    def start_blocker(self) -> str:
        """Why training (or the search) cannot start now ('' when it can)."""
        reason = self._data_blocker()
        if reason or self.state.search is None:
            return reason
        from automl_gui.core.base.errors import ConfigError

        try:
            self.state.search.validate(None if self.state.kind.file_based else self.state.task)
        except ConfigError as exc:
            return f"{exc.message} {exc.hint} (Model page)"
        return ""

    def _data_blocker(self) -> str:
        st = self.state
        if self.is_training():
            return "Training is running."
        if st.training_active:  # a comparison study (Tools → Compare Settings) is training
            return "A comparison study is running (Tools → Compare Settings): wait or stop it."
        if st.kind.file_based:
            if st.dataset is None:
                word = st.kind.dataset_noun
                return (
                    f"Open {'an' if word[0] in 'aeiou' else 'a'} {word} first "
                    f"(File → Open {word.title()}…)."
                )
            if not st.engine_ready:
                return "Engine loading…"
            return ""
        if st.dataset is None:
            return "Open a dataset first (File → Open Dataset…)."
        if not st.target or st.settings().preprocess is None:
            return "Choose a target column on the Data page first."
        if not st.settings().preprocess.feature_columns():
            return "No feature columns are selected: include at least one on the Preprocess page."
        if not st.engine_ready:
            return "Engine loading…"
        return ""

    def refresh(self) -> None:
        """Update the summary and the Start button's state from AppState."""
        self.summary.setText(self._summary_html())
        reason = self.start_blocker()
        running = self.is_training()
        self.start_button.setEnabled(not reason and not running)
        searching = self.state.search is not None
        self.start_button.setText("Start search" if searching else "Start training")
        what = "Run the AutoML search" if searching else "Train the model"
        self.start_button.setToolTip(reason or f"{what} (Ctrl+Enter)")
        text, tip = start_mode(self.state)
        self.mode_label.setText(text)
        self.mode_label.setToolTip(tip)
        self.stop_button.setEnabled(running)
        self.search.check_resume()
        self.check_resume_training()

    def show_finished_run(self, record: Any) -> None:
        """Show a kept run's curves, epoch log and figures (a reopened project, Use this
        run), with the leaderboard of the search that chose it."""
        replay_run(self, record)
        self._shown_run_id = record.id
        searched = (record.settings or {}).get("search")
        if not searched or not self.search.show_saved(record):
            self.search.hide_board()

    def _on_run_selected(self, run_id: str) -> None:
        """A kept run was made current (Runs window, reopened project): show it."""
        record = self.state.run_record(run_id)
        if record is not None and run_id != self._shown_run_id and not self.is_training():
            self.show_finished_run(record)

    def _on_dataset_changed(self) -> None:
        """A new dataset (or none): the curves of the old one's run go."""
        if self.is_training() or self.state.current_run_id is not None:
            return
        self._shown_run_id = None
        self.plots.reset(self.state.task or "binary")
        self.log_view.clear()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Not started")
        self.set_status("Ready.")

    def check_resume_training(self) -> None:
        """Offer to resume an interrupted training of the loaded dataset (the project code
        calls this after reopening a project; refresh does too)."""
        self.checkpoints.check()

    def _summary_html(self) -> str:
        return summary_html(self.state)

    def is_training(self) -> bool:
        return self.worker is not None

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until the background job (if any) has ended; True when idle."""
        return self.worker is None or self.worker.wait(msecs)

    # -- start / stop ---------------------------------------------------------------------------
    def start_training(self, resume: bool = False) -> None:
        """Start training with the state's data and settings (no-op if it cannot start).

        ``resume``: continue the interrupted training offered by the banner (its
        checkpoint); otherwise training starts afresh and replaces any checkpoint.
        """
        reason = self.start_blocker()
        if reason:
            self.error_banner.show_message(
                "Cannot start training.", reason, "info", lambda: not self.start_blocker()
            )
            return
        st = self.state
        if st.search is not None:
            self.search.start()
            return
        where = self.checkpoints.job_options(resume)  # checkpoint_dir, resume
        self.start_job(self._train_job(where), st.job_task(), st.training.epochs)

    def _train_job(self, where: dict[str, Any]) -> Any:
        """The training job (``core.jobs.train``) for the loaded kind with the state's
        settings, copied now, and the checkpoint options ``where``; in the engine process
        when there is one."""
        from automl_gui.core.jobs import TrainRequest

        st = self.state
        kept = st.settings()
        request = TrainRequest(
            st.kind,
            st.job_data(),
            copy.deepcopy(kept.preprocess),
            copy.deepcopy(kept.model),
            copy.deepcopy(st.training),
            st.hardware_plan,
            **where,
        )
        process = st.engine_process

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.jobs import run_job, train  # in the worker: TensorFlow-heavy

            return run_job(train, request, engine_process=process, on_event=on_event, cancel=cancel)

        return job

    def start_job(self, job: Any, task: str, epochs: int) -> None:
        st = self.state
        self._history = {}
        self._epochs_total = epochs
        self._last_diagnosis = None
        self.error_banner.dismiss()
        self.diagnosis_banner.dismiss()
        self.log_view.clear()
        self.plots.reset(task)
        self.progress.setRange(0, 0)  # busy until the first epoch
        self.progress.setFormat("Preparing…")
        self.set_status("Preparing the data…")

        worker = JobWorker(job, self)
        worker.progress.connect(self._on_progress)
        worker.log.connect(self._on_log)
        worker.phase.connect(self._on_phase)
        worker.batch.connect(self._on_batch)
        worker.epoch.connect(self._on_epoch)
        worker.trial.connect(self.search.on_trial)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.error.connect(self._on_error)
        worker.cancelled.connect(self._on_cancelled)
        worker.done.connect(self._on_done)
        self.worker = worker
        st.training_active = True
        st.run_started.emit()
        self.training_active_changed.emit(True)
        self.refresh()
        worker.start()

    def stop_training(self) -> None:
        """Ask the run to stop at the next batch; it finishes with the best weights so far."""
        if self.worker is None:
            return
        self.worker.cancel()
        self.stop_button.setEnabled(False)
        self.set_status("Stopping after the current batch…")
        if self.search.active:
            self.search.stop()

    # -- worker slots (main thread) -----------------------------------------------------------
    def _on_progress(self, event: Progress) -> None:
        if event.message:
            self.set_status(event.message)
        if event.stage in ("download", "features") and event.fraction is not None:
            # before the epochs: a download of weights or the one pass over the backbone
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(min(max(event.fraction, 0.0), 1.0) * 1000))
            self.progress.setFormat(event.message or "%p%")

    def _on_log(self, event: Log) -> None:
        prefix = "⚠ " if event.level == "warning" else ""
        self.log_view.appendPlainText(prefix + event.message)

    def _on_phase(self, event: PhaseChanged) -> None:
        if self.search.active:
            self.search.on_phase(event)
            return
        self.plots.mark_phase(event)
        self.log_view.appendPlainText(f"— phase: {event.phase} (from epoch {event.epoch + 1})")

    def _on_batch(self, event: BatchEnd) -> None:
        if self.search.active:
            return self.search.on_batch(event)
        self.plots.add_batch(event)
        total = max(self._epochs_total, event.epoch + 1)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, total * PROGRESS_SCALE)
            self.progress.setFormat(f"Epoch {event.epoch + 1}/{total}")
        steps = max(event.steps, 1)
        self.progress.setValue(round((event.epoch + (event.step + 1) / steps) * PROGRESS_SCALE))

    def _on_epoch(self, event: EpochEnd) -> None:
        if self.search.active:
            return self.search.on_epoch(event)
        self.plots.add_epoch(event)
        self._epochs_total = event.epochs
        n = len(next(iter(self._history.values()), []))
        for key, value in event.logs.items():
            series = self._history.setdefault(key, [float("nan")] * n)
            series.append(float(value))
        self.progress.setRange(0, event.epochs * PROGRESS_SCALE)
        self.progress.setValue((event.epoch + 1) * PROGRESS_SCALE)
        eta = f" · ~{format_duration(event.eta, unknown='?')} left" if event.eta is not None else ""
        self.progress.setFormat(
            f"Epoch {event.epoch + 1}/{event.epochs} · {format_duration(event.elapsed, unknown='?')} elapsed{eta}"
        )
        self.set_status(f"Training: epoch {event.epoch + 1} of {event.epochs}")
        self._update_diagnosis()

    def _update_diagnosis(self) -> None:
        from automl_gui.core.train.diagnostics import diagnose

        try:
            diagnosis = diagnose(self._history)
        except Exception:  # noqa: BLE001 - a diagnostic must never break training
            return
        self.show_diagnosis(diagnosis)

    def show_diagnosis(self, diagnosis: Any) -> None:
        """Show (or hide, for None) the overfitting/underfitting banner."""
        self._last_diagnosis = diagnosis
        if diagnosis is None or not diagnosis.overfitting:
            self.plots.mark_overfitting(None)  # a finding the later epochs took back
        if diagnosis is None:
            self.diagnosis_banner.dismiss()
            return
        bullets = "\n".join(f"• {r}" for r in getattr(diagnosis, "remedies", []) or [])
        if diagnosis.overfitting:
            if diagnosis.epoch is not None:
                self.plots.mark_overfitting(diagnosis.epoch)
            self.diagnosis_banner.show_message(diagnosis.message, bullets, "warning")
        else:
            self.diagnosis_banner.show_message(diagnosis.message, bullets, "info")

    def _on_finished(self, run: Any) -> None:
        if self.search.active:
            return self.search.on_finished(run)
        result = run.result
        self.plots.set_best_epoch(result.best_epoch)
        self.plots.redraw()
        if run.diagnosis is not None or self._last_diagnosis is not None:
            self.show_diagnosis(run.diagnosis)
        reason = STOP_REASONS.get(result.stopped_reason, result.stopped_reason)
        message = finished_message(run)
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat(
            f"Done: {result.epochs_run} epochs in {format_duration(result.seconds, unknown='?')} ({reason})"
        )
        self.log_view.appendPlainText(f"{message} ({reason}, {result.seconds:.1f} s).")
        self.set_status(f"{message} ({reason}).")
        self.state.status.emit(message)
        self.state.training_active = False
        self.state.set_run(run)
        self._shown_run_id = self.state.current_run_id
        self.state.page_requested.emit("evaluate")

    def _on_failed(self, message: str, hint: str) -> None:
        if self.search.active:
            self.search.on_failed()
        self.error_banner.show_message(message, hint, "error")
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Failed")
        self.set_status("Training failed.")
        self.state.status.emit(f"Training failed: {message}")
        self.state.training_active = False
        self.state.set_run(None)

    def _on_error(self, exc: BaseException) -> None:
        """Missing pretrained weights: offer to choose the file or train from scratch; a
        checkpoint of other settings: offer to start afresh."""
        from automl_gui.core.models.weights import WeightsMissingError

        if isinstance(exc, WeightsMissingError) and self.state.kind.file_based:
            self._pending_weights_error = exc
        self.checkpoints.note_error(exc)  # resuming with other settings: asked when done

    def _ask_for_weights(self, exc: BaseException) -> None:
        from automl_gui.gui.dialogs.weights import WeightsDialog

        dialog = WeightsDialog(exc, self)
        dialog.exec()
        kept = self.state.settings()
        preprocess, config = kept.preprocess, kept.model
        if dialog.choice == "file" and dialog.chosen_path:
            config.weights_path = str(dialog.chosen_path)
        elif dialog.choice == "scratch":
            config.architecture = "cnn"
            if getattr(preprocess, "image_size", 0) in (224, 299):
                preprocess.image_size = 0  # the CNN picks its own size
        else:
            return
        self.state.notify_model_changed()
        self.start_training()

    def _on_cancelled(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("Cancelled")
        self.set_status("Training cancelled before it began.")
        if self.search.active:
            self.search.on_cancelled()
        self.state.status.emit("Training cancelled.")
        self.state.training_active = False
        self.state.set_run(None)

    def _on_done(self) -> None:
        self.worker = None  # it deletes itself
        self.state.training_active = False
        self.training_active_changed.emit(False)
        self.refresh()
        pending, self._pending_weights_error = self._pending_weights_error, None
        if pending is not None:
            QTimer.singleShot(0, lambda: self._ask_for_weights(pending))
        self.checkpoints.after_job()

    def set_status(self, text: str) -> None:
        self.status_label.setText(text)
