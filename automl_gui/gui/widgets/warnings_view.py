"""A list of dataset warnings: icon by severity, message (wrapped), count.

At most :data:`MAX_SHOWN` rows are listed (errors first), then one row saying how many more
there are; activating it lists them all. A wide table can have hundreds of findings, and a
wrapped row each (sized to its text) made a wall nobody reads and a slow page.
"""

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

MAX_SHOWN = 50
MAX_CHARS = 400  # a longer message is cut in its row (whole, up to TIP_CHARS, in the tooltip)
TIP_CHARS = 2000
MORE_CODE = "_more"  # the UserRole of the "N more" row
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}


def _ordered(warnings: list[DataWarning]) -> list[DataWarning]:
    """Errors, then warnings, then notes; within each, the kinds found once or a few times
    before a kind repeated for many columns (a wide table's 20 'missing' rows came first and
    hid the rest), each kind's rows together in the engine's order."""
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, w in enumerate(warnings):
        counts[w.code] = counts.get(w.code, 0) + 1
        first.setdefault(w.code, i)
    return sorted(
        warnings,
        key=lambda w: (SEVERITY_ORDER.get(w.severity, 3), counts[w.code], first[w.code]),
    )


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
        self.show_all = False
        self.itemActivated.connect(self._on_activated)

    def set_warnings(self, warnings: list[DataWarning]) -> None:
        """Replace the list (sorted: errors, then warnings, then notes)."""
        self.warnings = _ordered(warnings)
        self.show_all = False
        self._fill()

    def list_all(self) -> None:
        """List every finding (the "N more" row was activated)."""
        self.show_all = True
        self._fill()

    def hidden_count(self) -> int:
        """How many findings the "N more" row stands for (0 when all are listed)."""
        return 0 if self.show_all else max(0, len(self.warnings) - MAX_SHOWN)

    def _on_activated(self, item: QTableWidgetItem) -> None:
        if item.data(Qt.ItemDataRole.UserRole) == MORE_CODE:
            self.list_all()

    def _fill(self) -> None:
        self.setRowCount(0)
        if not self.warnings:
            item = QTableWidgetItem("No problems found.")
            item.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton))
            item.setForeground(QBrush(QColor("#2E7D32")))
            self.setRowCount(1)
            self.setItem(0, 0, item)
            self.setItem(0, 1, QTableWidgetItem(""))
            return
        hidden = self.hidden_count()
        shown = self.warnings[: len(self.warnings) - hidden]
        self.setRowCount(len(shown) + (1 if hidden else 0))
        for row, w in enumerate(shown):
            text = w.message if len(w.message) <= MAX_CHARS else w.message[: MAX_CHARS - 1] + "…"
            text = text.replace(" %", "\u00a0%")  # "7.4 %" never wraps before its sign
            item = QTableWidgetItem(text)
            item.setIcon(self.style().standardIcon(_ICONS.get(w.severity, _ICONS["info"])))
            where = f" (column “{w.column}”)" if w.column else ""
            item.setToolTip(f"{w.severity.capitalize()}{where}: {w.message[:TIP_CHARS]}")
            item.setData(Qt.ItemDataRole.UserRole, w.code)
            if w.severity == "error":
                item.setForeground(QBrush(QColor("#B71C1C")))
            count = QTableWidgetItem(f"{w.count:,}" if w.count is not None else "")
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            self.setItem(row, 0, item)
            self.setItem(row, 1, count)
        if hidden:
            self._add_more_row(len(shown), self.warnings[len(shown) :])

    def _add_more_row(self, row: int, rest: list[DataWarning]) -> None:
        kinds = sorted({w.severity for w in rest}, key=lambda s: SEVERITY_ORDER.get(s, 3))
        words = {"error": "errors", "warning": "warnings", "info": "notes"}
        item = QTableWidgetItem(
            f"… {len(rest):,} more findings ({', '.join(words.get(k, k) for k in kinds)}). "
            "Double-click to list them all."
        )
        item.setData(Qt.ItemDataRole.UserRole, MORE_CODE)
        item.setForeground(QBrush(QColor("#52606D")))
        font = item.font()
        font.setItalic(True)
        item.setFont(font)
        preview = "\n".join(f"• {w.message[:160]}" for w in rest[:12])
        more = f"\n… and {len(rest) - 12:,} more" if len(rest) > 12 else ""
        item.setToolTip(preview + more)
        self.setItem(row, 0, item)
        self.setItem(row, 1, QTableWidgetItem(""))

    def codes(self) -> list[str]:
        """The warning codes shown, in display order (for tests and the status line)."""
        return [w.code for w in self.warnings]

    def has_errors(self) -> bool:
        return any(w.severity == "error" for w in self.warnings)
