"""One background job at a time for a page (a preview, a weights lookup).

A request while the job runs is remembered and made again when it ends: a burst of edits
starts at most one more run, with the settings as they are by then, instead of piling up
threads. The page keeps its own generation counter to drop results an edit made stale.
"""

from __future__ import annotations

from collections.abc import Callable

from automl_gui.gui.workers import JobWorker


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


def join_workers(workers: set[JobWorker], msecs: int) -> bool:
    """Cancel ``workers`` and wait for each (a page's ``wait_idle`` when the window closes);
    False when one did not end in time."""
    ok = True
    for worker in list(workers):
        worker.cancel()
        ok = worker.wait(msecs) and ok
    return ok
