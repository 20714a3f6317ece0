"""The model card's trust lines (issue 18): how calibrated the probabilities are and what
temperature scaling did, the decision threshold when one was chosen, and the known limits
that subgroup slices and calibration reveal. Read from the metadata and the report only
(``report["calibration"]``, ``metadata["calibration"]`` in an export's copy,
``metadata["threshold"]``, ``report["slices"]``); no TensorFlow."""

from __future__ import annotations

from typing import Any

from automl_gui.core.trust.calibration import HIGH_ECE
from automl_gui.core.trust.thresholds import threshold_words


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
        what = (
            f"Expected calibration error (ECE, {bins} equal-width bins over the top-class "
            "probability: how far the stated confidence is from the share of right answers)"
        )
        if entry.get("applied") and entry.get("temperature"):
            lines.append(
                f"Calibration: temperature scaling (Guo et al. 2017) was fitted on the "
                f"validation split and is built into this model (temperature "
                f"{float(entry['temperature']):.2f}: its probabilities are "
                f"softmax(log(p) / {float(entry['temperature']):.2f}); the predicted class is "
                f"unchanged). {what} on the test split: {float(entry['ece_before']):.3f} "
                f"before, {float(entry['ece']):.3f} after."
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
    from automl_gui.core.trust.slices import metric_words

    out: list[str] = []
    gaps = [g for g in data.get("gaps") or [] if isinstance(g, dict) and g.get("gap") is not None]
    where = f" ({data['data']})" if data.get("data") else ""
    if data.get("task") != "regression":
        gaps = [g for g in gaps if not str(g.get("metric", "")).startswith("selection_rate")]
        gap = max(gaps, key=lambda g: float(g["gap"]), default=None)
    else:  # errors and R² are on different scales: the main metric's gap
        main = (data.get("worst") or {}).get("metric")
        gap = next((g for g in gaps if g.get("metric") == main), gaps[0] if gaps else None)
    if gap is not None:
        out.append(
            f"Subgroups by {by}{where}: {metric_words(str(gap['metric'])).lower()} differs by "
            f"{float(gap['gap']):.3f} between {gap['low']} ({float(gap['low_value']):.3f}) and "
            f"{gap['high']} ({float(gap['high_value']):.3f})."
        )
    rule = data.get("four_fifths")
    if isinstance(rule, dict) and rule.get("passed") is False:
        out.append(
            f"Four-fifths rule failed by {by}: '{rule.get('class')}' is predicted for "
            f"{float(rule['low_rate']):.0%} of {rule['low']} against {float(rule['high_rate']):.0%}"
            f" of {rule['high']}, a ratio of {float(rule['ratio']):.2f} (below 0.8: adverse "
            "impact by the rule's measure)."
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
