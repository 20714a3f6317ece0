"""TensorFlow Lite: convert a serving graph (float32, dynamic-range or float16 weights) and run
the written file in the LiteRT interpreter, the runtime a phone or edge device uses.

Only TFLite builtin ops are allowed: a model that needs TensorFlow ops (Flex) would convert
but not run in the LiteRT interpreter, so such a conversion counts as failed.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ModelError
from automl_gui.core.export._native import quiet_native

MODEL_NAME = "model.tflite"
#: format key -> (quantization written in metadata, what the user reads)
VARIANTS = {
    "tflite": ("none", "float32 weights"),
    "tflite-dynamic": ("dynamic-range", "dynamic-range quantized weights (int8)"),
    "tflite-float16": ("float16", "float16 weights"),
}


def convert(graph: Any, fmt: str) -> bytes:
    """The ``.tflite`` flatbuffer of ``graph`` (a :class:`ServingGraph`) for format ``fmt``.

    Raises:
        ModelError: the converter failed (the message keeps its first reason).
    """
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    with tempfile.TemporaryDirectory(prefix="automl-tflite-") as tmp, quiet_native() as log:
        try:
            # through a SavedModel: its "serving_default" signature names the inputs
            graph.model.export(
                tmp, format="tf_saved_model", input_signature=[graph.input_specs], verbose=False
            )
            converter = tf.lite.TFLiteConverter.from_saved_model(tmp)
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
            if fmt in ("tflite-dynamic", "tflite-float16"):
                converter.optimizations = [tf.lite.Optimize.DEFAULT]
            if fmt == "tflite-float16":
                converter.target_spec.supported_types = [tf.float16]
            return bytes(converter.convert())
        except Exception as exc:  # noqa: BLE001 - the converter raises many kinds
            raise ModelError(
                f"TFLite conversion failed: {_reason(str(exc) or log.text())}",
                "Use the .keras or SavedModel export.",
            ) from None


def _reason(text: str) -> str:
    for marker in ("TF Select ops:", "is neither a custom op nor a flex op"):
        for line in text.splitlines():
            if marker in line:
                return line.strip()[:300]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0][:300] if lines else "unknown error"


def _interpreter_class() -> tuple[Any, str]:
    """LiteRT's interpreter, or (only when LiteRT is not installed) TensorFlow's."""
    try:
        from ai_edge_litert import interpreter as litert

        try:
            from importlib.metadata import version

            v = version("ai-edge-litert")
        except Exception:  # noqa: BLE001 - the version is informative only
            v = "?"
        return litert.Interpreter, f"LiteRT interpreter {v}"
    except ImportError:
        from automl_gui.core.base import lazy

        tf = lazy.tf()
        return tf.lite.Interpreter, f"TensorFlow Lite interpreter (TensorFlow {tf.__version__})"


def runtime_name() -> str:
    """What :func:`run` loads the model with, e.g. ``"LiteRT interpreter 2.3.0"``."""
    return _interpreter_class()[1]


def run(path: Path, inputs: dict[str, np.ndarray]) -> np.ndarray:
    """Load ``path`` in the LiteRT interpreter and run its signature on ``inputs``.

    Raises:
        ModelError: the file cannot be loaded or run.
    """
    cls, _ = _interpreter_class()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        try:
            with quiet_native():
                interpreter = cls(model_path=str(path), num_threads=1)
                runner = interpreter.get_signature_runner()
                feed = {k: _tflite_value(v) for k, v in inputs.items()}
                outputs = runner(**feed)
        except Exception as exc:  # noqa: BLE001
            raise ModelError(
                f"The written TFLite model does not run in the LiteRT interpreter: {exc}",
                "Use the .keras or SavedModel export.",
            ) from None
    return np.asarray(next(iter(outputs.values())), dtype=np.float32)


def _tflite_value(value: np.ndarray) -> np.ndarray:
    if value.dtype == object:
        return value.astype(np.bytes_)
    return np.ascontiguousarray(value)


def weight_types(path: Path) -> list[str]:
    """The element types of the file's constant tensors (weights), e.g. ["float32", "int8"]."""
    cls, _ = _interpreter_class()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with quiet_native():
                details = cls(model_path=str(path)).get_tensor_details()
        except Exception:  # noqa: BLE001 - informative only
            return []
    return sorted({np.dtype(d["dtype"]).name for d in details if d["dtype"] is not None})
