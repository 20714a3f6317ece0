"""The trials of a table search: each trial trained with the run's build/fit code (or by
k-fold, ``_cv_trials``), its weights kept for Hyperband's next round, and the kept model
(trained on from its weights when its round cut it short).

The tuner, the budget and the leaderboard are every kind's (``_tuner.Trials``). Private to
:mod:`automl_gui.core.tune.search.tables`, which holds the public API.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ModelError
from automl_gui.core.base.events import Log, PhaseChanged, Progress, emit
from automl_gui.core.jobs.run import Run
from automl_gui.core.tune.search._cv_trials import FoldTrials
from automl_gui.core.tune.search._ensemble import (
    Pool,
    average_best,
    average_seconds,
    configuration,
    describe_average,
)
from automl_gui.core.tune.search._scores import (
    headline,
    mean_and_spread,
    outputs_score,
    table_score,
    validation_outputs,
)
from automl_gui.core.tune.search._tuner import (
    Trials,
    best_value,
    epochs_reached,
    wants_more,
)
from automl_gui.core.tune.search.saved import TRAIN_ON_PHASE
from automl_gui.core.tune.search.space import TrialRecord


class TabularTrials(FoldTrials, Trials):
    """Trains table trials for Keras Tuner (the tuner, budget and leaderboard are
    :class:`Trials`')."""

    def __init__(self, **kwargs: Any) -> None:
        self.cv_plan: Any = None  # a cv.FoldPlan: trials are scored by k-fold on its folds
        self.fold_builds: list[float] = []  # seconds each fold took to build its model
        super().__init__(**kwargs)
        self.refit: dict[str, Any] | None = None  # how a cross-validated choice was trained
        # the best few trained models, one per configuration: the average's members
        self.pool = Pool(self.search.average_best, self.search.direction)

    def shortest_round(self) -> int:
        """Hyperband's shortest round in epochs: the config's; with k-fold trials at least a
        third of max epochs unless ``min_epochs`` is set (see ``_cv_trials``)."""
        cfg = self.search
        if self.cv_plan is not None and not cfg.min_epochs:
            return max(cfg.shortest_round, cfg.max_epochs // 3)
        return cfg.shortest_round

    def kept_seconds(self) -> float:
        """The time kept for the average of the best trials at the end (``_ensemble``):
        twice its estimate, as a trial or the training on ends a few seconds after its
        limit on a busy machine (its evaluation, the partial epoch's validation)."""
        return 2.0 * average_seconds(self)

    def seconds_needed(self) -> float:
        """With k-fold trials, time for every fold once a trial has a score."""
        if self.cv_plan is not None and self.best_record() is not None:
            return self.fold_seconds_needed()
        return super().seconds_needed()

    def run_trial(self, trial: Any) -> dict[str, float]:
        from automl_gui.core.jobs.tabular import build_tabular, fit_tabular

        values = dict(trial.hyperparameters.values)
        settings = self.space.build(trial.hyperparameters)
        total = int(values.get("tuner/epochs", self.search.max_epochs))
        # a k-fold trial has no one model to continue: each Hyperband round trains afresh
        initial = 0 if self.cv_plan is not None else int(values.get("tuner/initial_epoch", 0))
        left = self.trials_deadline() - time.monotonic()
        training = settings.training(
            self.training,
            epochs=max(1, total - initial),
            time_budget=0.0 if math.isinf(left) else max(0.5, left),
        )
        _, record, start = self.begin(trial)
        folds = None  # a k-fold trial's cv.FoldsOutcome
        with self.failures(record, start):
            settings = self.space.before_trial(trial.trial_id, settings)
            training = settings.training(training)  # the hook may have changed them
            if self.cv_plan is not None:
                folds = self.fit_trial_folds(record, settings, training)
            else:
                pre, built = build_tabular(
                    self.prepared, self.preprocess, settings.mlp, seed=training.seed, plan=self.plan
                )
                previous = values.get("tuner/trial_id")
                if previous and initial > 0:
                    self._load_weights(built, previous)
                result = fit_tabular(
                    self.prepared,
                    pre,
                    built,
                    training,
                    plan=self.plan,
                    on_event=self.on_event,
                    cancel=self.cancel,
                )
        if folds is not None:
            return self._end_folds(record, folds, settings, training, start)
        self._score(record, result.history, result, start)
        record.score_name = headline(self.preprocess.task)
        began = time.monotonic()
        outputs = validation_outputs(self.prepared, pre, built.serving_model)
        self.pool.seconds.append(time.monotonic() - began)
        if outputs is not None:
            record.score = outputs_score(self.prepared, outputs, self.preprocess.task)
        self._save_weights(built, trial.trial_id)
        self._end_trained(record, result, start)
        if outputs is not None:
            self.pool.offer(record, {"pre": pre, "built": built, "outputs": outputs})
        if self._better(record, self.best["record"] if self.best else None):
            self.best = {
                "record": record,
                "pre": pre,
                "built": built,
                "result": result,
                "mlp": settings.mlp,
                "training": training,
            }
        return {self.search.objective: float(record.value)}

    def _end_folds(
        self, record: TrialRecord, folds: Any, settings: Any, training: Any, start: float
    ) -> dict[str, float]:
        """Record a k-fold trial (its value is the folds' mean) and keep its best fold's model
        in case the chosen configuration cannot be trained again at the end."""
        record.cv_mean, record.cv_std = folds.mean, folds.std
        record.cv_folds, record.cv_scores = len(folds.scores), list(folds.scores)
        record.value, record.epochs = folds.mean, max(folds.epochs)
        record.history = folds.mean_history()
        record.score_name = headline(self.preprocess.task)
        record.score, record.score_std = mean_and_spread(folds.headline_scores)
        k = self.cv_plan.k
        if folds.stopped == "cancelled":
            done = f" after {len(folds.scores)} of {k} folds" if len(folds.scores) < k else ""
            self._end(record, "stopped", start, reason=f"Stopped by the user{done}.")
        elif folds.stopped == "time_budget":
            self._end(record, "stopped", start, reason="Time budget reached.")
        else:
            self._end(record, "completed", start)
        if self._better(record, self.best["record"] if self.best else None):
            pre, built, result = folds.kept
            self.best = {"record": record, "pre": pre, "built": built, "result": result}
            self.best.update(mlp=settings.mlp, training=training, cv=True)
        return {self.search.objective: float(record.value)}

    def _save_weights(self, built: Any, trial_id: str) -> None:
        self._save_arrays(trial_id, *built.train_model.get_weights())

    def _load_weights(self, built: Any, trial_id: str) -> bool:
        path = self._weights_path(trial_id)
        if not path.exists():
            return False
        with np.load(path) as data:
            weights = [data[f"arr_{i}"] for i in range(len(data.files))]
        built.train_model.set_weights(weights)
        return True

    # the model the search keeps
    def final_run(self, best: TrialRecord, tuner: Any) -> Run:
        """The best trial's model, evaluated on the test split (restored if trained earlier)."""
        from automl_gui.core.jobs.tabular import finish_tabular

        emit(self.on_event, Progress("evaluate", 0.0, f"Keeping trial {best.trial_id}…"))
        if best.cross_validated:
            kept = self.refit_chosen(best, tuner)
        elif self.best is not None and self.best["record"] is best:
            kept = self.best
        else:  # trained before a resume, or by a search worker: rebuild it, load its weights
            kept = self._restore(best, tuner)
        if self.role is not None and not best.cross_validated:
            self._pool_from_workers(best, tuner)  # first: training on leaves the average time
        if not best.cross_validated:
            _train_on(self, best, kept)
        kept = average_best(self, best, kept)
        training = replace(kept["training"], time_budget=self.training.time_budget)
        run = finish_tabular(
            self.prepared,
            self.preprocess,
            kept["mlp"],
            training,
            kept["pre"],
            kept["built"],
            kept["result"],
            plan=self.plan,
            on_event=self.on_event,
        )
        if self.kept_record is not None:
            describe_average(run.metadata, self.average or {})
        return run

    def _restore(self, record: TrialRecord, tuner: Any) -> dict[str, Any]:
        """A trial trained elsewhere (before a resume, or by a search worker): its model
        rebuilt from the oracle's hyperparameters and its saved weights."""
        from automl_gui.core.jobs.tabular import build_tabular
        from automl_gui.core.train.result import TrainResult

        hp = tuner.oracle.get_trial(record.trial_id).hyperparameters
        settings = self.space.build(hp)
        training = settings.training(self.training, epochs=max(1, record.epochs))
        pre, built = build_tabular(
            self.prepared, self.preprocess, settings.mlp, seed=training.seed, plan=self.plan
        )
        if not self._load_weights(built, record.trial_id):
            raise ModelError(
                f"The weights of trial {record.trial_id} are missing from {self.folder}.",
                "Start a new search.",
            )
        history = record.history
        losses = history.get("val_loss") or history.get("loss") or []
        finite = [v if math.isfinite(v) else math.inf for v in losses]
        result = TrainResult(
            history=history,
            best_epoch=int(np.argmin(finite)) if finite else -1,
            epochs_run=record.epochs,
            stopped_reason="completed",
            seconds=record.seconds,
            batch_size=training.batch_size,
        )
        return {
            "pre": pre,
            "built": built,
            "result": result,
            "mlp": settings.mlp,
            "training": training,
        }

    def _pool_from_workers(self, best: TrialRecord, tuner: Any) -> None:
        """The chief of a search across processes trained none of the trials: the best
        other configurations join the pool of the average (``_ensemble``) from the weights
        their workers saved, with their validation answers measured here."""
        if self.search.average_best < 2 or self.cancel.cancelled:
            return
        ranked = sorted(
            (r for r in self.records if r.scored and r is not best),
            key=lambda r: self.pool._rank(r),
        )
        for record in ranked:
            if len(self.pool.entries) >= self.search.average_best - 1:
                return
            if configuration(record) in self.pool.entries or configuration(record) == configuration(
                best
            ):
                continue
            began = time.monotonic()
            try:
                entry = self._restore(record, tuner)
            except ModelError:  # its worker died before saving: the next one
                continue
            outputs = validation_outputs(self.prepared, entry["pre"], entry["built"].serving_model)
            self.pool.seconds.append(time.monotonic() - began)
            if outputs is not None:
                self.pool.offer(
                    record, {"pre": entry["pre"], "built": entry["built"], "outputs": outputs}
                )


def _train_on(runner: TabularTrials, best: TrialRecord, kept: dict[str, Any]) -> None:
    """Train the kept configuration on from its weights when its trial ended at a round's
    epoch limit (Hyperband's early rounds are short) or at the trials' time limit, up to
    ``max_epochs`` with early stopping, within what is left of the budget; keep the result
    only if it is better."""
    from automl_gui.core.jobs.tabular import fit_tabular

    cfg = runner.search
    result = kept["result"]
    # the time the average of the best trials needs afterwards is kept for it
    left = runner.end - time.monotonic() - runner.kept_seconds()
    if not wants_more(best, result, cfg) or left < 1.0 or runner.cancel.cancelled:
        return
    more = cfg.max_epochs - epochs_reached(best)
    limit = "" if math.isinf(left) else f", at most {left:.0f} s"
    emit(
        runner.on_event,
        Log(f"Training trial {best.trial_id}'s model on: up to {more} more epochs{limit}."),
    )
    emit(runner.on_event, PhaseChanged(TRAIN_ON_PHASE, 0))  # its epochs count from 0 again
    built = kept["built"]
    before = built.train_model.get_weights()
    training = replace(
        kept["training"],
        epochs=more,
        early_stopping=True,
        restore_best=True,
        time_budget=0.0 if math.isinf(left) else left,
    )
    extra = fit_tabular(
        runner.prepared,
        kept["pre"],
        built,
        training,
        plan=runner.plan,
        on_event=runner.on_event,
        cancel=runner.cancel,
    )
    value = best_value(extra.history, cfg.objective, cfg.direction)
    better = (
        value is not None
        and extra.stopped_reason != "nan"
        and runner._better(replace(best, value=value), best)
    )
    runner.trained_on = {"epochs": extra.epochs_run, "value": value, "improved": better}
    runner.trained_on["seconds"] = round(float(extra.seconds), 3)
    if not better:
        built.train_model.set_weights(before)
        return
    history = {k: [*result.history.get(k, []), *extra.history.get(k, [])] for k in result.history}
    offset = result.epochs_run
    kept["result"] = replace(
        extra,
        history=history,
        best_epoch=offset + extra.best_epoch,
        epochs_run=offset + extra.epochs_run,
        seconds=result.seconds + extra.seconds,
    )
    kept["training"] = replace(kept["training"], epochs=offset + extra.epochs_run)
    # the shared validation figure of the longer model: its leaderboard row shows it
    runner.trained_on["score"] = table_score(
        runner.prepared, kept["pre"], built, runner.preprocess.task
    )
