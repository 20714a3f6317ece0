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
from automl_gui.core.tune.search._scores import table_score
from automl_gui.core.tune.search._tuner import best_value
from automl_gui.core.tune.search.saved import TRAIN_ON_PHASE
from automl_gui.core.tune.search.space import TrialRecord

MIN_FOLD_SECONDS = 0.5  # a fold trains at least this long, even past its share


class FoldTrials:
    """The k-fold side of the table runner (``_trials.TabularTrials`` mixes it in): its
    ``cv_plan`` (a ``cv.FoldPlan``, None without k-fold), ``fold_builds`` (seconds each
    fold took to build its model) and ``refit`` (how the chosen configuration was trained at
    the end), with the runner's data, settings, budget and leaderboard."""

    cv_plan: Any = None
    fold_builds: list[float]

    def fold_seconds_needed(self) -> float:
        """The least time a k-fold trial needs: every fold's build (as measured so far, 1 s
        before any) plus its shortest training. No trial starts with less left."""
        builds = self.fold_builds[-10:]
        build = sum(builds) / len(builds) if builds else 1.0
        return self.cv_plan.k * (build + MIN_FOLD_SECONDS)

    def fit_trial_folds(self, record: TrialRecord, settings: Any, training: Any) -> Any:
        """Train a trial's configuration on each fold of ``cv_plan`` (``cv.fit_folds``):
        a fresh model per fold, its preprocessing fitted on the fold's training rows."""
        from automl_gui.core.jobs.tabular import build_tabular, fit_tabular
        from automl_gui.core.tune.search.cv import fit_folds

        cfg = self.search
        scores: list[float | None] = []  # each fold's headline metric (``_scores``)

        def fit_fold(data: Any, until: float) -> tuple[Any, Any, Any]:
            start = time.monotonic()
            pre, built = build_tabular(
                data, self.preprocess, settings.mlp, seed=training.seed, plan=self.plan
            )
            now = time.monotonic()
            self.fold_builds.append(now - start)  # how long before a fold can start training
            seconds = 0.0 if math.isinf(until) else max(MIN_FOLD_SECONDS, until - now)
            result = fit_tabular(
                data,
                pre,
                built,
                replace(training, time_budget=seconds),
                plan=self.plan,
                on_event=self.on_event,
                cancel=self.cancel,
            )
            if result.stopped_reason != "nan":
                scores.append(table_score(data, pre, built, self.preprocess.task))
            return pre, built, result

        outcome = fit_folds(
            self.cv_plan,
            self.prepared,
            fit_fold,
            lambda result: best_value(result.history, cfg.objective, cfg.direction),
            task=self.preprocess.task,
            direction=cfg.direction,
            deadline=self.trials_deadline(),
            cancel=self.cancel,
            on_event=self.on_event,
            label=f"Trial {record.trial_id}",
            metric=cfg.objective,
        )
        outcome.headline_scores = scores
        return outcome

    def refit_chosen(self, best: TrialRecord, tuner: Any) -> dict[str, Any]:
        """The kept model of a configuration chosen by k-fold: trained afresh on the training
        split, the validation split for early stopping, up to ``max_epochs`` in what is left of
        the budget. With no time left (Stop, the budget) its best fold's model is kept instead."""
        from automl_gui.core.jobs.tabular import build_tabular, fit_tabular

        cfg = self.search
        mine = self.best if self.best is not None and self.best["record"] is best else None
        if mine is not None:
            mlp, training = mine["mlp"], mine["training"]
        else:  # chosen before a resume
            settings = self.space.build(tuner.oracle.get_trial(best.trial_id).hyperparameters)
            mlp, training = settings.mlp, settings.training(self.training)
        left = self.end - time.monotonic()
        if mine is not None and (self.cancel.cancelled or left < 1.0):
            return self._fold_model(best, mine)
        limit = "" if math.isinf(left) else f", at most {max(1.0, left):.0f} s"
        emit(
            self.on_event,
            Log(
                f"Training trial {best.trial_id}'s configuration on the training split (validation"
                f" split for early stopping): up to {cfg.max_epochs} epochs{limit}."
            ),
        )
        emit(self.on_event, PhaseChanged(TRAIN_ON_PHASE, 0))
        training = replace(
            training,
            epochs=cfg.max_epochs,
            early_stopping=True,
            restore_best=True,
            time_budget=0.0 if math.isinf(left) else max(1.0, left),
        )
        pre, built = build_tabular(
            self.prepared, self.preprocess, mlp, seed=training.seed, plan=self.plan
        )
        result = fit_tabular(
            self.prepared,
            pre,
            built,
            training,
            plan=self.plan,
            on_event=self.on_event,
            cancel=self.cancel,
        )
        value = best_value(result.history, cfg.objective, cfg.direction)
        if value is None or result.stopped_reason == "nan":
            if mine is not None:
                return self._fold_model(best, mine)
            self.cancel.raise_if_cancelled()
            raise ModelError(
                f"Trial {best.trial_id}'s configuration failed on the training split.",
                "Start a new search.",
            )
        self.refit = {
            "source": "training split",
            "epochs": result.epochs_run,
            "value": value,
            "stopped_reason": result.stopped_reason,
        }
        return {"pre": pre, "built": built, "result": result, "mlp": mlp, "training": training}

    def _fold_model(self, best: TrialRecord, mine: dict[str, Any]) -> dict[str, Any]:
        """Keep the chosen trial's best fold's model (trained on that fold's training rows)."""
        why = "Stopped" if self.cancel.cancelled else "No time left"
        emit(
            self.on_event,
            Log(
                f"{why} before trial {best.trial_id}'s configuration was trained on the training "
                "split: keeping the model of its best fold.",
                "warning",
            ),
        )
        self.refit = {"source": "best fold", "epochs": mine["result"].epochs_run, "value": None}
        return mine
