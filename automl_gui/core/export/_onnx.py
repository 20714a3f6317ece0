"""ONNX: convert a serving graph with tf2onnx (opset 17) and run the written file in
onnxruntime on the CPU, as a caller outside TensorFlow would."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ModelError
from automl_gui.core.export._native import quiet_native

MODEL_NAME = "model.onnx"
OPSET = 17


def convert(graph: Any) -> bytes:
    """The serialized ONNX model of ``graph`` (a :class:`ServingGraph`).

    Raises:
        ModelError: tf2onnx failed, or left ops onnxruntime does not know (the message names
            them).
    """
    with quiet_native() as log:
        try:
            proto, captured = _tf2onnx(graph)
        except Exception as exc:  # noqa: BLE001 - tf2onnx raises many kinds
            raise ModelError(
                f"ONNX conversion failed: {_first_line(str(exc) or log.text())}",
                "Use the .keras or SavedModel export.",
            ) from None
        unsupported = _unsupported(log.text())
    if unsupported:
        raise ModelError(
            f"ONNX has no equivalent for these TensorFlow ops: {', '.join(unsupported)}.",
            "Use the .keras or SavedModel export.",
        )
    _inline_constants(proto, captured, set(graph.input_names))
    return proto.SerializeToString()


def _tf2onnx(graph: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """Run tf2onnx on the model's traced call (Keras's export archive tracks its variables).

    Returns the ONNX proto and the constants the trace captured (Keras layers such as
    Normalization hold eager tensors, which tf2onnx leaves as graph inputs), by the name of
    the placeholder that stands for each.
    """
    import tf2onnx

    from automl_gui.core.base import lazy

    keras = lazy.keras()
    try:  # tf2onnx 1.17 predates numpy 2; Keras ships the shim it uses for its own export
        from keras.src.export.tf2onnx_lib import patch_tf2onnx

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # its np.object probe
            patch_tf2onnx()
    except ImportError:
        pass
    archive = keras.export.ExportArchive()
    function = archive.track_and_add_endpoint(
        "serve", graph.model, input_signature=[graph.input_specs]
    )
    concrete = function.get_concrete_function(graph.input_specs)
    captured: dict[str, np.ndarray] = {}
    for outer, inner in concrete.graph.captures:
        if outer.dtype.name != "resource" and hasattr(outer, "numpy"):
            value = outer.numpy()  # a string constant (a lookup's mask token) is bytes
            captured[inner.name] = np.array(
                value, dtype=object if outer.dtype.name == "string" else None
            )
    proto, _ = tf2onnx.convert.from_function(
        function, input_signature=[graph.input_specs], opset=OPSET
    )
    return proto, captured


def _inline_constants(proto: Any, captured: dict[str, np.ndarray], wanted: set[str]) -> None:
    """Turn graph inputs that stand for captured constants into initializers."""
    from onnx import numpy_helper

    used = {name for node in proto.graph.node for name in node.input}
    for inp in list(proto.graph.input):
        if inp.name in wanted or inp.name.split(":")[0] in wanted:
            continue
        if inp.name in captured:
            proto.graph.input.remove(inp)
            if inp.name in used:  # tf2onnx may have folded the constant away
                value = numpy_helper.from_array(captured[inp.name], inp.name)
                proto.graph.initializer.append(value)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "unknown error"


def _unsupported(log: str) -> list[str]:
    """Op names from tf2onnx's "Unsupported ops: Counter({'StringStrip': 1})" line."""
    import re

    for line in log.splitlines():
        if "Unsupported ops:" in line:
            return sorted(set(re.findall(r"'([A-Za-z0-9_]+)'", line)))
    return []


def runtime_name() -> str:
    """What :func:`run` loads the model with, e.g. ``"onnxruntime 1.23.2"``."""
    import onnxruntime

    return f"onnxruntime {onnxruntime.__version__}"


def run(path: Path, inputs: dict[str, np.ndarray]) -> np.ndarray:
    """Load ``path`` in onnxruntime (CPU) and run it on ``inputs`` (by input name).

    Raises:
        ModelError: the file cannot be loaded or run.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3  # errors only
    options.intra_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(
            str(path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        names = [i.name for i in session.get_inputs()]
        feed = {name: _onnx_value(inputs[_key(name, inputs)]) for name in names}
        out = session.run(None, feed)[0]
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own kinds
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        # onnxruntime names the file by its whole (temporary) path: the name says as much
        # and leaves the 300 characters to what is wrong (the failing node)
        text = text.replace(str(path), path.name)
        raise ModelError(
            f"The written ONNX model does not run in onnxruntime: {text[:300]}",
            "Use the .keras or SavedModel export.",
        ) from None
    return np.asarray(out, dtype=np.float32)


def _key(name: str, inputs: dict[str, np.ndarray]) -> str:
    """tf2onnx may append ":0" to input names."""
    if name in inputs:
        return name
    base = name.split(":")[0]
    if base in inputs:
        return base
    raise KeyError(f"the model expects an input '{name}' the check does not have")


def _onnx_value(value: np.ndarray) -> np.ndarray:
    if value.dtype == object:
        return value.astype(str)
    return np.ascontiguousarray(value)
