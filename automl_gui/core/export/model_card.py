"""``MODEL_CARD.md``: what an exported model is, how to call it, how good it is and where not
to trust it, written from its metadata and evaluation report (no TensorFlow needed).
"""

from __future__ import annotations

from typing import Any

from automl_gui.core.evaluate.labels import changed_figures
from automl_gui.core.export._card_tables import call_code, flags_text, group_text, grouped_inputs
from automl_gui.core.export._card_text import call_code as text_call_code
from automl_gui.core.export._card_trust import calibration_lines, trust_limits
from automl_gui.core.kinds import DataKind, kind_named
from automl_gui.core.train.balance import is_imbalanced
from automl_gui.core.trust.thresholds import decision_rule

SMALL_TEST_SET = 50  # fewer test samples than this gets a warning
CARD_FILE = "MODEL_CARD.md"

_FORMAT_NAMES = {
    "keras": "Keras 3 (.keras)",
    "savedmodel": "TensorFlow SavedModel",
    "tflite": "TensorFlow Lite (float32)",
    "tflite-dynamic": "TensorFlow Lite (dynamic-range quantized)",
    "tflite-float16": "TensorFlow Lite (float16 weights)",
    "onnx": "ONNX",
}


# -- how to call each format ------------------------------------------------------------------
def _kind(metadata: dict[str, Any]) -> DataKind:
    return kind_named(str(metadata.get("kind") or "tabular"))


def _output_text(metadata: dict[str, Any]) -> str:
    if metadata.get("task") == "regression":
        return f"(n, 1) predicted values of '{metadata.get('target', 'the target')}'"
    names = ", ".join(str(n) for n in metadata.get("class_names") or [])
    return f"(n, classes) probabilities in this class order: {names}"


def serving_text(metadata: dict[str, Any]) -> str:
    """How to call an exported SavedModel's ``serve`` signature, for its kind of input."""
    return _kind(metadata).model_card_serving(metadata)


def usage_text(
    metadata: dict[str, Any], fmt: str, part: str = "full", model_file: str = "model.keras"
) -> str:
    """How to load and call the export of format ``fmt`` (``part``: "full" or "encoded";
    ``model_file``: the .keras file's name)."""
    groups = grouped_inputs(metadata)
    encoded_input = (metadata.get("export") or {}).get("encoded_input")
    if part == "encoded" and encoded_input:  # the converted graph's own words (text)
        inputs = str(encoded_input)
    elif part == "encoded" and groups:
        grouped = "; ".join(
            f"{group_text(n, c)}, missing ones replaced by fill_values{flags_text(metadata, n, c)}"
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
        inputs = _kind(metadata).model_card_input(metadata)
    out = _output_text(metadata)
    if fmt == "keras":
        needs = (metadata.get("export") or {}).get("app_layers")
        how = (
            "(after the imports the note below names: the model holds layers of this app)"
            if needs
            else "(plain Keras and TensorFlow, safe mode: no import of this app)"
        )
        return (
            f"model = keras.saving.load_model('{model_file}') {how}; "
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


def _code(metadata: dict[str, Any], fmt: str, part: str, paths: tuple[str, str]) -> tuple[str, str]:
    """The card's Python and the sentence before it: a table model's raw rows from pandas,
    or a text model's texts (raw, or vectorized by the snippet for TFLite/ONNX); ("", "")
    for other models."""
    code = call_code(metadata, fmt, *paths) if part == "full" else ""
    if code:
        return "From a pandas DataFrame of raw rows, in this card's folder:", code
    code = text_call_code(metadata, fmt, part, *paths)
    if code:
        how = " (vectorized in plain Python first)" if part == "encoded" else ""
        return f"From a pandas column of raw texts{how}, in this card's folder:", code
    return "", ""


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
    kind = _kind(metadata)
    unit = kind.items
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
    lines += kind.model_card_data(metadata)
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


def refit_lines(metadata: dict[str, Any]) -> list[str]:
    """What "Refit on all data" did (``metadata["refit"]``, ``core.jobs._refit``): which model
    this is and which test figures are from before and after; nothing when it was not asked."""
    refit = metadata.get("refit")
    if not isinstance(refit, dict):
        return []
    unit = _kind(metadata).items
    if refit.get("kept") == "first" or "test_after" not in refit:
        reason = refit.get("reason") or "it did not finish"
        return [
            f"Refit on all data was asked for but not used: {reason}. This is the model "
            "trained on the training split, chosen on the validation split."
        ]
    before, after = refit.get("test_before") or {}, refit.get("test_after") or {}
    lines = [
        f"Refit on all data: after a first model was trained on the training split and its "
        f"epochs chosen on the validation split, the same settings were trained again from "
        f"scratch on the training and validation {unit} together ({int(refit['rows']):,} "
        f"{unit}) for {int(refit['epochs'])} epochs, the count validation chose. This is that "
        "refit model: the metrics above are its own, on the same test split, which neither "
        "model trained on. No validation split is left to check it.",
    ]
    figures = changed_figures(before, after)
    if figures:
        lines += ["", "| test metric | before the refit | after the refit |", "|---|---|---|"]
        lines += [f"| {name} | {old} | {new} |" for name, old, new in figures]
    return lines


def known_limits(metadata: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """Plain warnings: class imbalance, a small test set, over/underfitting, quantization,
    poorly calibrated probabilities and gaps between subgroups (``_card_trust``)."""
    limits: list[str] = []
    counts, source = _class_counts(metadata, report)
    present = [v for v in counts.values() if v > 0]
    if metadata.get("task") != "regression" and len(present) >= 2:
        largest, smallest = max(present), min(present)
        if is_imbalanced(present):
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
    if export.get("part") == "encoded" and export.get("encoded_input"):
        limits.append(
            "This file holds the model without its text vectorization: texts must be "
            "vectorized as preprocessing.json describes (see 'How to call it')."
        )
    elif export.get("part") == "encoded":
        limits.append(
            "This file holds the model without its category lookups: rows must be encoded "
            "as preprocessing.json describes (see 'How to call it')."
        )
    limits += trust_limits(metadata, report)  # high ECE, subgroup gaps, four-fifths rule
    return limits or ["None recorded beyond the usual: see intended use."]


def _training_lines(metadata: dict[str, Any]) -> list[str]:
    training = metadata.get("training") or {}
    result = metadata.get("training_result") or {}
    rows = [
        ("Optimizer", training.get("optimizer")),
        ("Learning rate", training.get("learning_rate")),
        ("Schedule", training.get("schedule")),
        ("Weight decay", training.get("weight_decay") or None),
        ("Batch size", result.get("batch_size", training.get("batch_size"))),
        ("Epochs run", result.get("epochs_run")),
        ("Best epoch", None if result.get("best_epoch") is None else result["best_epoch"] + 1),
        ("Stopped because", result.get("stopped_reason")),
        ("Training time", None if result.get("seconds") is None else f"{result['seconds']:.1f} s"),
        ("Seed", training.get("seed")),
    ]
    refit = metadata.get("refit")
    if isinstance(refit, dict) and "test_after" in refit:
        rows.append(
            (
                "Refit on all data",
                f"{refit['epochs']} epochs on {int(refit['rows']):,} {_kind(metadata).items}",
            )
        )
    hardware = metadata.get("hardware")
    if isinstance(hardware, dict):
        rows.append(("Hardware", hardware.get("summary") or hardware.get("device") or hardware))
    elif hardware:
        rows.append(("Hardware", hardware))
    return [f"- {k}: {v}" for k, v in rows if v not in (None, "")] or ["- Not recorded."]


def _model_lines(metadata: dict[str, Any]) -> list[str]:
    kind = _kind(metadata)
    model = metadata.get("model") or {}
    arch = metadata.get("architecture") or model.get("architecture") or "mlp"
    by_auto = "architecture" in (metadata.get("auto_chose") or [])
    lines = [
        f"- Input: {kind.card_input_word}.",
        f"- Task: {metadata.get('task', '?')}.",
        f"- Architecture: {arch}" + (", chosen by Auto." if by_auto else "."),
        *kind.model_card_architecture(metadata),
    ]
    lines.append(f"- Outputs: {_output_text(metadata)}.")
    return lines


def _intended_use(metadata: dict[str, Any]) -> list[str]:
    what = _kind(metadata).items
    return [
        f"- Intended use: predicting on new {what} that come from the same source and "
        "population as the training data, where a person can check or overrule the answer.",
        f"- Out of scope: {what} unlike the training data (another source, sensor, period or "
        "population), classes it never saw (it always answers one of its own), and decisions "
        "about people's health, money, safety or rights without human review. The model "
        "knows only correlations in its training data, not causes.",
    ]


def model_card(
    metadata: dict[str, Any],
    report: dict[str, Any] | None,
    paths: tuple[str, str] = ("model.keras", "metadata.json"),
) -> str:
    """The model card (Markdown) for an export with this ``metadata`` (its "export" section
    says the format and verification) and evaluation ``report``; ``paths``: the model and
    its metadata file as seen from the card's folder (for the code that calls it)."""
    report = report or {}
    export = metadata.get("export") or {}
    fmt = str(export.get("format", "keras"))
    check = export.get("verification") or {}
    title = (
        f"{metadata.get('task', 'model').capitalize()} model for {_kind(metadata).card_input_word}"
    )
    lines = [f"# Model card: {title}", ""]
    lines += [f"Format: {_FORMAT_NAMES.get(fmt, fmt)}. Exported {export.get('exported', '?')}.", ""]
    lines += ["## Model details", "", *_model_lines(metadata), ""]
    part = str(export.get("part", "full"))
    lines += ["## How to call it", "", usage_text(metadata, fmt, part, paths[0])]
    rule = decision_rule(metadata)
    if rule:
        lines += ["", rule]
    intro, code = _code(metadata, fmt, part, paths)
    if code:
        lines += ["", intro, ""]
        lines += ["```python", code.rstrip(), "```"]
    for note in export.get("notes") or []:
        lines += ["", f"> {note}"]
    lines += ["", "## Data", "", *_data_lines(metadata, report), ""]
    lines += ["## Intended use", "", *_intended_use(metadata), ""]
    lines += ["## Metrics", "", *_metric_lines(metadata, report), ""]
    refit = refit_lines(metadata)
    if refit:
        lines += [*refit, ""]
    from automl_gui.core.jobs.continued import continued_lines

    continued = continued_lines(metadata)  # a run trained further on new data: before → after
    if continued:
        lines += [*continued, ""]
    trust = calibration_lines(metadata, report)
    if trust:
        lines += ["## Calibration", "", *trust, ""]
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


__all__ = ["CARD_FILE", "known_limits", "model_card", "refit_lines", "serving_text", "usage_text"]
