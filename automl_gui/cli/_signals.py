"""Ctrl+C and SIGTERM on the command line: one way out for both.

Outside a job they raise KeyboardInterrupt (temp files go in ``finally`` blocks, exit 130);
inside a training or search the first one sets the job's cancel token (it keeps its best
model) and a second one stops at once.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from automl_gui.core.base.events import CancelToken

#: the signals that stop a command: a first one cancels the job, a second one ends it
STOP_SIGNALS = {signal.SIGINT: "Ctrl+C", signal.SIGTERM: "SIGTERM"}
_last_stop: dict[str, Any] = {"name": "Ctrl+C", "arrived": False}

T = TypeVar("T")


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _handling(handler: Any) -> Iterator[None]:
    """``handler`` for Ctrl+C and SIGTERM inside the block (main thread only), restored after."""
    if not _in_main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _interrupt(signum: int, _frame: Any) -> None:
    _last_stop["name"] = STOP_SIGNALS.get(signum, "a signal")
    _last_stop["arrived"] = True
    raise KeyboardInterrupt


def stop_signals_interrupt() -> contextlib.AbstractContextManager[None]:
    """SIGTERM does what Ctrl+C does: a KeyboardInterrupt, so temp files and folders are
    removed on the way out (``finally``) and the command exits 130."""
    _last_stop.update(name="Ctrl+C", arrived=False)
    return _handling(_interrupt)


def interruptible(cancel: CancelToken, job: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``job(*args, **kwargs, cancel=cancel)``: Ctrl+C or SIGTERM sets ``cancel`` (a training
    then keeps its best weights, a search its best trial); a second one stops at once."""

    def on_signal(signum: int, frame: Any) -> None:
        if cancel.cancelled:
            _interrupt(signum, frame)
        _last_stop["name"] = STOP_SIGNALS.get(signum, "a signal")
        cancel.cancel()

    with _handling(on_signal):
        return job(*args, **kwargs, cancel=cancel)


def stop_arrived() -> bool:
    """Whether Ctrl+C or SIGTERM stopped the command. A library can catch the
    KeyboardInterrupt raised inside its own code and raise something else (TensorFlow turns
    it into "Failed to convert elements of ... to Tensor" when it lands in ``convert_to_tensor``
    while a SavedModel traces): the command was still interrupted, not broken."""
    return bool(_last_stop["arrived"])


def stopped_by() -> str:
    """What stopped the last job: "Ctrl+C" or "SIGTERM"."""
    return _last_stop["name"]
