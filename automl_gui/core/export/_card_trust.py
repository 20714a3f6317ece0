"""The model card's trust lines (issue 18): how calibrated the probabilities are and what
temperature scaling did, the decision threshold when one was chosen, and the known limits
that subgroup slices and calibration reveal. Read from the metadata and the report only
(``report["calibration"]``, ``metadata["calibration"]`` in an export's copy,
``metadata["threshold"]``, ``report["slices"]``); no TensorFlow."""

from __future__ import annotations

from typing import Any

from automl_gui.core.trust.calibration import HIGH_ECE, no_real_change
from automl_gui.core.trust.thresholds import threshold_words

#: the card's Python that turns a classifier's probabilities into answers: the stored
#: threshold of a binary model when metadata.json has one, else the likeliest class
DECIDE_CODE = (
    "# (n, classes) probabilities in meta['class_names'] order; the answer follows the\n"
    "# stored threshold when there is one (a binary model), else the likeliest class:\n"
    'names, rule = meta["class_names"], meta.get("threshold")\n'
    "if rule:\n"
    '    pos = names.index(rule["positive"])\n'
    '    predicted = [names[pos] if p[pos] >= rule["value"] else names[1 - pos] for p in answers]\n'
    "else:\n"
    "    predicted = [names[i] for i in answers.argmax(axis=1)]\n"
)


def _calibration(metadata: dict[str, Any], report: dict[str, Any]) -> dict[str, Any] | None:
    entry = report.get("calibration") or metadata.get("calibration")
    return entry if isinstance(entry, dict) and entry.get("ece") is not None else None


def calibration_lines(metadata: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """The card's "Calibration" paragraph: the test ECE before and after temperature scaling
    and the temperature built into the model, or why none was; the chosen threshold's
    sentence. Nothing for a regression or a model saved before calibration was recorded
    (but the threshold's sentence if it has one)."""
    lines: list[str] = []
    entry = _calibration(metadata, report)
    if entry is not None:
        bins = int(entry.get("bins") or 15)
        positive = entry.get("positive")
        if entry.get("on") == "positive" and positive:
            what = (
                f"Expected calibration error (ECE, {bins} equal-width bins of P({positive}): "
                f"how far the stated probability is from how often '{positive}' is the answer)"
            )
        else:
            what = (
                f"Expected calibration error (ECE, {bins} equal-width bins over the top-class "
                "probability: how far the stated confidence is from the share of right answers)"
            )
        same = " (no real change on the test split)" if no_real_change(entry) else ""
        weighted = (
            " The classes were weighted in training, which pushes the probabilities towards "
            "the rarer class; the scaling's bias corrects that."
            if entry.get("class_weighted") and entry.get("on") == "positive"
            else ""
        )
        if entry.get("applied") and entry.get("temperature") and entry.get("bias") is not None:
            slope, bias = 1 / float(entry["temperature"]), float(entry["bias"])
            lines.append(
                f"Calibration: Platt scaling on the logit (Platt 1999; bias-corrected "
                f"temperature scaling, Alexandari et al. 2020) was fitted on the validation "
                f"split and is built into this model: P({positive}) = sigmoid({slope:.2f} × "
                f"logit {'−' if bias < 0 else '+'} {abs(bias):.2f}).{weighted} {what} on the test split: "
                f"{float(entry['ece_before']):.3f} before, {float(entry['ece']):.3f} "
                f"after{same}. The decisions are the trained model's (see the threshold)."
            )
        elif entry.get("applied") and entry.get("temperature"):
            lines.append(
                f"Calibration: temperature scaling (Guo et al. 2017) was fitted on the "
                f"validation split and is built into this model (temperature "
                f"{float(entry['temperature']):.2f}: its probabilities are "
                f"softmax(log(p) / {float(entry['temperature']):.2f}); the predicted class is "
                f"unchanged). {what} on the test split: {float(entry['ece_before']):.3f} "
                f"before, {float(entry['ece']):.3f} after{same}."
            )
        else:
            reason = str(entry.get("reason") or "not recorded")
            lines.append(
                f"Calibration: the probabilities are the network's own, not rescaled "
                f"({reason}). {what} on the test split: {float(entry['ece']):.3f}."
            )
    words = threshold_words(metadata)
    if words:
        lines += ([""] if lines else []) + [f"Decision threshold: {words}"]
    return lines


def trust_limits(metadata: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """Known limits from calibration and subgroups: an ECE above
    :data:`~automl_gui.core.trust.calibration.HIGH_ECE`, and for each slicing in
    ``report["slices"]`` (``SliceReport.to_dict()``) the largest gap between groups and a
    failed four-fifths rule."""
    limits: list[str] = []
    entry = _calibration(metadata, report)
    if entry is not None and float(entry["ece"]) > HIGH_ECE:
        limits.append(
            f"Poorly calibrated probabilities: the expected calibration error on the test split "
            f"is {float(entry['ece']):.3f} (above {HIGH_ECE}), so a stated confidence of, say, "
            "90 % does not mean 9 answers in 10 are right. Use the predicted class, not the "
            "probability, or check the reliability diagram."
        )
    slices = report.get("slices")
    for key, data in slices.items() if isinstance(slices, dict) else ():
        if isinstance(data, dict):
            limits += _slice_limits(str(data.get("by") or key), data)
    return limits


def _slice_limits(by: str, data: dict[str, Any]) -> list[str]:
    """The subgroup gaps beyond chance (p < 0.05), the main metric first, with the rows (or
    positives) each value rests on; a failed four-fifths rule only for a protected
    attribute (on a predictive column it only shows the column changes the answer)."""
    from automl_gui.core.trust._slices_stats import p_words, significant
    from automl_gui.core.trust.slices import metric_words

    out: list[str] = []
    gaps = [
        g
        for g in data.get("gaps") or []
        if isinstance(g, dict) and g.get("gap") is not None and significant(g.get("p_value"))
    ]
    gaps = [g for g in gaps if not str(g.get("metric", "")).startswith("selection_rate")]
    main = (data.get("worst") or {}).get("metric") or (
        "mae" if data.get("task") == "regression" else "accuracy"
    )
    gaps.sort(key=lambda g: (g.get("metric") != main, -float(g["gap"])))
    where = f" ({data['data']})" if data.get("data") else ""
    for gap in gaps[:3]:
        unit = " positives" if gap.get("metric") == "false_negative_rate" else " rows"
        words = metric_words(str(gap["metric"]))
        words = words if words[:2].isupper() or words.startswith("R²") else words.lower()
        out.append(
            f"Subgroups by {by}{where}: {words} {float(gap['low_value']):.3f} for "
            f"{gap['low']} ({int(gap.get('low_count') or 0):,}{unit}) against "
            f"{float(gap['high_value']):.3f} for {gap['high']} "
            f"({int(gap.get('high_count') or 0):,}{unit}), a gap of {float(gap['gap']):.3f} "
            f"({p_words(gap.get('p_value'), str(gap.get('test') or ''))})."
        )
        where = ""
    rule = data.get("four_fifths")
    if (
        isinstance(rule, dict)
        and rule.get("passed") is False
        and rule.get("protected")
        and significant(rule.get("p_value"))
    ):
        out.append(
            f"Four-fifths rule failed by {by}: '{rule.get('class')}' is predicted for "
            f"{float(rule['low_rate']):.0%} of {rule['low']} against {float(rule['high_rate']):.0%}"
            f" of {rule['high']}, a ratio of {float(rule['ratio']):.2f} (below 0.8, "
            f"{p_words(rule.get('p_value'), str(rule.get('test') or ''))}: adverse impact by "
            "the rule's measure)."
        )
    small = data.get("small") or []
    if small and out:
        names = ", ".join(str(s.get("group")) for s in small[:5] if isinstance(s, dict))
        more = " …" if len(small) > 5 else ""
        out.append(
            f"Too few test examples to judge by {by} (under {data.get('min_count', 30)}): "
            f"{names}{more}."
        )
    return out
