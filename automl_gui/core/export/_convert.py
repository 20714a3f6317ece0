"""TFLite and ONNX exports: convert, write into a staging folder, run there in the format's own
runtime on the sample inputs.

The whole serving model is tried first. A table model whose category lookups the runtime
cannot hold falls back to its numeric part (``_serving.encoded_graph``) with
``preprocessing.json`` and a note saying what the caller must do instead; so does a whole
table model that converts but answers NaN for missing numbers (tf2onnx turns the fill's
select into arithmetic, where NaN * 0 is NaN), which a probe of all-missing rows finds even
when the sample rows have no missing value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ModelError
from automl_gui.core.export import _onnx, _serving, _text_serving, _tflite
from automl_gui.core.export.bundle import Bundle, write_json

CONVERTED_FORMATS = ("tflite", "tflite-dynamic", "tflite-float16", "onnx")


@dataclass
class Converted:
    """What a conversion wrote and what its runtime answered on the sample inputs."""

    model_file: str  # relative to the staging folder
    outputs: np.ndarray
    runtime: str
    part: str  # _serving.FULL or _serving.ENCODED
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # for metadata.json's "export"


def quantization(fmt: str) -> str:
    """ "none", "dynamic-range" or "float16"."""
    return _tflite.VARIANTS[fmt][0] if fmt in _tflite.VARIANTS else "none"


def runtime_name(fmt: str) -> str:
    return _onnx.runtime_name() if fmt == "onnx" else _tflite.runtime_name()


def _candidates(bundle: Bundle) -> list[Any]:
    """Graphs to try, best first: the whole model; else, for a model taking raw texts, its
    vectorized part alone (string ops never convert); else (tables) the whole model, then
    its numeric part."""
    if bundle.kind.exports_whole:
        return [_serving.full_graph]
    if _text_serving.takes_raw_text(bundle.model):
        return [_text_serving.vectorized_graph]
    return [_serving.full_graph, _serving.encoded_graph]


def write_converted(bundle: Bundle, fmt: str, folder: Path, rows: Any, shape: tuple) -> Converted:
    """Convert ``bundle`` to ``fmt`` into ``folder`` and run it on ``rows``.

    ``shape`` is the in-app outputs' shape (the runtime's answers are reshaped to it).

    Raises:
        ModelError: no graph of the model converts and runs in the format's runtime.
    """
    name = _onnx.MODEL_NAME if fmt == "onnx" else _tflite.MODEL_NAME
    path = folder / name
    failures: list[str] = []
    for make in _candidates(bundle):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras: sub-model input names (ours are by key)
            graph = make(bundle.model, bundle.metadata)
        try:
            data = _onnx.convert(graph) if fmt == "onnx" else _tflite.convert(graph, fmt)
            path.write_bytes(data)
            feed = graph.feed(rows) if len(rows) else {}
            run = _onnx.run if fmt == "onnx" else _tflite.run
            outputs = run(path, feed).reshape(shape) if len(rows) else np.zeros(shape, "float32")
            if graph.part == _serving.FULL and not bundle.kind.file_based:  # rows: NaN fills
                _probe_missing(bundle, fmt, path, graph, run)
        except ModelError as exc:
            path.unlink(missing_ok=True)
            failures.append(exc.message)
            continue
        return _result(bundle, fmt, folder, name, graph, outputs, rows, failures)
    raise ModelError(
        f"The model cannot be exported as {fmt}: {failures[-1] if failures else 'no graph'}",
        "Use the .keras or SavedModel export, which holds the whole model.",
    )


def _probe_missing(bundle: Bundle, fmt: str, path: Path, graph: Any, run: Any) -> None:
    """Refuse a whole table model whose converted file answers rows of missing numbers (NaN,
    then +inf) and categories otherwise than the app (NaN, or beyond the format's bound).

    Raises:
        ModelError: it does (the caller then tries the model's encoded part).
    """
    from automl_gui.core.export._compare import compare, tolerance
    from automl_gui.core.export.bundle import predict_inputs

    probe = _serving.missing_rows(bundle.metadata)
    want = predict_inputs(bundle.model, bundle.metadata, probe)
    got = run(path, graph.feed(probe))
    diff, _ = compare(want, got.reshape(want.shape), bundle.task)
    if not diff <= tolerance(fmt, bundle.task, want):
        how = "NaN" if not np.isfinite(got).all() else f"{diff:.2g} away from the app"
        raise ModelError(
            f"The whole model converted to {fmt} answers {how} for rows with missing values.",
            "Use the .keras or SavedModel export, which takes raw rows.",
        )


def _result(
    bundle: Bundle,
    fmt: str,
    folder: Path,
    name: str,
    graph: Any,
    outputs: np.ndarray,
    rows: Any,
    failures: list[str],
) -> Converted:
    details: dict[str, Any] = {"model_file": name, "inputs": graph.input_names}
    notes: list[str] = []
    if graph.part == _serving.ENCODED:
        write_json(folder / _serving.PREPROCESSING_FILE, graph.preprocessing)
        notes.append(graph.note)
        details["whole_model_error"] = failures[0] if failures else ""
        details["preprocessing_file"] = _serving.PREPROCESSING_FILE
        if graph.preprocessing.get("model_input"):  # how the card names the encoded input
            details["encoded_input"] = graph.preprocessing["model_input"]
        if len(rows) and graph.app_encoding is not None:
            ours = graph.feed(rows)
            app = graph.app_encoding(rows)
            details["encoding_matches_app"] = all(
                np.array_equal(np.asarray(app[k]).reshape(-1), ours[k].reshape(-1)) for k in app
            )
    if fmt != "onnx":
        kept = _tflite.weight_types(folder / name)
        details["weight_types"] = kept
        if fmt == "tflite-dynamic" and "int8" not in kept:
            notes.append(
                "No weight tensor was large enough to quantize (TFLite quantizes tensors of "
                "1,024 values or more), so this file holds float32 weights."
            )
        if fmt == "tflite-float16" and "float16" not in kept:
            notes.append("No weight tensor was stored as float16; the file is float32.")
    return Converted(name, outputs, runtime_name(fmt), graph.part, notes, details)
