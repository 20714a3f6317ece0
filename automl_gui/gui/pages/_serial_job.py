"""Pages that run background jobs: :class:`BackgroundPage` (the state, guards against the
page's own edits, its workers joined on close) and :class:`SerialJob` (one run at a time of a
preview or a weights lookup).

A request while a serial job runs is remembered and made again when it ends: a burst of
edits starts at most one more run, with the settings as they are by then, instead of piling
up threads. The page keeps its own generation counter to drop results an edit made stale.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from automl_gui.gui.state import AppState
from automl_gui.gui.workers import JobWorker, cancel_and_join


class BackgroundPage(QWidget):
    """A page over ``state`` whose slow work runs in workers it joins in :meth:`wait_idle`.

    ``_updating`` is set while the page fills its widgets (their change signals are then not
    edits); ``_emitting`` while it notifies the state of its own edit (the echo is ignored).
    """

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._updating = False
        self._emitting = False
        self._workers: set[JobWorker] = set()

    def run_in_background(
        self, job: Callable[[], Any], on_result: Callable[[Any], None]
    ) -> JobWorker:
        """Run ``job()`` in a worker the page joins on close; ``on_result`` gets its value."""
        worker = JobWorker(lambda _e, _c: job())
        self._workers.add(worker)
        worker.finished.connect(on_result)
        worker.done.connect(lambda w=worker: self._workers.discard(w))
        worker.start()
        return worker

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Cancel the page's workers and wait for each (the window calls this on close);
        False when one did not end in time."""
        return cancel_and_join(self._workers, msecs)


class SerialJob:
    """Tracks the running worker of one kind of job; ``again`` is called (on the UI thread)
    when a request came in while it ran."""

    def __init__(self, again: Callable[[], None]) -> None:
        self._again = again
        self.worker: JobWorker | None = None
        self.pending = False

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def queue_if_busy(self) -> bool:
        """True when a run is under way: this request then waits for it to end."""
        if self.worker is not None:
            self.pending = True
            return True
        return False

    def start(
        self,
        workers: set[JobWorker],
        job: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_failed: Callable[[str, str], None],
    ) -> JobWorker:
        """Run ``job()`` in a worker tracked as the run now and kept in ``workers`` (the
        page's, joined on close) until it ends; ``on_failed`` gets (message, hint)."""
        worker = JobWorker(lambda _e, _c: job())
        workers.add(worker)
        self.track(worker)
        worker.finished.connect(on_result)
        worker.failed.connect(on_failed)
        worker.done.connect(lambda w=worker: workers.discard(w))
        worker.start()
        return worker

    def track(self, worker: JobWorker) -> None:
        """``worker`` is the run now (call before ``worker.start()``)."""
        self.worker = worker
        worker.done.connect(lambda w=worker: self._done(w))

    def _done(self, worker: JobWorker) -> None:
        if self.worker is worker:
            self.worker = None
        if self.pending:
            self.pending = False
            self._again()
