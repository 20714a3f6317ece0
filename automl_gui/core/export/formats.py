"""Export a bundle to another format, then load what was written in that format's own runtime
(Keras, TensorFlow, the LiteRT interpreter, onnxruntime) and check it answers the same.

Every export is a folder (a .keras export may also be a single file) with the model file(s),
``metadata.json`` (its "export" section: format, quantization, runtime, the check's figures)
and ``MODEL_CARD.md``, written in a staging folder beside the target and renamed into place;
nothing is overwritten unless asked. TFLite and ONNX live in ``_convert``.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.export import model_card as _card
from automl_gui.core.export._card_tables import with_built_layers
from automl_gui.core.export._compare import (  # the check's bounds, also named from here
    MIN_AGREEMENT,
    QUANTIZED_FORMATS,
    QUANTIZED_RELATIVE,  # noqa: F401
    QUANTIZED_TOLERANCE,  # noqa: F401
    TOLERANCE,  # noqa: F401
    compare,
    tolerance,
)
from automl_gui.core.export.bundle import (
    METADATA_FILE,
    MODEL_FILE,
    REPORT_FILE,
    SAMPLES_FILE,
    Bundle,
    check_destination,
    commit_dir_or_beside,
    load_keras_model,
    model_array,
    predict_inputs,
    sample_array,
    sample_inputs,
    serving_model_of,
    temp_dir_beside,
    write_json,
)
from automl_gui.core.export.model_card import CARD_FILE
from automl_gui.core.export.outputs import prepare_output
from automl_gui.core.kinds import kind_named

FORMATS: dict[str, str] = {
    "keras": "Keras 3 model file (.keras) with metadata.json: load with keras.saving.load_model "
    "in plain Keras and TensorFlow (safe mode), without this app.",
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


@dataclass
class _Staged:
    """A model written into the staging folder and what its runtime answered."""

    model_file: str
    outputs: Any
    runtime: str
    part: str = "full"
    notes: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def serving_text(metadata: dict[str, Any]) -> str:
    """How to call an exported SavedModel's ``serve`` signature (see ``model_card``)."""
    return _card.serving_text(metadata)


def _write_extras(bundle: Bundle, folder: Path) -> None:
    """report.json and (models of files) the sample inputs, inside an export folder."""
    if bundle.report:
        write_json(folder / REPORT_FILE, bundle.report)
    if bundle.kind.file_based and bundle.samples is not None:
        np.save(folder / SAMPLES_FILE, sample_array(bundle.samples))


def _signature(bundle: Bundle) -> dict[str, Any]:
    """Audio: serve waveforms of any length, ``(None, None)`` float32, whatever length the
    model was traced with. Others: the model's own input spec."""
    kind = bundle.kind
    if not kind.serves_any_length:
        return {}
    tf = _lazy().tf()
    shape, name = kind.serving_input
    return {"input_signature": [tf.TensorSpec(shape, tf.float32, name=name)]}


def _lazy() -> Any:
    from automl_gui.core.base import lazy

    return lazy


# -- writers: model file(s) into the staging folder, then the runtime's answers ---------------
def _keras_stage(bundle: Bundle, folder: Path, fmt: str, rows: Any, shape: tuple) -> _Staged:
    from automl_gui.core.export import _portable

    serving_model_of(bundle.model).save(folder / MODEL_FILE)
    outputs = predict_inputs(load_keras_model(folder / MODEL_FILE), bundle.metadata, rows)
    staged = _Staged(MODEL_FILE, outputs, f"Keras {_lazy().keras().__version__}")
    layers = _portable.app_layers(folder / MODEL_FILE)
    staged.details["app_layers"] = layers
    if layers:
        staged.notes.append(_portable.requirement_note(layers))
    return staged


def _savedmodel_stage(bundle: Bundle, folder: Path, fmt: str, rows: Any, shape: tuple) -> _Staged:
    try:
        bundle.model.export(
            str(folder), format="tf_saved_model", verbose=False, **_signature(bundle)
        )
    except Exception as exc:  # noqa: BLE001 - TF raises many kinds
        raise ModelError(
            f"Could not export a SavedModel: {exc}", "Try the .keras format instead."
        ) from None
    outputs = _reload_savedmodel(folder, bundle.metadata, rows)
    return _Staged("saved_model.pb", outputs, f"TensorFlow {_lazy().tf().__version__}")


def _converted_stage(bundle: Bundle, folder: Path, fmt: str, rows: Any, shape: tuple) -> _Staged:
    from automl_gui.core.export._convert import write_converted

    done = write_converted(bundle, fmt, folder, rows, shape)
    return _Staged(done.model_file, done.outputs, done.runtime, done.part, done.notes, done.details)


def _reload_savedmodel(path: Path, metadata: dict[str, Any], rows: Any) -> np.ndarray:
    from automl_gui.core.preprocess.tabular import InputSchema, frame_to_inputs, to_tensors

    tf = _lazy().tf()
    try:
        loaded = tf.saved_model.load(str(path))
    except Exception as exc:  # noqa: BLE001
        raise ModelError(
            f"The written SavedModel cannot be loaded: {exc}", "Export again."
        ) from None
    if len(rows) == 0:
        return np.zeros((0,), dtype=np.float32)
    if kind_named(str(metadata.get("kind", "tabular"))).file_based:
        return np.asarray(loaded.serve(tf.constant(model_array(rows))))
    inputs = to_tensors(frame_to_inputs(rows, InputSchema.from_dict(metadata["input_schema"])))
    out = np.asarray(loaded.serve(inputs))
    if metadata.get("task") == "regression":
        return out.reshape(-1)
    return out.reshape(len(rows), -1)


_STAGES = {
    "keras": _keras_stage,
    "savedmodel": _savedmodel_stage,
    "tflite": _converted_stage,
    "tflite-dynamic": _converted_stage,
    "tflite-float16": _converted_stage,
    "onnx": _converted_stage,
}


# -- checking ---------------------------------------------------------------------------------
def _verdict(fmt: str, diff: float, agreement: float | None, bound: float) -> bool:
    if not diff <= bound:  # also False for NaN
        return False
    if fmt in QUANTIZED_FORMATS and agreement is not None:
        return agreement >= MIN_AGREEMENT
    return True


def _message(
    bundle: Bundle,
    fmt: str,
    staged: _Staged,
    n: int,
    diff: float,
    agreement: float | None,
    bound: float,
    ok: bool,
) -> str:
    what = bundle.kind.sample_words
    if staged.part == "encoded":
        what += " (encoded as preprocessing.json says)"
    if n == 0:
        return f"Written; no {what} to compare."
    text = f"Loaded in {staged.runtime} and compared {n} {what}: max difference {diff:.2g}"
    if agreement is not None:
        text += f", same class for {agreement:.0%}"
    if fmt in QUANTIZED_FORMATS:
        rule = f"differences up to {bound:.2g}"
        if agreement is not None:
            rule += f" and the same class for at least {MIN_AGREEMENT:.0%}"
        text += f" (quantized: {rule} {'pass' if ok else 'required; failed'})."
    else:
        text += "." if ok else f" (above the {bound:.2g} tolerance)."
    return text


# -- export -----------------------------------------------------------------------------------
def export_model(
    bundle: Bundle,
    fmt: str,
    out: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> ExportResult:
    """Write ``bundle`` as ``fmt`` at ``out``, load it in the format's runtime and compare its
    answers with the in-app model's on the sample inputs.

    Args:
        bundle: the model (in memory or loaded) and its metadata.
        fmt: a key of :data:`FORMATS`. Every export is a folder with the model file(s),
            metadata.json (its "export" section holds the check's figures) and MODEL_CARD.md;
            "keras" also takes a path ending in .keras (the metadata and card then sit beside
            it as <name>.metadata.json and <name>.MODEL_CARD.md).
        out: where to write.
        overwrite: replace an existing export this app wrote; otherwise refuse. Never
            replaces the source model, a folder holding other files, or the current folder
            (``outputs.check_destination``).
        on_event: receives Progress events (stage names) for a dialog.
        cancel: checked between stages; a cancelled export leaves nothing behind.

    Raises:
        ConfigError: unknown format. ModelError: target exists, or writing/converting failed.
        CancelledError: cancelled.
    """
    fmt = (fmt or "").strip().lower()
    if fmt not in _STAGES:
        raise ConfigError(f"Unknown export format '{fmt}'.", f"Use one of: {', '.join(FORMATS)}.")
    target = Path(out).expanduser().absolute()
    single_file = fmt == "keras" and target.suffix == ".keras"
    if target.suffix == ".keras" and not single_file:
        raise ConfigError(f"A {fmt} export is a folder, not a .keras file.", "Give a folder path.")
    beside = _beside(target) if single_file else {}
    inputs = [bundle.path] if bundle.path else []
    for path in [target, *beside.values()]:
        prepare_output(path, overwrite, inputs=inputs, file=single_file)

    def step(stage: str, fraction: float) -> None:
        if cancel is not None:
            cancel.raise_if_cancelled()
        emit(on_event, Progress(stage, fraction, stage))

    step("Predicting on the sample inputs", 0.05)
    rows = sample_inputs(bundle)
    reference = predict_inputs(bundle.model, bundle.metadata, rows)
    staging = temp_dir_beside(target)
    try:
        step(f"Writing the {fmt} model", 0.2)
        started = time.perf_counter()
        staged = _STAGES[fmt](bundle, staging, fmt, rows, reference.shape)
        step(f"Checking it in {staged.runtime}", 0.8)
        task = bundle.task
        diff, agreement = compare(reference, np.asarray(staged.outputs), task)
        bound = tolerance(fmt, task, reference)
        ok = _verdict(fmt, diff, agreement, bound)
        if staged.details.get("encoding_matches_app") is False:
            ok = False
            staged.notes.append(
                "preprocessing.json does not reproduce the app's encoding of the sample rows; "
                "use the .keras/SavedModel export."
            )
        paths = (
            (target.name, beside[METADATA_FILE].name)
            if single_file
            else (MODEL_FILE if fmt == "keras" else ".", METADATA_FILE)
        )
        meta = _export_metadata(bundle, fmt, reference, staged, paths[0])
        meta["export"]["verification"] = {
            "samples": len(rows),
            "max_abs_diff": diff,
            "agreement": agreement,
            "tolerance": bound,
            "min_agreement": MIN_AGREEMENT if fmt in QUANTIZED_FORMATS else None,
            "ok": ok,
            "seconds": round(time.perf_counter() - started, 2),
        }
        write_json(staging / METADATA_FILE, meta)
        card = _card.model_card(meta, bundle.report, paths)
        (staging / CARD_FILE).write_text(card, encoding="utf-8")
        _write_extras(bundle, staging)
        step("Moving the export into place", 0.95)
        if single_file:
            files = _commit_single(staging, target, beside, overwrite, inputs)
        else:
            written = commit_dir_or_beside(staging, target, overwrite, inputs=inputs)
            if written != target:
                staged.notes.append(
                    f"{target} changed while the export was made and may no longer be "
                    f"replaced; the export was written to {written} instead."
                )
                target = written
            files = _listing(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    size = sum((target.parent / f if single_file else target / f).stat().st_size for f in files)
    message = _message(bundle, fmt, staged, len(rows), diff, agreement, bound, ok)
    emit(on_event, Progress("Done", 1.0, message))
    return ExportResult(
        format=fmt,
        path=str(target),
        rows_compared=len(rows),
        max_abs_diff=diff,
        agreement=agreement,
        ok=ok,
        message=message,
        runtime=staged.runtime,
        notes=list(staged.notes),
        files=files,
        size_bytes=size,
    )


def _export_metadata(
    bundle: Bundle, fmt: str, reference: np.ndarray, staged: _Staged, model_file: str
) -> dict[str, Any]:
    """The export's metadata; ``model_file``: the model's name as the card's folder sees it
    (a single .keras export keeps the user's file name)."""
    from automl_gui.core.export._convert import quantization

    meta = with_built_layers(dict(bundle.metadata), bundle.model)
    if not meta.get("sample_predictions") and meta.get("sample_rows"):
        meta["sample_predictions"] = reference.tolist()
    meta["export"] = {
        "format": fmt,
        "exported": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "quantization": quantization(fmt),
        "runtime": staged.runtime,
        "part": staged.part,
        "notes": list(staged.notes),
        **staged.details,
    }
    meta["export"]["usage"] = _card.usage_text(meta, fmt, staged.part, model_file)
    if fmt == "savedmodel":
        meta["export"]["serving"] = _card.serving_text(meta)
    return meta


def _beside(target: Path) -> dict[str, Path]:
    """A single .keras file's companions: ``<name>.metadata.json`` and ``<name>.MODEL_CARD.md``
    (two .keras exports in one folder keep their own)."""
    return {
        METADATA_FILE: target.with_name(f"{target.stem}.{METADATA_FILE}"),
        CARD_FILE: target.with_name(f"{target.stem}.{CARD_FILE}"),
    }


def _commit_single(
    staging: Path, target: Path, beside: dict[str, Path], overwrite: bool, inputs: list[Any]
) -> list[str]:
    for path in [target, *beside.values()]:
        check_destination(path, overwrite, inputs=inputs, file=True)
    os.replace(staging / MODEL_FILE, target)
    for name, path in beside.items():
        os.replace(staging / name, path)
    return [target.name, *(p.name for p in beside.values())]


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
