"""Run core jobs off the UI thread and turn core events into Qt signals.

A *job* is any callable ``job(on_event, cancel) -> result`` from core. :class:`JobWorker`
runs it in a ``QThread``; the job's events arrive on the main thread as signals (Qt queues
cross-thread emissions), so only main-thread slots touch widgets. Batch events are coalesced
to at most ~10 per second here as well, whatever the job sends.

Usage::

    worker = JobWorker(lambda on_event, cancel: train_tabular(..., on_event=on_event,
                                                            cancel=cancel))
    worker.epoch.connect(page.on_epoch)
    worker.finished.connect(page.on_finished)
    worker.start()
    ...
    worker.cancel()  # Stop: the job ends at its next batch/chunk

A worker deletes itself once it is done (after its ``done`` slots ran): drop references to it
in a ``done`` slot and never call it afterwards. (Workers kept alive by their connections
held the jobs' DataFrames for good.)
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from automl_gui.core.base.errors import CancelledError, describe
from automl_gui.core.base.events import (
    BatchEnd,
    CancelToken,
    EpochEnd,
    Event,
    Log,
    PhaseChanged,
    Progress,
    StudyRowEnded,
    StudyRowStarted,
    TrialEnded,
    TrialStarted,
)

Job = Callable[[Callable[[Event], None], CancelToken], Any]

BATCH_MIN_INTERVAL = 0.1  # seconds between forwarded BatchEnd events


class _Thread(QThread):
    def __init__(self, worker: JobWorker) -> None:
        super().__init__()
        self._worker = worker

    def run(self) -> None:  # runs in the worker thread
        self._worker.run_in_thread()


class JobWorker(QObject):
    """Runs one core job in a thread; emits its events as signals on the main thread."""

    started = Signal()
    progress = Signal(object)  # Progress
    log = Signal(object)  # Log
    phase = Signal(object)  # PhaseChanged
    batch = Signal(object)  # BatchEnd (throttled)
    epoch = Signal(object)  # EpochEnd
    trial = Signal(object)  # TrialStarted / TrialEnded (AutoML search leaderboard)
    study = Signal(object)  # StudyRowStarted / StudyRowEnded (comparison studies)
    finished = Signal(object)  # the job's return value
    failed = Signal(str, str)  # message, hint
    error = Signal(object)  # the exception itself, emitted just before ``failed``
    cancelled = Signal()
    done = Signal()  # always last, whatever the outcome

    def __init__(self, job: Job, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self.token = CancelToken()
        self._thread = _Thread(self)
        self._last_batch = 0.0
        self._thread.finished.connect(self._on_thread_finished)
        self.done.connect(self.deleteLater)

    # -- control (main thread) -------------------------------------------------------------
    def start(self) -> None:
        self.started.emit()
        self._thread.start()

    def cancel(self) -> None:
        self.token.cancel()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int = 30000) -> bool:
        return self._thread.wait(msecs)

    # -- worker thread ---------------------------------------------------------------------
    def _emit(self, signal_name: str, *args: Any) -> None:
        """Emit from the worker thread; when the worker's owner (a page, a dialog) was
        deleted while the job ran, Qt deleted the worker too and there is nobody left to
        tell: the job is cancelled instead of raising in the thread."""
        try:
            getattr(self, signal_name).emit(*args)
        except RuntimeError:  # "Signal source has been deleted"
            self.token.cancel()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, BatchEnd):
            now = time.monotonic()
            if now - self._last_batch < BATCH_MIN_INTERVAL:
                return
            self._last_batch = now
            self._emit("batch", event)
        elif isinstance(event, EpochEnd):
            self._emit("epoch", event)
        elif isinstance(event, Progress):
            self._emit("progress", event)
        elif isinstance(event, Log):
            self._emit("log", event)
        elif isinstance(event, PhaseChanged):
            self._emit("phase", event)
        elif isinstance(event, (TrialStarted, TrialEnded)):
            self._emit("trial", event)
        elif isinstance(event, (StudyRowStarted, StudyRowEnded)):
            self._emit("study", event)

    def run_in_thread(self) -> None:
        try:
            result = self._job(self._on_event, self.token)
        except CancelledError:
            self._emit("cancelled")
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a message
            from automl_gui.core.base.errors import AutoMLError

            if not isinstance(exc, AutoMLError):
                traceback.print_exc()  # a bug: keep the trace on the console for reports
            message, hint = describe(exc)
            self._emit("error", exc)
            self._emit("failed", message, hint)
        else:
            self._emit("finished", result)

    def _on_thread_finished(self) -> None:
        self.done.emit()


def cancel_and_join(workers: list[JobWorker], msecs: int) -> bool:
    """Cancel each worker and wait for it (a page does this when the window closes); False
    when one did not end within ``msecs``. Every worker is asked, even after one timed out."""
    ok = True
    for worker in list(workers):
        worker.cancel()
        ok = worker.wait(msecs) and ok
    return ok
