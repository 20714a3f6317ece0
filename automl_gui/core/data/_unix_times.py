"""Numbers that are dates: Unix seconds or milliseconds in a column named like a time."""

from __future__ import annotations

from dataclasses import replace

from automl_gui.core.data.schema import ColumnKind, TableProfile


def unix_times_as_dates(profile: TableProfile) -> TableProfile:
    """``profile`` with its numeric columns named like a time (``created_at``, ``timestamp``,
    ``event_time``...) that hold Unix seconds or milliseconds of 1973..2286 profiled as dates
    (the rule is ``preprocess._dates.looks_like_unix_time``, which also reads them)."""
    from automl_gui.core.preprocess._dates import looks_like_unix_time

    columns = list(profile.columns)
    changed = False
    for i, col in enumerate(columns):
        if col.kind in (ColumnKind.NUMERIC, ColumnKind.IDENTIFIER) and looks_like_unix_time(
            col.name, col.minimum, col.maximum
        ):
            columns[i] = replace(col, kind=ColumnKind.DATETIME)
            changed = True
    return replace(profile, columns=tuple(columns)) if changed else profile
