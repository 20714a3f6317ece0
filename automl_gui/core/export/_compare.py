"""How close an export's answers must be to the app's: the bounds per format and the
comparison (used by the export check in ``formats`` and by ``_convert``'s probes)."""

from __future__ import annotations

import numpy as np

#: float formats: the largest difference allowed (class probabilities; relative for regression)
TOLERANCE = 1e-4
#: quantized formats: the largest difference allowed in a class probability. Dynamic-range
#: quantization also quantizes activations to int8 as the model runs (the audio model's
#: waveforms and spectrogram matrices included): 0.08-0.14 measured on a small audio CNN with
#: every class kept, so its bound is wider and the class agreement is what decides
QUANTIZED_TOLERANCE = {"tflite-dynamic": 0.2, "tflite-float16": 0.05}
#: quantized regression models: the largest difference relative to the largest value
QUANTIZED_RELATIVE = 0.05
#: quantized classifiers: the share of samples that must keep their class
MIN_AGREEMENT = 0.9
QUANTIZED_FORMATS = tuple(QUANTIZED_TOLERANCE)


def compare(reference: np.ndarray, other: np.ndarray, task: str) -> tuple[float, float | None]:
    """``(max_abs_diff, agreement)`` between two prediction arrays of the same rows."""
    if reference.size == 0:
        return 0.0, None if task == "regression" else 1.0
    if reference.shape != other.shape:
        return float("inf"), None if task == "regression" else 0.0
    diff = float(np.max(np.abs(reference.astype(np.float64) - other.astype(np.float64))))
    if task == "regression":
        return diff, None
    return diff, float(np.mean(reference.argmax(axis=1) == other.argmax(axis=1)))


def tolerance(fmt: str, task: str, reference: np.ndarray) -> float:
    """The largest difference a format may show: 1e-4 for float formats, per
    :data:`QUANTIZED_TOLERANCE` for quantized ones (class probabilities); for regression
    1e-4 (float) or 5 % (quantized) of the largest value's size (at least 1)."""
    scale = max(1.0, float(np.max(np.abs(reference)))) if reference.size else 1.0
    if fmt in QUANTIZED_FORMATS:
        return QUANTIZED_RELATIVE * scale if task == "regression" else QUANTIZED_TOLERANCE[fmt]
    return TOLERANCE * scale if task == "regression" else TOLERANCE
