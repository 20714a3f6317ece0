"""File → Open Run Folder…: a run folder made elsewhere joins the project's run history.

A run folder written by ``automl-gui train ... --out FOLDER`` (on this computer, or by the
chief of a cluster job exported with File → Export Training Job…) is read in a worker thread
(:func:`automl_gui.core.project.open_run_folder`: the model is loaded in Keras' safe mode),
then kept like a run trained here (``AppState.add_run``) and made current: Compare Runs lists
it, Evaluate, Predict and Export use it, and the next Save writes it into the project's
``runs/``. The folder itself is only read. A folder that is not a run, or a run of another
kind of data than the loaded one, is refused with a message saying what to choose; nothing
changes then.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QWidget

from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages
from automl_gui.gui.workers import JobWorker

#: where the folder dialog starts (the last run folder's parent)
KEY_RUN_FOLDER = "cluster/last_run_folder"
OPEN_RUN_TIP = (
    "Add a finished run folder (written by `automl-gui train --out`, here or on a cluster) to "
    "this project's runs: Compare Runs, Evaluate, Predict and Export use it like a run "
    "trained here. The folder is only read."
)
SHORTCUT = "Ctrl+Shift+F"


def ask_folder(parent: QWidget, start: str) -> str:
    """The run folder the user chooses ("" when cancelled). Tests replace this."""
    return QFileDialog.getExistingDirectory(parent, "Open a run folder", start)


def blocker(window: Any) -> str:
    """Why a run folder cannot be opened now ("" when it can)."""
    state = window.state
    if state.dataset is None:
        return (
            "Open the data the run was trained on first (File → Open Dataset…): Evaluate "
            "and Predict use it, and Compare Runs groups runs by their data."
        )
    if getattr(window, "training_running", False):
        return "Wait for the training to finish (or stop it) before opening a run folder."
    if getattr(window, "run_folder_worker", None) is not None:
        return "A run folder is being opened."
    return ""


def open_run_action(window: Any) -> QAction:
    """The File menu's "Open Run Folder…" action (Ctrl+Shift+F), disabled with the reason as
    tooltip while no data is loaded or a training runs (refreshed when the menu shows)."""
    action = window.make_action(
        "Open R&un Folder…", OPEN_RUN_TIP, lambda: choose_and_open(window), QKeySequence(SHORTCUT)
    )

    def refresh() -> None:
        reason = blocker(window)
        action.setEnabled(not reason)
        action.setToolTip(reason or OPEN_RUN_TIP)

    for signal in (window.state.dataset_changed, window.state.run_started):
        signal.connect(refresh)
    window.state.run_finished.connect(refresh)
    action.refresh = refresh  # type: ignore[attr-defined]
    refresh()
    return action


def choose_and_open(window: Any) -> None:
    """Ask for a run folder, then open it (see :func:`open_run_in`)."""
    reason = blocker(window)
    if reason:
        messages.show_error(window, "Open Run Folder", reason)
        return
    start = app_settings.last_folder(window.settings, KEY_RUN_FOLDER)
    folder = ask_folder(window, start)
    if folder:
        app_settings.set_last_folder(window.settings, folder, KEY_RUN_FOLDER)
        open_run_in(window, folder)


def open_run_in(window: Any, folder: str) -> JobWorker:
    """Read ``folder`` in a worker thread; once read, the run joins the history and becomes
    current (Evaluate shows it); a failure shows its message and changes nothing. The worker
    is ``window.run_folder_worker`` while it runs."""
    from automl_gui.core.project import open_run_folder

    state = window.state
    kind, dataset, name = state.kind, state.dataset, state.dataset_name

    def job(on_event: Any, cancel: Any) -> Any:
        return open_run_folder(folder, kind=kind, dataset=dataset, dataset_name=name)

    worker = JobWorker(job, window)
    window.run_folder_worker = worker
    state.status.emit(f"Opening the run folder {folder}…")
    worker.finished.connect(lambda opened: _joined(window, opened))
    worker.failed.connect(
        lambda message, hint: messages.show_error(window, "Open Run Folder", message, hint)
    )
    worker.failed.connect(lambda *_a: state.status.emit("The run folder was not opened."))
    worker.done.connect(lambda: _finished(window))
    worker.start()
    return worker


def _finished(window: Any) -> None:
    window.run_folder_worker = None
    window.action_open_run.refresh()


def _joined(window: Any, opened: Any) -> None:
    """Keep the opened run, make it current and say where it came from."""
    state = window.state
    if state.dataset is None or opened.kind is not state.kind:  # the data changed meanwhile
        messages.show_error(
            window,
            "Open Run Folder",
            f"The data changed while {opened.folder.name} was read; it was not added.",
            "Open the run folder again.",
        )
        return
    metadata = opened.run.metadata
    metrics = (opened.run.report or {}).get("metrics") or {}
    kept = next(
        (r for r in state.runs if r.created == metadata.get("created") and r.metrics == metrics),
        None,
    )
    if kept is not None:  # the same folder (or a copy of it) opened again
        messages.show_error(
            window,
            "Open Run Folder",
            f"{opened.label} is already in this project as “{kept.name}”.",
            "Compare Runs lists it; choose it there with Use this run.",
        )
        return
    record = state.add_run(opened.run, dataset=opened.dataset, search=metadata.get("search"))
    record.name = f"{record.name} · {opened.label}"  # which folder or job it came from
    if isinstance(metadata.get("created"), str):  # trained then, not now
        record.created = metadata["created"]
    state.select_run(record.id)
    shown = f"Evaluate shows its results on {opened.test_words}, as recorded when it trained"
    other = opened.data_name if opened.data_name not in ("", state.dataset_name) else ""
    data_words = {
        True: f"trained on {state.dataset_name}",
        False: f"trained on {other or 'other data'}, not the loaded {state.dataset_name}: "
        f"Compare Runs lists it in its own group; {shown}",
        None: f"its data is not recorded; {shown}",
    }[opened.same_data]
    message = f"“{record.name}” opened from {opened.folder} ({data_words})."
    state.status.emit(message)
    if not window.step_blocker("evaluate"):
        window.go_to("evaluate")
    window.show_banner(
        message,
        "It is kept with the project when you save; the folder itself was not changed.",
        level="info",
    )
