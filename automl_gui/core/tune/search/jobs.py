"""The AutoML search as a job, for every kind of data: ``search(request, *, on_event, cancel)``.

Keras Tuner's oracles (Hyperband, Bayesian optimization, random search) choose the
hyperparameters; each trial is trained by the same code as a normal run, so trials get the
Trainer's Stop, NaN, out-of-memory and time budget handling and its live events. What every
search shares is here and in ``_tuner`` (the folder, the budget, the leaderboard, the kept
model's report); what a kind of data adds is its side: ``tables.TableSearch`` (the split made
once, k-fold trials on small tables, scikit-learn baselines) or ``files.FilesSearch`` (the
files job per trial, the kind's media and search space).

State lives in a directory: Keras Tuner's project (``tuner/``), each trial's weights
(``weights/<trial>.npz``: Hyperband continues a trial from them, and the best one becomes the
final model), the settings (``search.json``) and the leaderboard (``leaderboard.json``).
``resume=True`` continues a search whose process ended (a crash, a closed window): finished
trials are kept, the interrupted one is run again. In the window the search runs in the
engine process: ``jobs.isolated.run_isolated(engine_process, search, request)``.

Across processes (``SearchRequest.role``, Keras Tuner's distributed mode with its
KERASTUNER_* variables): the chief runs :func:`search`, serving the oracle (``_chief``)
instead of training, then keeps the model as above; each worker runs :func:`search_worker`
(``_worker``): the same data preparation and trials, asking the chief's oracle for them.
They share ``directory``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, emit
from automl_gui.core.cluster.search_role import SearchRole
from automl_gui.core.jobs.run import Run
from automl_gui.core.tune._quiet import quiet_tensorflow
from automl_gui.core.tune.search._tuner import check_tensorboard, value_text
from automl_gui.core.tune.search.files import FilesSearch
from automl_gui.core.tune.search.saved import open_folder, search_folder
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord
from automl_gui.core.tune.search.tables import TableSearch

if TYPE_CHECKING:
    from automl_gui.core.hardware import HardwarePlan
    from automl_gui.core.jobs.requests import Dataset, ModelSettings, PreprocessSettings
    from automl_gui.core.kinds.base import DataKind
    from automl_gui.core.train.config import TrainConfig

__all__ = ["SearchRequest", "SearchRun", "search", "search_worker"]


@dataclass
class SearchRequest:
    """Search models for ``dataset`` of ``kind`` within ``search``'s budget.

    Args:
        kind: the kind of data (``kinds.kind_named``).
        dataset: a table's DataFrame (never modified), or a scanned image or audio dataset.
        preprocess: the kind's preprocessing settings. A table's target, task, columns and
            split (made once, for all trials); a folder's split, colour mode or sample rate
            and clip length, cache (the space varies the rest).
        model: a folder's ImageModelConfig: weights folder/file and fine-tuning epochs and
            factor (the architecture is the search's; a search never downloads weights: a
            backbone is tried only when its file is here, or from random weights with
            ``allow_scratch_backbones``). Tables: unused (the space sizes the network).
        search: algorithm, time budget, trials, epochs per trial, objective.
        training: the base training settings (seed, schedule, early stopping, class
            weights); each trial sets its own learning rate, epochs and time budget (tables
            also optimizer and batch size).
        plan: the hardware plan.
        directory: where the search state lives (None: a temporary folder, removed after).
        resume: continue the search saved in ``directory``.
        overwrite: start afresh in a ``directory`` that holds a search (else ConfigError).
        space: the search space (None: the kind's default, ``TabularSpace`` for tables).
        baselines: tables: also train the scikit-learn baselines on the same split
            (leaderboard rows with status "baseline").
        allow_scratch_backbones: folders: try backbones without weights from random weights.
        role: this process's part in a search across processes (Keras Tuner's distributed
            mode, ``core.cluster.search_role``): the chief serves the oracle and keeps the
            model (:func:`search`), a worker runs trials (:func:`search_worker`); both need
            ``directory``, a folder every process shares. None: one machine.
    """

    kind: DataKind
    dataset: Dataset
    preprocess: PreprocessSettings
    model: ModelSettings | None
    search: SearchConfig
    training: TrainConfig
    plan: HardwarePlan | None = None
    directory: str | Path | None = None
    resume: bool = False
    overwrite: bool = False
    space: Any = None
    baselines: bool = True
    allow_scratch_backbones: bool = False
    role: SearchRole | None = None


@dataclass
class SearchRun(Run):
    """The model the search kept, as a normal run, plus the leaderboard that chose it
    (``metadata["search"]`` has the settings, the rows and how the kept model was trained)."""

    leaderboard: list[TrialRecord] = field(default_factory=list)
    best_trial: TrialRecord | None = None


def search(
    request: SearchRequest,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> SearchRun:
    """Search models for ``request.dataset``; return the best as a finished run.

    ``on_event`` receives Log/Progress, TrialStarted, the running trial's EpochEnd and
    BatchEnd events, and TrialEnded with its leaderboard row; ``cancel`` (Stop) lets the
    running trial keep its best epoch and ends the search.

    Raises:
        ConfigError / DataError: settings or data that cannot be searched.
        ModelError: every trial failed. CancelledError: stopped before any trial finished.
    """
    side, request = _checked(request)
    if request.role is not None and not request.role.is_chief:
        raise ConfigError(
            f"This process is {request.role.describe()}: it runs trials, it keeps no model.",
            "Run it with search_worker, or as the chief (KERASTUNER_TUNER_ID=chief).",
        )
    config = request.search
    cancel = cancel or CancelToken()
    started = time.monotonic()
    budget = config.time_budget
    deadline = started + budget * (1.0 - config.final_share) if budget > 0 else math.inf
    end = started + budget if budget > 0 else math.inf
    with search_folder(request.directory, resume=request.resume) as folder:
        records = open_folder(folder, config, resume=request.resume, overwrite=request.overwrite)
        job = side(
            request,
            folder=folder,
            records=records,
            deadline=deadline,
            end=end,
            on_event=on_event,
            cancel=cancel,
        )
        runner = job.runner
        runner.role = request.role
        tuner, best = runner.search_best(resume=request.resume, hint=job.hint)
        with quiet_tensorflow():
            run = runner.final_run(best, tuner)
        run.metadata.setdefault("data", {})["identity"] = request.kind.identity(request.dataset)
        leaderboard = [*runner.records, *job.extra_rows()]
        runner.records = leaderboard  # the saved board gets the baselines too
        runner.save_board()
        kept = runner.kept_record or best  # the average of the best trials, when it won
        run.metadata["search"] = {
            "config": config.to_dict(),
            "leaderboard": [r.to_dict(history=False) for r in leaderboard],
            "best_trial": best.to_dict(history=False),
            "kept": kept.trial_id,
            "trained_on": runner.trained_on,
            **job.metadata(),
            "seconds": round(time.monotonic() - started, 3),
        }
        emit(on_event, Log(_done(best, runner.trained_on, runner.refit, runner.average) + "."))
        fields_of_run = {f.name: getattr(run, f.name) for f in fields(Run)}
        return SearchRun(**fields_of_run, leaderboard=leaderboard, best_trial=kept)


def search_worker(
    request: SearchRequest,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TrialRecord]:
    """Run trials for the chief's oracle (``request.role``, a worker) until it gives no more;
    return this worker's trials. The data is prepared here as on the chief (same split, same
    seed); each trial's row and weights go into the shared ``request.directory``.

    Raises:
        ConfigError / DataError: settings or data that cannot be searched.
        ModelError: the chief did not answer, or stopped answering.
    """
    side, request = _checked(request)
    if request.role is None or request.role.is_chief:
        raise ConfigError("search_worker runs a search worker's trials.", "Use search().")
    cancel = cancel or CancelToken()
    folder = Path(request.directory)  # type: ignore[arg-type] - _checked made sure
    job = side(
        request,
        folder=folder,
        records=[],
        deadline=math.inf,  # the chief's limits arrive with its heartbeat
        end=math.inf,
        on_event=on_event,
        cancel=cancel,
    )
    runner = job.runner
    runner.role = request.role
    with quiet_tensorflow():
        runner.run(resume=False)
    mine = [r for r in runner.records if r.worker == request.role.tuner_id]
    emit(on_event, Log(f"Search worker {request.role.tuner_id}: no more trials for it."))
    return mine


def _checked(request: SearchRequest) -> tuple[Any, SearchRequest]:
    """The kind's side of the search and the request as every search runs it (settings
    checked, no refit)."""
    side = FilesSearch if request.kind.file_based else TableSearch
    request.search.validate(side.declared_task(request))
    check_tensorboard()
    if request.role is not None and request.directory is None:
        raise ConfigError(
            f"A {request.role.describe()} needs the search folder every process shares.",
            "Give the same --search-dir (a shared folder) to the chief and every worker.",
        )
    # "Refit on all data" is a single training's last step: no trial refits, and the search
    # keeps its model as trained (the window greys the box, the command line refuses it)
    return side, replace(request, training=replace(request.training, refit=False))


def _done(
    best: TrialRecord,
    more: dict[str, Any] | None,
    refit: dict[str, Any] | None,
    average: dict[str, Any] | None = None,
) -> str:
    """``Search done: kept trial 0003 (val_loss 0.31), trained on 12 more epochs to 0.29``,
    or ``Search done: kept the average of trials 0003, 0007, 0001 (val_loss 0.29 on the
    validation rows; trial 0003 alone 0.31)``."""
    if average and average.get("kept"):
        return (
            f"Search done: kept the average of trials {', '.join(average['members'])} "
            f"({average['objective']} {average['value']:.4g} on the validation rows; trial "
            f"{best.trial_id} alone {average['best_value']:.4g})"
        )
    if best.cross_validated:
        done = f"Search done: kept trial {best.trial_id} ({best.metric_name} {best.value_text()})"
    else:
        done = f"Search done: kept trial {best.trial_id} ({value_text(best)})"
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
    return done
