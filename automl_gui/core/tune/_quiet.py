"""One thing searches and studies share: silence TensorFlow's retracing warnings while they
build model after model."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator


@contextlib.contextmanager
def quiet_tensorflow() -> Iterator[None]:
    """Each trial or study row builds a new model: TensorFlow's "retracing" warnings say
    nothing here (errors still show)."""
    tf_log = logging.getLogger("tensorflow")
    level = tf_log.level
    tf_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        tf_log.setLevel(level)
