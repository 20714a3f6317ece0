"""Export a bundle to other formats, then reload what was written and check it answers the same.

Every export carries ``metadata.json`` and is written atomically (temp path beside the target,
then rename); nothing is overwritten unless asked.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.errors import ConfigError, ModelError
from automl_gui.core.export.bundle import (
    FILE_KINDS,
    METADATA_FILE,
    MODEL_FILE,
    REPORT_FILE,
    SAMPLES_FILE,
    Bundle,
    check_destination,
    commit_dir,
    load_keras_model,
    predict_inputs,
    sample_inputs,
    temp_dir_beside,
    write_json,
)

TOLERANCE = 1e-4

FORMATS: dict[str, str] = {
    "keras": "Keras 3 model file (.keras) with metadata.json: load with keras.saving.load_model.",
    "savedmodel": "TensorFlow SavedModel folder for TF Serving / tf.saved_model.load "
    "(signature 'serve'), with metadata.json inside.",
    "tflite": "TensorFlow Lite model (float32) for phones and edge devices, run with the "
    "LiteRT interpreter.",
    "tflite-dynamic": "TensorFlow Lite with dynamic-range quantized weights: about 4x smaller, "
    "answers may differ slightly.",
    "tflite-float16": "TensorFlow Lite with float16 weights: about 2x smaller, for GPU "
    "delegates; answers may differ slightly.",
    "onnx": "ONNX model (opset 17) for onnxruntime and other ONNX runtimes, from tf2onnx.",
}


@dataclass
class ExportResult:
    """What was written and how closely the reloaded model matches the in-memory one."""

    format: str
    path: str
    rows_compared: int
    max_abs_diff: float
    agreement: float | None  # share of sample rows with the same predicted class
    ok: bool
    message: str
    runtime: str = ""  # what loaded it for the check, e.g. "onnxruntime 1.23.2"
    notes: list[str] = field(default_factory=list)  # sentences for the user (what to do instead)
    files: list[str] = field(default_factory=list)  # what was written, relative to ``path``
    size_bytes: int = 0  # total size of what was written


def _export_metadata(bundle: Bundle, fmt: str, reference: np.ndarray) -> dict[str, Any]:
    meta = dict(bundle.metadata)
    if not meta.get("sample_predictions") and meta.get("sample_rows"):
        meta["sample_predictions"] = reference.tolist()
    meta["export"] = {
        "format": fmt,
        "exported": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if fmt == "savedmodel":
        meta["export"]["serving"] = serving_text(meta)
    return meta


def serving_text(metadata: dict[str, Any]) -> str:
    """How to call an exported SavedModel's ``serve`` signature, for its kind of input."""
    kind = metadata.get("kind")
    if kind == "images":
        return (
            "Call loaded.serve(images): float32 (n, height, width, 3) RGB values 0-255, any "
            "size (the model resizes); returns class probabilities in class_names order."
        )
    if kind == "audio":
        rate = int(metadata.get("sample_rate") or 0)
        return (
            f"Call loaded.serve(waveforms): float32 (n, samples) mono at {rate} Hz, values in "
            "[-1, 1], any length (the model crops/pads centred to its clip length and computes "
            "its spectrogram); returns class probabilities in class_names order."
        )
    return (
        "Call loaded.serve({input_name: tensor (n, 1)}); numbers as float32 (NaN = missing), "
        "categories as strings ('' = missing) in the canonical form of input_schema."
    )


def _write_extras(bundle: Bundle, folder: Path) -> None:
    """report.json and (image and audio models) the sample inputs, inside an export folder."""
    if bundle.report:
        write_json(folder / REPORT_FILE, bundle.report)
    if bundle.kind in FILE_KINDS and bundle.samples is not None:
        np.save(folder / SAMPLES_FILE, np.asarray(bundle.samples, dtype=np.float32))


def _write_keras(bundle: Bundle, out: Path, meta: dict[str, Any], overwrite: bool) -> Path:
    if out.suffix == ".keras":
        # "<name>.metadata.json": two .keras exports in one folder keep their own metadata
        meta_path = out.with_name(f"{out.stem}.{METADATA_FILE}")
        for p in (out, meta_path):
            check_destination(p, overwrite)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.stem}.tmp-", suffix=".keras", dir=out.parent)
        os.close(fd)
        tmp_model, tmp_meta = Path(tmp_name), Path(tmp_name + ".json")
        try:
            bundle.model.save(tmp_model)
            write_json(tmp_meta, meta)
            os.replace(tmp_model, out)
            os.replace(tmp_meta, meta_path)
        finally:
            tmp_model.unlink(missing_ok=True)
            tmp_meta.unlink(missing_ok=True)
        return out
    tmp = temp_dir_beside(out)
    try:
        bundle.model.save(tmp / MODEL_FILE)
        write_json(tmp / METADATA_FILE, meta)
        _write_extras(bundle, tmp)
        commit_dir(tmp, out, overwrite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / MODEL_FILE


def _write_savedmodel(bundle: Bundle, out: Path, meta: dict[str, Any], overwrite: bool) -> Path:
    tmp = temp_dir_beside(out)
    try:
        shutil.rmtree(tmp)  # export creates the folder itself
        try:
            bundle.model.export(
                str(tmp), format="tf_saved_model", verbose=False, **_signature(bundle)
            )
        except Exception as exc:  # noqa: BLE001 - TF raises many kinds
            raise ModelError(
                f"Could not export a SavedModel: {exc}", "Try the .keras format instead."
            ) from None
        write_json(tmp / METADATA_FILE, meta)
        _write_extras(bundle, tmp)
        commit_dir(tmp, out, overwrite)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def _signature(bundle: Bundle) -> dict[str, Any]:
    """Audio: serve waveforms of any length, ``(None, None)`` float32, whatever length the
    model was traced with. Others: the model's own input spec."""
    if bundle.kind != "audio":
        return {}
    from automl_gui.core import lazy

    tf = lazy.tf()
    return {"input_signature": [tf.TensorSpec((None, None), tf.float32, name="waveforms")]}


def _reload_keras(path: Path, metadata: dict[str, Any], rows: Any) -> np.ndarray:
    return predict_inputs(load_keras_model(path), metadata, rows)


def _reload_savedmodel(path: Path, metadata: dict[str, Any], rows: Any) -> np.ndarray:
    from automl_gui.core import lazy
    from automl_gui.core.preprocess.tabular import InputSchema, frame_to_inputs, to_tensors

    tf = lazy.tf()
    try:
        loaded = tf.saved_model.load(str(path))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(
            f"The written SavedModel cannot be loaded: {exc}", "Export again."
        ) from None
    if len(rows) == 0:
        return np.zeros((0,), dtype=np.float32)
    if metadata.get("kind") in FILE_KINDS:
        return np.asarray(loaded.serve(tf.constant(np.asarray(rows, dtype=np.float32))))
    inputs = to_tensors(frame_to_inputs(rows, InputSchema.from_dict(metadata["input_schema"])))
    out = np.asarray(loaded.serve(inputs))
    if metadata.get("task") == "regression":
        return out.reshape(-1)
    return out.reshape(len(rows), -1)


_WRITERS = {
    "keras": (_write_keras, _reload_keras),
    "savedmodel": (_write_savedmodel, _reload_savedmodel),
}


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


def export_model(
    bundle: Bundle, fmt: str, out: str | os.PathLike[str], *, overwrite: bool = False
) -> ExportResult:
    """Write ``bundle`` as ``fmt`` at ``out``, reload it and compare on the sample rows.

    Args:
        bundle: the model (in memory or loaded) and its metadata.
        fmt: "keras" (a folder, or a path ending in .keras with <name>.metadata.json beside it) or
            "savedmodel" (a folder with metadata.json inside).
        out: where to write.
        overwrite: replace an existing export; otherwise refuse.

    Raises:
        ConfigError: unknown format. ModelError: target exists, or writing failed.
    """
    fmt = (fmt or "").strip().lower()
    if fmt not in _WRITERS:
        raise ConfigError(f"Unknown export format '{fmt}'.", f"Use one of: {', '.join(FORMATS)}.")
    target = Path(out).expanduser().absolute()
    if fmt == "savedmodel" and target.suffix == ".keras":
        raise ConfigError("A SavedModel is a folder, not a .keras file.", "Give a folder path.")
    check_destination(target, overwrite)
    rows = sample_inputs(bundle)
    reference = predict_inputs(bundle.model, bundle.metadata, rows)
    meta = _export_metadata(bundle, fmt, reference)
    write, reload = _WRITERS[fmt]
    written = write(bundle, target, meta, overwrite)
    reloaded = reload(written, meta, rows)
    task = str(meta.get("task", ""))
    diff, agreement = compare(reference, reloaded, task)
    ok = diff <= TOLERANCE
    n = len(rows)
    what = {"images": "sample images", "audio": "sample clips (raw waveforms)"}.get(
        bundle.kind, "sample rows"
    )
    if n == 0:
        message = f"Written; no {what} to compare."
    else:
        message = f"Reloaded and compared {n} {what}: max difference {diff:.2g}"
        if agreement is not None:
            message += f", same class for {agreement:.0%}"
        message += "." if ok else f" (above the {TOLERANCE:g} tolerance)."
    return ExportResult(
        format=fmt,
        path=str(target),
        rows_compared=n,
        max_abs_diff=diff,
        agreement=agreement,
        ok=ok,
        message=message,
    )
