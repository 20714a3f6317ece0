"""A binary model's decision threshold: the curves to choose it on, the rules that choose
it, the words that state it, and the one place it is applied to answers
(:func:`apply_threshold`, called by ``DataKind.predict`` for every kind).

The threshold lives in the model's metadata (``metadata["threshold"]``: ``{"positive":
class, "value": t, "chosen": "F1" | "cost 1:5" | "by hand", "precision": p, "recall": r}``);
without it a model predicts its most probable class (0.5 for two classes). The positive
class is the second of ``class_names`` unless one is named (the one the ROC curve scores).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from automl_gui.core.base.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

#: the metadata key holding a chosen threshold: {"positive": class, "value": t, ...}
THRESHOLD_KEY = "threshold"
#: ``chosen`` of the threshold calibration stores: the calibrated probability at which the
#: trained network's own decisions are kept (``source`` is "calibration")
BOUNDARY = "the trained model's boundary"
#: a binary run's validation answers kept for choosing a threshold on (``report[...]``)
VALIDATION_KEY = "validation_answers"
#: at most this many validation rows are kept there
MAX_VALIDATION_ROWS = 20_000
#: the regular grid of thresholds every curve holds (0.00, 0.01, …, 1.00)
GRID = np.round(np.linspace(0.0, 1.0, 101), 2)
#: at most this many of the precision–recall curve's own points join the grid
MAX_CURVE_POINTS = 1000
CURVE_COLUMNS = (
    "threshold",
    "precision",
    "recall",
    "f1",
    "predicted_positive_rate",
    "tp",
    "fp",
    "fn",
    "tn",
)


def positive_class(metadata: dict[str, Any]) -> str | None:
    """The class a binary model's threshold decides on: the stored threshold's, else the
    second class name; None for a model that is not a binary classifier."""
    names = [str(n) for n in (metadata or {}).get("class_names") or []]
    if len(names) != 2 or (metadata or {}).get("task") == "regression":
        return None
    chosen = (metadata or {}).get(THRESHOLD_KEY) or {}
    return str(chosen.get("positive")) if chosen.get("positive") in names else names[1]


def apply_threshold(frame: Any, metadata: dict[str, Any]) -> Any:
    """``frame`` (a prediction table with ``prediction`` and ``probability_<class>``, named
    as ``export.bundle.add_answer_columns`` chose) with its predictions re-decided by the
    model's chosen threshold: the positive class when its probability is at least the
    threshold, else the other; ``confidence`` (when present) becomes the probability of the
    class predicted. Rows without probabilities (a file that could not be read) are left as
    they are. Unchanged (the same object) when the model has no threshold or is not binary."""
    chosen = (metadata or {}).get(THRESHOLD_KEY)
    positive = positive_class(metadata)
    if not chosen or frame is None or positive is None:
        return frame
    names = [str(n) for n in metadata["class_names"]]
    negative = names[0] if positive == names[1] else names[1]
    column = _answer_column(frame, f"probability_{positive}")
    target = _answer_column(frame, "prediction")
    if column not in frame.columns or target not in frame.columns:
        return frame
    p = frame[column].to_numpy(dtype=np.float64, na_value=np.nan)
    known = np.isfinite(p)
    is_positive = p >= float(chosen["value"])
    result = frame.copy()
    result.attrs = dict(frame.attrs)
    predicted = result[target].astype(object).to_numpy(copy=True)
    predicted[known] = np.where(is_positive[known], positive, negative)
    result[target] = predicted
    confidence = _answer_column(frame, "confidence")
    if confidence in result.columns:
        values = result[confidence].to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        values[known] = np.where(is_positive[known], p[known], 1.0 - p[known])
        result[confidence] = values
    return result


def _answer_column(frame: Any, name: str) -> str:
    """The column holding answer ``name``, as ``export.bundle.answer_column`` reads it from
    ``frame.attrs["answer_columns"]`` (not imported: ``kinds.base`` imports this module and
    ``export.bundle`` imports the kinds)."""
    return str((frame.attrs.get("answer_columns") or {}).get(name, name))


def threshold_curve(y_true01: Any, p_pos: Any) -> pd.DataFrame:
    """Precision, recall, F1, the share predicted positive and the confusion counts at every
    threshold of a regular grid (0.00 … 1.00 by 0.01) and of scikit-learn's
    ``precision_recall_curve`` (its distinct scores; at most :data:`MAX_CURVE_POINTS`,
    spread evenly), sorted by threshold. A row predicts positive where ``p_pos >=
    threshold``. Where nothing is predicted positive, precision is 1.0 (scikit-learn's
    convention for the curve's end) and F1 is 0.

    Args:
        y_true01: 1 for the positive class, 0 for the other (n,).
        p_pos: the positive class's probability (n,).
    """
    import pandas as pd
    from sklearn.metrics import precision_recall_curve

    y = np.asarray(y_true01).reshape(-1).astype(bool)
    p = np.asarray(p_pos, dtype=np.float64).reshape(-1)
    if len(y) != len(p):
        raise ConfigError(
            f"{len(y):,} answers but {len(p):,} probabilities.", "Pass one probability per row."
        )
    keep = np.isfinite(p)
    y, p = y[keep], p[keep]
    points = np.zeros(0)
    if len(y) and y.any() and (~y).any():
        _, _, found = precision_recall_curve(y, p)
        if len(found) > MAX_CURVE_POINTS:
            spread = np.linspace(0, len(found) - 1, MAX_CURVE_POINTS).round().astype(int)
            found = found[np.unique(spread)]
        points = np.asarray(found, dtype=np.float64)
    thresholds = np.unique(np.concatenate([GRID, points]))
    positives, negatives = np.sort(p[y]), np.sort(p[~y])
    tp = len(positives) - np.searchsorted(positives, thresholds, side="left")
    fp = len(negatives) - np.searchsorted(negatives, thresholds, side="left")
    fn = len(positives) - tp
    tn = len(negatives) - fp
    predicted = tp + fp
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, tp / np.maximum(predicted, 1), 1.0)
        recall = np.where(len(positives) > 0, tp / max(len(positives), 1), 0.0)
        f1 = np.where(tp > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    n = max(len(y), 1)
    return pd.DataFrame(
        {
            "threshold": thresholds,
            "precision": precision.astype(np.float64),
            "recall": recall.astype(np.float64),
            "f1": f1.astype(np.float64),
            "predicted_positive_rate": predicted / n,
            "tp": tp.astype(np.int64),
            "fp": fp.astype(np.int64),
            "fn": fn.astype(np.int64),
            "tn": tn.astype(np.int64),
        },
        columns=list(CURVE_COLUMNS),
    )


def best_threshold(curve: pd.DataFrame, *, rule: str = "f1", cost_ratio: float = 1.0) -> float:
    """The threshold of ``curve`` (:func:`threshold_curve`) that the ``rule`` prefers:
    ``"f1"`` the highest F1; ``"cost"`` the lowest cost ``fp + cost_ratio × fn`` (a missed
    positive costs ``cost_ratio`` false alarms; with calibrated probabilities the best
    threshold is near ``1 / (1 + cost_ratio)``). Ties go to the threshold nearest 0.5.

    Raises:
        ConfigError: an unknown rule, a cost ratio that is not positive, or an empty curve.
    """
    if curve is None or len(curve) == 0:
        raise ConfigError("There is no curve to choose a threshold on.", "Evaluate the model.")
    if rule == "f1":
        score = curve["f1"].to_numpy(dtype=np.float64)
    elif rule == "cost":
        if not (cost_ratio > 0 and np.isfinite(cost_ratio)):
            raise ConfigError(
                f"The cost ratio must be a positive number, not {cost_ratio}.",
                "A missed positive costs this many false alarms: e.g. 5.",
            )
        fp, fn = (curve[c].to_numpy(dtype=np.float64) for c in ("fp", "fn"))
        score = -(fp + float(cost_ratio) * fn)
    else:
        raise ConfigError(f"Unknown threshold rule {rule!r}.", "Use 'f1' or 'cost'.")
    thresholds = curve["threshold"].to_numpy(dtype=np.float64)
    best = np.flatnonzero(np.isclose(score, score.max(), rtol=0, atol=1e-12))
    return float(thresholds[best[np.argmin(np.abs(thresholds[best] - 0.5))]])


def curve_at(curve: pd.DataFrame, value: float) -> dict[str, float]:
    """The row of ``curve`` at the threshold nearest ``value``, as plain numbers."""
    thresholds = curve["threshold"].to_numpy(dtype=np.float64)
    row = curve.iloc[int(np.argmin(np.abs(thresholds - float(value))))]
    return {c: float(row[c]) for c in CURVE_COLUMNS}


def cost_words(cost_ratio: float) -> str:
    """``chosen`` for a cost rule: "cost 1:5" (a false alarm costs 1, a miss 5)."""
    return f"cost 1:{cost_ratio:g}"


def set_threshold(
    metadata: dict[str, Any],
    value: float,
    chosen: str,
    *,
    positive: str | None = None,
    precision: float | None = None,
    recall: float | None = None,
    source: str | None = None,
    split: str | None = None,
) -> dict[str, Any]:
    """Store a threshold in ``metadata`` (in place; also returned): ``chosen`` says how
    ("F1", :func:`cost_words`, "by hand", :data:`BOUNDARY`); ``precision``/``recall`` the
    test figures at it; ``source`` "calibration" marks the one calibration stored (the
    trained model's own boundary, see :func:`is_boundary`); ``split`` the split the rule
    chose it on ("validation" or "test"; unsaid: the test split, as older models did).

    Raises:
        ConfigError: the model is not a binary classifier, ``value`` is outside [0, 1], or
            ``positive`` is not one of its classes.
    """
    names = [str(n) for n in (metadata or {}).get("class_names") or []]
    if len(names) != 2 or metadata.get("task") == "regression":
        raise ConfigError(
            "Only a model that tells two classes apart has a decision threshold.",
            "Choose a binary classification run.",
        )
    if not (0.0 <= float(value) <= 1.0):
        raise ConfigError(
            f"A threshold is a probability between 0 and 1, not {value}.", "Pick one in 0–1."
        )
    positive = names[1] if positive is None else str(positive)
    if positive not in names:
        raise ConfigError(
            f"{positive!r} is not one of the model's classes ({', '.join(names)}).",
            "Name one of them as the positive class.",
        )
    entry: dict[str, Any] = {"positive": positive, "value": float(value), "chosen": str(chosen)}
    if precision is not None:
        entry["precision"] = float(precision)
    if recall is not None:
        entry["recall"] = float(recall)
    if source:
        entry["source"] = str(source)
    if split:
        entry["split"] = str(split)
    metadata[THRESHOLD_KEY] = entry
    return metadata


def clear_threshold(metadata: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` (in place; also returned) without a chosen threshold: argmax again."""
    metadata.pop(THRESHOLD_KEY, None)
    return metadata


def threshold_words(metadata: dict[str, Any]) -> str:
    """The threshold in a sentence ("Predicts 'yes' when its probability is at least 0.37
    (chosen for F1 on the test split; precision 0.81, recall 0.74)."); "" without one."""
    chosen = (metadata or {}).get(THRESHOLD_KEY)
    positive = positive_class(metadata)
    if not chosen or positive is None:
        return ""
    how = str(chosen.get("chosen") or "by hand")
    if is_boundary(chosen):
        return (
            f"Predicts '{positive}' when its calibrated probability is at least "
            f"{float(chosen['value']):.2f}: the trained model's own boundary, kept through "
            "calibration (the probabilities were corrected, the decisions are unchanged)."
        )
    split = str(chosen.get("split") or "test")
    if how.lower() == "f1":
        why = f"chosen for F1 on the {split} split"
    elif how.lower().startswith("cost"):
        ratio = how.split(" ", 1)[1] if " " in how else ""
        why = f"chosen for the lowest cost on the {split} split, a false alarm to a miss {ratio}"
    else:
        why = f"chosen {how}"
    figures = [
        f"{name} {float(chosen[name]):.2f}"
        for name in ("precision", "recall")
        if isinstance(chosen.get(name), int | float)
    ]
    if figures:
        why += "; " + ", ".join(figures)
    return (
        f"Predicts '{positive}' when its probability is at least "
        f"{float(chosen['value']):.2f} ({why})."
    )


def is_boundary(chosen: dict[str, Any] | None) -> bool:
    """Whether a stored threshold is the one calibration set to keep the trained model's
    decisions (not one a person chose)."""
    return bool(chosen) and (
        chosen.get("source") == "calibration" or chosen.get("chosen") == BOUNDARY
    )


def boundary_value(metadata: dict[str, Any]) -> float:
    """Where the model decides when no threshold is chosen: the calibration's boundary
    (``metadata["calibration"]["boundary"]``) when a Platt bias moved it, else 0.5 —
    what a Threshold tab's Reset goes back to."""
    value = ((metadata or {}).get("calibration") or {}).get("boundary")
    return float(value) if isinstance(value, int | float) else 0.5


def validation_answers(y_val: Any, proba_val: Any, class_names: Any) -> dict[str, Any] | None:
    """``report["validation_answers"]`` of a binary run: ``{"actual": [0/1 ...],
    "p_positive": [...], "positive": name}`` of at most :data:`MAX_VALIDATION_ROWS`
    validation rows (evenly spread), P rounded to 5 decimals, for choosing a threshold on
    the validation split rather than the test rows it is then judged on; None when the
    model is not binary or has no validation answers."""
    names = [str(n) for n in class_names or []]
    p = np.asarray(proba_val, dtype=np.float64)
    y = np.asarray(y_val).reshape(-1).astype(np.int64)
    if len(names) != 2 or p.ndim != 2 or p.shape[1] != 2 or len(y) == 0 or len(p) != len(y):
        return None
    if len(y) > MAX_VALIDATION_ROWS:
        pick = np.linspace(0, len(y) - 1, MAX_VALIDATION_ROWS).round().astype(np.int64)
        y, p = y[pick], p[pick]
    return {
        "actual": [int(v) for v in (y == 1)],
        "p_positive": [round(float(v), 5) for v in p[:, 1]],
        "positive": names[1],
    }


def decision_rule(metadata: dict[str, Any]) -> str:
    """How an integrator must decide with the stored threshold ("" without one): "Answer
    'yes' when P('yes') (output column 1) is at least 0.46 (metadata.json → threshold.value),
    else 'no'; taking the larger probability ignores this threshold." """
    chosen = (metadata or {}).get(THRESHOLD_KEY)
    positive = positive_class(metadata)
    if not chosen or positive is None:
        return ""
    names = [str(n) for n in metadata["class_names"]]
    negative = names[0] if positive == names[1] else names[1]
    why = (
        "the trained model's own boundary after calibration"
        if is_boundary(chosen)
        else "the chosen threshold"
    )
    return (
        f"Answer '{positive}' when its probability (output column {names.index(positive)}) is "
        f"at least {float(chosen['value']):.4g} ({why}, metadata.json → threshold.value), else "
        f"'{negative}'; taking the larger probability ignores this threshold."
    )
