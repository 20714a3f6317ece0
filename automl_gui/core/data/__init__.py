"""Reading and understanding datasets: detect the kind, read a table, profile it.

Public API (see docs/ARCHITECTURE.md, "core/data/"):

- :func:`detect` — which of the given kinds of data a path holds (``kinds.kind_for_path``).
- :func:`read_table` — a table file into a :class:`LoadedTable` (or a clear DataError).
- :func:`profile_table`, :func:`guess_target`, :func:`detect_task`,
  :func:`dataset_warnings`, :func:`check_target` — what the table holds and what can be
  trained on it.

The schema types and ``detect`` are light and imported at once; the readers and the
profiler (pandas, pyarrow) load on first use, so importing this package (the window does, for
the schema types) does not delay start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from automl_gui.core.base._exports import lazy_exports
from automl_gui.core.data.detect import (
    AUDIO_SUFFIXES,
    IMAGE_SUFFIXES,
    SUPPORTED_TABLE_SUFFIXES,
    detect,
)
from automl_gui.core.data.schema import (
    ColumnKind,
    ColumnProfile,
    DataWarning,
    LoadedTable,
    TableProfile,
    TableSource,
    Task,
)

if TYPE_CHECKING:
    from automl_gui.core.data.profile import (
        check_target,
        dataset_warnings,
        detect_task,
        guess_target,
        profile_table,
    )
    from automl_gui.core.data.tabular import read_table

_LAZY = {
    "check_target": "profile",
    "dataset_warnings": "profile",
    "detect_task": "profile",
    "guess_target": "profile",
    "profile_table": "profile",
    "read_table": "tabular",
}

__all__ = [
    "AUDIO_SUFFIXES",
    "IMAGE_SUFFIXES",
    "SUPPORTED_TABLE_SUFFIXES",
    "ColumnKind",
    "ColumnProfile",
    "DataWarning",
    "LoadedTable",
    "TableProfile",
    "TableSource",
    "Task",
    "check_target",
    "dataset_warnings",
    "detect",
    "detect_task",
    "guess_target",
    "profile_table",
    "read_table",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _LAZY)
