"""Python's cyclic garbage collector and the UI thread.

A full collection walks every object the collector tracks while holding the GIL, so the UI
thread waits for it whichever thread triggered it. Once TensorFlow is imported the window's
process holds ~400,000 such objects: each full collection then took 0.4-0.9 s, and loading a
wide table (or anything that allocates ~100,000 lasting objects) triggered several.

- :func:`freeze_long_lived` (the window calls it once the engine has loaded) moves what exists
  then (modules, classes, TensorFlow's and Qt's objects: they live as long as the process)
  out of the collector's sight: a full collection afterwards walks only newer objects.
- :func:`collection_paused` holds automatic collections off while a job builds a big table in
  a worker (profiling 20,000 columns triggered collections of 40-280 ms each that found no
  garbage); the objects it keeps are walked once, later, in ~30 ms.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_lock = threading.Lock()
_pauses = 0
_resume = True  # whether collections were on when the first pause began
_frozen = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection while any such block runs (in any thread); nests."""
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def paused(job: Callable[..., Any]) -> Callable[..., Any]:
    """``job(on_event, cancel)`` run inside :func:`collection_paused`."""

    def run(on_event: Any = None, cancel: Any = None) -> Any:
        with collection_paused():
            return job(on_event, cancel)

    return run


def freeze_long_lived() -> bool:
    """Leave the objects that exist now out of every later collection (once per process).
    True when this call froze them."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.freeze()
    return True
