"""Background jobs of the Data page: read + profile + analyze a table, re-analyze a target.

Plain functions over core (no Qt), run by the page in :class:`JobWorker` threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from automl_gui.core.base.errors import DataError, describe
from automl_gui.core.base.events import CancelToken, Progress, emit
from automl_gui.core.data.schema import DataWarning, LoadedTable, TableProfile, Task


@dataclass
class Analysis:
    """What a target choice implies: task, warnings, automatic preprocessing."""

    target: str
    task: str
    detected_task: str
    config: Any  # PreprocessConfig | None
    warnings: list[DataWarning] = field(default_factory=list)
    error: str = ""


def analyze_target(df: Any, profile: TableProfile, target: str, task: str | None) -> Analysis:
    """Detect the task (unless given), list warnings, check the target, build auto config.

    A target that cannot be trained on does not raise: its :class:`DataError` becomes an
    ``error`` row in the warnings, so the page can show it and the window can block training.
    """
    from automl_gui.core.data.profile import check_target, dataset_warnings, detect_task
    from automl_gui.core.preprocess.tabular import auto_config

    errors: list[DataWarning] = []

    def error_row(exc: BaseException) -> DataWarning:
        message, hint = describe(exc)
        return DataWarning("target", f"{message} {hint}".strip(), column=target, severity="error")

    try:
        detected = Task(detect_task(df[target], profile.column(target))).value
    except DataError as exc:
        errors.append(error_row(exc))
        detected = Task.MULTICLASS.value
    chosen = task or detected
    warnings: list[DataWarning] = []
    try:
        warnings = list(dataset_warnings(df, profile, target, Task(chosen)))
    except DataError as exc:
        errors.append(error_row(exc))
    if not errors:
        try:
            check_target(df, target, Task(chosen))
        except DataError as exc:
            errors.append(error_row(exc))
    config = None
    try:
        config = auto_config(df, profile, target, Task(chosen))
    except DataError as exc:
        errors.append(error_row(exc))
    return Analysis(
        target=target,
        task=chosen,
        detected_task=detected,
        config=config,
        warnings=errors + warnings,
        error=errors[0].message if errors else "",
    )


@dataclass
class LoadResult:
    path: str
    table: LoadedTable
    profile: TableProfile
    analysis: Analysis | None


def load_job(path: str, on_event: Any = None, cancel: CancelToken | None = None) -> LoadResult:
    """Read, profile and analyze a table (runs in a worker thread)."""
    from automl_gui.core.data.profile import guess_target, profile_table
    from automl_gui.core.data.tabular import read_table

    table = read_table(path, on_event=on_event, cancel=cancel)
    emit(on_event, Progress("profile", None, f"Profiling {len(table.df.columns)} columns…"))
    profile = profile_table(table.df, cancel=cancel)
    if cancel is not None:
        cancel.raise_if_cancelled()
    analysis = None
    if len(table.df.columns) > 0:
        target = guess_target(table.df, profile)
        emit(on_event, Progress("analyze", None, f"Checking target “{target}”…"))
        analysis = analyze_target(table.df, profile, target, None)
    return LoadResult(path, table, profile, analysis)
