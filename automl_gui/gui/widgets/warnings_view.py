"""A list of dataset warnings: icon by severity, message (wrapped), count."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from automl_gui.core.data.schema import DataWarning

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}


class WarningsView(QTableWidget):
    """Shows :class:`DataWarning` rows, errors first; an empty list says all is well."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["Finding", "Count"])
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setShowGrid(False)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setToolTip("Problems found in the data for the chosen target, most serious first.")
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.warnings: list[DataWarning] = []

    def set_warnings(self, warnings: list[DataWarning]) -> None:
        """Replace the list (sorted: errors, then warnings, then notes)."""
        self.warnings = sorted(warnings, key=lambda w: SEVERITY_ORDER.get(w.severity, 3))
        self.setRowCount(0)
        if not self.warnings:
            item = QTableWidgetItem("No problems found.")
            item.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
            item.setForeground(QBrush(QColor("#2E7D32")))
            self.setRowCount(1)
            self.setItem(0, 0, item)
            self.setItem(0, 1, QTableWidgetItem(""))
            return
        self.setRowCount(len(self.warnings))
        for row, w in enumerate(self.warnings):
            item = QTableWidgetItem(w.message)
            item.setIcon(self.style().standardIcon(_ICONS.get(w.severity, _ICONS["info"])))
            where = f" (column “{w.column}”)" if w.column else ""
            item.setToolTip(f"{w.severity.capitalize()}{where}: {w.message}")
            item.setData(Qt.ItemDataRole.UserRole, w.code)
            if w.severity == "error":
                item.setForeground(QBrush(QColor("#B71C1C")))
            count = QTableWidgetItem(f"{w.count:,}" if w.count is not None else "")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self.setItem(row, 0, item)
            self.setItem(row, 1, count)

    def codes(self) -> list[str]:
        """The warning codes shown, in display order (for tests and the status line)."""
        return [w.code for w in self.warnings]

    def has_errors(self) -> bool:
        return any(w.severity == "error" for w in self.warnings)
