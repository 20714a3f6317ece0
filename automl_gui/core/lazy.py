"""Lazy access to TensorFlow and Keras: importing them takes seconds, so only on first use."""

from __future__ import annotations

import os
import threading
from types import ModuleType

_lock = threading.Lock()


def _quiet_tf_logs() -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def tf() -> ModuleType:
    """Return the ``tensorflow`` module, importing it once (thread-safe)."""
    _quiet_tf_logs()
    with _lock:
        import tensorflow

        return tensorflow


def keras() -> ModuleType:
    """Return the ``keras`` module (Keras 3 on the TensorFlow backend)."""
    tf()
    import keras as _keras

    return _keras


def is_loaded() -> bool:
    """True once TensorFlow has been imported in this process."""
    import sys

    return "tensorflow" in sys.modules
