"""Horizontal bars for signed values with optional spread: feature importance (std whiskers)
and one row's contributions (positive and negative coloured). An importance whose whisker
reaches zero is grey: the repeats do not tell it apart from no importance at all.

One row per feature, in the order given (most important first, at the top): the name on the
left (elided, whole in the tooltip), a bar from zero, a whisker of ± the spread, the value
after the bar. Negative values extend left of the zero line. As tall as its rows: put it in a
``QScrollArea`` (:func:`automl_gui.gui.widgets.bar_chart.scrolling`).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QHelpEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

POSITIVE = "#1f77b4"
NEGATIVE = "#e8590c"
WHISKER = "#343a40"
CHANCE = "#adb5bd"  # an importance whose whisker reaches zero: not told apart from chance


def _figure(value: float) -> str:
    """A bar's value, signed: "+0.428", "-0.001", "+1.53", "+12,345"."""
    if not math.isfinite(value):
        return "–"
    if abs(value) >= 1000:
        return f"{value:+,.0f}"
    return f"{value:+.2f}" if abs(value) >= 1 else f"{value:+.3f}"


class ImportanceChart(QWidget):
    """Signed horizontal bars with names, values and optional ± spread whiskers."""

    ROW = 22
    GAP = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.values: list[float] = []
        self.spreads: list[float] = []
        self.tips: list[str] = []
        self.signed_colors = False
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(260)
        self.setMouseTracking(True)
        self.setFixedHeight(self.ROW)

    def set_bars(
        self,
        labels: list[str],
        values: list[float],
        spreads: list[float] | None = None,
        *,
        signed_colors: bool = False,
        tips: list[str] | None = None,
    ) -> None:
        """Show one bar per label (top to bottom in this order); ``signed_colors`` colours
        negative bars apart (contributions)."""
        self.labels = [str(s) for s in labels]
        self.values = [float(v) for v in values]
        self.spreads = [float(s) for s in spreads] if spreads is not None else []
        self.signed_colors = signed_colors
        self.tips = list(tips) if tips is not None else []
        self.setFixedHeight(max(self.ROW, len(self.labels) * self.ROW + 4))
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.set_bars([], [])

    def chance(self, row: int) -> bool:
        """Whether bar ``row``'s ± spread whisker reaches zero (drawn grey): its value is not
        told apart from chance."""
        if not self.spreads or row >= len(self.spreads) or not math.isfinite(self.spreads[row]):
            return False
        return self.values[row] - abs(self.spreads[row]) <= 0.0

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(420, self.height())

    def row_at(self, pos: QPoint) -> int:
        row = pos.y() // self.ROW
        return row if 0 <= row < len(self.labels) else -1

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self.row_at(event.pos())
            if row >= 0:
                text = f"{self.labels[row]}: {_figure(self.values[row])}"
                if self.spreads:
                    text += f" ± {abs(self.spreads[row]):.3g}"
                if row < len(self.tips) and self.tips[row]:
                    text += f"\n{self.tips[row]}"
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def _extent(self) -> tuple[float, float]:
        spreads = self.spreads or [0.0] * len(self.values)
        finite = [
            (v, abs(s)) for v, s in zip(self.values, spreads, strict=True) if math.isfinite(v)
        ]
        low = min((v - s for v, s in finite), default=0.0)
        high = max((v + s for v, s in finite), default=0.0)
        return min(0.0, low), max(0.0, high)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text_color = self.palette().text().color()
        if not self.labels:
            p.setPen(QColor("#5F6B7A"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Nothing to show yet")
            return
        widest = max(fm.horizontalAdvance(t) for t in self.labels[:500])
        name_w = min(max(60, widest + self.GAP), max(80, self.width() * 2 // 5))
        value_w = max(fm.horizontalAdvance(_figure(v)) for v in self.values) + self.GAP
        left, right = name_w + self.GAP + value_w, self.width() - value_w - self.GAP
        low, high = self._extent()
        span = (high - low) or 1.0
        width = max(10.0, right - left)

        def x_of(v: float) -> float:
            return left + (v - low) / span * width

        zero = x_of(0.0)
        p.setPen(QPen(QColor("#ced4da"), 1))
        p.drawLine(QPointF(zero, 0), QPointF(zero, self.height()))
        clip = event.rect()
        first, last = (
            max(0, clip.top() // self.ROW),
            min(len(self.labels) - 1, clip.bottom() // self.ROW),
        )
        for row in range(first, last + 1):
            y = row * self.ROW
            value = self.values[row]
            p.setPen(text_color)
            name = fm.elidedText(self.labels[row], Qt.TextElideMode.ElideMiddle, name_w - 4)
            p.drawText(
                QRect(2, y, name_w - 4, self.ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            if not math.isfinite(value):
                continue
            color = NEGATIVE if self.signed_colors and value < 0 else POSITIVE
            if not self.signed_colors and self.chance(row):
                color = CHANCE
            x0, x1 = sorted((zero, x_of(value)))
            p.fillRect(
                QRect(int(x0), y + 4, max(1, int(round(x1 - x0))), self.ROW - 8), QColor(color)
            )
            if self.spreads and math.isfinite(self.spreads[row]) and self.spreads[row] > 0:
                s = abs(self.spreads[row])
                a, b, mid = x_of(value - s), x_of(value + s), y + self.ROW / 2
                p.setPen(QPen(QColor(WHISKER), 1.2))
                p.drawLine(QPointF(a, mid), QPointF(b, mid))
                for x in (a, b):
                    p.drawLine(QPointF(x, mid - 4), QPointF(x, mid + 4))
            p.setPen(text_color)
            text = _figure(value)
            if value >= 0:
                end = x_of(value + (abs(self.spreads[row]) if self.spreads else 0.0))
                rect = QRect(int(end) + 3, y, value_w + self.GAP, self.ROW)
                align = Qt.AlignmentFlag.AlignLeft
            else:
                start = x_of(value - (abs(self.spreads[row]) if self.spreads else 0.0))
                rect = QRect(int(start) - value_w - 3, y, value_w, self.ROW)
                align = Qt.AlignmentFlag.AlignRight
            p.drawText(rect, align | Qt.AlignmentFlag.AlignVCenter, text)
