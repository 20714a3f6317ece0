"""A warm child process that runs engine jobs away from the caller's interpreter.

Why: training in a thread of the window's process competes with the window for Python's
global interpreter lock, and the window's plots stalled for 60-250 ms at a time (measured by
``benchmarks/bench_ui_responsiveness.py``). In a child process the two only share CPU cores,
which the operating system schedules fairly. A crash in TensorFlow (or the kernel killing it
for memory) also no longer takes the window down with it.

The child is started with the ``spawn`` method (never ``fork``: the parent has threads and
may have TensorFlow loaded), imports TensorFlow at once so the first job starts warm, and then
serves jobs one at a time. A job is ``"package.module:function"`` plus keyword arguments; it
is called as ``function(**kwargs, on_event=..., cancel=...)`` and its events come back to the
caller's ``on_event`` as they happen. Everything crossing the boundary must pickle.
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing as mp
import os
import pickle
import queue
import threading
import traceback
from typing import Any

from automl_gui.core.base import errors
from automl_gui.core.base.errors import AutoMLError, ModelError
from automl_gui.core.base.events import CancelToken, EventCallback

_POLL_S = 0.05
#: what a message from the child carries: an event of the job, its result or its error
_EVENT, _RESULT, _ERROR = "event", "result", "error"
NICENESS = 5


class EngineProcess:
    """One child process running engine jobs sequentially (thread-safe to call ``run``)."""

    def __init__(self, *, warm: bool = True) -> None:
        self._ctx = mp.get_context("spawn")
        self._warm = warm
        self._proc: Any = None
        self._jobs: Any = None
        self._events: Any = None
        self._cancel: Any = None
        self._lock = threading.Lock()
        self._job_id = 0

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the child if it is not running (returns at once; it warms up on its own)."""
        if self._proc is not None and self._proc.is_alive():
            return
        self._jobs = self._ctx.Queue()
        self._events = self._ctx.Queue()
        self._cancel = self._ctx.Event()
        self._proc = self._ctx.Process(
            target=_serve,
            args=(self._jobs, self._events, self._cancel, self._warm),
            name="automl-gui-engine",
            daemon=True,
        )
        self._proc.start()

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.is_alive()

    def close(self, timeout: float = 5.0) -> None:
        """Ask the child to exit; terminate it if it does not. Stops a running job first."""
        proc = self._proc
        if proc is None:
            return
        if proc.is_alive():
            self._cancel.set()
            self._jobs.put(None)
            # a running job returns (cancelled) before the child is let go; one that does not
            # answer in time is ended with the child
            locked = self._lock.acquire(timeout=timeout)
            try:
                proc.join(timeout)
                if proc.is_alive():
                    proc.terminate()
                    proc.join(timeout)
            finally:
                if locked:
                    self._lock.release()
        self._forget()

    def _forget(self) -> None:
        """Drop the child and its queues (a feeder thread must not block the exit)."""
        for q in (self._jobs, self._events):
            if q is not None:
                q.cancel_join_thread()
                q.close()
        self._proc = self._jobs = self._events = None

    # -- jobs ---------------------------------------------------------------------------------
    def run(
        self,
        target: str,
        kwargs: dict[str, Any],
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
    ) -> Any:
        """Run ``target(**kwargs)`` in the child and return its result (blocking).

        Raises what the job raised (AutoMLError subclasses keep their message and hint), or
        ModelError when the child died.
        """
        try:  # pickle here, so a bad argument fails in the caller instead of hanging
            job = pickle.dumps((target, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - pickling raises many kinds
            raise ModelError(
                f"Could not send the job to the engine process: {exc}", "This is a bug."
            ) from exc
        with self._lock:
            self.start()
            proc, events = self._proc, self._events
            self._job_id += 1
            job_id = self._job_id
            self._cancel.clear()
            self._jobs.put((job_id, job))
            finished = False
            try:
                while True:
                    if cancel is not None and cancel.cancelled:
                        self._cancel.set()
                    try:
                        tag, what, payload = events.get(timeout=_POLL_S)
                    except (queue.Empty, OSError, ValueError):  # closed by close(): dead
                        if not proc.is_alive():
                            finished = True
                            self._forget()
                            raise ModelError(
                                f"The engine process stopped unexpectedly "
                                f"(exit code {proc.exitcode}).",
                                "It may have run out of memory: try a smaller batch size, a "
                                "smaller model or fewer rows. The window keeps working; start "
                                "again.",
                            ) from None
                        continue
                    if tag != job_id:
                        continue  # left over from a job whose caller gave up
                    if what == _EVENT:
                        if on_event is not None:
                            on_event(payload)
                        continue
                    finished = True
                    if what == _RESULT:
                        return pickle.loads(payload)
                    raise _rebuild_error(payload)
            finally:
                if not finished:  # the caller gave up (its on_event raised): stop the job
                    self._cancel.set()


def _rebuild_error(payload: dict[str, Any]) -> BaseException:
    """The job's error as the caller's exception: same class (an AutoMLError subclass from
    any core module), message, hint and extra attributes (e.g. which weights file is missing)."""
    cls: Any = None
    module = payload.get("module") or errors.__name__
    if module.startswith("automl_gui."):
        with contextlib.suppress(ImportError):
            cls = getattr(importlib.import_module(module), payload["type"], None)
    if not (isinstance(cls, type) and issubclass(cls, AutoMLError)):
        cls = ModelError
    exc = cls(payload["message"], payload["hint"])
    for key, value in (payload.get("attrs") or {}).items():
        with contextlib.suppress(AttributeError):
            setattr(exc, key, value)
    return exc


def _error_attrs(exc: BaseException) -> dict[str, Any]:
    """An AutoMLError's extra attributes that survive pickling (others are dropped)."""
    attrs: dict[str, Any] = {}
    for key, value in vars(exc).items():
        if key in ("message", "hint") or key.startswith("_"):
            continue
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - anything unpicklable stays behind
            continue
        attrs[key] = value
    return attrs


def _serve(jobs: Any, events: Any, cancel_flag: Any, warm: bool) -> None:
    """The child's loop: run each job, stream its events, send its result or error."""
    parent = mp.parent_process()
    if parent is not None:
        # Never outlive the window: if it is killed, nothing else would ever stop this child.
        threading.Thread(target=lambda: (parent.join(), os._exit(0)), daemon=True).start()
    if hasattr(os, "nice"):
        # A little below the window: when cores are scarce the scheduler serves the window's
        # repaints first; training still gets every cycle the window does not use.
        with contextlib.suppress(OSError):
            os.nice(NICENESS)
    if warm:  # import only: the first op would start the runtime before a job's device plan
        from automl_gui.core.base import lazy

        lazy.keras()
    while True:
        message = jobs.get()
        if message is None:
            return
        job_id, job = message
        token = CancelToken()
        done = threading.Event()

        def watch(token: CancelToken = token, done: threading.Event = done) -> None:
            while not done.wait(_POLL_S):
                if cancel_flag.is_set():
                    token.cancel()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            target, kwargs = pickle.loads(job)
            module, name = target.split(":")
            func = getattr(importlib.import_module(module), name)
            result = func(
                **kwargs, on_event=lambda e, tag=job_id: events.put((tag, _EVENT, e)), cancel=token
            )
            # pickled here: Queue.put pickles in a thread that drops what fails, and the
            # caller would wait for ever
            events.put((job_id, _RESULT, pickle.dumps(result, pickle.HIGHEST_PROTOCOL)))
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the caller
            if not isinstance(exc, AutoMLError):
                traceback.print_exc()  # a bug: keep the trace on the console for reports
            message, hint = errors.describe(exc)
            error = {
                "type": type(exc).__name__,
                "module": type(exc).__module__,
                "message": message,
                "hint": hint,
                "attrs": _error_attrs(exc) if isinstance(exc, AutoMLError) else {},
            }
            events.put((job_id, _ERROR, error))
        finally:
            done.set()
