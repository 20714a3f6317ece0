"""Training: the trainer with live events, its Keras callbacks, and run diagnostics.

Importing this package does not import TensorFlow; :class:`Trainer` imports it in ``fit``.
"""

from automl_gui.core.train.config import OPTIMIZERS, SCHEDULES, TrainConfig
from automl_gui.core.train.diagnostics import Diagnosis, diagnose, generalization_gap
from automl_gui.core.train.trainer import STOP_REASONS, Trainer, TrainResult, auto_batch_size

__all__ = [
    "OPTIMIZERS",
    "SCHEDULES",
    "STOP_REASONS",
    "Diagnosis",
    "TrainConfig",
    "TrainResult",
    "Trainer",
    "auto_batch_size",
    "diagnose",
    "generalization_gap",
]
