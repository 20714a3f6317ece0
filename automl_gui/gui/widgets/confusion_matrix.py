"""Confusion-matrix heatmap: counts in cells, class labels on both axes, clickable cells.

Rows are true classes, columns predicted ones (as in ``report["confusion_matrix"]``). Colour
is the row-normalized share (recall per cell), so a small class's errors stay visible next to
a big class; the count is written in each cell. Clicking a cell emits ``cell_clicked(true,
pred)`` so a page can list the test rows behind it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

LOW = QColor("#f5f8fc")
HIGH = QColor("#0b4a8b")
WRONG_HIGH = QColor("#c92a2a")
TEXT_DARK = QColor("#1f2933")
MAX_LABEL_CHARS = 14


def _blend(a: QColor, b: QColor, t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _rotated(n: int, label_w: int, cell: float) -> bool:
    """Whether the predicted labels stand up under their columns: with many classes, or when
    the widest label is wider than its column (cut to "techno…" otherwise)."""
    return n > 4 or label_w > cell - 4


class ConfusionMatrixView(QWidget):
    """Paints a confusion matrix; diagonal cells in blue, errors in red."""

    cell_clicked = Signal(int, int)  # true index, predicted index

    def __init__(self, parent: QWidget | None = None, *, noun: str = "row") -> None:
        super().__init__(parent)
        self.noun = noun  # what the test examples are, for the cell tooltips ("image")
        self.matrix: list[list[int]] = []
        self.class_names: list[str] = []
        self.selected: tuple[int, int] | None = None
        self.setMouseTracking(True)
        self.setMinimumSize(260, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_matrix(self, matrix: Sequence[Sequence[int]], class_names: Sequence[str]) -> None:
        """Show ``matrix`` (rows true, columns predicted) labelled with ``class_names``."""
        self.matrix = [[int(v) for v in row] for row in matrix]
        self.class_names = [str(c) for c in class_names]
        self.selected = None
        self.update()

    def clear(self) -> None:
        self.set_matrix([], [])

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 380)

    # -- geometry ----------------------------------------------------------------------------
    def _layout(self) -> tuple[QRect, float]:
        """The grid's rectangle and cell size for the current widget size."""
        n = len(self.matrix)
        fm = QFontMetrics(self.font())
        label_w = max((fm.horizontalAdvance(_short(c)) for c in self.class_names), default=0)
        left = label_w + fm.height() + 16
        top = 8
        avail_w = self.width() - left - 10

        def size(label_h: int) -> float:
            avail_h = self.height() - top - label_h - fm.height() - 16
            return max(min(avail_w, avail_h) / max(n, 1), 4.0)

        cell = size(fm.height())
        if _rotated(n, label_w, cell):  # predicted labels stand up: less room for the grid
            cell = size(label_w)
        return QRect(left, top, round(cell * n), round(cell * n)), cell

    def cell_rect(
        self, true_idx: int, pred_idx: int, layout: tuple[QRect, float] | None = None
    ) -> QRect:
        """Rectangle of one cell in widget coordinates (tests click its centre).

        ``layout`` is :meth:`_layout`'s result when the caller already has it: it measures
        every class label, and painting asks for n² cells.
        """
        grid, cell = layout or self._layout()
        return QRect(
            round(grid.left() + pred_idx * cell),
            round(grid.top() + true_idx * cell),
            round(cell),
            round(cell),
        )

    def cell_at(self, pos: QPoint) -> tuple[int, int] | None:
        """(true, predicted) of the cell under ``pos``, or None outside the grid."""
        if not self.matrix:
            return None
        grid, cell = self._layout()
        if not grid.contains(pos):
            return None
        n = len(self.matrix)
        col = min(int((pos.x() - grid.left()) / cell), n - 1)
        row = min(int((pos.y() - grid.top()) / cell), n - 1)
        return row, col

    # -- events ------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        hit = self.cell_at(event.position().toPoint())
        if hit is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.selected = hit
        self.update()
        self.cell_clicked.emit(*hit)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        hit = self.cell_at(event.position().toPoint())
        if hit is None:
            self.setToolTip("")
            return
        t, p = hit
        count = self.matrix[t][p]
        total = sum(self.matrix[t]) or 1
        self.setToolTip(
            f"true {self.class_names[t]} → predicted {self.class_names[p]}: {count} "
            f"{self.noun if count == 1 else self.noun + 's'} "
            f"({100 * count / total:.1f} % of {self.class_names[t]})\nClick to list them."
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        n = len(self.matrix)
        if n == 0:
            painter.setPen(QColor("#616e7c"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No results yet")
            return
        layout = self._layout()
        grid, cell = layout
        fm = QFontMetrics(self.font())
        label_w = max((fm.horizontalAdvance(_short(c)) for c in self.class_names), default=0)
        count_font = QFont(self.font())
        count_font.setBold(True)
        count_font.setPointSizeF(max(6.0, min(12.0, cell / 4)))
        show_counts = cell >= 18
        for t in range(n):
            total = sum(self.matrix[t]) or 1
            for p in range(n):
                value = self.matrix[t][p]
                share = value / total
                high = HIGH if t == p else WRONG_HIGH
                color = _blend(LOW, high, share**0.7 if value else 0.0)
                rect = self.cell_rect(t, p, layout)
                painter.fillRect(rect, color)
                painter.setPen(QPen(QColor("#ffffff"), 1))
                painter.drawRect(rect)
                if show_counts:
                    painter.setFont(count_font)
                    painter.setPen(QColor("#ffffff") if color.lightness() < 140 else TEXT_DARK)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(value))
        if self.selected is not None:
            painter.setPen(QPen(QColor("#f08c00"), 3))
            painter.drawRect(self.cell_rect(*self.selected, layout).adjusted(1, 1, -1, -1))

        painter.setFont(self.font())
        painter.setPen(TEXT_DARK)
        # predicted labels below the grid (rotated when crowded), true labels on the left
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        rotated = _rotated(n, label_w, cell)
        label_h = (label_w if rotated else fm.height()) + 8
        painter.drawText(
            QRect(grid.left(), grid.bottom() + label_h, grid.width(), fm.height() + 2),
            Qt.AlignmentFlag.AlignCenter,
            "Predicted",
        )
        painter.save()
        painter.translate(fm.height() / 2 + 2, grid.center().y())
        painter.rotate(-90)
        painter.drawText(
            QRect(-grid.height() // 2, -fm.height() // 2, grid.height(), fm.height() + 2),
            Qt.AlignmentFlag.AlignCenter,
            "True",
        )
        painter.restore()
        painter.setFont(self.font())
        for i, name in enumerate(self.class_names):
            label = _short(name)
            row = self.cell_rect(i, 0, layout)
            painter.drawText(
                QRect(fm.height() + 6, row.top(), grid.left() - fm.height() - 10, row.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
            col = self.cell_rect(0, i, layout)
            if rotated:
                painter.save()
                painter.translate(col.center().x() + fm.height() / 3, grid.bottom() + 6)
                painter.rotate(-90)
                painter.drawText(
                    QRect(-fm.horizontalAdvance(label) - 2, -fm.height(), 400, fm.height()),
                    Qt.AlignmentFlag.AlignLeft,
                    label,
                )
                painter.restore()
            else:
                painter.drawText(
                    QRect(col.left(), grid.bottom() + 4, col.width(), fm.height() + 2),
                    Qt.AlignmentFlag.AlignCenter,
                    fm.elidedText(label, Qt.TextElideMode.ElideRight, max(col.width() - 4, 8)),
                )
        painter.end()
