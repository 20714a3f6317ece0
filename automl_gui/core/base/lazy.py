"""Lazy access to TensorFlow and Keras: importing them takes seconds, so only on first use."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from collections.abc import Iterator
from types import ModuleType

_lock = threading.Lock()


def _quiet_tf_logs() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Hide what native code (TensorFlow's C++ logging) writes to stderr meanwhile.

    TensorFlow prints start-up chatter ("oneDNN custom operations are on", "Could not find
    cuda drivers") from C++ before its log level applies. It is captured into a temporary
    file and replayed only if the block fails, so real import errors still show.
    """
    if os.environ.get("AUTOML_GUI_DEBUG"):
        yield
        return
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield  # no real stderr (e.g. a GUI launcher): nothing to hide
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), fd)
        try:
            yield
        except BaseException:
            os.dup2(saved, fd)
            capture.seek(0)
            os.write(fd, capture.read()[-20000:])
            raise
        finally:
            os.dup2(saved, fd)
            os.close(saved)


def tf() -> ModuleType:
    """Return the ``tensorflow`` module, importing it once (thread-safe)."""
    _quiet_tf_logs()
    with _lock:
        if "tensorflow" in sys.modules:
            return sys.modules["tensorflow"]
        with quiet_native_stderr():
            import tensorflow

        return tensorflow


def keras() -> ModuleType:
    """Return the ``keras`` module (Keras 3 on the TensorFlow backend)."""
    tf()
    import keras as _keras

    return _keras
