"""Background jobs of the Data page: read + profile + analyze a table (the analysis of a
target is the engine's ``core.data.target_choice``, the same rule the command line uses).

Plain functions over core (no Qt), run by the page in :class:`JobWorker` threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from automl_gui.core.base.events import CancelToken, Progress, emit
from automl_gui.core.data.schema import LoadedTable, TableProfile
from automl_gui.core.data.target_choice import Analysis, analyze_target


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
