"""Saving, loading and exporting models with their metadata (TensorFlow imported on use)."""

from automl_gui.core.export.bundle import (
    Bundle,
    load_bundle,
    make_metadata,
    predict_frame,
    save_bundle,
)
from automl_gui.core.export.formats import FORMATS, ExportResult, export_model

__all__ = [
    "FORMATS",
    "Bundle",
    "ExportResult",
    "export_model",
    "load_bundle",
    "make_metadata",
    "predict_frame",
    "save_bundle",
]
