"""The two study jobs: tables (``prepare_data`` once, the run's build/fit/finish steps per
row) and folders (one split, the files job per row).

Private to :mod:`automl_gui.core.tune.study.studies`; the rows' planning and running are in
:mod:`._study_run`.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.tune.study._run import (
    EpochClock,
    Spec,
    device_plan,
    make_row,
    on_device,
    plan_specs,
    run_rows,
    same_settings_note,
)
from automl_gui.core.tune.study.studies import StudyConfig, StudyResult, StudyRow, headline_metric


# -- tables -----------------------------------------------------------------------------------
def run_tabular(
    df: Any,
    preprocess: Any,
    mlp: Any,
    study: StudyConfig,
    training: Any,
    plan: Any,
    devices: Any,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
    data_name: str,
) -> StudyResult:
    from automl_gui.core.pipeline import build_tabular, finish_tabular, fit_tabular
    from automl_gui.core.preprocess.tabular import prepare_data
    from automl_gui.core.train.trainer import Trainer

    cancel = cancel or CancelToken()
    from automl_gui.core.data.schema import Task

    task = Task(preprocess.task).value
    prepared = prepare_data(df, preprocess, on_event=on_event)
    for notice in prepared.notices:
        emit(on_event, Log(notice, "warning"))
    cancel.raise_if_cancelled()
    n_train = len(prepared.train)
    classification = task != "regression"
    base = replace(training, epochs=study.epochs)
    if study.kind != "batch-sizes" and base.batch_size <= 0:
        base = replace(base, batch_size=Trainer(base, plan).batch_size_for(n_train))
    split = f"{n_train:,} training, {len(prepared.validation):,} validation, {len(prepared.test):,} test rows"
    notes = [same_settings_note(study, base, split)]
    specs = plan_specs(
        study,
        base,
        n_train=n_train,
        labels=np.asarray(prepared.y_train) if classification else None,
        n_classes=len(prepared.class_names or []) if classification else 0,
        devices=devices,
        noun="rows",
        notes=notes,
    )
    label = getattr(plan, "device_label", "") or ""

    def train_one(spec: Spec, clock: EpochClock) -> StudyRow:
        data = prepared
        if spec.subset is not None:
            idx = spec.subset
            data = replace(prepared, train=prepared.train.iloc[idx], y_train=prepared.y_train[idx])
        row_plan = device_plan(spec, plan)
        with on_device(spec):
            pre, built = build_tabular(
                data, preprocess, mlp, seed=spec.training.seed, plan=row_plan
            )
            result = fit_tabular(
                data, pre, built, spec.training, plan=row_plan, on_event=clock, cancel=cancel
            )
            report = None
            if result.stopped_reason not in ("cancelled", "nan"):
                run = finish_tabular(
                    data,
                    preprocess,
                    mlp,
                    spec.training,
                    pre,
                    built,
                    result,
                    plan=row_plan,
                    on_event=clock,
                )
                report = run.report
        return make_row(
            spec,
            result=result,
            history=result.history,
            report=report,
            n_train=len(data.train),
            clock=clock,
            tolerance=study.tolerance,
            task=task,
            device=spec.device.name if spec.device is not None else label,
        )

    metric = headline_metric(task)
    rows = run_rows(specs, train_one, metric=metric, notes=notes, on_event=on_event, cancel=cancel)
    return StudyResult(study.kind, task, study, data_name, metric, rows, notes)


# -- folders ----------------------------------------------------------------------------------
def run_files(
    kind: str,
    dataset: Any,
    preprocess: Any,
    model_config: Any,
    study: StudyConfig,
    training: Any,
    plan: Any,
    devices: Any,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
    data_name: str,
) -> StudyResult:
    from automl_gui.core.files_pipeline import batch_size_for, resolve_architecture, train_files

    if kind == "images":
        from automl_gui.core.images_pipeline import ImageMedia as media_class
    else:
        from automl_gui.core.audio_pipeline import AudioMedia as media_class

    cancel = cancel or CancelToken()
    media = media_class(dataset, preprocess)
    emit(on_event, Progress("prepare", None, f"Splitting the {media.noun}…"))
    split = media.split()
    for notice in split.notices:
        emit(on_event, Log(notice, "warning"))
    split = replace(split, notices=[])  # said once, not again by every training
    cancel.raise_if_cancelled()
    arch, found = resolve_architecture(model_config, on_event, media=media, plan=plan)
    config = replace(
        model_config, architecture=arch, weights_path=found or model_config.weights_path
    )
    n_train = len(split.train)
    base = replace(training, epochs=study.epochs)
    if study.kind != "batch-sizes" and base.batch_size <= 0:
        base = replace(base, batch_size=batch_size_for(base, n_train, arch != "cnn", plan))
    counts = f"{n_train:,} training, {len(split.validation):,} validation, {len(split.test):,} test {media.noun}"
    notes = [same_settings_note(study, base, counts)]
    labels = split.labels(split.train)
    specs = plan_specs(
        study,
        base,
        n_train=n_train,
        labels=labels,
        n_classes=len(split.class_names),
        devices=devices,
        noun=media.noun,
        notes=notes,
    )
    label = getattr(plan, "device_label", "") or ""

    def train_one(spec: Spec, clock: EpochClock) -> StudyRow:
        row_split = split
        if spec.subset is not None:
            row_split = replace(split, train=[split.train[i] for i in spec.subset])
        row_media = copy.copy(media)
        row_media.split = lambda: row_split  # type: ignore[method-assign]
        row_plan = device_plan(spec, plan)
        with on_device(spec):
            run = train_files(
                row_media, config, spec.training, plan=row_plan, on_event=clock, cancel=cancel
            )
        return make_row(
            spec,
            result=run.result,
            history=run.history,
            report=run.report,
            n_train=len(row_split.train),
            clock=clock,
            tolerance=study.tolerance,
            task=run.task,
            device=spec.device.name if spec.device is not None else label,
        )

    task = "binary" if len(split.class_names) == 2 else "multiclass"
    metric = headline_metric(task)
    rows = run_rows(specs, train_one, metric=metric, notes=notes, on_event=on_event, cancel=cancel)
    name = data_name or Path(str(dataset.root)).name
    return StudyResult(study.kind, task, study, name, metric, rows, notes)
