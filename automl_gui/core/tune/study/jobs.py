"""A comparison study as a job, for every kind of data: ``study(request, *, on_event, cancel)``.

The split is made once; each row is one training on it with one setting changed. What differs
between tables and folders of files is the data side (:class:`_TableRows`: ``prepare_data``
once, then the run's build → fit → finish steps per row; :class:`_FileItems`: the kind's
media split once, then the files job per row); the study type plans the rows and the
running, Stop and failure rules are :mod:`._run`'s. Behaviour: :mod:`.studies`. The window
runs it in the engine process: ``jobs.isolated.run_job(study, request, engine_process=...)``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.tune.study._plan import Spec, TrainingFacts
from automl_gui.core.tune.study._run import (
    EpochClock,
    device_plan,
    make_row,
    on_device,
    run_rows,
    same_settings_note,
)
from automl_gui.core.tune.study.baseline import Baseline, trivial_baseline
from automl_gui.core.tune.study.studies import StudyConfig, StudyResult, StudyRow, headline_metric

if TYPE_CHECKING:
    from automl_gui.core.hardware import Device, HardwarePlan
    from automl_gui.core.jobs.requests import Dataset, ModelSettings, PreprocessSettings
    from automl_gui.core.kinds.base import DataKind
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.train.result import TrainResult

__all__ = ["StudyRequest", "study"]


@dataclass
class StudyRequest:
    """Run ``study`` on ``dataset`` of ``kind`` with these settings.

    Args:
        kind: the kind of data (``kinds.kind_named``).
        dataset: a table's DataFrame, or a scanned image or audio dataset.
        preprocess, model: the kind's settings (a table's PreprocessConfig and MLPConfig; a
            folder's preprocess config and ImageModelConfig). "auto" architecture and batch
            size are resolved once (the batch size unless it is studied).
        study: what to compare.
        training: the base training settings; ``epochs`` is replaced by ``study.epochs``.
        plan: the hardware plan (the devices study makes one per device instead).
        devices: ``hardware.Device`` list for the devices study (None: detect).
        data_name: the dataset's name for titles ("iris.csv"; a folder's own name if empty).
    """

    kind: DataKind
    dataset: Dataset
    preprocess: PreprocessSettings
    model: ModelSettings
    study: StudyConfig
    training: TrainConfig
    plan: HardwarePlan | None = None
    devices: list[Device] | None = None
    data_name: str = ""


def study(
    request: StudyRequest,
    *,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> StudyResult:
    """Run ``request.study``: one training per setting on one split, a row each.

    Raises:
        ConfigError / DataError: bad settings or data. CancelledError: stopped before any
        training finished.
    """
    cancel = cancel or CancelToken()
    config = request.study
    side = _FileItems if request.kind.file_based else _TableRows
    config.validate(side.declared_task(request))  # before the data is prepared or split
    data = side(request, on_event, cancel)
    base = replace(request.training, epochs=config.epochs)
    if not config.type.varies_batch_size and base.batch_size <= 0:
        base = replace(base, batch_size=data.auto_batch_size(base))
    notes = [same_settings_note(config, base, data.counts())]
    specs = config.type.plan(config, base, data.facts(request.devices), notes)
    label = getattr(request.plan, "device_label", "") or ""
    baseline = data.baseline(base)
    if baseline is not None:
        notes.append(
            f"{baseline.rule_text('Trivial')}, and the best is picked by validation score "
            "among those that beat it."
        )

    def train_one(spec: Spec, clock: EpochClock) -> StudyRow:
        row_plan = device_plan(spec, request.plan)
        with on_device(spec):
            result, history, report, n_train, task, target_std = data.train(spec, row_plan, clock)
        return make_row(
            spec,
            result=result,
            history=history,
            report=report,
            n_train=n_train,
            clock=clock,
            tolerance=config.tolerance,
            task=task,
            device=spec.device.name if spec.device is not None else label,
            baseline=baseline,
            target_std=target_std,
        )

    metric = headline_metric(data.task)
    rows = run_rows(specs, train_one, metric=metric, notes=notes, on_event=on_event, cancel=cancel)
    return StudyResult(config.kind, data.task, config, data.name, metric, rows, notes, baseline)


def _weighted(base: TrainConfig, task: str, y_train: Any) -> bool:
    """Whether the trainings weight the classes (the trainer's own rule): the trivial
    baseline is then the uniform answer, not the most common class."""
    from automl_gui.core.train.balance import weights_classes

    return weights_classes(getattr(base, "class_weights", "none"), task, np.asarray(y_train))


# -- the data side of each row ----------------------------------------------------------------
class _Trained(NamedTuple):
    """One row's training, as :func:`._run.make_row` needs it."""

    result: TrainResult
    history: dict[str, list[float]]
    report: dict[str, Any] | None  # the test split's scores (None when stopped or NaN)
    n_train: int
    task: str
    target_std: float = 1.0  # a regression training learns its targets divided by this


class _TableRows:
    """A table: ``prepare_data`` once; each row builds, fits and evaluates (the run's steps)."""

    noun = "rows"

    @staticmethod
    def declared_task(request: StudyRequest) -> str | None:
        return request.preprocess.task

    def __init__(
        self, request: StudyRequest, on_event: EventCallback | None, cancel: CancelToken
    ) -> None:
        from automl_gui.core.data.schema import Task
        from automl_gui.core.preprocess.tabular import prepare_data

        self.request, self.on_event, self.cancel = request, on_event, cancel
        self.task = Task(request.preprocess.task).value
        self.prepared = prepare_data(request.dataset, request.preprocess, on_event=on_event)
        for notice in self.prepared.notices:
            emit(on_event, Log(notice, "warning"))
        cancel.raise_if_cancelled()
        self.name = request.data_name

    def auto_batch_size(self, base: TrainConfig) -> int:
        from automl_gui.core.train.trainer import Trainer

        return Trainer(base, self.request.plan).batch_size_for(len(self.prepared.train))

    def counts(self) -> str:
        p = self.prepared
        return (
            f"{len(p.train):,} training, {len(p.validation):,} validation, "
            f"{len(p.test):,} test rows"
        )

    def baseline(self, base: TrainConfig) -> Baseline | None:
        p = self.prepared
        weighted = _weighted(base, self.task, p.y_train)
        return trivial_baseline(
            self.task, p.y_train, p.y_validation, p.class_names, p.y_test, weighted
        )

    def facts(self, devices: list[Device] | None) -> TrainingFacts:
        p = self.prepared
        classification = self.task != "regression"
        return TrainingFacts(
            n_train=len(p.train),
            labels=np.asarray(p.y_train) if classification else None,
            n_classes=len(p.class_names or []) if classification else 0,
            noun=self.noun,
            devices=devices,
        )

    def train(self, spec: Spec, plan: HardwarePlan | None, clock: EpochClock) -> _Trained:
        from automl_gui.core.jobs.tabular import build_tabular, finish_tabular, fit_tabular
        from automl_gui.core.models.mlp import target_scale_for

        request, data = self.request, self.prepared
        if spec.subset is not None:
            idx = spec.subset
            data = replace(data, train=data.train.iloc[idx], y_train=data.y_train[idx])
        mlp = request.model
        pre, built = build_tabular(
            data, request.preprocess, mlp, seed=spec.training.seed, plan=plan
        )
        result = fit_tabular(
            data, pre, built, spec.training, plan=plan, on_event=clock, cancel=self.cancel
        )
        report = None
        if result.stopped_reason not in ("cancelled", "nan"):
            run = finish_tabular(
                data,
                request.preprocess,
                mlp,
                spec.training,
                pre,
                built,
                result,
                plan=plan,
                on_event=clock,
            )
            report = run.report
        std = target_scale_for(data.y_train)[1] if self.task == "regression" else 1.0
        return _Trained(result, result.history, report, len(data.train), self.task, std)


class _FileItems:
    """A folder of files: the kind's media split once; each row is the files job on it."""

    @staticmethod
    def declared_task(request: StudyRequest) -> str | None:
        return None  # binary or multiclass: known once the folder is split

    def __init__(
        self, request: StudyRequest, on_event: EventCallback | None, cancel: CancelToken
    ) -> None:
        self.request, self.on_event, self.cancel = request, on_event, cancel
        self.media = media = request.kind.media(request.dataset, request.preprocess)
        self.noun = media.noun
        emit(on_event, Progress("prepare", None, f"Splitting the {media.noun}…"))
        split = media.split()
        for notice in split.notices:
            emit(on_event, Log(notice, "warning"))
        self.split = replace(split, notices=[])  # said once, not again by every training
        cancel.raise_if_cancelled()
        model = request.model
        train = [item.path for item in self.split.train]
        arch, found = media.resolve_architecture(model, train, on_event=on_event, plan=request.plan)
        self.config = replace(model, architecture=arch, weights_path=found or model.weights_path)
        self.task = "binary" if len(self.split.class_names) == 2 else "multiclass"
        self.name = request.data_name or Path(str(request.dataset.root)).name

    def auto_batch_size(self, base: TrainConfig) -> int:
        from automl_gui.core.jobs._files_steps import batch_size_for

        backbone = self.media.backbone(self.config.architecture)
        return batch_size_for(base, len(self.split.train), backbone, self.request.plan)

    def counts(self) -> str:
        s = self.split
        return (
            f"{len(s.train):,} training, {len(s.validation):,} validation, "
            f"{len(s.test):,} test {self.noun}"
        )

    def baseline(self, base: TrainConfig) -> Baseline | None:
        s = self.split
        train, val, test = s.labels(s.train), s.labels(s.validation), s.labels(s.test)
        weighted = _weighted(base, self.task, train)
        return trivial_baseline(self.task, train, val, s.class_names, test, weighted)

    def facts(self, devices: list[Device] | None) -> TrainingFacts:
        return TrainingFacts(
            n_train=len(self.split.train),
            labels=self.split.labels(self.split.train),
            n_classes=len(self.split.class_names),
            noun=self.noun,
            devices=devices,
        )

    def train(self, spec: Spec, plan: HardwarePlan | None, clock: EpochClock) -> _Trained:
        from automl_gui.core.jobs.files import train_files

        split = self.split
        if spec.subset is not None:
            split = replace(split, train=[split.train[i] for i in spec.subset])
        media = copy.copy(self.media)
        media.split = lambda: split  # type: ignore[method-assign]
        run = train_files(
            media, self.config, spec.training, plan=plan, on_event=clock, cancel=self.cancel
        )
        return _Trained(run.result, run.history, run.report, len(split.train), run.task)
