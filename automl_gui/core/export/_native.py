"""Silence the converters' native (C++) logging while they run, keeping it for error messages.

The TFLite converter and tf2onnx print pages of MLIR diagnostics and warnings straight to the
process's stderr; a user of the CLI or the window should see one clear line instead. The
output goes to a temporary file, which :class:`NativeLog` reads when a conversion fails.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Iterator

_LOCK = threading.RLock()


class NativeLog:
    """What was printed while :func:`quiet_native` was active."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(mode="w+b")
        self.records: list[str] = []  # Python log messages of the converters

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.records.append(record.getMessage())

    def fileno(self) -> int:
        return self._file.fileno()

    def text(self) -> str:
        self._file.seek(0)
        native = self._file.read().decode("utf-8", "replace")
        return "\n".join([*self.records, native])

    def close(self) -> None:
        self._file.close()


@contextlib.contextmanager
def quiet_native() -> Iterator[NativeLog]:
    """Send file descriptors 1 and 2 (and Python's and TF's loggers) to a temp file."""
    log = NativeLog()
    loggers = [logging.getLogger(n) for n in ("tensorflow", "tf2onnx", "absl")]
    states = [(lg.level, lg.propagate, lg.handlers[:]) for lg in loggers]
    handler = logging.Handler(logging.WARNING)
    handler.emit = log.emit  # type: ignore[method-assign]
    with _LOCK:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            for lg in loggers:
                lg.handlers[:] = [handler]
                lg.propagate = False
            yield log
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            for lg, (level, propagate, handlers) in zip(loggers, states, strict=True):
                lg.setLevel(level)
                lg.propagate = propagate
                lg.handlers[:] = handlers
