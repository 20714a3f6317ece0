"""k-fold cross-validation for small tables: the folds, the loop, and when to use it.

On a few hundred rows one validation split of 15 % is a handful of rows, and a trial's score
on it is mostly luck. For such tables the search scores each trial by k-fold
cross-validation instead and shows ``mean ± std``.

Contract with the search (``core/tune/search.py``) and the baselines:

- Call :func:`should_cross_validate` with the number of rows the model may learn from
  (train + validation). When it says yes, pool those rows with :func:`pool_splits` (the test
  split stays untouched, so the final test score is still honest) and build the folds once
  with :func:`kfold_indices` (``k = default_folds(n)``) so every trial sees the same folds.
- :func:`cross_validate` runs ``fit_score(train_idx, val_idx) -> float`` once per fold:
  ``fit_score`` builds a *fresh* model, fits it on the pooled rows ``train_idx`` (fitting the
  preprocessing on those rows only) and returns the validation score on ``val_idx``, higher
  is better (accuracy, R², or a negated loss). Indices are positions into the pooled arrays.
- It returns ``(mean, std, scores)``; ``std`` is the population standard deviation over the
  folds (``ddof=0``). A fold that returns NaN or infinity makes ``mean`` NaN: the caller
  marks the trial failed. An exception in ``fit_score`` propagates unchanged.
- ``cancel`` is checked before each fold (a running fold is cancelled by ``fit_score``'s own
  use of the token); cancelling raises :class:`~automl_gui.core.errors.CancelledError`.
- Once a configuration is chosen, the model that is kept is trained on the usual
  train/validation split and scored on the test split, like any other run.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from automl_gui.core.data.schema import Task
from automl_gui.core.errors import ConfigError, ModelError
from automl_gui.core.events import CancelToken

CV_MAX_ROWS = 1000  # below this many learnable rows, trials are cross-validated
DEFAULT_FOLDS = 5
MIN_FOLDS = 2

FoldScorer = Callable[[np.ndarray, np.ndarray], float]


def should_cross_validate(n_rows: int, threshold: int = CV_MAX_ROWS) -> bool:
    """Whether a table with ``n_rows`` learnable rows (train + validation) should use k-fold.

    Small tables (under ``threshold`` rows) do; tables too small for even two folds of two
    rows do not (their single split is all there is).
    """
    return 2 * MIN_FOLDS <= n_rows < threshold


def default_folds(n_rows: int) -> int:
    """The number of folds for ``n_rows`` rows: 5, fewer when there are under 10 rows."""
    return max(MIN_FOLDS, min(DEFAULT_FOLDS, n_rows // 2))


def pool_splits(prepared: object) -> tuple[pd.DataFrame, np.ndarray]:
    """Train and validation rows of a :class:`~automl_gui.core.preprocess.tabular.PreparedData`
    as one frame and one target array (train rows first), for cross-validation."""
    frame = pd.concat([prepared.train, prepared.validation], ignore_index=True)
    y = np.concatenate([np.asarray(prepared.y_train), np.asarray(prepared.y_validation)])
    return frame, y


def kfold_indices(
    y: Sequence | np.ndarray, k: int, task: Task | str, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``k`` shuffled folds as ``(train_idx, val_idx)`` pairs of sorted positions into ``y``.

    The validation parts are disjoint and together cover every row once. For classification
    the folds are stratified: each holds about the same share of every class (a class with
    fewer than ``k`` rows lands in as many folds as it has rows).

    Raises:
        ConfigError: ``k`` under 2 or above the number of rows.
    """
    y = np.asarray(y)
    n = len(y)
    if not isinstance(k, (int, np.integer)) or k < MIN_FOLDS:
        raise ConfigError(
            f"Cross-validation needs at least {MIN_FOLDS} folds, not {k}.", "Use 5 folds."
        )
    if k > n:
        raise ConfigError(
            f"Cannot make {k} folds from {n} rows.",
            f"Use at most {n} folds, or a single validation split.",
        )
    from sklearn.model_selection import KFold, StratifiedKFold

    if Task(task).is_classification:
        splitter = StratifiedKFold(n_splits=int(k), shuffle=True, random_state=seed)
        with warnings.catch_warnings():
            # "The least populated class in y has only N members": expected on tiny tables
            warnings.filterwarnings(
                "ignore", message="The least populated class", category=UserWarning
            )
            pairs = list(splitter.split(np.zeros(n), y))
    else:
        splitter = KFold(n_splits=int(k), shuffle=True, random_state=seed)
        pairs = list(splitter.split(np.zeros(n)))
    return [(np.sort(tr), np.sort(va)) for tr, va in pairs]


def cross_validate(
    fit_score: FoldScorer,
    y: Sequence | np.ndarray,
    task: Task | str,
    k: int | None = None,
    seed: int = 0,
    *,
    folds: list[tuple[np.ndarray, np.ndarray]] | None = None,
    cancel: CancelToken | None = None,
    on_fold: Callable[[int, int, float], None] | None = None,
) -> tuple[float, float, list[float]]:
    """Score ``fit_score`` on each fold; return ``(mean, std, scores)``.

    Args:
        fit_score: ``(train_idx, val_idx) -> score`` (see the module docstring).
        y: targets of the pooled rows (used to stratify the folds).
        task: "binary", "multiclass" or "regression".
        k: number of folds; None picks :func:`default_folds`.
        seed: shuffles the rows into folds.
        folds: precomputed folds (from :func:`kfold_indices`); ``y``, ``k`` and ``seed`` are
            then not used to build them.
        cancel: checked before each fold.
        on_fold: called after each fold with ``(fold index, number of folds, score)``.

    Raises:
        CancelledError: cancelled between folds.
        ModelError: ``fit_score`` returned something that is not a number.
    """
    if folds is None:
        y_arr = np.asarray(y)
        folds = kfold_indices(y_arr, k or default_folds(len(y_arr)), task, seed)
    scores: list[float] = []
    for i, (train_idx, val_idx) in enumerate(folds):
        if cancel is not None:
            cancel.raise_if_cancelled()
        value = fit_score(train_idx, val_idx)
        try:
            score = float(value)
        except (TypeError, ValueError):
            raise ModelError(
                f"Fold {i + 1} returned {value!r} instead of a score.",
                "The scoring function must return a number.",
            ) from None
        scores.append(score)
        if on_fold is not None:
            on_fold(i, len(folds), score)
    if not scores:
        return math.nan, math.nan, scores
    arr = np.asarray(scores, dtype="float64")
    if not np.isfinite(arr).all():
        return math.nan, math.nan, scores
    return float(arr.mean()), float(arr.std()), scores


__all__ = [
    "CV_MAX_ROWS",
    "DEFAULT_FOLDS",
    "cross_validate",
    "default_folds",
    "kfold_indices",
    "pool_splits",
    "should_cross_validate",
]
