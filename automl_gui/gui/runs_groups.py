"""Which runs the Runs window compares with each other: runs of one dataset and task.

A project can keep runs of several datasets (a table, then a folder of audio): their scores are
not comparable, so the window lists one :class:`DataGroup` at a time (the current dataset's by
default) and a metric's best is only ever picked among runs of the same group. No Qt here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from automl_gui.core.kinds import kind_named, kind_names


@dataclass(frozen=True)
class DataGroup:
    """Runs trained on the same data for the same task: the kind's name, the dataset's name
    ("" for runs that did not record it) and the task ("" when unknown)."""

    kind: str
    dataset: str
    task: str

    @property
    def label(self) -> str:
        """ "wine.csv · binary" ("unnamed table data" for runs that did not record it)."""
        kind = self.kind if self.kind not in kind_names() else kind_named(self.kind).title
        name = self.dataset or f"unnamed {kind.lower()} data"
        return f"{name} · {self.task}" if self.task else name

    def holds(self, record: Any) -> bool:
        return group_of(record) == self


def group_of(record: Any) -> DataGroup:
    """The group of a RunRecord (or anything with ``kind``, ``dataset`` and ``task``)."""
    return DataGroup(str(record.kind or ""), str(record.dataset or ""), str(record.task or ""))


def groups(records: Sequence[Any]) -> list[DataGroup]:
    """The groups of ``records``, in the order their first run appears."""
    out: list[DataGroup] = []
    for record in records:
        group = group_of(record)
        if group not in out:
            out.append(group)
    return out


def reference_group(
    records: Sequence[Any],
    *,
    kind: str = "",
    dataset: str = "",
    task: str = "",
    current_id: str | None = None,
) -> DataGroup | None:
    """The group the window opens on: that of the loaded dataset (``kind``, ``dataset`` and,
    when known, ``task``) if it has runs; else the current run's; else the newest run's."""
    if dataset:
        mine = [
            r
            for r in records
            if str(r.dataset or "") == dataset
            and str(r.kind or "") == kind
            and (not task or str(r.task or "") == task)
        ]
        if mine:
            return group_of(mine[-1])
    current = next((r for r in records if r.id == current_id), None)
    if current is not None:
        return group_of(current)
    return group_of(records[-1]) if records else None


def positions_by_group(records: Sequence[Any]) -> list[list[int]]:
    """The indexes of ``records`` grouped by their DataGroup (each group's runs compete for a
    metric's best only with each other)."""
    by: dict[DataGroup, list[int]] = {}
    for i, record in enumerate(records):
        by.setdefault(group_of(record), []).append(i)
    return list(by.values())
