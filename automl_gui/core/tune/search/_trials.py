"""The trials of a table search: Keras Tuner's side (oracle, tuner) and ours (training each
trial with the run's build/fit code, the leaderboard file, per-trial weights, the kept model).

Private to :mod:`automl_gui.core.tune.search.tables`, which holds the public API.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import AutoMLError, CancelledError, ModelError, describe
from automl_gui.core.base.events import (
    Log,
    PhaseChanged,
    Progress,
    TrialEnded,
    TrialStarted,
    emit,
)
from automl_gui.core.pipeline import TabularRun
from automl_gui.core.tune.search.saved import LEADERBOARD_FILE, PROJECT, TRAIN_ON_PHASE
from automl_gui.core.tune.search.saved import write_json as _write_json
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord


class _SearchOver(Exception):  # noqa: N818 - control flow, never escapes this module
    """Raised before a new trial when the budget, the trials or a Stop end the search."""


@contextlib.contextmanager
def _quiet_tensorflow() -> Any:
    """Each trial builds a new model: TensorFlow's "retracing" warnings say nothing here."""
    tf_log = logging.getLogger("tensorflow")
    level = tf_log.level
    tf_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        tf_log.setLevel(level)


def _value(record: TrialRecord) -> str:
    if record.value is None:
        return "no value"
    return f"{record.metric_name} {record.value_text()}"


# -- the trials ------------------------------------------------------------------------------
class _TabularTrials:
    """Trains table trials for Keras Tuner and keeps the leaderboard and the best model."""

    def __init__(self, **kwargs: Any) -> None:
        self.cv_plan: Any = None  # a cv.FoldPlan: trials are scored by k-fold on its folds
        self.fold_builds: list[float] = []  # seconds each fold took to build its model
        self.__dict__.update(kwargs)
        self.best: dict[str, Any] | None = None  # the best trial's model, when trained here
        self.trained_on: dict[str, Any] | None = None  # the kept model trained further
        self.refit: dict[str, Any] | None = None  # how a cross-validated choice was trained

    # Keras Tuner side
    def run(self, *, resume: bool) -> Any:
        import keras_tuner as kt

        runner = self
        space = self.space

        class _HyperModel(kt.HyperModel):
            def build(self, hp: Any) -> Any:
                return space.build(hp)

        class _SearchTuner(kt.Tuner):
            def pre_create_trial(self) -> None:
                runner.check_go_on()

            def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> dict[str, float]:
                return runner.run_trial(trial)

        cfg = self.search
        objective = kt.Objective(cfg.objective, direction=cfg.direction)
        # the budget and trials are counted here (across resumes); 9999 keeps the trial ids
        # four digits ("0000"), as Hyperband's are
        many = 9999
        common = {"objective": objective, "seed": cfg.seed, "max_consecutive_failed_trials": many}
        if cfg.algorithm == "hyperband":
            oracle = kt.oracles.HyperbandOracle(
                max_epochs=cfg.max_epochs, factor=3, hyperband_iterations=None, **common
            )
            # Keras Tuner fixes the shortest round at 1 epoch; brackets start from ours (the
            # attributes it recomputes from min_epochs, as its constructor does)
            oracle.min_epochs = self.shortest_round()
            oracle._current_bracket = oracle._get_num_brackets() - 1
            oracle._brackets = []
            oracle._start_new_bracket()
        elif cfg.algorithm == "bayesian":
            oracle = kt.oracles.BayesianOptimizationOracle(max_trials=many, **common)
        else:
            oracle = kt.oracles.RandomSearchOracle(max_trials=many, **common)
        if getattr(space, "defaults_first", False):
            _defaults_first(oracle)
        with contextlib.redirect_stdout(io.StringIO()):  # "Reloading Tuner from ..."
            tuner = _SearchTuner(
                oracle=oracle,
                hypermodel=_HyperModel(),
                directory=str(self.folder),
                project_name=PROJECT,
                overwrite=not resume,
            )
        verb = "Continuing" if self.records else "Starting"
        budget = f"{cfg.time_budget:g} s" if cfg.time_budget else "no time limit"
        trials = f"{cfg.max_trials} trials" if cfg.max_trials else "no trial limit"
        emit(self.on_event, Log(f"{verb} a {cfg.algorithm} search ({budget}, {trials})."))
        try:
            tuner.search(verbose=0)
        except _SearchOver:
            pass
        return tuner

    def shortest_round(self) -> int:
        """Hyperband's shortest round in epochs: the config's; with k-fold trials at least a
        third of max epochs unless ``min_epochs`` is set (see ``_cv_trials``)."""
        cfg = self.search
        if self.cv_plan is not None and not cfg.min_epochs:
            return max(cfg.shortest_round, cfg.max_epochs // 3)
        return cfg.shortest_round

    def check_go_on(self) -> None:
        """End the search (before a new trial) on Stop, at the budget or the trial limit."""
        done = sum(r.status != "running" for r in self.records)
        if self.cancel.cancelled:
            raise _SearchOver("cancelled")
        need = 0.5
        if self.cv_plan is not None and self.best_record() is not None:
            from automl_gui.core.tune.search._cv_trials import seconds_needed

            need = seconds_needed(self)  # time for every fold, once a trial has a score
        if time.monotonic() >= self.trials_deadline() - need:
            if not self.records:  # setting up took the budget: one short trial still runs,
                emit(  # or the search would end with nothing and call every trial failed
                    self.on_event,
                    Log("The time budget went on setting up; one short trial runs anyway."),
                )
                return
            emit(self.on_event, Log("Search time budget reached: no new trial starts."))
            raise _SearchOver("time budget")
        if self.search.max_trials and done >= self.search.max_trials:
            raise _SearchOver("trials")

    def trials_deadline(self) -> float:
        """When trials must end: before the time kept for training the best on, unless the
        best so far does not need it (it converged, or ran the most epochs)."""
        best = self.best
        if best is None or best.get("cv"):  # a k-fold choice is trained afresh at the end
            return self.deadline
        if not _wants_more(best["record"], best["result"], self.search):
            return self.end
        return self.deadline

    def run_trial(self, trial: Any) -> dict[str, float]:
        import keras_tuner as kt

        from automl_gui.core.pipeline import build_tabular, fit_tabular

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
        record = TrialRecord(trial.trial_id, values, self.search.objective)
        self._put(record)
        emit(self.on_event, TrialStarted(trial.trial_id, values))
        emit(self.on_event, Log(f"Trial {trial.trial_id}: {_describe(values)}"))
        start = time.monotonic()
        folds = None  # a k-fold trial's cv.FoldsOutcome
        try:
            settings = self.space.before_trial(trial.trial_id, settings)
            training = settings.training(training)  # the hook may have changed them
            if self.cv_plan is not None:
                from automl_gui.core.tune.search._cv_trials import fit_trial_folds

                folds = fit_trial_folds(self, record, settings, training)
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
        except CancelledError:
            self._end(record, "stopped", start, reason="Stopped by the user.")
            raise
        except Exception as exc:  # noqa: BLE001 - a failing trial must not end the search
            message, hint = describe(exc)
            if not isinstance(exc, AutoMLError):
                message = f"{type(exc).__name__}: {message}"
            self._end(record, "failed", start, reason=f"{message} {hint}".strip())
            raise kt.errors.FailedTrialError(record.reason) from exc
        if folds is not None:
            return self._end_folds(record, folds, settings, training, start)
        self._score(record, result.history, result, start)
        self._save_weights(built, trial.trial_id)
        self._end_trained(record, result, start)
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

    def _score(
        self,
        record: TrialRecord,
        history: dict[str, list[float]],
        result: Any,
        start: float,
        missing: str = "",
    ) -> None:
        """Record a trained trial's curves, epochs and best value; a NaN loss or no finite
        objective fails it (``FailedTrialError``; ``missing`` adds why the value may lack)."""
        import keras_tuner as kt

        record.history = {
            k: [float(v) if isinstance(v, (int, float, np.floating)) else v for v in vs]
            for k, vs in history.items()
        }
        record.epochs = int(result.epochs_run)
        record.value = _best_value(history, self.search.objective, self.search.direction)
        if result.stopped_reason == "nan" or record.value is None:
            why = (
                "the loss became NaN or infinite"
                if result.stopped_reason == "nan"
                else f"no finite {self.search.objective}{missing}"
            )
            self._end(record, "failed", start, reason=f"Failed: {why}.")
            raise kt.errors.FailedTrialError(record.reason)

    def _end_trained(self, record: TrialRecord, result: Any, start: float) -> None:
        """End a scored trial: "stopped" when Stop or the budget cut it, else "completed"."""
        stopped = {"cancelled": "Stopped by the user.", "time_budget": "Time budget reached."}
        if result.stopped_reason in stopped:
            self._end(record, "stopped", start, reason=stopped[result.stopped_reason])
        else:
            self._end(record, "completed", start)

    def search_best(self, *, resume: bool, hint: str) -> tuple[Any, TrialRecord]:
        """Run the trials; return the tuner and the best trial (ModelError when every trial
        failed, with ``hint``; CancelledError when stopped before any finished)."""
        with _quiet_tensorflow():
            tuner = self.run(resume=resume)
        best = self.best_record()
        if best is None:
            self.cancel.raise_if_cancelled()
            failed = [r for r in self.records if r.status == "failed"]
            why = f" The first failure: {failed[0].reason}" if failed else ""
            raise ModelError(f"Every trial of the search failed ({len(failed)} tried).{why}", hint)
        return tuner, best

    # the leaderboard
    def _put(self, record: TrialRecord) -> None:
        self.records = [r for r in self.records if r.trial_id != record.trial_id] + [record]
        self._save_board()

    def _end(self, record: TrialRecord, status: str, start: float, reason: str = "") -> None:
        record.status, record.reason = status, reason
        record.seconds = time.monotonic() - start
        self._save_board()
        level = "warning" if status == "failed" else "info"
        tail = f": {reason}" if reason else ""
        emit(self.on_event, Log(f"Trial {record.trial_id} {status}, {_value(record)}{tail}", level))
        emit(self.on_event, TrialEnded(record))

    def _save_board(self) -> None:
        _write_json(self.folder / LEADERBOARD_FILE, [r.to_dict() for r in self.records])

    def _better(self, a: TrialRecord, b: TrialRecord | None) -> bool:
        if not a.scored:
            return False
        if b is None:
            return True
        return a.value > b.value if self.search.direction == "max" else a.value < b.value

    def best_record(self) -> TrialRecord | None:
        best = None
        for record in self.records:
            if self._better(record, best):
                best = record
        return best

    # weights of each trial: Hyperband continues from them; the best becomes the model
    def _weights_path(self, trial_id: str) -> Path:
        return self.folder / "weights" / f"{trial_id}.npz"

    def _save_weights(self, built: Any, trial_id: str) -> None:
        path = self._weights_path(trial_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, *built.train_model.get_weights())
        os.replace(tmp, path)

    def _load_weights(self, built: Any, trial_id: str) -> bool:
        path = self._weights_path(trial_id)
        if not path.exists():
            return False
        with np.load(path) as data:
            weights = [data[f"arr_{i}"] for i in range(len(data.files))]
        built.train_model.set_weights(weights)
        return True

    # the model the search keeps
    def _train_on(self, best: TrialRecord, kept: dict[str, Any]) -> None:
        _train_on_impl(self, best, kept)

    def final_run(self, best: TrialRecord, tuner: Any) -> TabularRun:
        """The best trial's model, evaluated on the test split (restored if trained earlier)."""
        from automl_gui.core.pipeline import build_tabular, finish_tabular
        from automl_gui.core.train.trainer import TrainResult

        emit(self.on_event, Progress("evaluate", 0.0, f"Keeping trial {best.trial_id}…"))
        if best.cross_validated:
            from automl_gui.core.tune.search._cv_trials import refit

            kept = refit(self, best, tuner)
        elif self.best is not None and self.best["record"] is best:
            kept = self.best
        else:  # trained before a resume: rebuild it and load its weights
            hp = tuner.oracle.get_trial(best.trial_id).hyperparameters
            settings = self.space.build(hp)
            training = settings.training(self.training, epochs=max(1, best.epochs))
            pre, built = build_tabular(
                self.prepared, self.preprocess, settings.mlp, seed=training.seed, plan=self.plan
            )
            if not self._load_weights(built, best.trial_id):
                raise ModelError(
                    f"The weights of trial {best.trial_id} are missing from {self.folder}.",
                    "Start a new search.",
                )
            history = best.history
            losses = history.get("val_loss") or history.get("loss") or []
            finite = [v if math.isfinite(v) else math.inf for v in losses]
            result = TrainResult(
                history=history,
                best_epoch=int(np.argmin(finite)) if finite else -1,
                epochs_run=best.epochs,
                stopped_reason="completed",
                seconds=best.seconds,
                batch_size=training.batch_size,
            )
            kept = {"pre": pre, "built": built, "result": result, "mlp": settings.mlp}
            kept["training"] = training
        if not best.cross_validated:
            self._train_on(best, kept)
        training = replace(kept["training"], time_budget=self.training.time_budget)
        return finish_tabular(
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


def _train_on_impl(runner: _TabularTrials, best: TrialRecord, kept: dict[str, Any]) -> None:
    """Train the kept configuration on from its weights when its trial ended at a round's
    epoch limit (Hyperband's early rounds are short) or at the trials' time limit, up to ``max_epochs`` with early
    stopping, within what is left of the budget; keep the result only if it is better."""
    from automl_gui.core.pipeline import fit_tabular

    cfg = runner.search
    result = kept["result"]
    left = runner.end - time.monotonic()
    if not _wants_more(best, result, cfg) or left < 1.0 or runner.cancel.cancelled:
        return
    more = cfg.max_epochs - _epochs_reached(best)
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
    value = _best_value(extra.history, cfg.objective, cfg.direction)
    better = (
        value is not None
        and extra.stopped_reason != "nan"
        and runner._better(replace(best, value=value), best)
    )
    runner.trained_on = {"epochs": extra.epochs_run, "value": value, "improved": better}
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


def _defaults_first(oracle: Any) -> None:
    """The first trial of a new search tries the space's defaults (a configuration known to
    do well on most tables) before the oracle's random picks; its later ones are the oracle's.
    """
    pick = oracle._random_values  # the one place all three oracles draw new values

    def defaults_then_random() -> dict[str, Any] | None:
        if not oracle.trials:
            values = dict(oracle.hyperparameters.values)
            if values and not oracle._duplicate(values):
                return values
        return pick()

    oracle._random_values = defaults_then_random


def _epochs_reached(record: TrialRecord) -> int:
    """Epochs the configuration has trained (Hyperband continues trials across rounds)."""
    return int(record.hyperparameters.get("tuner/initial_epoch", 0)) + record.epochs


def _wants_more(record: TrialRecord, result: Any, cfg: SearchConfig) -> bool:
    """Whether a trial ended before converging: at its round's epoch limit or the time limit
    (not by early stopping), below ``max_epochs``."""
    cut = result.stopped_reason in ("completed", "time_budget")
    return cut and _epochs_reached(record) < cfg.max_epochs


def _best_value(history: dict[str, list[float]], objective: str, direction: str) -> float | None:
    values = [v for v in history.get(objective, []) if v is not None and math.isfinite(v)]
    if not values:
        return None
    return float(max(values) if direction == "max" else min(values))


def _describe(values: dict[str, Any]) -> str:
    shown = []
    for key, value in values.items():
        if key.startswith("tuner/"):
            continue
        shown.append(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}")
    if "tuner/epochs" in values:
        shown.append(f"epochs {values.get('tuner/initial_epoch', 0)}→{values['tuner/epochs']}")
    return ", ".join(shown)


# -- baselines ---------------------------------------------------------------------------------
