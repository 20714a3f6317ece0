"""Display names of metrics ("balanced_accuracy" → "Balanced accuracy") and the one way a
metric's change is written ("Accuracy 0.7156 → 0.7200"), shared by the window, the training
log and the model card. TensorFlow-free."""

from __future__ import annotations

from typing import Any

METRIC_LABELS = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "f1_macro": "F1 (macro)",
    "precision_macro": "Precision (macro)",
    "recall_macro": "Recall (macro)",
    "f1_weighted": "F1 (weighted)",
    "precision_weighted": "Precision (weighted)",
    "recall_weighted": "Recall (weighted)",
    "roc_auc": "ROC AUC",
    "top_k_accuracy": "Top-3 accuracy",
    "log_loss": "Log loss",
    "r2": "R²",
    "mae": "MAE",
    "rmse": "RMSE",
    "mse": "MSE",
    "loss": "Loss",
    "lr": "Learning rate",
    "learning_rate": "Learning rate",
}


def metric_label(key: str) -> str:
    """``f1_macro`` → "F1 (macro)" (unknown keys: underscores become spaces)."""
    if key.startswith("val_"):
        return "Validation " + metric_label(key[4:]).lower()
    return METRIC_LABELS.get(key, key.replace("_", " ").capitalize())


def figure_text(value: float) -> str:
    """A metric's value with 4 fixed decimals (0.72 → "0.7200")."""
    return f"{value:.4f}"


def changed_figures(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(display name, before, after) for each numeric metric both dicts hold, in ``before``'s
    order, the values with 4 fixed decimals: what a refit's test figures before and after
    are shown as (``metadata["refit"]``), as a log line or a table."""
    return [
        (metric_label(k), figure_text(v), figure_text(after[k]))
        for k, v in before.items()
        if isinstance(v, int | float) and isinstance(after.get(k), int | float)
    ]


def change_text(before: dict[str, Any], after: dict[str, Any], limit: int = 0) -> str:
    """The metrics' changes in one phrase, "Accuracy 0.7156 → 0.7200, ROC AUC 0.8530 → 0.8600"
    (``limit`` > 0: the first ``limit`` only)."""
    rows = changed_figures(before, after)
    if limit > 0:
        rows = rows[:limit]
    return ", ".join(f"{name} {old} → {new}" for name, old, new in rows)
