"""Refit on all data (``TrainConfig.refit``), the part every kind's job shares.

After the normal training and its test evaluation, a job trains the same settings from
scratch (same seed) on the training and validation rows together, for the epoch count the
validation chose (best epoch + 1, no early stopping: nothing is left to validate on), and
evaluates that model on the same test split. It becomes the run's model; the metadata's
``refit`` records ``epochs``, ``rows`` (trained on), ``test_before`` and ``test_after`` (the
test figures of the first model and of the refit one) and the model card says so. This is
the usual last step of model selection with a validation split (e.g. Hastie, Tibshirani &
Friedman, "The Elements of Statistical Learning", 2nd ed., 7.10; scikit-learn's
``GridSearchCV(refit=True)``): once validation has chosen the settings and the training
length, the final model learns from every labelled example but the test ones.

What differs between kinds (how a model is rebuilt and fitted on the merged split) stays in
each job (``jobs.tabular.refit_tabular``, ``jobs.files._Job.refit``); this module decides
whether and how long to refit (:func:`plan_refit`), announces the phase and moves the events
on after the first training's epochs (:func:`refit_events`), and makes the run that keeps
the refit model (:func:`keep_refit`) or the first one (:func:`kept_first`).

The schedule follows the first training: "cosine" spans the same number of epochs (so epoch
``e`` has the same rate), "plateau" replays the rates the first training used epoch by epoch
(``Trainer(lr_by_epoch=...)``). A refit that does not run all its epochs (Stop, time budget,
a NaN loss) keeps the first model; so does a first training that was stopped, ran out of
time or diverged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from automl_gui.core.base.events import Log, PhaseChanged, emit
from automl_gui.core.evaluate.labels import change_text
from automl_gui.core.jobs._files_steps import offset_events

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.jobs.run import Run
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.train.result import TrainResult

#: first trainings that end this way are not refitted (nothing sound to repeat)
NOT_REFITTED = {
    "cancelled": "training was stopped",
    "time_budget": "the time budget was used up",
    "nan": "the loss became NaN",
}
#: metrics the refit record compares (those the run's report has)
_FIGURES = ("accuracy", "balanced_accuracy", "f1_macro", "log_loss", "roc_auc", "r2", "mae", "rmse")


@dataclass
class RefitPlan:
    """How to refit: the settings of the refit's fit and what the Trainer replays.

    Args:
        training: the run's settings with ``epochs`` the refit's, early stopping and
            restore-best off, the time budget what is left of it.
        epochs: epochs the refit runs (best epoch + 1 of the first training).
        schedule_epochs: epochs a cosine schedule spans (the first training's ``epochs``).
        lr_by_epoch: the first training's learning rate per epoch (replayed for "plateau").
    """

    training: TrainConfig
    epochs: int
    schedule_epochs: int
    lr_by_epoch: list[float]

    def trainer_options(self) -> dict[str, Any]:
        """``Trainer(config, plan, **options)`` for the refit's fit."""
        return {"schedule_epochs": self.schedule_epochs, "lr_by_epoch": self.lr_by_epoch}


def plan_refit(
    training: TrainConfig,
    result: TrainResult,
    *,
    first_epoch: int = 0,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> RefitPlan | None:
    """The refit of a first training that ended with ``result`` (None: none, and a log line
    says why). ``first_epoch``: where ``result``'s epochs start in a longer history (a files
    job's fine-tune phase); its learning rates are read from there."""
    why = NOT_REFITTED.get(result.stopped_reason)
    if why is None and cancel is not None and cancel.cancelled:
        why = NOT_REFITTED["cancelled"]
    if why is None and result.best_epoch < first_epoch:
        why = "no epoch had a finite validation loss"
    budget = 0.0
    if why is None and training.time_budget > 0:
        budget = training.time_budget - result.seconds
        if budget <= 0:
            why = NOT_REFITTED["time_budget"]
    if why is not None:
        emit(on_event, Log(f"Refit on all data skipped: {why}; the model trained first is kept."))
        return None
    epochs = result.best_epoch - first_epoch + 1
    rates = list(result.history.get("lr", []))[first_epoch : first_epoch + epochs]
    refit = dataclasses.replace(
        training,
        epochs=epochs,
        batch_size=result.batch_size or training.batch_size,  # the same steps as before
        early_stopping=False,
        restore_best=False,
        time_budget=max(0.0, budget),
        refit=False,
    )
    return RefitPlan(refit, epochs, max(training.epochs, epochs), rates)


def refit_events(
    on_event: EventCallback | None, epochs_before: int, epochs: int, rows: int, noun: str
) -> EventCallback | None:
    """Announce the refit phase and return the event callback its fit reports through (its
    epochs numbered on after the first training's ``epochs_before``)."""
    emit(on_event, PhaseChanged("refit", epochs_before))
    emit(
        on_event,
        Log(
            f"Refit on all data: training the same settings from scratch on {rows:,} {noun} "
            f"(training and validation) for {epochs} epochs, the count validation chose."
        ),
    )
    return offset_events(on_event, epochs_before, 0)


def test_figures(run: Run) -> dict[str, float]:
    """The headline test metrics of a run (what ``refit.test_before``/``after`` hold)."""
    metrics = run.metadata.get("metrics") or {}
    return {k: metrics[k] for k in _FIGURES if isinstance(metrics.get(k), int | float)}


def kept_first(
    first: Run, reason: str, on_event: EventCallback | None, *, epochs: int = 0, rows: int = 0
) -> Run:
    """The first run, its metadata saying the refit did not replace it and why."""
    emit(on_event, Log(f"Refit on all data: {reason}; the model trained first is kept.", "warning"))
    first.metadata["refit"] = {"epochs": epochs, "rows": rows, "kept": "first", "reason": reason}
    first.notices.append(f"Refit on all data: {reason}; the model trained first is kept.")
    return first


def keep_refit(
    first: Run,
    refit: Run,
    refit_result: TrainResult,
    plan: RefitPlan,
    rows: int,
    on_event: EventCallback | None,
) -> Run:
    """The run to keep after a refit: the refit model and its test evaluation, or the first
    run when the refit did not run all its epochs.

    The kept run's curves, diagnosis, training summary, split counts and settings stay the
    first training's (they are what validation judged); its model, test report, test
    predictions, sample answers and fitted preprocessing are the refit's.
    """
    if refit_result.epochs_run < plan.epochs or refit_result.stopped_reason != "completed":
        why = NOT_REFITTED.get(refit_result.stopped_reason, "it did not finish")
        return kept_first(first, f"the refit stopped early, {why}", on_event, rows=rows)
    metadata = dict(refit.metadata)
    for key in ("training", "training_result", "data", "phases"):
        if key in first.metadata:
            metadata[key] = first.metadata[key]
    metadata.pop("diagnosis", None)
    if "diagnosis" in first.metadata:
        metadata["diagnosis"] = first.metadata["diagnosis"]
    before, after = test_figures(first), test_figures(refit)
    metadata["refit"] = {
        "epochs": plan.epochs,
        "rows": rows,
        "seconds": round(refit_result.seconds, 3),
        "test_before": before,
        "test_after": after,
    }
    shown = change_text(before, after)
    emit(on_event, Log(f"Refit on all data done; the refit model is kept (test: {shown})."))
    report = refit.report
    if "calibration" in report:  # no validation rows left: no temperature fitted, say so
        from automl_gui.core.trust.calibration import metadata_entry, not_refitted

        first_t = (first.report.get("calibration") or {}).get("temperature")
        report = {**report, "calibration": not_refitted(report["calibration"], first_t)}
        metadata["calibration"] = metadata_entry(report["calibration"])
    return dataclasses.replace(
        refit,
        metadata=metadata,
        report=report,
        history=first.history,
        result=first.result,
        diagnosis=first.diagnosis,
        notices=list(first.notices),
        phases=list(first.phases),
        prepared=first.prepared,
    )
