"""Evaluation on held-out data: JSON-serializable reports.

Public names load their submodule on first use (see ``core/_exports.py``), so importing
this package imports neither pandas nor TensorFlow.
"""

from automl_gui.core.base._exports import lazy_exports

_NAMES = {
    "evaluate_classification": "metrics",
    "evaluate_regression": "metrics",
    "summary_line": "metrics",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
