"""Saving, loading and exporting models with their metadata.

Public names load their submodule on first use (see ``core/_exports.py``), so importing
this package imports neither pandas nor TensorFlow.
"""

from automl_gui.core.base._exports import lazy_exports

_NAMES = {
    "Bundle": "bundle",
    "load_bundle": "bundle",
    "make_metadata": "bundle",
    "predict_frame": "bundle",
    "save_bundle": "bundle",
    "FORMATS": "formats",
    "ExportResult": "formats",
    "export_model": "formats",
    "encode_rows": "_serving",
}
__all__ = sorted(_NAMES)
__getattr__, __dir__ = lazy_exports(__name__, globals(), _NAMES)
