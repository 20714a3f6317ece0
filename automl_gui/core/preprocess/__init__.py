"""Tabular preprocessing: settings, the split, and preprocessing layers inside the model.

Importing this package does not import TensorFlow (``layers`` is imported on first build).
"""

from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig, SplitConfig
from automl_gui.core.preprocess.tabular import (
    InputColumn,
    InputSchema,
    PreparedData,
    Preprocessor,
    auto_config,
    build_preprocessor,
    canonical_string,
    frame_to_inputs,
    prepare_data,
    to_tensors,
    validate_config,
)

__all__ = [
    "ColumnConfig",
    "InputColumn",
    "InputSchema",
    "PreparedData",
    "PreprocessConfig",
    "Preprocessor",
    "SplitConfig",
    "auto_config",
    "build_preprocessor",
    "canonical_string",
    "frame_to_inputs",
    "prepare_data",
    "to_tensors",
    "validate_config",
]
