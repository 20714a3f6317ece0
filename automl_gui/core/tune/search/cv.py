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
  use of the token); cancelling raises :class:`~automl_gui.core.base.errors.CancelledError`.
- Once a configuration is chosen, the model that is kept is trained on the usual
  train/validation split and scored on the test split, like any other run.

For the search's trials, :func:`plan_folds` makes the folds once (the baselines' folds: same
rows, same seed) and :func:`fit_folds` trains one configuration on each fold with a
``fit_fold(fold_data, until)`` callback. Each fold is a copy of the
:class:`~automl_gui.core.preprocess.tabular.PreparedData` whose train and validation rows are
the fold's (:meth:`FoldPlan.fold`), so the usual build step fits the preprocessing (and a
regression target's scale) on the fold's training rows only. The folds of a trial share the
time left until the trials' deadline, each taking an equal part of what remains.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import CancelledError, ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, PhaseChanged, emit
from automl_gui.core.data.schema import Task

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


# -- the search's trials ------------------------------------------------------------------------
@dataclass
class FoldPlan:
    """The folds every trial of a search is scored on: pooled rows and their positions."""

    folds: list[tuple[np.ndarray, np.ndarray]]
    frame: pd.DataFrame
    y: np.ndarray

    @property
    def k(self) -> int:
        return len(self.folds)

    def fold(self, prepared: Any, i: int) -> Any:
        """``prepared`` with fold ``i``'s training and validation rows (the test rows kept)."""
        tr, va = self.folds[i]
        return replace(
            prepared,
            train=self.frame.iloc[tr].reset_index(drop=True),
            validation=self.frame.iloc[va].reset_index(drop=True),
            y_train=self.y[tr],
            y_validation=self.y[va],
        )


def plan_folds(
    prepared: Any, task: Task | str, mode: str = "auto", folds: int = 0, seed: int = 0
) -> FoldPlan | None:
    """The folds for ``mode`` ("auto", "on", "off"); None when trials use the single split.

    Raises:
        ConfigError: "on" (or an explicit ``folds``) asks for more folds than there are rows.
    """
    n = len(prepared.train) + len(prepared.validation)
    if mode == "off" or (mode == "auto" and not should_cross_validate(n)):
        return None
    frame, y = pool_splits(prepared)
    return FoldPlan(kfold_indices(y, folds or default_folds(n), task, seed), frame, y)


@dataclass
class FoldsOutcome:
    """What :func:`fit_folds` measured.

    Args:
        mean / std / scores: the objective over the folds that ran (all of them unless Stop).
        epochs: epochs each fold ran; histories: each fold's per-epoch history.
        stopped: "" when every fold ran its course, "cancelled" (Stop: later folds did not
            run) or "time_budget" (a fold's share of the time ran out; the others ran).
        kept: ``fit_fold``'s return for the fold with the best score (a usable model of
            this configuration, trained on that fold's training rows).
        headline_scores: each fold's headline metric on its validation rows, when the
            caller measured it (the leaderboard's shared figure).
    """

    mean: float = math.nan
    std: float = math.nan
    scores: list[float] = field(default_factory=list)
    epochs: list[int] = field(default_factory=list)
    histories: list[dict[str, list[float]]] = field(default_factory=list)
    stopped: str = ""
    kept: Any = None
    headline_scores: list[float | None] = field(default_factory=list)

    def mean_history(self) -> dict[str, list[float]]:
        """Per-epoch means over the folds that reached each epoch (the trial's curves)."""
        keys = {k for h in self.histories for k in h}
        out: dict[str, list[float]] = {}
        for key in sorted(keys):
            runs = [h.get(key, []) for h in self.histories]
            length = max((len(r) for r in runs), default=0)
            out[key] = [float(np.mean([r[e] for r in runs if len(r) > e])) for e in range(length)]
        return out


def fit_folds(
    plan: FoldPlan,
    prepared: Any,
    fit_fold: Callable[[Any, float], Any],
    value_of: Callable[[Any], float | None],
    *,
    task: Task | str,
    direction: str,
    deadline: float = math.inf,
    cancel: CancelToken | None = None,
    on_event: EventCallback | None = None,
    label: str = "",
    metric: str = "",
) -> FoldsOutcome:
    """Train one configuration on every fold; the mean and spread of its objective.

    Args:
        plan: the folds (:func:`plan_folds`).
        prepared: the search's split; each fold replaces its train and validation rows.
        fit_fold: ``(fold data, until) -> (preprocessor, model, TrainResult)``: build a
            fresh model on the fold's training rows and fit it until ``time.monotonic()``
            reaches ``until`` (inf: no limit; the fold's equal share of the time left).
            Stop ends its fit normally (``stopped_reason="cancelled"``).
        value_of: the objective of a ``TrainResult`` (its best epoch's), None if none.
        task: stratifies nothing here (the folds are made); passed to :func:`cross_validate`.
        direction: "max" or "min": which fold's model is ``kept``.
        deadline: ``time.monotonic()`` by which the last fold must end.
        cancel: Stop: the running fold keeps its best epoch, later folds do not run.
        on_event: a ``PhaseChanged("fold i/k", 0)`` before each fold (its epochs count from
            0 again) and a ``Log`` line after it.
        label: what the log lines start with ("Trial 0003").
        metric: the objective's name for the log lines ("val_loss").

    Raises:
        ModelError: a fold's loss became NaN or gave no finite objective (the trial failed);
            an exception from ``fit_fold`` propagates unchanged.
        CancelledError: Stop before the first fold started.
    """
    out = FoldsOutcome()
    best: list[float] = []

    def fit_score(train_idx: np.ndarray, val_idx: np.ndarray) -> float:
        i = len(out.scores)
        now = time.monotonic()
        until = deadline if math.isinf(deadline) else now + max(0.0, deadline - now) / (plan.k - i)
        emit(on_event, PhaseChanged(f"fold {i + 1}/{plan.k}", 0))
        fitted = fit_fold(plan.fold(prepared, i), until)
        result = fitted[-1]
        where = f"fold {i + 1} of {plan.k}"
        if result.stopped_reason == "nan":
            raise ModelError(
                f"Failed in {where}: the loss became NaN or infinite.",
                "A lower learning rate usually helps.",
            )
        value = value_of(result)
        if value is None or not math.isfinite(value):
            raise ModelError(f"Failed in {where}: no finite validation value.", "")
        out.scores.append(value)
        out.epochs.append(int(result.epochs_run))
        out.histories.append(result.history)
        if result.stopped_reason in ("cancelled", "time_budget") and out.stopped != "cancelled":
            out.stopped = result.stopped_reason
        if not best or (value > best[0] if direction == "max" else value < best[0]):
            best[:] = [value]
            out.kept = fitted
        line = f"{label} {where}: {metric} {value:.4g} ({result.epochs_run} epochs)"
        emit(on_event, Log(" ".join(line.split())))
        return value

    try:
        out.mean, out.std, _ = cross_validate(
            fit_score, plan.y, task, folds=plan.folds, cancel=cancel
        )
    except CancelledError:  # Stop between folds: the folds that ran still say something
        if not out.scores:
            raise
        out.stopped = "cancelled"
        out.mean, out.std = float(np.mean(out.scores)), float(np.std(out.scores))
    if cancel is not None and cancel.cancelled:
        out.stopped = "cancelled"
    return out


__all__ = [
    "CV_MAX_ROWS",
    "DEFAULT_FOLDS",
    "FoldPlan",
    "FoldsOutcome",
    "cross_validate",
    "default_folds",
    "fit_folds",
    "kfold_indices",
    "plan_folds",
    "pool_splits",
    "should_cross_validate",
]
