"""The Runs window's comparison table: one column per checked run, the best value highlighted.

:class:`CompareTable` shows :func:`~automl_gui.gui.runs_data.comparison_rows`: one
column per checked run, headed by its name on two lines ("Run 3" over "MLP 2×64"), the best
value of each metric row highlighted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from automl_gui.gui import runs_data as data
from automl_gui.gui import runs_groups as groups

BEST_BACKGROUND = "#FFF4D6"
SECTION_BACKGROUND = "#F1F3F5"
MAX_TITLE_WIDTH = 220  # px of a comparison column's title line; longer ones elide


def column_title(record: Any, with_dataset: bool = False) -> str:
    """A comparison column's title: the run's name on two lines at its first " · " ("Run 3"
    over "MLP 2×64, lr 3e-3"), and with ``with_dataset`` the dataset on a third."""
    head, sep, rest = record.name.partition(" · ")
    lines = [head, rest] if sep and rest else [record.name]
    if with_dataset:
        lines.append(groups.group_of(record).dataset or "?")
    return "\n".join(lines)


class CompareTable(QTableWidget):
    """The comparison: rows = metrics, settings, training figures; columns = checked runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[data.CompareRow] = []
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(22)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setMinimumSectionSize(90)
        # run names on two lines, left-aligned; a very long one elides (its tooltip has it)
        self.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        )
        # Qt elides a two-line title as if it were one line: each line is elided here instead
        self.horizontalHeader().setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setToolTip(
            "The checked runs side by side: test metrics (the best one highlighted), the "
            "settings that differ, and how training went"
        )

    def show_rows(self, records: Sequence[Any], rows: Sequence[data.CompareRow]) -> None:
        self.rows = list(rows)
        self.clear()
        self.clearSpans()  # the last layout's section headings: they would merge values
        sections = []
        for row in rows:
            if not sections or sections[-1][0] != row.section:
                sections.append((row.section, []))
            sections[-1][1].append(row)
        total = len(rows) + len(sections)
        self.setColumnCount(len(records))
        self.setRowCount(total)
        mixed = len(groups.groups(records)) > 1
        for col, record in enumerate(records):
            head = QTableWidgetItem(column_title(record, mixed))
            head.setToolTip(f"{record.name} ({record.id}) on {groups.group_of(record).label}")
            self.setHorizontalHeaderItem(col, head)
        labels: list[str] = []
        line = 0
        bold = QFont(self.font())
        bold.setBold(True)
        for section, section_rows in sections:
            title = data.SECTION_TITLES.get(section, section)
            if section == "settings" and not any(r.differs for r in section_rows):
                title = "Settings (all equal)"
            labels.append(title)
            heading = QTableWidgetItem("")
            heading.setBackground(QBrush(QColor(SECTION_BACKGROUND)))
            heading.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.setItem(line, 0, heading)
            if len(records) > 1:
                self.setSpan(line, 0, 1, len(records))
            line += 1
            for row in section_rows:
                labels.append(row.label)
                for col, text in enumerate(row.texts):
                    item = QTableWidgetItem(text)
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    if data.number(row.values[col]) is not None:
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                    tip = f"{row.label}: {text} ({records[col].name})"
                    if col in row.best:
                        item.setBackground(QBrush(QColor(BEST_BACKGROUND)))
                        item.setFont(bold)
                        tip += " — the best of the compared runs"
                    item.setToolTip(tip)
                    self.setItem(line, col, item)
                line += 1
        self.setVerticalHeaderLabels(labels)
        index = 0
        for section, section_rows in sections:
            head = self.verticalHeaderItem(index)
            head.setFont(bold)
            head.setToolTip(data.SECTION_TITLES.get(section, section))
            for offset, row in enumerate(section_rows, start=1):
                self.verticalHeaderItem(index + offset).setToolTip(row.tooltip)
            index += len(section_rows) + 1
        # each run's column as wide as its two-line title and values; the last one takes the
        # room left, and many runs scroll sideways
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        metrics = QFontMetrics(header.font())
        for col in range(self.columnCount()):
            item = self.horizontalHeaderItem(col)
            lines = [
                metrics.elidedText(line, Qt.TextElideMode.ElideRight, MAX_TITLE_WIDTH)
                for line in item.text().split("\n")
            ]
            item.setText("\n".join(lines))
            wanted = max(metrics.horizontalAdvance(line) for line in lines) + 24
            wanted = max(wanted, self.sizeHintForColumn(col) + 8, header.minimumSectionSize())
            self.setColumnWidth(col, wanted)

    def best_cells(self) -> list[tuple[str, int]]:
        """(row label, column) of each highlighted cell (for tests)."""
        out = []
        for line in range(self.rowCount()):
            for col in range(self.columnCount()):
                item = self.item(line, col)
                if item is not None and item.background().color() == QColor(BEST_BACKGROUND):
                    out.append((self.verticalHeaderItem(line).text(), col))
        return out

    def value(self, label: str, column: int) -> str | None:
        """The shown text of row ``label`` in ``column`` (None when no such row)."""
        for line in range(self.rowCount()):
            head = self.verticalHeaderItem(line)
            if head is not None and head.text() == label:
                item = self.item(line, column)
                return None if item is None else item.text()
        return None

    def row_labels(self) -> list[str]:
        return [self.verticalHeaderItem(i).text() for i in range(self.rowCount())]
