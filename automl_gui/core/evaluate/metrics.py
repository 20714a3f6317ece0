"""Evaluation reports on held-out data: plain JSON-serializable dicts (saved as report.json).

The GUI's Evaluate page and the CLI read these exact keys; see :func:`evaluate_classification`
and :func:`evaluate_regression`. Every value is a plain float, int, str, list or None (NaN and
infinities become None), so ``json.dumps(report)`` always works. No TensorFlow here.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

MAX_ROC_POINTS = 200
MAX_REGRESSION_SAMPLES = 2000
SAMPLE_SEED = 0
_EPS = 1e-15


def _num(value: Any) -> float | None:
    """A finite Python float, or None for NaN/inf/None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _floats(values: Any) -> list[float | None]:
    return [_num(v) for v in np.asarray(values, dtype="float64").ravel()]


def _thin(n: int, limit: int) -> np.ndarray:
    """Indices of at most ``limit`` points spread evenly over ``n``, keeping both ends."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def _roc(y_true: np.ndarray, score: np.ndarray) -> dict[str, list[float | None]] | None:
    from sklearn.metrics import roc_curve

    if len(np.unique(y_true)) < 2:
        return None
    fpr, tpr, thresholds = roc_curve(y_true, score)
    keep = _thin(len(fpr), MAX_ROC_POINTS)
    # sklearn's first threshold is +inf (no sample predicted positive): keep it as None
    return {
        "fpr": _floats(fpr[keep]),
        "tpr": _floats(tpr[keep]),
        "thresholds": _floats(thresholds[keep]),
    }


def evaluate_classification(
    y_true: Sequence[int] | np.ndarray,
    proba: np.ndarray,
    class_names: Sequence[Any],
    predicted: Sequence[int] | np.ndarray | None = None,
) -> dict[str, Any]:
    """Report for a classifier from true class indices and predicted probabilities.

    Args:
        y_true: int class indices, shape (n,), in ``class_names`` order.
        proba: predicted probabilities, shape (n, k) with k = len(class_names).
        class_names: class labels in index order (shown as text).
        predicted: the class indices the model answers when they are not the most probable
            class (a binary model's threshold, e.g. the boundary calibration keeps).

    Returns:
        ``{"task", "n_samples", "class_names", "metrics", "per_class", "confusion_matrix",
        "roc"}``. ``roc`` is the binary ROC curve (at most 200 points) or None. The metrics
        include ``balanced_accuracy`` (sklearn's: recall averaged over the classes present,
        so always answering the majority class scores 1/k whatever the imbalance).
    """
    from sklearn.metrics import (
        accuracy_score,
        balanced_accuracy_score,
        confusion_matrix,
        log_loss,
        precision_recall_fscore_support,
        roc_auc_score,
        top_k_accuracy_score,
    )

    y = np.asarray(y_true).astype(int).ravel()
    p = np.asarray(proba, dtype="float64")
    names = [str(c) for c in class_names]
    k = len(names)
    if p.ndim == 1:  # a single sigmoid column: P(class 1)
        p = np.stack([1.0 - p, p], axis=1)
    if p.shape != (len(y), k):
        raise ValueError(f"proba has shape {p.shape}, expected ({len(y)}, {k})")
    labels = np.arange(k)
    pred = p.argmax(axis=1) if predicted is None else np.asarray(predicted).astype(int).ravel()
    task = "binary" if k == 2 else "multiclass"

    prec, rec, f1, support = precision_recall_fscore_support(
        y, pred, labels=labels, zero_division=0
    )
    macro = precision_recall_fscore_support(
        y, pred, labels=labels, average="macro", zero_division=0
    )
    weighted = precision_recall_fscore_support(
        y, pred, labels=labels, average="weighted", zero_division=0
    )
    clipped = np.clip(p, _EPS, 1.0)
    clipped = clipped / clipped.sum(axis=1, keepdims=True)
    try:
        ll = log_loss(y, clipped, labels=labels)
    except ValueError:
        ll = None

    present = np.unique(y)
    roc = None
    auc = None
    if task == "binary":
        if len(present) == 2:
            auc = roc_auc_score(y, p[:, 1])
            roc = _roc(y, p[:, 1])
    elif len(present) == k:
        try:
            auc = roc_auc_score(y, clipped, multi_class="ovr", average="macro", labels=labels)
        except ValueError:
            auc = None
    top_k = None
    if k > 3:
        top_k = top_k_accuracy_score(y, p, k=3, labels=labels)

    with warnings.catch_warnings():  # a predicted class absent from the test split is fine
        warnings.simplefilter("ignore", UserWarning)
        balanced = balanced_accuracy_score(y, pred) if len(y) else None
    metrics = {
        "accuracy": _num(accuracy_score(y, pred)),
        "balanced_accuracy": _num(balanced),
        "precision_macro": _num(macro[0]),
        "recall_macro": _num(macro[1]),
        "f1_macro": _num(macro[2]),
        "precision_weighted": _num(weighted[0]),
        "recall_weighted": _num(weighted[1]),
        "f1_weighted": _num(weighted[2]),
        "log_loss": _num(ll),
        "roc_auc": _num(auc),
        "top_k_accuracy": _num(top_k),
    }
    per_class = [
        {
            "class": names[i],
            "precision": _num(prec[i]),
            "recall": _num(rec[i]),
            "f1": _num(f1[i]),
            "support": int(support[i]),
        }
        for i in range(k)
    ]
    cm = confusion_matrix(y, pred, labels=labels)
    return {
        "task": task,
        "n_samples": int(len(y)),
        "class_names": names,
        "metrics": metrics,
        "per_class": per_class,
        "confusion_matrix": [[int(v) for v in row] for row in cm],
        "roc": roc,
    }


def evaluate_regression(
    y_true: Sequence[float] | np.ndarray, y_pred: Sequence[float] | np.ndarray
) -> dict[str, Any]:
    """Report for a regressor in the target's own units.

    Args:
        y_true: actual values, shape (n,).
        y_pred: predicted values, shape (n,) or (n, 1).

    Returns:
        ``{"task": "regression", "n_samples", "metrics": {"mse", "rmse", "mae", "r2"},
        "samples": {"actual", "predicted"}}`` with at most 2000 sample points (a random subset
        with a fixed seed, in original order) for the predicted-vs-actual and residual plots.
    """
    from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

    actual = np.asarray(y_true, dtype="float64").ravel()
    predicted = np.asarray(y_pred, dtype="float64").ravel()
    if actual.shape != predicted.shape:
        raise ValueError(f"y_pred has {predicted.size} values, y_true {actual.size}")
    n = len(actual)
    finite = np.isfinite(actual) & np.isfinite(predicted)
    a, p = actual[finite], predicted[finite]
    if len(a):
        mse = mean_squared_error(a, p)
        mae = mean_absolute_error(a, p)
        r2 = r2_score(a, p) if len(a) > 1 else None
    else:
        mse = mae = r2 = None
    if n > MAX_REGRESSION_SAMPLES:
        rng = np.random.default_rng(SAMPLE_SEED)
        keep = np.sort(rng.choice(n, size=MAX_REGRESSION_SAMPLES, replace=False))
    else:
        keep = np.arange(n)
    return {
        "task": "regression",
        "n_samples": int(n),
        "metrics": {
            "mse": _num(mse),
            "rmse": _num(math.sqrt(mse)) if mse is not None else None,
            "mae": _num(mae),
            "r2": _num(r2),
        },
        "samples": {"actual": _floats(actual[keep]), "predicted": _floats(predicted[keep])},
    }


def balanced_accuracy_from_matrix(matrix: Sequence[Sequence[int]]) -> float | None:
    """Balanced accuracy from a confusion matrix (rows: actual classes): each present class's
    recall, averaged; None when no class has examples."""
    recalls = [row[i] / sum(row) for i, row in enumerate(matrix) if i < len(row) and sum(row) > 0]
    return _num(sum(recalls) / len(recalls)) if recalls else None


def report_metrics(report: dict[str, Any]) -> dict[str, Any]:
    """The report's metrics; a classifier's report written before balanced accuracy was
    recorded gets it from its confusion matrix (runs and projects saved earlier)."""
    metrics = dict(report.get("metrics") or {})
    if report.get("task") != "regression" and metrics.get("balanced_accuracy") is None:
        matrix = report.get("confusion_matrix")
        if matrix:
            metrics["balanced_accuracy"] = balanced_accuracy_from_matrix(matrix)
    return metrics


#: how close to chance a balanced accuracy may come and still count as "no better than chance"
CHANCE_MARGIN = 0.05


def chance_note(report: dict[str, Any]) -> str | None:
    """One sentence when the test split shows the model did no better than a guess (None
    otherwise): a classifier whose balanced accuracy is within ``CHANCE_MARGIN`` of chance
    (1 / the number of classes in the test split: what a constant or random answer scores,
    however imbalanced the classes), a regressor whose R² is at most 0 (predicting the mean
    does as well). Accuracy alone would hide it: 0.78 can be always answering the majority."""
    m = report_metrics(report)
    if report.get("task") == "regression":
        r2 = m.get("r2")
        if r2 is None or r2 > 0:
            return None
        return (
            f"No better than predicting the mean on the test split (R² {r2:.3f}): the model "
            "has not learned anything useful yet."
        )
    balanced = m.get("balanced_accuracy")
    matrix = report.get("confusion_matrix") or []
    present = sum(1 for row in matrix if sum(row) > 0)
    if balanced is None or present < 2:
        return None
    chance = 1.0 / present
    if balanced > chance + CHANCE_MARGIN:
        return None
    return (
        f"No better than chance on the test split: balanced accuracy {balanced:.3f}, where "
        f"guessing scores {chance:.3f} with {present} classes. The model has not learned "
        "anything useful yet."
    )


#: what to try when :func:`chance_note` speaks (the window's bullets, the CLI's hint)
CHANCE_REMEDIES = (
    "Train longer (more epochs, or a larger time budget).",
    "Check the target column and the labels: are they what you want to predict?",
    "Check that the features carry information about the target (the Data page's profile).",
    "Try a search (Model page) to let the app pick the network.",
)


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _fmt_g(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def summary_line(report: dict[str, Any]) -> str:
    """One line for the CLI, e.g. ``accuracy 0.953 · balanced accuracy 0.948 · F1 (macro)
    0.951 · ROC AUC 0.990``."""
    m = report_metrics(report)
    if report.get("task") == "regression":
        return " · ".join(
            [
                f"RMSE {_fmt_g(m.get('rmse'))}",
                f"MAE {_fmt_g(m.get('mae'))}",
                f"R² {_fmt(m.get('r2'))}",
            ]
        )
    parts = [
        f"accuracy {_fmt(m.get('accuracy'))}",
        f"balanced accuracy {_fmt(m.get('balanced_accuracy'))}",
        f"F1 (macro) {_fmt(m.get('f1_macro'))}",
    ]
    if m.get("roc_auc") is not None:
        parts.append(f"ROC AUC {_fmt(m['roc_auc'])}")
    if m.get("top_k_accuracy") is not None:
        parts.append(f"top-3 accuracy {_fmt(m['top_k_accuracy'])}")
    return " · ".join(parts)


def class_counts(names: list[str], *labels: Any) -> dict[str, int]:
    """``{class name: examples}`` over the given arrays of class indices (every split)."""
    counts = np.zeros(len(names), dtype=np.int64)
    for y in labels:
        idx = np.asarray(y, dtype=np.int64).reshape(-1)
        counts += np.bincount(idx[(idx >= 0) & (idx < len(names))], minlength=len(names))
    return {str(n): int(c) for n, c in zip(names, counts, strict=True)}
