"""Whether a model works as well for every group: metrics by subgroup, the gaps between
groups, and the four-fifths rule on selection rates.

The per-group figures come from fairlearn's ``MetricFrame`` (Weerts, Dudík, Edgar, Jalali,
Lutz & Madaio 2023, "Fairlearn: Assessing and Improving Fairness of AI Systems", JMLR 24(257)):
classification: count, accuracy, balanced accuracy, the selection rate (the share of a group
predicted as the positive class; multiclass: each class) and, binary, the false negative
rate and ROC AUC (when probabilities are given); regression: count, R², MAE, RMSE. A
group's gap is the largest minus the smallest value among groups with at least
``min_count`` examples; smaller groups are named, not judged (their figures would be
noise). For binary models, the four-fifths rule of the US Uniform Guidelines on Employee
Selection Procedures (29 CFR 1607.4(D)): the lowest group's selection rate should be at
least 80 % of the highest group's.

Chance (``_slices_stats``): each rate is judged on its own denominator (accuracy and the
selection rate on the group's rows, the false negative rate on its positives, ROC AUC on at
least :data:`MIN_AUC_CLASS` of each class), gets a 95 % Wilson interval (``<metric>_low`` /
``<metric>_high`` columns; binary tables also count ``positives``), and every gap is tested
(the two extreme groups' counts: chi-square or Fisher's exact test, scipy; regression: the
Mann–Whitney U test of absolute errors). A gap with p ≥ 0.05 is said to be "within what
chance alone gives"; the four-fifths rule fails only when the selection rates differ
significantly, and it is worded as a rule for protected attributes (``is_protected``): on an
ordinary predictive column it only shows that the column changes the answer.

Which groups: :func:`groups_for_column` (a table's column; numbers in quartiles) and
:func:`groups_for_files` (a file's subfolder, a CSV of per-file attributes), in
``_slices_groups``. ``report["slices"][by] = SliceReport.to_dict()``; the model card's known
limits are :meth:`SliceReport.lines`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import DataError
from automl_gui.core.data._small_groups import MIN_GROUP_ROWS
from automl_gui.core.trust._slices_compute import (
    MIN_AUC_CLASS,
    add_interval,
    four_fifths,
    own_denominators,
    rate_counts,
    tested_gaps,
)
from automl_gui.core.trust._slices_groups import (
    MISSING,
    NO_SUBFOLDER,
    group_order,
    groups_for_column,
    groups_for_files,
    split_by,
)
from automl_gui.core.trust._slices_stats import (
    FOUR_FIFTHS,
    LOWER_IS_BETTER,
    FourFifths,
    Gap,
)
from automl_gui.core.trust._slices_words import metric_words

__all__ = [
    "FOUR_FIFTHS",
    "LOWER_IS_BETTER",
    "MIN_AUC_CLASS",
    "metric_words",
    "MIN_COUNT",
    "FourFifths",
    "Gap",
    "SliceReport",
    "attributes_file",
    "slice_name",
    "check_groups",
    "group_order",
    "groups_for_column",
    "groups_for_files",
    "slice_metrics",
]

#: groups with fewer examples are named, not judged (the Data page warns of them by the same
#: number: ``core.data._small_groups``)
MIN_COUNT = MIN_GROUP_ROWS
#: the table's columns that are not figures of their own (an interval's ends, a count)
_NOT_FIGURES = ("group", "count", "positives")
#: at most this many groups (a column of names or ids has one group per row)
MAX_GROUPS = 200


@dataclass
class SliceReport:
    """Metrics by subgroup.

    Attributes:
        by: what the groups come from ("region", "subfolder", "attrs.csv:sex").
        task: "binary", "multiclass" or "regression".
        table: one row per group, in display order: ``group, count`` and the metrics
            (:attr:`metrics`); a group under ``min_count`` has its count only.
        overall: the same figures over every example.
        gaps: per metric (count aside), the spread over the judged groups.
        four_fifths: binary with two judged groups or more, else None.
        small: (group, count) of the groups too small to judge.
        positive: a binary model's positive class (None otherwise).
        data: which examples, in words ("the run's test split (240 of 1,200 rows)").
    """

    by: str
    task: str
    table: pd.DataFrame
    overall: dict[str, float]
    gaps: list[Gap] = field(default_factory=list)
    four_fifths: FourFifths | None = None
    small: list[tuple[str, int]] = field(default_factory=list)
    positive: str | None = None
    min_count: int = MIN_COUNT
    data: str = ""
    #: (metric, group, denominator) of rates left unjudged in a judged group: too few
    #: positives for a false negative rate, too few of a class for ROC AUC
    unjudged: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def metrics(self) -> list[str]:
        """The table's columns, ``count`` first (intervals and ``positives`` included)."""
        return [c for c in self.table.columns if c != "group"]

    @property
    def figures(self) -> list[str]:
        """The figures of their own: no count, positives or interval ends."""
        return [
            c
            for c in self.table.columns
            if c not in _NOT_FIGURES and not c.endswith(("_low", "_high"))
        ]

    @property
    def main_metric(self) -> str:
        """The figure the summary leads with: accuracy, or MAE for regression."""
        return "mae" if self.task == "regression" else "accuracy"

    def gap(self, metric: str) -> Gap | None:
        return next((g for g in self.gaps if g.metric == metric), None)

    @property
    def worst(self) -> str | None:
        """The judged group the main metric is worst for (None with fewer than two, or when
        the gap is within chance)."""
        gap = self.gap(self.main_metric)
        if gap is None or (gap.p_value is not None and not gap.significant):
            return None
        return gap.worst

    # -- words ------------------------------------------------------------------------------
    def lines(self) -> list[str]:
        """Sentences for people (the CLI, the Subgroups tab, the model card's known limits)."""
        from automl_gui.core.trust._slices_words import report_lines

        return report_lines(self)

    # -- storage ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The JSON form kept in ``report["slices"][by]``."""
        return {
            "by": self.by,
            "task": self.task,
            "positive": self.positive,
            "min_count": int(self.min_count),
            "data": self.data,
            "metrics": self.metrics,
            "groups": [
                {k: _json_value(v) for k, v in row.items()}
                for row in self.table.to_dict(orient="records")
            ],
            "overall": {k: _json_value(v) for k, v in self.overall.items()},
            "gaps": [
                {**{k: _json_value(v) for k, v in vars(g).items()}, "significant": g.significant}
                for g in self.gaps
            ],
            "worst": ({"metric": self.main_metric, "group": self.worst} if self.worst else None),
            "four_fifths": (
                {
                    "class": self.four_fifths.positive,
                    "ratio": self.four_fifths.ratio,
                    "passed": self.four_fifths.passed,
                    "low": self.four_fifths.low,
                    "low_rate": self.four_fifths.low_rate,
                    "high": self.four_fifths.high,
                    "high_rate": self.four_fifths.high_rate,
                    "p_value": _json_value(self.four_fifths.p_value),
                    "test": self.four_fifths.test,
                    "significant": self.four_fifths.significant,
                    "below": self.four_fifths.below,
                    "protected": self.four_fifths.protected,
                }
                if self.four_fifths
                else None
            ),
            "small": [{"group": g, "count": int(n)} for g, n in self.small],
            "unjudged": [
                {"metric": m, "group": g, "denominator": int(n)} for m, g, n in self.unjudged
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SliceReport:
        """The report as :meth:`to_dict` stored it."""
        metrics = list(data.get("metrics") or ["count"])
        table = pd.DataFrame(data.get("groups") or [], columns=["group", *metrics])
        table = table.astype({m: "float64" for m in metrics if m not in _NOT_FIGURES[1:]})
        if len(table):
            for whole in _NOT_FIGURES[1:]:
                if whole in table.columns:
                    table[whole] = table[whole].astype("int64")
        rule = data.get("four_fifths")
        return cls(
            by=str(data.get("by", "")),
            task=str(data.get("task", "")),
            table=table,
            overall={k: _float(v) for k, v in (data.get("overall") or {}).items()},
            gaps=[
                Gap(
                    str(g["metric"]),
                    _float(g["gap"]),
                    str(g["low"]),
                    _float(g["low_value"]),
                    str(g["high"]),
                    _float(g["high_value"]),
                    _maybe(g.get("p_value")),
                    str(g.get("test") or ""),
                    int(g.get("low_count") or 0),
                    int(g.get("high_count") or 0),
                )
                for g in data.get("gaps") or []
            ],
            four_fifths=(
                FourFifths(
                    str(rule["class"]),
                    _float(rule["ratio"]),
                    str(rule["low"]),
                    _float(rule["low_rate"]),
                    str(rule["high"]),
                    _float(rule["high_rate"]),
                    _maybe(rule.get("p_value")),
                    str(rule.get("test") or ""),
                    bool(rule.get("protected", False)),
                )
                if rule
                else None
            ),
            small=[(str(s["group"]), int(s["count"])) for s in data.get("small") or []],
            positive=data.get("positive"),
            min_count=int(data.get("min_count", MIN_COUNT)),
            data=str(data.get("data", "")),
            unjudged=[
                (str(u["metric"]), str(u["group"]), int(u["denominator"]))
                for u in data.get("unjudged") or []
            ],
        )

    def to_csv(self, path: str | Path) -> Path:
        """Write :attr:`table` (``group,count,accuracy,...`` / ``group,count,r2,...``)
        atomically; small groups' figures are empty."""
        from automl_gui.core.base.files import atomic_write

        path = Path(path)
        atomic_write(path, lambda tmp: self.table.to_csv(tmp, index=False), make_parents=True)
        return path


def _float(value: Any) -> float:
    return float("nan") if value is None else float(value)


def _maybe(value: Any) -> float | None:
    return None if value is None else float(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(float(value)) else None
    return value


# -- computing ----------------------------------------------------------------------------------
def _classification_metrics(
    task: str, class_names: list[str], positive: int | None
) -> dict[str, Any]:
    from fairlearn.metrics import count, false_negative_rate, selection_rate
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    metrics: dict[str, Any] = {
        "count": count,
        "accuracy": accuracy_score,
        "balanced_accuracy": balanced_accuracy_score,
    }
    if task == "binary" and positive is not None:
        metrics["selection_rate"] = partial(selection_rate, pos_label=positive)
        metrics["false_negative_rate"] = partial(false_negative_rate, pos_label=positive)
    else:
        for k, name in enumerate(class_names):
            metrics[f"selection_rate_{name}"] = partial(selection_rate, pos_label=k)
    return metrics


def _auc(y_true: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    if len(np.unique(y_true)) < 2:
        return float("nan")
    return float(roc_auc_score(y_true, score))


def _regression_metrics() -> dict[str, Any]:
    from fairlearn.metrics import count
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan")

    def rmse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        return float(math.sqrt(mean_squared_error(y_true, y_pred)))

    return {"count": count, "r2": r2, "mae": mean_absolute_error, "rmse": rmse}


def _codes(values: Any, class_names: list[str], what: str) -> np.ndarray:
    index = {str(name): i for i, name in enumerate(class_names)}
    out = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(np.asarray(values, dtype=object).tolist()):
        code = index.get(str(value))
        if code is None:
            raise DataError(
                f"The {what} '{value}' is not one of the model's classes.",
                "Slice a model's answers on data labelled with its own classes.",
            )
        out[i] = code
    return out


def check_groups(groups: pd.Series, by: str) -> list[str]:
    """The groups in display order (:func:`group_order`).

    Raises:
        DataError: every example is in one group, or there are more than
            :data:`MAX_GROUPS` groups (a column of names or ids).
    """
    order = group_order(groups)
    if len(order) < 2:
        only = order[0] if order else MISSING
        if only == NO_SUBFOLDER:
            raise DataError(
                "The files are not in subfolders below their class folders, so there are no "
                "groups to compare by subfolder.",
                "Put them in subfolders (e.g. circle/daylight/…, circle/night/…), or slice by "
                "a CSV of per-file attributes (FILE.csv:COLUMN).",
            )
        raise DataError(
            f"Every example is in one group of '{by}' ({only}): there is nothing to compare.",
            "Slice by a column with two groups or more.",
        )
    if len(order) > MAX_GROUPS:
        raise DataError(
            f"'{by}' has {len(order):,} groups: too many to compare (at most {MAX_GROUPS}).",
            "Slice by a column of a few categories, or a number (cut into quartiles).",
        )
    return order


def attributes_file(by: str) -> str | None:
    """The CSV of per-file attributes that ``by`` ("attrs.csv:sex") reads, or None."""
    return split_by(by)[0]


def slice_name(by: str) -> str:
    """``by`` as a slice is named in reports: "region", "subfolder", "attrs.csv:sex" (the
    CSV's file name, not its whole path)."""
    file, column = split_by(by)
    return f"{Path(file).name}:{column}" if file else by


def slice_metrics(
    task: str,
    class_names: list[str] | None,
    actual: Any,
    predicted: Any,
    proba: np.ndarray | None,
    groups: Any,
    *,
    min_count: int = MIN_COUNT,
    by: str | None = None,
    positive: str | None = None,
    data: str = "",
) -> SliceReport:
    """Metrics of a model's answers by group (see the module).

    Args:
        task: "binary", "multiclass" or "regression".
        class_names: the model's classes (output order); None for regression.
        actual, predicted: per example, class names (or values for regression).
        proba: (n, k) class probabilities, or None (binary: adds ROC AUC per group).
        groups: per example, its group (a Series from :func:`groups_for_column` or
            :func:`groups_for_files`; its name is ``by`` when ``by`` is not given).
        min_count: groups with fewer examples are named, not judged.
        positive: a binary model's positive class (default: its second class, the one
            ``probability_`` columns and ROC curves score).
        data: which examples, in words (kept in the report).

    Raises:
        DataError: lengths differ, every example is in one group, or there are more than
            :data:`MAX_GROUPS` groups.
    """
    from fairlearn.metrics import MetricFrame

    groups = groups if isinstance(groups, pd.Series) else pd.Series(list(groups), dtype=object)
    by = by or str(groups.name or "group")
    n = len(groups)
    if not (len(actual) == len(predicted) == n):
        raise DataError(
            f"{len(actual)} answers, {len(predicted)} predictions and {n} groups do not match.",
            "Slice each example once.",
        )
    order = check_groups(groups, by)
    labels = groups.astype(str).to_numpy()
    regression = task == "regression"
    extra: dict[str, Any] = {}
    if regression:
        y_true = np.asarray(actual, dtype="float64")
        y_pred = np.asarray(predicted, dtype="float64")
        metrics = _regression_metrics()
        positive = None
    else:
        names = [str(c) for c in class_names or []]
        y_true = _codes(actual, names, "answer")
        y_pred = _codes(predicted, names, "prediction")
        pos_code = None
        if task == "binary" and len(names) == 2:
            positive = str(positive) if positive in names else names[1]
            pos_code = names.index(positive)
        else:
            positive = None
        metrics = _classification_metrics(task, names, pos_code)
        if pos_code is not None and proba is not None:
            score = np.asarray(proba, dtype="float64")[:, pos_code]
            extra = {"y_true": (y_true == pos_code).astype(int), "y_pred": score}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one-class groups: balanced accuracy, FNR, R²
        frame = MetricFrame(
            metrics=metrics, y_true=y_true, y_pred=y_pred, sensitive_features=labels
        )
        by_group = frame.by_group.copy()
        overall = frame.overall.to_dict()
        if extra:
            auc = MetricFrame(metrics=_auc, sensitive_features=labels, **extra)
            by_group["roc_auc"] = auc.by_group
            overall["roc_auc"] = float(auc.overall)
    by_group = by_group.reindex(order)
    by_group.index.name = "group"
    table = by_group.reset_index()
    table["count"] = table["count"].fillna(0).astype("int64")
    judged = (table["count"] >= min_count).to_numpy()
    figures = [c for c in table.columns if c not in ("group", "count")]
    table[figures] = table[figures].astype("float64")
    table.loc[~judged, figures] = np.nan
    small = [
        (str(g), int(c))
        for g, c in zip(table["group"], table["count"], strict=True)
        if c < min_count
    ]
    member = [labels == g for g in order]
    rates: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    unjudged: list[tuple[str, str, int]] = []
    if not regression:
        rates = rate_counts(y_true, y_pred, pos_code, names, member)
        if pos_code is not None:
            positives = rates["false_negative_rate"][1] if "false_negative_rate" in rates else None
            if positives is not None:
                at = list(table.columns).index("false_negative_rate")  # its denominator
                table.insert(at, "positives", positives.astype("int64"))
                unjudged += own_denominators(table, judged, positives, min_count, "positives")
                if "roc_auc" in table.columns:
                    fewest = np.minimum(positives, table["count"].to_numpy() - positives)
                    unjudged += own_denominators(
                        table, judged, fewest, MIN_AUC_CLASS, "roc_auc", metric="roc_auc"
                    )
        for metric, (hits, total) in rates.items():
            if metric in table.columns:
                add_interval(table, metric, hits, total)
    errors = None if not regression else np.abs(y_true - y_pred)
    gaps = tested_gaps(table, figures, rates, member, errors, order)
    rule = four_fifths(table, positive, rates, by) if positive is not None else None
    overall = {k: (int(v) if k == "count" else float(v)) for k, v in overall.items()}
    return SliceReport(
        by=by,
        task=task,
        table=table,
        overall=overall,
        gaps=gaps,
        four_fifths=rule,
        small=small,
        positive=positive,
        min_count=int(min_count),
        data=data,
        unjudged=unjudged,
    )
