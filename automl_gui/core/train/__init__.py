"""Training: the trainer with live events, its Keras callbacks, per-epoch checkpoints and run
diagnostics.

Public names load their submodule on first use (see ``core/_exports.py``), so importing
this package imports neither pandas nor TensorFlow.
"""

from automl_gui.core.base._exports import lazy_exports

_NAMES = {
    "OPTIMIZERS": "config",
    "SCHEDULES": "config",
    "TrainConfig": "config",
    "CheckpointInfo": "checkpoint",
    "EpochCheckpointer": "checkpoint",
    "clear_checkpoint": "checkpoint",
    "read_checkpoint": "checkpoint",
    "Diagnosis": "diagnostics",
    "diagnose": "diagnostics",
    "generalization_gap": "diagnostics",
    "still_improving": "diagnostics",
    "STOP_REASONS": "trainer",
    "Trainer": "trainer",
    "TrainResult": "trainer",
    "auto_batch_size": "trainer",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
