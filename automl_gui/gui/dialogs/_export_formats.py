"""The export dialog's words and figures: format groups, labels, default names, result text.

Plain Python (no widgets), so the menu, the dialog and the tests share one source. The format
keys and their tooltips come from ``core.export.formats.FORMATS``; a key this module does not
know yet is still offered (under "Other runtimes", with its FORMATS sentence).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from automl_gui.core.base.units import format_bytes

# (group title, format keys) in the order the dialog and the menu list them
GROUPS: list[tuple[str, list[str]]] = [
    ("Keras / TensorFlow", ["keras", "savedmodel"]),
    ("Mobile and edge (TFLite)", ["tflite", "tflite-dynamic", "tflite-float16"]),
    ("Other runtimes", ["onnx"]),
]

LABELS = {
    "keras": "Keras (.keras)",
    "savedmodel": "TensorFlow SavedModel",
    "tflite": "TFLite float32",
    "tflite-dynamic": "TFLite dynamic-range quantized",
    "tflite-float16": "TFLite float16",
    "onnx": "ONNX",
}

# one line under each choice (the full FORMATS sentence is its tooltip)
SHORT = {
    "keras": "Keras 3: keras.saving.load_model in plain Keras, no app needed.",
    "savedmodel": "TF Serving, tf.saved_model.load and other TensorFlow tools.",
    "tflite": "Phones and edge devices (LiteRT); answers like the app's.",
    "tflite-dynamic": "8-bit integer weights: about 4× smaller, tiny differences.",
    "tflite-float16": "16-bit float weights: about 2× smaller, for GPU delegates.",
    "onnx": "onnxruntime from Python, C++, C#, Java or JavaScript.",
}

FALLBACK_FORMATS = {
    "keras": "Keras native format (.keras): reload with keras.saving.load_model.",
    "savedmodel": "TensorFlow SavedModel folder: for TF Serving, TFLite conversion, other tools.",
    "tflite": "TensorFlow Lite flat buffer (float32) for the LiteRT interpreter.",
    "tflite-dynamic": "TensorFlow Lite with dynamic-range quantized weights (int8).",
    "tflite-float16": "TensorFlow Lite with float16 weights.",
    "onnx": "ONNX model for onnxruntime (converted with tf2onnx).",
}

# the suffix of a default export name per format ("<dataset>_<suffix>")
NAME_SUFFIX = {
    "keras": "keras",
    "savedmodel": "savedmodel",
    "tflite": "tflite",
    "tflite-dynamic": "tflite_int8",
    "tflite-float16": "tflite_fp16",
    "onnx": "onnx",
}

# what the reload check names the compared samples, per run kind
COMPARED_LABEL = {
    "rows": "Rows compared",
    "images": "Images compared",
    "waveforms": "Clips compared",
}

MODEL_CARD = "MODEL_CARD.md"
QUANTIZED = ("tflite-dynamic", "tflite-float16")
NO_RUN = "No trained model yet: train one (Train page), or make a kept run current, then export it."
TRAINING = "Training is running: export once it has finished."


def formats() -> dict[str, str]:
    """Format key → full description, in the dialog's order (GROUPS first, then the rest)."""
    try:
        from automl_gui.core.export.formats import FORMATS

        core = dict(FORMATS)
    except ImportError:  # pragma: no cover - the engine is part of the app
        core = {}
    ordered = [fmt for _, keys in GROUPS for fmt in keys]
    result = {fmt: core.get(fmt) or FALLBACK_FORMATS[fmt] for fmt in ordered}
    result.update({fmt: text for fmt, text in core.items() if fmt not in result})
    return result


def grouped() -> list[tuple[str, list[str]]]:
    """GROUPS, with any format the engine offers beyond them added to "Other runtimes"."""
    known = {fmt for _, keys in GROUPS for fmt in keys}
    extra = [fmt for fmt in formats() if fmt not in known]
    groups = [(title, list(keys)) for title, keys in GROUPS]
    groups[-1][1].extend(extra)
    return groups


def blocker(state: Any) -> str:
    """Why nothing can be exported now ("" when a model is ready)."""
    if state.run is None:
        return NO_RUN
    if getattr(state, "training_active", False):
        return TRAINING
    return ""


def label(fmt: str) -> str:
    return LABELS.get(fmt, fmt)


def short(fmt: str) -> str:
    return SHORT.get(fmt) or formats().get(fmt, "")


def dataset_stem(state: Any) -> str:
    """A file-name-safe name for the loaded dataset ("customer_churn"), or "model"."""
    raw = Path(state.dataset_name).stem if state.dataset is not None else ""
    name = re.sub(r"[^\w.-]+", "_", raw).strip("._-")
    return name or "model"


def default_name(stem: str, fmt: str, keras_file: bool = False) -> str:
    """``customer_churn_onnx`` (a folder), or ``customer_churn.keras`` for a single file."""
    if fmt == "keras" and keras_file:
        return f"{stem}.keras"
    suffix = NAME_SUFFIX.get(fmt) or re.sub(r"[^\w]+", "_", fmt)
    return f"{stem}_{suffix}"


def is_default_name(name: str, stem: str) -> bool:
    """Whether ``name`` is one the dialog made up (so a format change may replace it)."""
    if not name:
        return True
    candidates = {default_name(stem, fmt) for fmt in formats()} | {f"{stem}.keras"}
    return name in candidates


# -- results ------------------------------------------------------------------------------------
def kind_name(result: Any) -> str:
    fmt = getattr(result, "format", "")
    if fmt == "keras":
        return (
            ".keras file" if str(getattr(result, "path", "")).endswith(".keras") else "Keras model"
        )
    if fmt == "savedmodel":
        return "SavedModel"
    if str(fmt).startswith("tflite"):
        return "TFLite model"
    if fmt == "onnx":
        return "ONNX model"
    return f"{fmt} export"


def describe_result(result: Any, what: str = "rows") -> tuple[bool, str]:
    """(ok, headline) for an ExportResult, e.g. "Verified: reloaded the ONNX model in ...".

    ``what`` names the compared samples ("rows" for tables, "images" for image models,
    "waveforms" for audio models).
    """
    if not result.ok:
        return False, f"Not verified: {result.message or 'the reloaded model disagrees.'}"
    runtime = getattr(result, "runtime", "") or ""
    where = f" in {runtime}" if runtime else ""
    text = f"Verified: reloaded the {kind_name(result)}{where} and compared {result.rows_compared} {what}"
    details = []
    if result.max_abs_diff is not None:
        details.append(f"max difference {result.max_abs_diff:.2g}")
    if result.agreement is not None:
        details.append(f"{100 * result.agreement:.0f} % same class")
    return True, text + (": " + ", ".join(details) if details else "") + "."


def written_files(result: Any) -> tuple[list[str], int | None]:
    """(files relative to the export, total bytes): the result's own figures when it has them,
    else what is on disk."""
    path = Path(str(result.path))
    files = [str(f) for f in (getattr(result, "files", None) or [])]
    size = getattr(result, "size_bytes", None)
    if not files:
        if path.is_dir():
            files = sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files = [path.name]
    if not size:
        try:
            base = path if path.is_dir() else path.parent
            size = sum((base / f).stat().st_size for f in files if (base / f).is_file()) or None
        except OSError:
            size = None
    return files, size


def export_folder(result: Any) -> Path:
    """The folder holding the export (the .keras file's folder for a single-file export)."""
    path = Path(str(result.path))
    return path if path.is_dir() else path.parent


def model_card_path(result: Any) -> Path | None:
    """MODEL_CARD.md of the export, if it was written."""
    path = Path(str(result.path))
    folder = export_folder(result)
    candidates = [folder / MODEL_CARD]
    if not path.is_dir():
        candidates.insert(0, path.with_name(f"{path.stem}.{MODEL_CARD}"))
    candidates += [
        folder / f for f in (getattr(result, "files", None) or []) if f.endswith(MODEL_CARD)
    ]
    return next((p for p in candidates if p.is_file()), None)


def figures(result: Any, what: str = "rows") -> list[tuple[str, str]]:
    """(label, value) rows for the result panel."""
    rows: list[tuple[str, str]] = []
    runtime = getattr(result, "runtime", "") or ""
    rows.append(("Runtime used", runtime or "—"))
    rows.append(
        (COMPARED_LABEL.get(what, f"{what.capitalize()} compared"), str(result.rows_compared))
    )
    diff = result.max_abs_diff
    rows.append(("Maximum difference", "—" if diff is None else f"{diff:.3g}"))
    agreement = result.agreement
    rows.append(
        (
            "Agreement",
            "— (regression)"
            if agreement is None
            else f"{100 * agreement:.1f}".removesuffix(".0") + " % same class",
        )
    )
    _, size = written_files(result)
    rows.append(("Size on disk", format_bytes(size)))
    return rows
