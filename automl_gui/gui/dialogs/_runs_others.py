"""The Runs window's section under the runs list: the runs of other data, listed apart.

The list shows the runs of one dataset and task (their scores are comparable); the project's
other runs are named here, greyed, one line each ("Run 1 · MLP 2×64 — churn.csv · binary ·
0.8000 acc"), so a user sees they exist without choosing them under "Runs of". They are not
checked or compared with the list's runs; clicking one lists its dataset's runs (``chosen``
with the run's id). Hidden when there are none, and while every dataset's runs are listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui import runs_data as data
from automl_gui.gui import runs_groups as groups
from automl_gui.gui.widgets.banner import muted_label

ID_ROLE = Qt.ItemDataRole.UserRole
GREY = "#868e96"
MAX_LINES = 4  # lines shown before the section scrolls (the runs list keeps the room)


def run_line(record: Any) -> str:
    """ "Run 1 · MLP 2×64 — churn.csv · binary · 0.8000 acc"."""
    return f"{record.name} — {groups.group_of(record).label} · {data.headline_text(record)}"


class OtherRuns(QWidget):
    """The greyed list of the runs the list leaves out; emits ``chosen`` with a run id."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = muted_label()
        self.title.setToolTip(
            "Runs trained on other data or for another task: their scores are not comparable "
            "with the runs above, so they are not compared with them"
        )
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.setToolTip("Click a run to list the runs of its data")
        self.list.itemClicked.connect(lambda item: self.chosen.emit(item.data(ID_ROLE)))
        self.list.itemActivated.connect(lambda item: self.chosen.emit(item.data(ID_ROLE)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.list)

    def fill(self, records: Sequence[Any]) -> None:
        """Name ``records`` (the runs of other data; none: the section hides)."""
        self.list.clear()
        for record in records:
            item = QListWidgetItem(run_line(record))
            item.setData(ID_ROLE, record.id)
            item.setForeground(QColor(GREY))
            item.setSizeHint(QSize(0, self._line_height()))
            item.setToolTip(
                f"{record.name} ({record.id}), trained on {groups.group_of(record).label}: "
                "click to list the runs of that data"
            )
            self.list.addItem(item)
        n = len(records)
        self.title.setText(
            f"{n} run{'s' * (n != 1)} of other data, not compared with these (click one to "
            "list its data):"
        )
        rows = min(max(n, 1), MAX_LINES)
        self.list.setFixedHeight(rows * self._line_height() + 2 * self.list.frameWidth() + 2)
        self.setVisible(bool(records))

    def _line_height(self) -> int:
        return self.list.fontMetrics().height() + 6

    def lines(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]
