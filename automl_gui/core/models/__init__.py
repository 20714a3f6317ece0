"""Model builders (tabular MLP now; image and audio networks later) and the family registry.

Public names load their submodule on first use (see ``core/_exports.py``), so importing
this package imports neither pandas nor TensorFlow.
"""

from automl_gui.core.base._exports import lazy_exports

_NAMES = {
    "MLPConfig": "config",
    "TabularModel": "mlp",
    "auto_hidden_units": "mlp",
    "build_tabular_model": "mlp",
    "target_scale_for": "mlp",
    "MODEL_FAMILIES": "registry",
    "families_for": "registry",
    "resolve": "registry",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
