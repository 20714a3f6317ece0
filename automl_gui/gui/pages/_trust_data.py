"""What the Evaluate pages' trust tabs read from a run (Qt-free): the test answers as arrays.

A run's ``test_predictions`` holds, per test example, ``actual``, ``prediction`` and one
``probability_<class>`` column per class (tables, images, audio and texts alike; a table's own
columns named like them moved the answers to a suffix, found with ``answer_column``). Runs
saved before issue 18 carry no ``report["calibration"]``: their reliability and threshold
curves are worked out from these columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class HeldOut:
    """A classifier's answers on its test split.

    Attributes:
        class_names: the classes, in the model's output order.
        y_true: the index of each example's true class (-1: a class the model does not know).
        proba: (n, k) probabilities.
    """

    class_names: list[str]
    y_true: np.ndarray
    proba: np.ndarray

    @property
    def known(self) -> np.ndarray:
        """Rows whose true class is one of the model's (and whose probabilities are finite)."""
        return (self.y_true >= 0) & np.isfinite(self.proba).all(axis=1)


def held_out(run: Any) -> HeldOut | None:
    """The test answers of a classification ``run``; None for regression, a run without test
    predictions, or predictions without their probability columns."""
    from automl_gui.core.export.bundle import answer_column

    report = getattr(run, "report", None) or {}
    df = getattr(run, "test_predictions", None)
    names = [str(c) for c in report.get("class_names") or []]
    if report.get("task") == "regression" or df is None or len(names) < 2:
        return None
    columns = [answer_column(df, f"probability_{c}") for c in names]
    actual = answer_column(df, "actual")
    if actual not in df.columns or not all(c in df.columns for c in columns):
        return None
    import pandas as pd

    proba = df[columns].to_numpy(dtype="float64", na_value=np.nan)
    codes = pd.Categorical(df[actual].astype(str), categories=names).codes  # -1: unknown
    y_true = np.asarray(codes, dtype=np.int64)
    return HeldOut(names, y_true, proba)


def positive_class(run: Any) -> str | None:
    """The positive class of a binary classifier (the second class, whose probability the
    threshold is set on; a stored threshold's own ``positive`` wins); None otherwise."""
    from automl_gui.core.trust.thresholds import positive_class as of_metadata

    return of_metadata(getattr(run, "metadata", None) or {})


def binary_scores(run: Any) -> tuple[str, np.ndarray, np.ndarray] | None:
    """(positive class, 1 where the true class is positive, the positive class's
    probability) over the test examples with a known class; None unless binary."""
    positive = positive_class(run)
    answers = held_out(run) if positive is not None else None
    if answers is None or positive is None:
        return None
    keep = answers.known
    column = answers.class_names.index(positive)
    y01 = (answers.y_true[keep] == column).astype(np.int64)
    return positive, y01, answers.proba[keep, column]


def chosen_threshold(run: Any) -> float | None:
    """The threshold stored with a binary ``run`` (``metadata["threshold"]["value"]``); None
    when the most likely class decides."""
    chosen = (getattr(run, "metadata", None) or {}).get("threshold")
    if not isinstance(chosen, dict) or chosen.get("value") is None:
        return None
    return float(chosen["value"])


def decided(run: Any) -> Any:
    """``run``'s test predictions as the model decides them now: re-decided by the run's
    stored threshold (``core.trust.thresholds.apply_threshold``; the same frame when none),
    so what the Subgroups and Explain rows tabs show is what Predict and exports answer."""
    from automl_gui.core.trust.thresholds import apply_threshold

    return apply_threshold(run.test_predictions, getattr(run, "metadata", None) or {})


def threshold_phrase(run: Any) -> str:
    """ "at the chosen threshold 0.46" for a run with a stored threshold, else ""."""
    value = chosen_threshold(run)
    return "" if value is None else f"at the chosen threshold {value:g}"


def validation_scores(run: Any, positive: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(1 where the true class is positive, P(positive)) over the validation answers a binary
    run keeps (``report["validation_answers"]``, for choosing a threshold on other rows than
    the test split it is judged on); None for runs without them (older ones)."""
    kept = (getattr(run, "report", None) or {}).get("validation_answers")
    if not isinstance(kept, dict) or str(kept.get("positive")) != str(positive):
        return None
    y = np.asarray(kept.get("actual") or [], dtype=np.int64)
    p = np.asarray(kept.get("p_positive") or [], dtype=np.float64)
    if len(y) == 0 or len(y) != len(p) or len(np.unique(y)) < 2:
        return None
    return y, p
