"""The sentences of a ``slices.SliceReport`` (the CLI, the Subgroups tab, the model card):
every gap with its chance (p value and test), a four-fifths verdict only when the selection
rates differ beyond chance, worded as a rule for protected attributes, and the rates left
unjudged for too few positives."""

from __future__ import annotations

import math
from typing import Any

from automl_gui.core.trust._slices_stats import LOWER_IS_BETTER, p_words

_WORDS = {
    "count": "Count",
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "selection_rate": "Selection rate",
    "false_negative_rate": "False negative rate",
    "roc_auc": "ROC AUC",
    "r2": "R²",
    "mae": "Mean absolute error",
    "rmse": "Root mean squared error",
}


def metric_words(metric: str) -> str:
    """A metric's name in words ("selection_rate_cat" → "Selection rate of 'cat'")."""
    if metric.startswith("selection_rate_"):
        return f"Selection rate of '{metric[len('selection_rate_') :]}'"
    return _WORDS.get(metric, metric.replace("_", " ").capitalize())


#: what "the four-fifths rule" is meant for, said when the column is not one of them
PROTECTED_EXAMPLES = "sex, age, ethnicity…"


def fmt(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.3f}"


def lower(words: str) -> str:
    """ "Balanced accuracy" → "balanced accuracy"; "ROC AUC" and "R²" stay."""
    return words if words[:2].isupper() or words.startswith("R²") else words[0].lower() + words[1:]


def _unit(metric: str) -> str:
    return "positives" if metric == "false_negative_rate" else "examples"


def gap_sentence(report: Any, gap: Any) -> str:
    """ "Accuracy by contract: 0.587 for month-to-month (121) against 0.907 for two year (43):
    a gap of 0.320 (p < 0.001, chi-square test); the model is worst for month-to-month." —
    or "…: a gap of 0.125, within what chance alone gives on groups this small (p = 0.41,
    Fisher's exact test)."."""
    worse, better = (gap.high, gap.low) if gap.metric in LOWER_IS_BETTER else (gap.low, gap.high)
    values = {gap.low: gap.low_value, gap.high: gap.high_value}
    counts = {gap.low: gap.low_count, gap.high: gap.high_count}
    if not counts[worse]:  # an old report: the groups' rows
        rows = dict(zip(report.table["group"], report.table["count"], strict=True))
        counts = {g: int(rows.get(g, 0)) for g in counts}
    unit = " positives" if gap.metric == "false_negative_rate" else ""
    head = (
        f"{metric_words(gap.metric)} by {report.by}: {fmt(values[worse])} for {worse} "
        f"({counts[worse]:,}{unit}) against {fmt(values[better])} for {better} "
        f"({counts[better]:,}{unit}): a gap of {fmt(gap.gap)}"
    )
    if gap.p_value is None:
        return f"{head}; the model is worst for {worse}."
    if gap.significant:
        return f"{head} ({p_words(gap.p_value, gap.test)}); the model is worst for {worse}."
    return (
        f"{head}, within what chance alone gives on groups this small "
        f"({p_words(gap.p_value, gap.test)})."
    )


def four_fifths_sentence(report: Any) -> str:
    """The four-fifths rule's verdict in words ("" without one)."""
    rule = report.four_fifths
    if rule is None:
        return ""
    head = (
        f"Four-fifths rule (29 CFR 1607.4(D)): '{rule.positive}' is predicted for "
        f"{rule.low_rate:.1%} of {rule.low} and {rule.high_rate:.1%} of {rule.high}, a "
        f"ratio of {rule.ratio:.2f}"
    )
    chance = f"; {p_words(rule.p_value, rule.test)}" if rule.p_value is not None else ""
    if not rule.below:
        return f"{head} (at least 0.8: passes{chance})."
    if not rule.fails:
        return (
            f"{head}, below 0.8 but within what chance alone gives on groups this small "
            f"({p_words(rule.p_value, rule.test)}): not a failure of the rule."
        )
    if rule.protected:
        return (
            f"{head} (below 0.8{chance}: the groups are selected at rates the rule calls "
            "adverse impact)."
        )
    return (
        f"{head} (below 0.8{chance}). The rule is meant for protected attributes "
        f"({PROTECTED_EXAMPLES}); on an ordinary predictive column it only shows that "
        f"{report.by} changes the answer."
    )


def report_lines(report: Any) -> list[str]:
    """All the report's sentences (``SliceReport.lines``)."""
    out: list[str] = []
    main = report.gap(report.main_metric)
    if main is None:
        out.append(
            f"By {report.by}: fewer than two groups have {report.min_count} examples or more, "
            "so no groups can be compared."
        )
    else:
        out.append(gap_sentence(report, main))
        others = [g for g in report.gaps if g is not main and not g.metric.startswith("selection")]
        # gaps beyond chance; untested ones (balanced accuracy, ROC AUC) only beside a main
        # gap beyond chance: on their own they would read as findings on noise
        beyond = sorted(
            (
                g
                for g in others
                if g.significant
                or (g.p_value is None and (main.p_value is None or main.significant))
            ),
            key=lambda g: -g.gap,
        )
        if beyond:
            out.append(
                "Other gaps: "
                + "; ".join(
                    f"{lower(metric_words(g.metric))} {fmt(g.gap)} ({g.low} {fmt(g.low_value)}"
                    f", {g.high} {fmt(g.high_value)}"
                    + (f"; {p_words(g.p_value)}" if g.p_value is not None else "")
                    + ")"
                    for g in beyond
                )
                + "."
            )
        chance = [g for g in others if g.p_value is not None and not g.significant]
        if chance:
            named = ", ".join(lower(metric_words(g.metric)) for g in chance)
            out.append(f"Within chance (p ≥ 0.05): the gaps in {named}.")
    rule = four_fifths_sentence(report)
    if rule:
        out.append(rule)
    by_metric: dict[str, list[str]] = {}
    for metric, group, n in report.unjudged:
        by_metric.setdefault(metric, []).append(f"{group} ({n:,})")
    for metric, groups in by_metric.items():
        floor = report.min_count if metric == "false_negative_rate" else None
        need = (
            f"under {floor} positives"
            if floor
            else "too few of one class (under 10 positives or negatives)"
        )
        out.append(f"{metric_words(metric)} not judged for {', '.join(groups)}: {need}.")
    if report.small:
        shown = ", ".join(f"{g} ({n:,})" for g, n in report.small[:8])
        more = f" and {len(report.small) - 8} more" if len(report.small) > 8 else ""
        out.append(f"Too few examples to judge (under {report.min_count}): {shown}{more}.")
    return out
