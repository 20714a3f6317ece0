"""Model builders (tabular MLP now; image and audio networks later) and the family registry.

Importing this package does not import TensorFlow.
"""

from automl_gui.core.models.config import MLPConfig
from automl_gui.core.models.mlp import (
    TabularModel,
    auto_hidden_units,
    build_tabular_model,
    target_scale_for,
)
from automl_gui.core.models.registry import MODEL_FAMILIES, families_for, resolve

__all__ = [
    "MLPConfig",
    "MODEL_FAMILIES",
    "TabularModel",
    "auto_hidden_units",
    "build_tabular_model",
    "families_for",
    "resolve",
    "target_scale_for",
]
