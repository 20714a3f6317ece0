"""Small result widgets: metric cards and a plain read-only table over a list of rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QLayout, QVBoxLayout, QWidget

_CARD_STYLE = (
    "QFrame#metricCard { background: #ffffff; border: 1px solid #d8dee4; border-radius: 6px; }"
)


def format_value(value: Any, digits: int = 4) -> str:
    """Short human form of a metric: '0.9123', '1.2e-05', '—' for None/NaN."""
    if value is None:
        return "—"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return "—"
    if f != 0 and (abs(f) < 1e-3 or abs(f) >= 1e6):
        return f"{f:.3g}"
    if float(f).is_integer() and abs(f) >= 1000:
        return f"{int(f):,}"
    return f"{f:.{digits}f}"


class MetricCards(QWidget):
    """Cards in rows, each a caption over a big number, with a tooltip explaining it. The cards
    wrap onto more rows when the page is narrow (seven cards in a row would hold a 1024-pixel
    window wider than its screen)."""

    _SPACING = 8

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(self._SPACING)
        # the layout must not make its current row the widget's minimum: the cards re-flow
        self._layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self._cards: list[QFrame] = []
        self._columns = 0
        self._values: dict[str, str] = {}

    def set_metrics(self, items: Sequence[tuple[str, Any, str]]) -> None:
        """Replace the cards with ``(caption, value, tooltip)`` items."""
        for card in self._cards:
            self._layout.removeWidget(card)
            card.deleteLater()
        self._cards, self._columns, self._values = [], 0, {}
        for caption, value, tip in items:
            text = format_value(value)
            self._values[caption] = text
            card = QFrame(self)
            card.setObjectName("metricCard")
            card.setStyleSheet(_CARD_STYLE)
            card.setToolTip(tip)
            box = QVBoxLayout(card)
            box.setContentsMargins(12, 8, 12, 8)
            cap = QLabel(caption)
            cap.setProperty("role", "muted")
            num = QLabel(text)
            num.setStyleSheet("font-size: 17pt; font-weight: 600; color: #1f2933;")
            box.addWidget(cap)
            box.addWidget(num)
            self._cards.append(card)
        self._reflow(self.width())

    def values(self) -> dict[str, str]:
        """Caption → displayed text (for tests)."""
        return dict(self._values)

    def columns(self) -> int:
        """How many cards a row holds now."""
        return self._columns

    def _card_width(self) -> int:
        return max((c.sizeHint().width() for c in self._cards), default=0)

    def _fit(self, width: int) -> int:
        """Cards per row for ``width`` pixels: all in one row when they fit, at least one."""
        if not self._cards:
            return 0
        per_row = (width + self._SPACING) // (self._card_width() + self._SPACING)
        return max(1, min(len(self._cards), per_row))

    def _reflow(self, width: int) -> None:
        columns = self._fit(width if width > 0 else self.sizeHint().width())
        if columns == self._columns:
            return
        self._columns = columns
        for card in self._cards:
            self._layout.removeWidget(card)
        for i, card in enumerate(self._cards):
            self._layout.addWidget(card, i // columns, i % columns)
        for column in range(self._layout.columnCount()):
            self._layout.setColumnStretch(column, 0)
        self._layout.setColumnStretch(columns, 1)  # cards keep their width, space goes right
        self.updateGeometry()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._reflow(event.size().width())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        rows = math.ceil(len(self._cards) / max(self._columns, 1)) if self._cards else 0
        height = max((c.sizeHint().height() for c in self._cards), default=0)
        return QSize(self._card_width(), rows * height + max(rows - 1, 0) * self._SPACING)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        if not self._cards:
            return QSize(0, 0)
        n = len(self._cards)
        width = n * self._card_width() + (n - 1) * self._SPACING
        return QSize(width, self.minimumSizeHint().height())

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return bool(self._cards)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        if not self._cards:
            return 0
        rows = math.ceil(len(self._cards) / self._fit(width))
        height = max(c.sizeHint().height() for c in self._cards)
        return rows * height + (rows - 1) * self._SPACING


class RowsModel(QAbstractTableModel):
    """Read-only table over ``rows`` (lists of values) with ``headers``; numbers right-aligned."""

    def __init__(
        self,
        headers: Sequence[str] = (),
        rows: Sequence[Sequence[Any]] = (),
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]

    def set_rows(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, float):
                return format_value(value)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return str(section + 1)
