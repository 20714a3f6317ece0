"""k-fold trials of a table search (small tables): each trial trains its configuration on
every fold (``cv.fit_folds``), and the configuration kept at the end is trained afresh on the
training split so that evaluation and export see a normal model.

Design notes:

- Each fold is the search's ``PreparedData`` with the fold's rows as train and validation
  (``cv.FoldPlan.fold``); ``build_tabular`` fits the preprocessing and a regression target's
  scale on the fold's training rows only, so nothing leaks from the fold's validation rows.
- A trial's folds share the time left until the trials' deadline (each an equal part of what
  remains) and Stop ends the running fold at its next batch; the folds that ran still count.
- Hyperband continues a single-split trial from the previous round's weights; a k-fold trial
  has one model per fold, so each of its rounds trains from scratch for the round's epochs.
- On a small table an epoch costs little next to building a fold's model, and a
  configuration judged after a tenth of its epochs is judged on how fast it starts rather
  than where it ends (iris at 120 s: nine 7-epoch trials, the kept one underfitted): with
  k-fold trials Hyperband's shortest round is a third of ``max_epochs`` unless
  ``min_epochs`` is set.
- No weights are saved per k-fold trial: after a resume, the chosen configuration is simply
  trained again on the training split.

Private to :mod:`automl_gui.core.tune.search.tables`.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

from automl_gui.core.base.errors import ModelError
from automl_gui.core.base.events import Log, PhaseChanged, emit
from automl_gui.core.tune.search._trials import TRAIN_ON_PHASE, _best_value, _TabularTrials
from automl_gui.core.tune.search.space import TrialRecord

MIN_FOLD_SECONDS = 0.5  # a fold trains at least this long, even past its share


def seconds_needed(runner: _TabularTrials) -> float:
    """The least time a k-fold trial needs: every fold's build (as measured so far, 1 s
    before any) plus its shortest training. No trial starts with less left."""
    builds = runner.fold_builds[-10:]
    build = sum(builds) / len(builds) if builds else 1.0
    return runner.cv_plan.k * (build + MIN_FOLD_SECONDS)


def fit_trial_folds(
    runner: _TabularTrials, record: TrialRecord, settings: Any, training: Any
) -> Any:
    """Train a trial's configuration on each fold of ``runner.cv_plan`` (``cv.fit_folds``):
    a fresh model per fold, its preprocessing fitted on the fold's training rows."""
    from automl_gui.core.pipeline import build_tabular, fit_tabular
    from automl_gui.core.tune.search.cv import fit_folds

    cfg = runner.search

    def fit_fold(data: Any, until: float) -> tuple[Any, Any, Any]:
        start = time.monotonic()
        pre, built = build_tabular(
            data, runner.preprocess, settings.mlp, seed=training.seed, plan=runner.plan
        )
        now = time.monotonic()
        runner.fold_builds.append(now - start)  # how long before a fold can start training
        seconds = 0.0 if math.isinf(until) else max(MIN_FOLD_SECONDS, until - now)
        result = fit_tabular(
            data,
            pre,
            built,
            replace(training, time_budget=seconds),
            plan=runner.plan,
            on_event=runner.on_event,
            cancel=runner.cancel,
        )
        return pre, built, result

    return fit_folds(
        runner.cv_plan,
        runner.prepared,
        fit_fold,
        lambda result: _best_value(result.history, cfg.objective, cfg.direction),
        task=runner.preprocess.task,
        direction=cfg.direction,
        deadline=runner.trials_deadline(),
        cancel=runner.cancel,
        on_event=runner.on_event,
        label=f"Trial {record.trial_id}",
        metric=cfg.objective,
    )


def refit(runner: _TabularTrials, best: TrialRecord, tuner: Any) -> dict[str, Any]:
    """The kept model of a configuration chosen by k-fold: trained afresh on the training
    split, the validation split for early stopping, up to ``max_epochs`` in what is left of
    the budget. With no time left (Stop, the budget) its best fold's model is kept instead."""
    from automl_gui.core.pipeline import build_tabular, fit_tabular

    cfg = runner.search
    mine = runner.best if runner.best is not None and runner.best["record"] is best else None
    if mine is not None:
        mlp, training = mine["mlp"], mine["training"]
    else:  # chosen before a resume
        settings = runner.space.build(tuner.oracle.get_trial(best.trial_id).hyperparameters)
        mlp, training = settings.mlp, settings.training(runner.training)
    left = runner.end - time.monotonic()
    if mine is not None and (runner.cancel.cancelled or left < 1.0):
        return _fold_model(runner, best, mine)
    limit = "" if math.isinf(left) else f", at most {max(1.0, left):.0f} s"
    emit(
        runner.on_event,
        Log(
            f"Training trial {best.trial_id}'s configuration on the training split (validation"
            f" split for early stopping): up to {cfg.max_epochs} epochs{limit}."
        ),
    )
    emit(runner.on_event, PhaseChanged(TRAIN_ON_PHASE, 0))
    training = replace(
        training,
        epochs=cfg.max_epochs,
        early_stopping=True,
        restore_best=True,
        time_budget=0.0 if math.isinf(left) else max(1.0, left),
    )
    pre, built = build_tabular(
        runner.prepared, runner.preprocess, mlp, seed=training.seed, plan=runner.plan
    )
    result = fit_tabular(
        runner.prepared,
        pre,
        built,
        training,
        plan=runner.plan,
        on_event=runner.on_event,
        cancel=runner.cancel,
    )
    value = _best_value(result.history, cfg.objective, cfg.direction)
    if value is None or result.stopped_reason == "nan":
        if mine is not None:
            return _fold_model(runner, best, mine)
        runner.cancel.raise_if_cancelled()
        raise ModelError(
            f"Trial {best.trial_id}'s configuration failed on the training split.",
            "Start a new search.",
        )
    runner.refit = {
        "source": "training split",
        "epochs": result.epochs_run,
        "value": value,
        "stopped_reason": result.stopped_reason,
    }
    return {"pre": pre, "built": built, "result": result, "mlp": mlp, "training": training}


def _fold_model(runner: _TabularTrials, best: TrialRecord, mine: dict[str, Any]) -> dict[str, Any]:
    """Keep the chosen trial's best fold's model (trained on that fold's training rows)."""
    why = "Stopped" if runner.cancel.cancelled else "No time left"
    emit(
        runner.on_event,
        Log(
            f"{why} before trial {best.trial_id}'s configuration was trained on the training "
            "split: keeping the model of its best fold.",
            "warning",
        ),
    )
    runner.refit = {"source": "best fold", "epochs": mine["result"].epochs_run, "value": None}
    return mine
