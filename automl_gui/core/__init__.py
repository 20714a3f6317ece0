"""The engine: pandas, numpy, TensorFlow/Keras. Never imports Qt (a test enforces it).

TensorFlow is imported lazily (see :mod:`automl_gui.core.base.lazy`), so importing this package
is cheap and the window can appear before the engine is ready.
"""

from automl_gui.core.base.errors import AutoMLError, CancelledError, DataError, ModelError
from automl_gui.core.base.events import (
    BatchEnd,
    CancelToken,
    EpochEnd,
    Event,
    Failed,
    Finished,
    Log,
    PhaseChanged,
    Progress,
)

__all__ = [
    "AutoMLError",
    "BatchEnd",
    "CancelToken",
    "CancelledError",
    "DataError",
    "EpochEnd",
    "Event",
    "Failed",
    "Finished",
    "Log",
    "ModelError",
    "PhaseChanged",
    "Progress",
]
