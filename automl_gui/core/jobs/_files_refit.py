""" "Refit on all data" for the files job (``jobs.files._Job``; the shared rules are in
``jobs._refit``): a second job of the same kind, its training split the first job's
training and validation files, builds the same network (the architecture and fine-tuned
layers the first one resolved, sized for the same number of files, the same batch) and
trains its phases for the epochs validation chose: phase 1 for its best epoch + 1, then,
when the first job kept its fine-tuning, phase 2 for the fine-tune phase's best epoch + 1
(kept without validation to judge it). It is evaluated on the same test files."""

from __future__ import annotations

import dataclasses
from typing import Any

from automl_gui.core.base.events import PhaseChanged
from automl_gui.core.jobs._refit import keep_refit, plan_refit, refit_events
from automl_gui.core.jobs.run import Run


def refit_files(job: Any, first: Run) -> Run:
    """The run ``job`` keeps after its first training and evaluation ``first`` (see module
    docstring): the refit's, or ``first`` when there is none (a log line says why)."""
    result1, result = job.result1, first.result
    fine_tuned = int(first.metadata.get("training_result", {}).get("fine_tuned_layers", 0))
    options = {"on_event": job.on_event, "cancel": job.cancel}
    plan1 = plan_refit(job.training, result1, **options)
    if plan1 is None or result1 is None:
        return first
    ft_epochs, replay = 0, {"first": plan1.trainer_options()}
    if fine_tuned and job.fine_tune_kept:
        plan2 = plan_refit(
            dataclasses.replace(job.training, epochs=job.model_config.fine_tune_epochs),
            result,
            first_epoch=result1.epochs_run,
            **options,
        )
        if plan2 is None:
            return first
        ft_epochs, replay["fine-tune"] = plan2.epochs, plan2.trainer_options()
    paths = {
        "train": job.paths["train"] + job.paths["validation"],
        "validation": [],
        "test": job.paths["test"],
    }
    rows = len(paths["train"])
    events = _without_phases(
        refit_events(
            job.on_event, result.epochs_run, plan1.epochs + ft_epochs, rows, job.media.noun
        )
    )
    config = dataclasses.replace(
        job.model_config,
        architecture=job.arch,
        fine_tune_layers=fine_tuned,
        fine_tune_epochs=ft_epochs,
    )
    training = dataclasses.replace(plan1.training, batch_size=job.batch)
    again = type(job)(job.media, config, training, job.plan, events, job.cancel)
    again.names, again.paths = list(job.names), paths
    again.y = {
        "train": _concat(job.y["train"], job.y["validation"]),
        "validation": job.y["validation"][:0],
        "test": job.y["test"],
    }
    again.replay, again.size_items, again.refitting = replay, len(job.paths["train"]), True
    again._track()
    second = again.train_and_evaluate()
    plan = dataclasses.replace(plan1, epochs=plan1.epochs + ft_epochs)
    return keep_refit(first, second, second.result, plan, rows, job.on_event)


def _concat(a: Any, b: Any) -> Any:
    import numpy as np

    return np.concatenate([np.asarray(a), np.asarray(b)]).astype(np.asarray(a).dtype)


def _without_phases(on_event: Any) -> Any:
    """The refit is one phase on the plots: its inner jobs' phase changes are not shown."""
    if on_event is None:
        return None

    def forward(event: Any) -> None:
        if not isinstance(event, PhaseChanged):
            on_event(event)

    return forward
