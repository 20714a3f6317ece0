"""Train → Continue Training with New Data…: the selected run's model trained further on new
labelled data (``core.jobs.continued``), kept as a new run beside it.

:func:`continue_action` is the menu entry (enabled while a run is selected and nothing trains);
:class:`ContinueTrainingDialog` asks for the new data, whether to train on it alone or with
the earlier data, and the learning-rate factor. Start reads and checks the new data in a
worker (a table of another shape, another kind of data or an unknown class is told in the
dialog); then the Train page runs the job with its live curves, Stop and progress, and the
result becomes a new run named "<earlier run> + new data", grouped with the earlier run in
Compare Runs. A failed or cancelled job gives the earlier run back as the current one.
"""

from __future__ import annotations

import copy
import html
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.jobs.continued import (
    LR_FACTOR,
    continued_name,
    old_and_new,
    unsupported,
)
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.workers import JobWorker

ACTION_TEXT = "Continue Training with &New Data…"
ACTION_TIP = (
    "Train the selected run's model further on new labelled data (alone or with the earlier "
    "data), starting from what it learned: a new run, compared with it in Compare Runs"
)


def continue_blocker(window: Any) -> str:
    """Why the selected run cannot be continued now ('' when it can)."""
    st = window.state
    if getattr(window, "training_running", False) or st.training_active:
        return "Training is running: wait for it or stop it."
    if st.run is None or st.current_run_id is None:
        return "Train a model or select a run first (View → Compare Runs…)."
    if getattr(st.run, "model", None) is None:
        return "The selected run has no model to train further."
    reason = unsupported(st.run.kind)
    if reason:
        return reason
    if not st.engine_ready:
        return "Engine loading…"
    return ""


def continue_action(window: Any) -> QAction:
    """The Train menu's entry (Ctrl+Shift+R), kept enabled only while :func:`continue_blocker`
    finds nothing in the way (its reason is the tooltip)."""
    action = window.make_action(
        ACTION_TEXT, ACTION_TIP, lambda: open_continue_dialog(window), QKeySequence("Ctrl+Shift+R")
    )

    def update(*_args: Any) -> None:
        reason = continue_blocker(window)
        action.setEnabled(not reason)
        action.setToolTip(reason or ACTION_TIP)

    st = window.state
    for signal in (st.runs_changed, st.run_finished, st.engine_ready_changed, st.run_started):
        signal.connect(update)
    training = getattr(window.train_page, "training_active_changed", None)
    if training is not None:
        # after every slot of the signal (the window's own, connected later, clears its
        # "training" flag): run now, the action stayed greyed after a training ended
        training.connect(lambda *_: QTimer.singleShot(0, update))
    update()
    return action


class ContinueTrainingDialog(QDialog):
    """The new data, old + new or new only, the learning-rate factor; Start checks the data.

    After ``accept()``: ``new_data`` and ``old_data`` (None: new only) as the job takes them,
    and ``lr_factor``.
    """

    def __init__(self, state: Any, run: Any, record: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.run, self.record = state, run, record
        self.new_data: Any = None
        self.old_data: Any = None
        self.lr_factor = LR_FACTOR
        self.worker: JobWorker | None = None
        kind = run.kind
        self.setWindowTitle("Continue Training with New Data")
        name = record.name if record is not None else "the current run"
        intro = QLabel(
            f"Trains <b>{html.escape(name)}</b>'s model further on new labelled "
            f"{html.escape(kind.items)}, starting from what it learned (not from "
            "scratch). The result is a new run, compared with this one in Compare Runs; "
            "this run stays as it is."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        self.path_edit = QLineEdit()
        noun = "folder" if kind.file_based else "table"
        self.path_edit.setPlaceholderText(f"A {noun} of labelled {kind.items}, like the run's")
        self.path_edit.setToolTip(_data_tip(run))
        self.path_edit.textChanged.connect(self._update_start)
        browse = QPushButton("Browse…")
        browse.setToolTip(f"Choose the new labelled {noun}")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.both = QRadioButton("The earlier and the new data together")
        self.both.setToolTip(
            "Keeps what the model learned while it learns the new data: the earlier data is "
            "split as it was, so its test rows stay unseen (needs the run's data loaded)"
        )
        self.new_only = QRadioButton("The new data only")
        self.new_only.setToolTip(
            "Adapts the model to the new data alone: best when the old data no longer holds"
        )
        self.modes = QButtonGroup(self)
        for button in (self.both, self.new_only):
            self.modes.addButton(button)
        self.both.setChecked(True)
        together = old_and_new(kind)  # '' where the kind can: folders cannot yet
        if together:
            self.both.setEnabled(False)
            self.both.setToolTip(together)
            self.new_only.setChecked(True)
        modes = QVBoxLayout()
        modes.setSpacing(2)
        modes.addWidget(self.both)
        modes.addWidget(self.new_only)

        earlier = float((run.metadata.get("training") or {}).get("learning_rate") or 0.001)
        self.earlier_lr = earlier
        self.factor = QDoubleSpinBox()
        self.factor.setRange(0.01, 1.0)
        self.factor.setSingleStep(0.05)
        self.factor.setDecimals(2)
        self.factor.setValue(LR_FACTOR)
        self.factor.setSuffix(" × earlier rate")
        self.factor.setToolTip(
            "The new learning rate is the earlier one times this: small steps keep what the "
            "model learned (0.1 is the usual choice for fine-tuning; 1 trains as fast as at "
            "first)"
        )
        self.lr_label = QLabel()
        self.lr_label.setProperty("role", "muted")
        self.factor.valueChanged.connect(self._update_lr)
        lr_row = QHBoxLayout()
        lr_row.addWidget(self.factor)
        lr_row.addWidget(self.lr_label, 1)

        form = QFormLayout()
        form.addRow("New data:", path_row)
        form.addRow("Train on:", modes)
        form.addRow("Learning rate:", lr_row)

        self.banner = Banner()
        self.status = QLabel()
        self.status.setProperty("role", "muted")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setProperty("primary", True)
        self.start_button.setToolTip("Check the new data, then train on the Train page")
        self.start_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        # a message shown grows the dialog instead of squeezing the form
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        self._update_lr()
        self._update_start()

    # -- the form ---------------------------------------------------------------------------
    def _update_lr(self) -> None:
        rate = self.earlier_lr * self.factor.value()
        self.lr_label.setText(f"= {rate:.2g} (the run trained at {self.earlier_lr:g})")

    def _update_start(self) -> None:
        checking = self.worker is not None
        self.start_button.setEnabled(bool(self.path_edit.text().strip()) and not checking)

    def _browse(self) -> None:
        from automl_gui.gui import settings as app_settings
        from automl_gui.gui.pages.registry import kind_window

        start = app_settings.last_folder(app_settings.current())
        ways = kind_window(self.run.kind).ways_in
        if ways is not None and ways.ask_path is not None:  # texts: a file or a folder
            path = ways.ask_path(self, start)
        elif self.run.kind.file_based:
            path = QFileDialog.getExistingDirectory(self, "Choose the new labelled data", start)
        else:
            from automl_gui.gui._opening import TABLE_FILTER

            path, _ = QFileDialog.getOpenFileName(
                self, "Choose the new labelled data", start, TABLE_FILTER
            )
        if path:
            self.path_edit.setText(path)

    # -- Start: read and check the data off the UI thread -------------------------------------
    def start(self) -> None:
        """Read the new data (and check the earlier data for "together") in a worker; the
        dialog closes when they fit, else the banner says why."""
        path = self.path_edit.text().strip()
        if not path or self.worker is not None:
            return
        self.banner.dismiss()
        self.lr_factor = float(self.factor.value())
        metadata = self.run.metadata
        together = self.both.isChecked()
        st = self.state
        loaded_kind = st.kind if st.dataset is not None else None
        loaded = st.job_data() if st.dataset is not None else None

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.jobs.continued import earlier_data, load_new_data

            old = earlier_data(metadata, loaded_kind, loaded) if together else None
            return load_new_data(metadata, path, on_event=on_event, cancel=cancel), old

        self.status.setText("Reading the new data…")
        worker = JobWorker(job, self)
        worker.finished.connect(self._checked)
        worker.failed.connect(self._refused)
        worker.done.connect(self._check_done)
        self.worker = worker
        self._update_start()
        worker.start()

    def _checked(self, result: Any) -> None:
        self.new_data, self.old_data = result
        self.status.setText("")
        self.accept()

    def _refused(self, message: str, hint: str) -> None:
        self.status.setText("")
        self.banner.show_message(message, hint, "error")
        self.adjustSize()

    def _check_done(self) -> None:
        self.worker = None
        self._update_start()

    def reject(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait(5000)
        super().reject()


def _data_tip(run: Any) -> str:
    """What the new data must hold, from the run's metadata."""
    meta = run.metadata
    classes = meta.get("class_names") or []
    target = meta.get("target")
    parts = []
    if target:
        parts.append(f"the run's columns and its target '{target}', filled in")
    if classes:
        shown = ", ".join(str(c) for c in classes[:8]) + (" …" if len(classes) > 8 else "")
        parts.append(f"only the run's classes ({shown})")
    return "Needs " + " and ".join(parts) if parts else "New labelled data of the run's kind"


# -- starting the job on the Train page ------------------------------------------------------
def open_continue_dialog(window: Any) -> ContinueTrainingDialog | None:
    """Train → Continue Training with New Data…: the dialog; on Start, the job."""
    reason = continue_blocker(window)
    if reason:
        window.statusBar().showMessage(reason)
        return None
    st = window.state
    run, record = st.run, st.run_record(st.current_run_id)
    dialog = ContinueTrainingDialog(st, run, record, window)
    dialog.accepted.connect(lambda: start_continued(window, dialog))
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window._continue_dialog = dialog  # tests and screenshots find it
    dialog.open()
    return dialog


def start_continued(window: Any, dialog: ContinueTrainingDialog) -> None:
    """Run the job on the Train page (live curves, Stop keeps the best weights); keep its run
    as "<earlier> + new data", in the earlier run's group of Compare Runs."""
    st = window.state
    run, record = dialog.run, dialog.record
    base_name = record.name if record is not None else ""
    model, metadata = run.model, copy.deepcopy(run.metadata)
    new_data, old_data, factor = dialog.new_data, dialog.old_data, dialog.lr_factor
    plan, process = st.hardware_plan, st.engine_process
    epochs = int(st.training.epochs)  # the Model page's (0: Auto, from the new data's size)

    def job(on_event: Any, cancel: Any) -> Any:
        from automl_gui.core.jobs.continued import continue_run  # in the worker: TF-heavy

        return continue_run(
            model,
            metadata,
            new_data,
            old_data=old_data,
            base_name=base_name,
            base_id=record.id if record is not None else "",
            lr_factor=factor,
            epochs=epochs,
            plan=plan,
            engine_process=process,
            on_event=on_event,
            cancel=cancel,
        )

    page = window.train_page
    if not window.go_to("train") or page.is_training():
        return
    page.start_job(job, run.task, epochs)
    worker = page.worker
    if worker is None:
        return
    # the page's summary describes the Model page's settings: say what runs instead (its
    # own refresh puts them back when the job ends)
    page.summary.setText(continuing_html(dialog, base_name, epochs))
    # connected after the Train page's own slots, so these run once it has kept the run
    worker.finished.connect(lambda _run: keep_continued(st, record, base_name))
    worker.failed.connect(lambda *_args: give_back(st, record))
    worker.cancelled.connect(lambda: give_back(st, record))


def continuing_html(dialog: ContinueTrainingDialog, base_name: str, epochs: int) -> str:
    """The Train page's summary while a run is continued: from what, on what, how fast."""
    from pathlib import Path

    data = Path(dialog.path_edit.text().strip()).name or "the new data"
    how = "with the earlier data" if dialog.old_data is not None else "alone"
    rate = dialog.earlier_lr * dialog.lr_factor
    limit = f"up to {epochs} epochs" if epochs > 0 else "Auto epochs"
    return (
        f"<b>Continuing</b> {html.escape(base_name or 'the earlier run')} · <b>New data</b> "
        f"{html.escape(data)} ({how}) · <b>Learning rate</b> {rate:.2g} "
        f"({dialog.lr_factor:g} × {dialog.earlier_lr:g}) · {limit}, early stopping on the new "
        "validation rows"
    )


def keep_continued(state: Any, earlier: Any, base_name: str) -> None:
    """The run just kept (the current one) is named "<earlier> + new data" and grouped with
    the earlier run (same dataset name), so Compare Runs lists them side by side."""
    record = state.run_record(state.current_run_id)
    if record is None:
        return
    if earlier is not None:
        record.dataset = earlier.dataset
    state.rename_run(record.id, continued_name(base_name))


def give_back(state: Any, earlier: Any) -> None:
    """A failed or cancelled job: the earlier run is the current one again."""
    if earlier is not None and state.run_record(earlier.id) is not None:
        state.select_run(earlier.id)
