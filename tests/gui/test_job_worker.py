"""JobWorker: a job whose owner is deleted while it runs ends quietly (cancelled), never with
'Signal source has been deleted' raised in its thread."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject

from automl_gui.core.base.events import Log
from automl_gui.gui.workers import JobWorker


def test_a_worker_deleted_with_its_owner_cancels_its_job_quietly(qtbot, capfd):
    owner = QObject()
    running, deleted = threading.Event(), threading.Event()
    seen = {}

    def job(on_event, token):
        running.set()
        deleted.wait(10)
        on_event(Log("still here"))  # nobody left to tell: the job is cancelled
        seen["cancelled"] = token.cancelled
        return "result"

    worker = JobWorker(job, owner)
    thread = worker._thread
    worker.start()
    assert running.wait(10)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not _alive(worker), timeout=5000)
    deleted.set()
    deadline = time.monotonic() + 10
    while thread.isRunning() and time.monotonic() < deadline:
        qtbot.wait(20)
    assert not thread.isRunning()
    assert seen == {"cancelled": True}
    assert "Signal source has been deleted" not in capfd.readouterr().err


def test_a_finished_job_delivers_its_result(qtbot):
    worker = JobWorker(lambda on_event, token: 42)
    results = []
    worker.finished.connect(results.append)
    with qtbot.waitSignal(worker.done, timeout=5000):
        worker.start()
    assert results == [42]


def _alive(obj: QObject) -> bool:
    from shiboken6 import isValid

    return isValid(obj)
