"""A time-budgeted AutoML search for tables on Keras Tuner's algorithms, trained by our Trainer.

Keras Tuner's oracles (Hyperband, Bayesian optimization, random search) choose the
hyperparameters; :class:`_SearchTuner` runs each trial through the same build/fit code as a
normal run (``core.pipeline``), so trials get the Trainer's Stop, NaN, out-of-memory and time
budget handling and its live events. The data is prepared and split once for all trials.

On small tables (``SearchConfig.cross_validation``, ``core.tune.cv``) each trial is scored by
k-fold cross-validation on the train and validation rows pooled (its value is the folds'
mean, with their spread), and the chosen configuration is then trained on the training split
(``_cv_trials``), so the kept model, its evaluation and its export are those of a normal run.

State lives in a directory: Keras Tuner's project (``tuner/``), each trial's weights
(``weights/<trial>.npz``: Hyperband continues a trial from them, and the best one becomes the
final model) and the leaderboard (``leaderboard.json``). ``resume=True`` continues a search
whose process ended (a crash, a closed window): finished trials are kept, the interrupted
one is run again.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from automl_gui.core.base.errors import (
    CancelledError,
    describe,
)
from automl_gui.core.base.events import (
    CancelToken,
    EventCallback,
    Log,
    emit,
)
from automl_gui.core.jobs.run import Run
from automl_gui.core.preprocess.config import PreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune._quiet import quiet_tensorflow
from automl_gui.core.tune.search._trials import TabularTrials
from automl_gui.core.tune.search._tuner import check_tensorboard, value_text
from automl_gui.core.tune.search.saved import (
    LEADERBOARD_FILE,
    TRAIN_ON_PHASE,
    open_folder,
    search_folder,
)
from automl_gui.core.tune.search.space import SearchConfig, TabularSpace, TrialRecord

__all__ = [
    "LEADERBOARD_FILE",
    "TRAIN_ON_PHASE",
    "SearchRun",
    "check_tensorboard",
    "leaderboard_rows",
    "search_tabular",
    "search_tabular_isolated",
]


@dataclass
class SearchRun(Run):
    """The model the search kept, as a normal run, plus the leaderboard that chose it."""

    leaderboard: list[TrialRecord] = field(default_factory=list)
    best_trial: TrialRecord | None = None


def search_tabular(
    df: Any,
    preprocess: PreprocessConfig,
    search: SearchConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    directory: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    space: TabularSpace | None = None,
    baselines: bool = True,
) -> SearchRun:
    """Search MLPs for a table within ``search``'s budget; return the best as a finished run.

    Args:
        df: the table (never modified).
        preprocess: target, task, columns and split (the split is made once, for all trials).
        search: algorithm, time budget, trials, epochs per trial, objective.
        training: the base training settings (seed, schedule, early stopping, class weights);
            each trial replaces optimizer, learning rate, batch size, epochs and time budget.
        plan: the hardware plan.
        on_event: receives Log/Progress, TrialStarted, the running trial's EpochEnd and
            BatchEnd events, and TrialEnded with its leaderboard row.
        cancel: Stop: the running trial keeps its best epoch and the search ends.
        directory: where the search state lives (None: a temporary folder, removed after).
        resume: continue the search saved in ``directory``.
        overwrite: start afresh in a ``directory`` that holds a search (else ConfigError).
        space: the search space (default :class:`TabularSpace`).
        baselines: also train the scikit-learn baselines on the same split (leaderboard rows
            with status "baseline").

    Raises:
        ConfigError / DataError: settings or data that cannot be searched.
        ModelError: every trial failed. CancelledError: stopped before any trial finished.
    """
    from automl_gui.core.preprocess.tabular import prepare_data
    from automl_gui.core.tune.search.cv import plan_folds

    search.validate(preprocess.task)
    check_tensorboard()
    cancel = cancel or CancelToken()
    started = time.monotonic()
    with search_folder(directory, resume=resume) as folder:
        records = open_folder(folder, search, resume=resume, overwrite=overwrite)
        prepared = prepare_data(df, preprocess, on_event=on_event)
        for notice in prepared.notices:
            emit(on_event, Log(notice, "warning"))
        cancel.raise_if_cancelled()
        cv_plan = plan_folds(
            prepared, preprocess.task, search.cross_validation, search.folds, training.seed
        )
        if cv_plan is not None:
            n = len(cv_plan.y)
            emit(
                on_event,
                Log(
                    f"{n} rows to learn from: each trial is scored by {cv_plan.k}-fold "
                    "cross-validation on the training and validation rows (mean ± std); the "
                    "chosen configuration is then trained on the training split."
                ),
            )
        runner = TabularTrials(
            prepared=prepared,
            preprocess=preprocess,
            search=search,
            training=training,
            space=space or TabularSpace(rows=_trial_rows(prepared, cv_plan)),
            plan=plan,
            on_event=on_event,
            cancel=cancel,
            folder=folder,
            records=records,
            cv_plan=cv_plan,
            deadline=(
                started + search.time_budget * (1.0 - search.final_share)
                if search.time_budget > 0
                else math.inf
            ),
            end=started + search.time_budget if search.time_budget > 0 else math.inf,
        )
        tuner, best = runner.search_best(
            resume=resume, hint="Check the data for extreme values, or give the search more time."
        )
        with quiet_tensorflow():
            run = runner.final_run(best, tuner)
        rows = (
            _baseline_records(
                prepared,
                preprocess,
                training.seed,
                on_event,
                cancel,
                folds=cv_plan.k if cv_plan is not None else 0,
            )
            if baselines and not cancel.cancelled
            else []
        )
        leaderboard = [*runner.records, *rows]
        run.metadata["search"] = {
            "config": search.to_dict(),
            "leaderboard": [r.to_dict(history=False) for r in leaderboard],
            "best_trial": best.to_dict(history=False),
            "trained_on": runner.trained_on,
            "cross_validation": (
                {"folds": cv_plan.k, "rows": len(cv_plan.y)} if cv_plan is not None else None
            ),
            "refit": runner.refit,
            "seconds": round(time.monotonic() - started, 3),
        }
        done = f"Search done: kept trial {best.trial_id} ({value_text(best)})"
        more, refit = runner.trained_on, runner.refit
        if best.cross_validated:
            done = (
                f"Search done: kept trial {best.trial_id} ({best.metric_name} {best.value_text()})"
            )
        if refit and refit["source"] == "training split":
            done += (
                f", trained on the training split for {refit['epochs']} epochs "
                f"({best.metric_name} {refit['value']:.4g} on the validation split)"
            )
        elif refit:
            done += ", the model of its best fold (no time was left to train it again)"
        elif more and more["improved"]:
            done += f", trained on {more['epochs']} more epochs to {more['value']:.4g}"
        elif more:
            done += f"; {more['epochs']} more epochs did not improve it: kept as it was"
        emit(on_event, Log(done + "."))
        fields_of_run = {f.name: getattr(run, f.name) for f in fields(Run)}
        return SearchRun(**fields_of_run, leaderboard=leaderboard, best_trial=best)


def search_tabular_isolated(
    process: Any,
    df: Any,
    preprocess: PreprocessConfig,
    search: SearchConfig,
    training: TrainConfig,
    *,
    plan: Any = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    directory: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
) -> SearchRun:
    """:func:`search_tabular` in an :class:`~automl_gui.core.jobs.process.EngineProcess` (the
    window's way: the search never competes with it for the interpreter lock). Same result,
    events and errors; the kept model comes back through a temporary .keras file."""
    from automl_gui.core.jobs.isolated import run_isolated

    request = {"df": df, "preprocess": preprocess, "search": search, "training": training}
    request.update(plan=plan, directory=directory, resume=resume, overwrite=overwrite)
    return run_isolated(process, _search_job, request, on_event=on_event, cancel=cancel)


def _search_job(
    request: dict[str, Any],
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> SearchRun:
    """:func:`search_tabular` as a job (``job(request, *, on_event, cancel)``)."""
    return search_tabular(**request, on_event=on_event, cancel=cancel)


def leaderboard_rows(records: list[TrialRecord]) -> list[dict[str, Any]]:
    """Flat rows for a table or CSV: trial, status, metric, value, epochs, seconds, params.

    For a cross-validated row ``value`` is the mean over ``cv_folds`` folds and ``cv_std``
    their standard deviation (``cv_folds`` 0 and ``cv_std`` empty otherwise)."""
    rows = []
    for r in records:
        params = {k: v for k, v in r.hyperparameters.items() if not k.startswith("tuner/")}
        rows.append(
            {
                "trial": r.trial_id,
                "status": r.status,
                "metric": r.metric_name,
                "value": r.value,
                "cv_std": r.cv_std,
                "cv_folds": r.cv_folds,
                "test_score": r.test_score,
                "epochs": r.epochs,
                "seconds": round(r.seconds, 2),
                "hyperparameters": json.dumps(params, sort_keys=True, default=str),
                "reason": r.reason,
            }
        )
    return rows


def _baseline_records(
    prepared: Any,
    preprocess: PreprocessConfig,
    seed: int,
    on_event: EventCallback | None,
    cancel: CancelToken,
    *,
    folds: int | None = None,
) -> list[TrialRecord]:
    """Leaderboard rows of the scikit-learn baselines (``core.tune.baselines``), if present.

    ``folds``: cross-validate them on that many folds (the trials' folds: same rows, same
    seed), 0 not at all, None as the number of rows decides. A cross-validated row's value is
    its k-fold mean; its single validation split's score goes in ``reason``.
    """
    try:
        from automl_gui.core.tune.search.baselines import run_baselines
    except ImportError:  # the baselines module is optional: the search stands without it
        return []
    try:
        results = run_baselines(
            prepared,
            preprocess.task,
            seed,
            preprocess=preprocess,
            cancel=cancel,
            on_event=on_event,
            cross_validation=None if folds is None else folds > 0,
            folds=folds or 0,
        )
    except CancelledError:  # Stop during the baselines: the search's model is kept
        return []
    except Exception as exc:  # noqa: BLE001 - a baseline failing must not lose the search
        message, _ = describe(exc)
        emit(on_event, Log(f"The baselines could not be trained: {message}", "warning"))
        return []
    rows = []
    for res in results:
        record = TrialRecord(
            trial_id=f"baseline:{res.name}",
            hyperparameters={"model": res.name, **(getattr(res, "settings", None) or {})},
            metric_name=res.metric_name,
            value=res.validation_score,
            seconds=float(res.seconds),
            status="baseline",
            test_score=res.test_score,
        )
        if getattr(res, "cv_mean", None) is not None:
            one = "n/a" if res.validation_score is None else f"{res.validation_score:.4g}"
            record.value, record.cv_mean, record.cv_std = res.cv_mean, res.cv_mean, res.cv_std
            record.cv_folds, record.cv_scores = len(res.cv_scores), list(res.cv_scores)
            record.reason = f"{res.metric_name} {one} on the validation split"
        rows.append(record)
    return rows


def _trial_rows(prepared: Any, cv_plan: Any) -> int:
    """The rows one trial trains on: a fold's training part with k-fold, else the training
    split (the table space picks its batch sizes from it)."""
    if cv_plan is None:
        return len(prepared.train)
    return min(len(train) for train, _ in cv_plan.folds)
