"""``MODEL_CARD.md``: what an exported model is, how to call it, how good it is and where not
to trust it, written from its metadata and evaluation report (no TensorFlow needed).
"""

from __future__ import annotations

from typing import Any

IMBALANCE_RATIO = 3.0  # a largest/smallest class ratio above this gets a warning
SMALL_TEST_SET = 50  # fewer test samples than this gets a warning
CARD_FILE = "MODEL_CARD.md"
#: input columns named one by one on the card (a wide table lists the rest as a count)
MAX_LISTED = 50

_KIND_NAMES = {"tabular": "table (rows and columns)", "images": "images", "audio": "audio clips"}
_FORMAT_NAMES = {
    "keras": "Keras 3 (.keras)",
    "savedmodel": "TensorFlow SavedModel",
    "tflite": "TensorFlow Lite (float32)",
    "tflite-dynamic": "TensorFlow Lite (dynamic-range quantized)",
    "tflite-float16": "TensorFlow Lite (float16 weights)",
    "onnx": "ONNX",
}


# -- how to call each format ------------------------------------------------------------------
def _input_text(metadata: dict[str, Any]) -> str:
    kind = metadata.get("kind", "tabular")
    if kind == "images":
        return (
            "float32 images (n, height, width, 3), RGB values 0-255, any size (the model "
            "resizes, converts the colour mode and normalizes by itself)"
        )
    if kind == "audio":
        rate = int(metadata.get("sample_rate") or 0)
        return (
            f"float32 mono waveforms (n, samples) at {rate} Hz, values in [-1, 1], any length "
            "(the model crops/pads centred and computes its spectrogram)"
        )
    groups = _grouped(metadata)
    if groups:
        parts = [f"{_group_text(n, c)} (NaN = missing)" for n, c in groups]
        if _has_single(metadata):
            parts.append("each category column its own (n, 1) string tensor ('' = missing)")
        return "; ".join(parts)
    return (
        "one (n, 1) tensor per input of input_schema: numbers as float32 (NaN = missing), "
        "categories as strings ('' = missing)"
    )


def _grouped(metadata: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """A wide table's grouped numeric inputs: (input name, its columns in index order)."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for c in (metadata.get("input_schema") or {}).get("columns", []):
        if c.get("index") is not None:
            groups.setdefault(str(c["input_name"]), []).append((int(c["index"]), str(c["name"])))
    return [(name, [n for _, n in sorted(cols)]) for name, cols in groups.items()]


def _has_single(metadata: dict[str, Any]) -> bool:
    columns = (metadata.get("input_schema") or {}).get("columns", [])
    return any(c.get("index") is None for c in columns)


def _listed(names: list[str]) -> str:
    """The first :data:`MAX_LISTED` names, then how many more."""
    more = f" and {len(names) - MAX_LISTED:,} more" if len(names) > MAX_LISTED else ""
    return ", ".join(names[:MAX_LISTED]) + more


def _flags_text(metadata: dict[str, Any], name: str, columns: list[str]) -> str:
    """The grouped input's missing indicators, as the stored settings say (the model and
    preprocessing.json hold them too)."""
    config = (metadata.get("preprocess") or {}).get("columns")
    if not isinstance(config, list):
        return f"; {name}__missing: float32 (n, m), 0/1 for the columns listed there, if any"
    flagged = {str(c.get("name")) for c in config if c.get("missing_indicator")}
    chosen = [c for c in columns if c in flagged]
    if not chosen:
        return ""
    return f"; {name}__missing: float32 (n, {len(chosen)}), 0/1 = missing, for {_listed(chosen)}"


def _group_text(name: str, columns: list[str]) -> str:
    return f"{name}: float32 (n, {len(columns)}), the columns in this order: {_listed(columns)}"


def _output_text(metadata: dict[str, Any]) -> str:
    if metadata.get("task") == "regression":
        return f"(n, 1) predicted values of '{metadata.get('target', 'the target')}'"
    names = ", ".join(str(n) for n in metadata.get("class_names") or [])
    return f"(n, classes) probabilities in this class order: {names}"


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
    groups = _grouped(metadata)
    if groups:
        return (
            "Call loaded.serve({input_name: tensor}) with "
            + "; ".join(f"{_group_text(n, c)} (NaN = missing)" for n, c in groups)
            + (
                "; each category column its own (n, 1) string tensor ('' = missing) in the "
                "canonical form of input_schema."
                if _has_single(metadata)
                else "."
            )
        )
    return (
        "Call loaded.serve({input_name: tensor (n, 1)}); numbers as float32 (NaN = missing), "
        "categories as strings ('' = missing) in the canonical form of input_schema."
    )


def usage_text(metadata: dict[str, Any], fmt: str, part: str = "full") -> str:
    """How to load and call the export of format ``fmt`` (``part``: "full" or "encoded")."""
    groups = _grouped(metadata)
    if part == "encoded" and groups:
        grouped = "; ".join(
            f"{_group_text(n, c)}, missing ones replaced by fill_values{_flags_text(metadata, n, c)}"
            for n, c in groups
        )
        inputs = (
            f"the encoded row as preprocessing.json describes ({grouped}; each category as its "
            "int64 (n, 1) vocabulary index, and its 0/1 missing indicator where listed)"
        )
    elif part == "encoded":
        inputs = (
            "the encoded row as preprocessing.json describes (numbers as float32 (n, 1) with "
            "missing ones replaced by fill_value; each category as its int64 (n, 1) vocabulary "
            "index; 0/1 missing indicators where listed)"
        )
    else:
        inputs = _input_text(metadata)
    out = _output_text(metadata)
    if fmt == "keras":
        return (
            "model = keras.saving.load_model('model.keras', safe_mode=True) (import "
            "automl_gui's layer modules first to register its custom layers); "
            f"model.predict(x) with x = {inputs}; returns {out}."
        )
    if fmt == "savedmodel":
        return f"loaded = tf.saved_model.load(folder); {serving_text(metadata)}"
    if fmt.startswith("tflite"):
        return (
            "interpreter = ai_edge_litert.interpreter.Interpreter(model_path='model.tflite'); "
            "runner = interpreter.get_signature_runner(); runner(**inputs) with inputs = "
            f"{inputs}, by input name; returns {{'output_0': {out}}}."
        )
    if fmt == "onnx":
        return (
            "session = onnxruntime.InferenceSession('model.onnx'); session.run(None, feed) "
            f"with feed = {inputs}, by input name; returns [{out}]."
        )
    return f"inputs: {inputs}; outputs: {out}."


# -- the card ---------------------------------------------------------------------------------
def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _diff(value: Any) -> str:
    return "-" if value is None else f"{float(value):.2g}"


def _class_counts(metadata: dict[str, Any], report: dict[str, Any]) -> tuple[dict, str]:
    """Class counts and where they come from: the whole data set when the metadata has them,
    else the test split's support."""
    counts = metadata.get("class_counts")
    if isinstance(counts, dict) and counts:
        return {str(k): int(v) for k, v in counts.items()}, "all data"
    per_class = report.get("per_class") or []
    support = {str(r.get("class")): int(r.get("support") or 0) for r in per_class}
    return support, "test split"


def _data_lines(metadata: dict[str, Any], report: dict[str, Any]) -> list[str]:
    data = metadata.get("data") or {}
    lines: list[str] = []
    unit = {"images": "images", "audio": "clips"}.get(metadata.get("kind", ""), "rows")
    split = [
        (name, data.get(f"{key}_{unit}"))
        for name, key in (("training", "train"), ("validation", "validation"), ("test", "test"))
    ]
    if any(v is not None for _, v in split):
        lines.append(
            "- Split: " + ", ".join(f"{v:,} {unit} {n}" for n, v in split if v is not None) + "."
        )
    used = data.get("rows_used", data.get(f"{unit}_used"))
    if used is not None:
        lines.append(f"- {unit.capitalize()} used: {int(used):,}.")
    if data.get("bad_files"):
        lines.append(f"- Unreadable files skipped: {data['bad_files']}.")
    left_out = {k: v for k, v in (data.get("left_out") or {}).items() if v}
    if left_out:  # files that vanished or broke after the scan
        text = ", ".join(f"{v:,} {k}" for k, v in left_out.items())
        lines.append(f"- {unit.capitalize()} that could not be read after the scan: {text}.")
    dropped = data.get("dropped") or {}
    if dropped:
        lines.append("- Dropped: " + ", ".join(f"{v} {k}" for k, v in dropped.items()) + ".")
    if metadata.get("kind", "tabular") == "tabular":
        columns = [c["name"] for c in (metadata.get("input_schema") or {}).get("columns", [])]
        if columns:
            lines.append(f"- Input columns ({len(columns):,}): {_listed(columns)}.")
        if metadata.get("target"):
            lines.append(f"- Target column: {metadata['target']}.")
    counts, source = _class_counts(metadata, report)
    if counts and metadata.get("task") != "regression":
        text = ", ".join(f"{k}: {v:,}" for k, v in counts.items())
        lines.append(f"- Classes ({source}): {text}.")
    return lines or ["- No data summary was recorded with this model."]


def _metric_lines(metadata: dict[str, Any], report: dict[str, Any]) -> list[str]:
    metrics = {
        k: v
        for k, v in (report.get("metrics") or metadata.get("metrics") or {}).items()
        if v is not None
    }
    lines: list[str] = []
    n = report.get("n_samples")
    if n is not None:
        lines.append(f"Measured on {int(n):,} held-out test samples the model never trained on.")
        lines.append("")
    if metrics:
        lines += ["| metric | value |", "|---|---|"]
        lines += [f"| {k} | {_fmt(v)} |" for k, v in metrics.items()]
    per_class = report.get("per_class") or []
    if per_class:
        lines += ["", "Per class:", "", "| class | precision | recall | F1 | support |"]
        lines.append("|---|---|---|---|---|")
        for r in per_class:
            lines.append(
                f"| {r.get('class')} | {_fmt(r.get('precision'))} | {_fmt(r.get('recall'))} | "
                f"{_fmt(r.get('f1'))} | {_fmt(r.get('support'))} |"
            )
    return lines or ["No evaluation was recorded with this model."]


def known_limits(metadata: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """Plain warnings: class imbalance, a small test set, over/underfitting, quantization."""
    limits: list[str] = []
    counts, source = _class_counts(metadata, report)
    present = [v for v in counts.values() if v > 0]
    if metadata.get("task") != "regression" and len(present) >= 2:
        largest, smallest = max(present), min(present)
        if largest / smallest > IMBALANCE_RATIO:
            rare = min((k for k, v in counts.items() if v > 0), key=lambda k: counts[k])
            limits.append(
                f"Class imbalance: the largest class has {largest / smallest:.1f}x the samples "
                f"of the smallest ('{rare}', {smallest}; {source}). Accuracy overstates "
                "quality; read the per-class recall, and expect more mistakes on the rare "
                "classes."
            )
    n = report.get("n_samples")
    if n is not None and int(n) < SMALL_TEST_SET:
        limits.append(
            f"Small test set: {int(n)} samples, so every figure above is uncertain "
            "(one sample moves accuracy by "
            f"{100 / max(int(n), 1):.0f} points). Evaluate on more data before relying on it."
        )
    diagnosis = metadata.get("diagnosis")
    if diagnosis:
        text = diagnosis.get("message") if isinstance(diagnosis, dict) else str(diagnosis)
        limits.append(f"Training diagnosis: {text}")
    export = metadata.get("export") or {}
    check = export.get("verification") or {}
    if export.get("quantization", "none") != "none" and check.get("max_abs_diff") is not None:
        limits.append(
            f"Quantization ({export['quantization']}): answers differ from the original model "
            f"by up to {check['max_abs_diff']:.3g} on the check samples"
            + (
                f", same class for {check['agreement']:.0%}."
                if check.get("agreement") is not None
                else "."
            )
        )
    if export.get("part") == "encoded":
        limits.append(
            "This file holds the model without its category lookups: rows must be encoded "
            "as preprocessing.json describes (see 'How to call it')."
        )
    return limits or ["None recorded beyond the usual: see intended use."]


def _training_lines(metadata: dict[str, Any]) -> list[str]:
    training = metadata.get("training") or {}
    result = metadata.get("training_result") or {}
    rows = [
        ("Optimizer", training.get("optimizer")),
        ("Learning rate", training.get("learning_rate")),
        ("Schedule", training.get("schedule")),
        ("Batch size", result.get("batch_size", training.get("batch_size"))),
        ("Epochs run", result.get("epochs_run")),
        ("Best epoch", None if result.get("best_epoch") is None else result["best_epoch"] + 1),
        ("Stopped because", result.get("stopped_reason")),
        ("Training time", None if result.get("seconds") is None else f"{result['seconds']:.1f} s"),
        ("Seed", training.get("seed")),
    ]
    hardware = metadata.get("hardware")
    if isinstance(hardware, dict):
        rows.append(("Hardware", hardware.get("summary") or hardware.get("device") or hardware))
    elif hardware:
        rows.append(("Hardware", hardware))
    return [f"- {k}: {v}" for k, v in rows if v not in (None, "")] or ["- Not recorded."]


def _model_lines(metadata: dict[str, Any]) -> list[str]:
    kind = metadata.get("kind", "tabular")
    model = metadata.get("model") or {}
    arch = metadata.get("architecture") or model.get("architecture") or "mlp"
    lines = [
        f"- Input: {_KIND_NAMES.get(kind, kind)}.",
        f"- Task: {metadata.get('task', '?')}.",
        f"- Architecture: {arch}.",
    ]
    if kind == "tabular" and model.get("hidden_units"):
        lines.append(
            f"- Hidden layers: {model.get('hidden_units')} ({model.get('activation', 'relu')})."
        )
    if kind == "images" and metadata.get("image_size"):
        lines.append(f"- Image size inside the model: {metadata['image_size']} px.")
    if kind == "audio":
        lines.append(
            f"- Audio: {metadata.get('sample_rate')} Hz, clips of {metadata.get('clip_seconds')}"
            f" s, features {metadata.get('features')}."
        )
    lines.append(f"- Outputs: {_output_text(metadata)}.")
    return lines


def _intended_use(metadata: dict[str, Any]) -> list[str]:
    kind = metadata.get("kind", "tabular")
    what = {"images": "images", "audio": "clips"}.get(kind, "rows")
    return [
        f"- Intended use: predicting on new {what} that come from the same source and "
        "population as the training data, where a person can check or overrule the answer.",
        f"- Out of scope: {what} unlike the training data (another source, sensor, period or "
        "population), classes it never saw (it always answers one of its own), and decisions "
        "about people's health, money, safety or rights without human review. The model "
        "knows only correlations in its training data, not causes.",
    ]


def model_card(metadata: dict[str, Any], report: dict[str, Any] | None) -> str:
    """The model card (Markdown) for an export with this ``metadata`` (its "export" section
    says the format and verification) and evaluation ``report``."""
    report = report or {}
    export = metadata.get("export") or {}
    fmt = str(export.get("format", "keras"))
    check = export.get("verification") or {}
    title = f"{metadata.get('task', 'model').capitalize()} model for {_KIND_NAMES.get(metadata.get('kind', 'tabular'), 'data')}"
    lines = [f"# Model card: {title}", ""]
    lines += [f"Format: {_FORMAT_NAMES.get(fmt, fmt)}. Exported {export.get('exported', '?')}.", ""]
    lines += ["## Model details", "", *_model_lines(metadata), ""]
    lines += ["## How to call it", "", usage_text(metadata, fmt, str(export.get("part", "full")))]
    for note in export.get("notes") or []:
        lines += ["", f"> {note}"]
    lines += ["", "## Data", "", *_data_lines(metadata, report), ""]
    lines += ["## Intended use", "", *_intended_use(metadata), ""]
    lines += ["## Metrics", "", *_metric_lines(metadata, report), ""]
    lines += ["## Known limits", "", *[f"- {item}" for item in known_limits(metadata, report)], ""]
    lines += ["## Training settings", "", *_training_lines(metadata), ""]
    if check:
        agreement = check.get("agreement")
        lines += [
            "## Export check",
            "",
            f"- Runtime: {export.get('runtime', '?')}.",
            f"- Samples compared with the in-app model: {check.get('samples', 0)}.",
            f"- Max difference: {_diff(check.get('max_abs_diff'))}"
            + ("" if agreement is None else f"; same class: {agreement:.0%}")
            + f"; passed: {'yes' if check.get('ok') else 'NO'}.",
            "",
        ]
    versions = metadata.get("versions") or {}
    if versions:
        lines += ["## Versions", "", *[f"- {k}: {v}" for k, v in versions.items()], ""]
    return "\n".join(lines).rstrip() + "\n"


__all__ = ["CARD_FILE", "known_limits", "model_card", "serving_text", "usage_text"]
