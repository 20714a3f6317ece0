"""Tabular preprocessing: settings, the split, and preprocessing layers inside the model.

Public names load their submodule on first use (see ``core/_exports.py``), so importing
this package imports neither pandas nor TensorFlow.
"""

from automl_gui.core.base._exports import lazy_exports

_NAMES = {
    "ColumnConfig": "config",
    "PreprocessConfig": "config",
    "SplitConfig": "config",
    "InputColumn": "tabular",
    "InputSchema": "tabular",
    "PreparedData": "tabular",
    "Preprocessor": "tabular",
    "auto_config": "tabular",
    "build_preprocessor": "tabular",
    "canonical_string": "tabular",
    "frame_to_inputs": "tabular",
    "prepare_data": "tabular",
    "to_tensors": "tabular",
    "validate_config": "tabular",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
