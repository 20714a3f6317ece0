"""A list of dataset warnings: icon by severity, message, count."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from automl_gui.core.data.schema import DataWarning

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}


class WarningsView(QTreeWidget):
    """Shows :class:`DataWarning` rows, errors first; an empty list says all is well."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRootIsDecorated(False)
        self.setColumnCount(2)
        self.setHeaderLabels(["Finding", "Count"])
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.setToolTip("Problems found in the data for the chosen target, most serious first.")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.warnings: list[DataWarning] = []

    def set_warnings(self, warnings: list[DataWarning]) -> None:
        """Replace the list (sorted: errors, then warnings, then notes)."""
        self.warnings = sorted(warnings, key=lambda w: SEVERITY_ORDER.get(w.severity, 3))
        self.clear()
        if not self.warnings:
            item = QTreeWidgetItem(["No problems found.", ""])
            item.setIcon(0, self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
            item.setForeground(0, QBrush(QColor("#2E7D32")))
            self.addTopLevelItem(item)
            return
        for w in self.warnings:
            item = QTreeWidgetItem([w.message, f"{w.count:,}" if w.count is not None else ""])
            item.setIcon(0, self.style().standardIcon(_ICONS.get(w.severity, _ICONS["info"])))
            where = f" (column “{w.column}”)" if w.column else ""
            item.setToolTip(0, f"{w.severity.capitalize()}{where}: {w.message}")
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if w.severity == "error":
                item.setForeground(0, QBrush(QColor("#B71C1C")))
            item.setData(0, Qt.ItemDataRole.UserRole, w.code)
            self.addTopLevelItem(item)

    def codes(self) -> list[str]:
        """The warning codes shown, in display order (for tests and the status line)."""
        return [w.code for w in self.warnings]

    def has_errors(self) -> bool:
        return any(w.severity == "error" for w in self.warnings)
