"""What a target column implies: the task, the problems that block training, the warnings and
the automatic preprocessing. One rule for both front ends: the window's Data page shows the
problems beside the warnings, the command line (``core.jobs.tabular.setup_tabular``) raises the
first one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from automl_gui.core.base.errors import ConfigError, DataError, describe
from automl_gui.core.data.schema import DataWarning, Task

if TYPE_CHECKING:
    import pandas as pd

    from automl_gui.core.data.schema import TableProfile
    from automl_gui.core.preprocess.config import PreprocessConfig

_SHOWN_COLUMNS = 12


@dataclass
class Analysis:
    """What a target choice implies.

    ``problems`` are the reasons the target cannot be trained on (first one first); they are
    also the ``error`` rows at the top of ``warnings``, so a page lists them with the rest.
    """

    target: str
    task: str
    detected_task: str
    config: PreprocessConfig | None
    warnings: list[DataWarning] = field(default_factory=list)
    problems: list[DataError] = field(default_factory=list)

    @property
    def error(self) -> str:
        """The first problem's message ('' when the target can be trained on)."""
        return self.problems[0].message if self.problems else ""

    @property
    def advice(self) -> list[DataWarning]:
        """The warnings that do not block training."""
        return [w for w in self.warnings if w.severity != "error"]


def parse_task(task: str | None) -> str | None:
    """A task a user typed ("binary", "multiclass", "regression"; None or "auto": detect it).

    Raises:
        ConfigError: any other word.
    """
    if task is None or task == "auto":
        return None
    try:
        return Task(task).value
    except ValueError as exc:
        raise ConfigError(
            f"Unknown task '{task}'.", "Use binary, multiclass, regression or auto."
        ) from exc


def analyze_target(
    df: pd.DataFrame, profile: TableProfile, target: str, task: str | None = None
) -> Analysis:
    """Detect the task (unless ``task`` is given), check the target, list the warnings and
    build the automatic preprocessing. Never raises a :class:`DataError`: each becomes one of
    ``problems`` (and an ``error`` row in ``warnings``).
    """
    from automl_gui.core.data.profile import check_target, dataset_warnings, detect_task
    from automl_gui.core.preprocess.tabular import auto_config

    chosen = parse_task(task)
    if target not in df.columns:
        columns = ", ".join(map(str, df.columns[:_SHOWN_COLUMNS]))
        more = " …" if len(df.columns) > _SHOWN_COLUMNS else ""
        problem = DataError(
            f"There is no column named '{target}'.", f"Choose one of: {columns}{more}."
        )
        fallback = chosen or Task.MULTICLASS.value
        return Analysis(target, fallback, fallback, None, [_row(problem, target)], [problem])
    problems: list[DataError] = []
    try:
        detected = Task(detect_task(df[target], profile.column(target))).value
    except DataError as exc:
        if chosen is None:  # a task the user chose does not need detecting
            problems.append(exc)
        detected = chosen or Task.MULTICLASS.value
    chosen = chosen or detected
    try:
        check_target(df, target, Task(chosen))
    except DataError as exc:
        problems.append(exc)
    warnings: list[DataWarning] = []
    try:
        warnings = list(dataset_warnings(df, profile, target, Task(chosen)))
    except DataError as exc:
        problems.append(exc)
    config = None
    try:
        config = auto_config(df, profile, target, Task(chosen))
    except DataError as exc:
        problems.append(exc)
    rows = [_row(p, target) for p in problems]
    return Analysis(target, chosen, detected, config, rows + warnings, problems)


def _row(problem: DataError, target: str) -> DataWarning:
    message, hint = describe(problem)
    return DataWarning("target", f"{message} {hint}".strip(), column=target, severity="error")
