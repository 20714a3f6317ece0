"""What the comparison study dialog reads from the window's state: whether a study can run,
a one-line summary of the data and settings, the GPU check, and the study job itself."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QWidget

from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs._study_form import STUDY_TYPES
from automl_gui.gui.state import AppState


def task_of(state: AppState) -> str | None:
    """The task the study trains for ("multiclass" for folders; the table's task)."""
    return "multiclass" if state.kind.file_based else state.task


def blocker(state: AppState) -> tuple[str, str]:
    """(message, hint) saying why no study can run on the state now; ("", "") when it can."""
    if state.training_active:
        return (
            "Training is running on the Train page.",
            "Wait for it to finish or stop it there, then run the study.",
        )
    if state.kind.file_based:
        if state.dataset is None:
            word = state.kind.dataset_noun
            return (
                "Nothing to compare on: no dataset is open.",
                f"Open an {word} first (File → Open {word.title()}…).",
            )
    elif state.dataset is None:
        return (
            "Nothing to compare on: no dataset is open.",
            "Open a table (File → Open Dataset…) and choose its target on the Data page.",
        )
    elif not state.target or state.settings().preprocess is None:
        return "The table has no target yet.", "Choose a target column on the Data page."
    elif not state.settings().preprocess.feature_columns():
        return (
            "No feature columns are selected.",
            "Include at least one column on the Preprocess page.",
        )
    if not state.engine_ready:
        return "The engine is still loading.", "The study can run in a few seconds."
    return "", ""


def gpu_available(state: AppState, devices: list[Any] | None) -> bool | None:
    """Whether this computer has a GPU (None while the engine has not looked yet)."""
    if devices:
        return any(getattr(d, "is_gpu", False) for d in devices)
    plan = state.hardware_plan
    if plan is not None:
        return bool(getattr(plan, "uses_gpu", False))
    return False if state.engine_ready else None


def summary_html(state: AppState, kind: str = "optimizers") -> str:
    """ "Data … · Target … · Model … · Compared … · Same for all …": the data, what the study
    of ``kind`` varies and the training settings every training shares (the Model page's;
    the one the study varies is left out: "Training adam" while optimizers are compared
    misled)."""
    study = STUDY_TYPES[kind]
    tr = state.training
    shared = {
        "optimizer": tr.optimizer,
        "learning_rate": f"lr {tr.learning_rate:g}",
        "batch_size": f"batch {tr.batch_size or 'auto'}",
    }
    shared.pop(study.varies, None)
    training = (
        f"<b>Compared</b> {study.compared} · <b>Same for all</b> "
        f"{', '.join(shared.values())} (from the Model page)"
    )
    dataset = state.dataset
    if state.kind.file_based and dataset is not None:
        model = state.settings().model
        return (
            f"<b>Data</b> {state.dataset_name} ({len(dataset):,} {state.kind.items}, "
            f"{len(dataset.class_names)} classes) · <b>Model</b> "
            f"{getattr(model, 'architecture', 'auto')} · {training}"
        )
    if dataset is None:
        return "<i>No dataset is open.</i>"
    parts = [f"<b>Data</b> {state.dataset_name} ({len(dataset.df):,} rows)"]
    preprocess = state.settings().preprocess
    if state.target and preprocess is not None:
        n = len(preprocess.feature_columns())
        parts.append(f"<b>Target</b> {state.target} ({state.task}), {n} features")
    mlp = state.settings().model
    parts.append(
        f"<b>Model</b> {'MLP sized automatically' if mlp.auto else f'MLP {mlp.hidden_units}'}"
    )
    parts.append(training)
    return " · ".join(parts)


def make_job(state: AppState, config: Any, devices: list[Any] | None) -> Any:
    """The study job ``job(on_event, cancel) -> StudyResult`` for the state's data and
    settings (copied now, so later edits do not reach a running study). It runs in the
    engine process when the state has one, else in the calling thread."""
    from automl_gui.core.tune.study.jobs import StudyRequest

    kept = state.settings()
    request = StudyRequest(
        kind=state.kind,
        dataset=state.job_data(),
        preprocess=copy.deepcopy(kept.preprocess),
        model=copy.deepcopy(kept.model),
        study=config,
        training=copy.deepcopy(state.training),
        plan=state.hardware_plan,
        devices=list(devices) if devices else None,
        data_name=state.dataset_name,
    )
    process = state.engine_process

    def job(on_event: Any, cancel: Any) -> Any:
        from automl_gui.core.jobs.isolated import run_job
        from automl_gui.core.tune.study.jobs import study

        # the usual case: the engine's own process
        return run_job(study, request, engine_process=process, on_event=on_event, cancel=cancel)

    return job


def partial_result(state: AppState, config: Any, task: str, rows: list[Any], metric: str) -> Any:
    """A StudyResult of the rows that finished before a failure (None when none did)."""
    if not rows:
        return None
    from automl_gui.core.tune.study.studies import StudyResult, headline_metric

    return StudyResult(
        kind=config.kind,
        task=task,
        config=config,
        data_name=state.dataset_name,
        metric=metric or headline_metric(task),
        rows=list(rows),
        notes=["The study failed before it ended: these are the trainings that finished."],
    )


def load_json(key: str) -> dict[str, Any]:
    """A dict remembered under ``key`` ({} when nothing or something unreadable is stored)."""
    try:
        data = json.loads(str(app_settings.current().value(key, "") or "{}"))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def ask_save_path(parent: QWidget, folder_key: str, name: str, filter_text: str) -> Path | None:
    """Ask where to save ``name`` (starting in the folder remembered under ``folder_key``,
    which then remembers the choice); the path with its extension, or None when cancelled."""
    settings = app_settings.current()
    folder = Path(app_settings.last_folder(settings, folder_key))
    ext = Path(name).suffix
    title = f"Export {ext.lstrip('.').upper()}"
    path, _ = QFileDialog.getSaveFileName(parent, title, str(folder / name), filter_text)
    if not path:
        return None
    if not path.lower().endswith(ext):
        path += ext
    app_settings.set_last_folder(settings, path, folder_key)
    return Path(path)
