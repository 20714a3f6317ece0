"""Evaluation on held-out data: JSON-serializable reports (no TensorFlow)."""

from automl_gui.core.evaluate.metrics import (
    evaluate_classification,
    evaluate_regression,
    summary_line,
)

__all__ = ["evaluate_classification", "evaluate_regression", "summary_line"]
