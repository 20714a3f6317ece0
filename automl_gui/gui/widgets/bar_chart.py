"""A painted horizontal bar chart for counts per category (e.g. images per class).

One row per category: the name on the left (elided, full name in the tooltip), a bar whose
length is proportional to the total, optionally stacked by series (train / validation / test),
and the count written after the bar. The widget is as tall as its rows, so put it in a
``QScrollArea`` (see :func:`scrolling`) to scroll through hundreds of classes. Clicking a row
emits ``bar_clicked(name)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QToolTip, QWidget

PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#B279A2", "#E45756")


@dataclass(frozen=True)
class Series:
    """One stacked part of every bar: its name, colour and one value per category."""

    name: str
    values: tuple[int, ...]
    color: str = PALETTE[0]


class HorizontalBarChart(QWidget):
    """Horizontal bars with readable names and counts; stacked when there are several series."""

    bar_clicked = Signal(str)

    ROW = 22  # pixel height of one row
    GAP = 6  # space between a bar and its count, and around the name column

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels: list[str] = []
        self.series: list[Series] = []
        self.highlighted: str | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(220)

    # -- data ------------------------------------------------------------------------------
    def set_data(self, labels: list[str], series: list[Series]) -> None:
        """Show ``labels`` (one row each) with the values of ``series`` stacked left to right."""
        for s in series:
            if len(s.values) != len(labels):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values, not {len(labels)}")
        self.labels = list(labels)
        self.series = list(series)
        self.setFixedHeight(self._content_height())
        self.updateGeometry()
        self.update()

    def set_counts(self, counts: dict[str, int], color: str = PALETTE[0]) -> None:
        """One series from a ``{name: count}`` dict (in the dict's order)."""
        self.set_data(list(counts), [Series("images", tuple(counts.values()), color)])

    def clear(self) -> None:
        self.set_data([], [])

    def totals(self) -> list[int]:
        """The total of each row (sum over series)."""
        return [sum(s.values[i] for s in self.series) for i in range(len(self.labels))]

    def set_highlighted(self, label: str | None) -> None:
        """Mark one row (e.g. the class shown in the gallery)."""
        self.highlighted = label
        self.update()

    # -- geometry --------------------------------------------------------------------------
    def _content_height(self) -> int:
        legend = self.ROW if len(self.series) > 1 else 0
        return max(self.ROW, len(self.labels) * self.ROW + legend + 4)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, self._content_height())

    def _name_width(self) -> int:
        fm = self.fontMetrics()
        widest = max((fm.horizontalAdvance(t) for t in self.labels[:500]), default=0)
        return min(max(60, widest + self.GAP), max(80, self.width() * 9 // 20))

    def _count_width(self) -> int:
        fm = self.fontMetrics()
        most = max(self.totals(), default=0)
        return fm.horizontalAdvance(f"{most:,}") + 2 * self.GAP

    def row_at(self, pos: QPoint) -> int:
        """The row under ``pos`` (-1 outside the rows)."""
        top = self.ROW if len(self.series) > 1 else 0
        row = (pos.y() - top) // self.ROW if pos.y() >= top else -1
        return row if 0 <= row < len(self.labels) else -1

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = self.fontMetrics()
        text_color = self.palette().text().color()
        muted = QColor("#5F6B7A")
        top = 0
        if len(self.series) > 1:  # legend
            x = 4
            for s in self.series:
                p.fillRect(QRect(x, top + 6, 10, 10), QColor(s.color))
                p.setPen(muted)
                p.drawText(x + 14, top + 6 + fm.ascent() - 1, s.name)
                x += 14 + fm.horizontalAdvance(s.name) + 14
            top += self.ROW
        if not self.labels:
            p.setPen(muted)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No data")
            return
        name_w = self._name_width()
        bar_x = name_w + self.GAP
        bar_max = max(10, self.width() - bar_x - self._count_width())
        totals = self.totals()
        most = max(totals) or 1
        clip = event.rect()
        first = max(0, (clip.top() - top) // self.ROW)
        last = min(len(self.labels) - 1, (clip.bottom() - top) // self.ROW)
        for row in range(first, last + 1):
            y = top + row * self.ROW
            label = self.labels[row]
            if label == self.highlighted:
                p.fillRect(QRect(0, y, self.width(), self.ROW), QColor("#DCEBFB"))
            p.setPen(text_color)
            name = fm.elidedText(label, Qt.TextElideMode.ElideMiddle, name_w - 4)
            p.drawText(
                QRect(2, y, name_w - 4, self.ROW),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            x = float(bar_x)
            for s in self.series:
                w = bar_max * s.values[row] / most
                if w > 0:
                    p.fillRect(
                        QRect(int(x), y + 4, max(1, round(x + w) - int(x)), self.ROW - 8),
                        QColor(s.color),
                    )
                x += w
            p.setPen(muted if totals[row] else QColor("#B71C1C"))
            p.drawText(
                QRect(int(x) + self.GAP, y, self._count_width(), self.ROW),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"{totals[row]:,}",
            )

    # -- interaction -----------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row = self.row_at(event.pos())
            if row < 0:
                QToolTip.hideText()
                event.ignore()
                return True
            QToolTip.showText(event.globalPos(), self.row_tooltip(row), self)
            return True
        return super().event(event)

    def row_tooltip(self, row: int) -> str:
        label = self.labels[row]
        total = self.totals()[row]
        share = total / (sum(self.totals()) or 1)
        lines = [f"{label}: {total:,} ({share:.1%})"]
        if len(self.series) > 1:
            lines += [f"  {s.name}: {s.values[row]:,}" for s in self.series]
        return "\n".join(lines)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        row = self.row_at(event.position().toPoint())
        if row >= 0 and event.button() == Qt.MouseButton.LeftButton:
            self.bar_clicked.emit(self.labels[row])
        super().mouseReleaseEvent(event)


def scrolling(chart: HorizontalBarChart) -> QScrollArea:
    """``chart`` in a frameless vertical scroll area (many categories scroll)."""
    area = QScrollArea()
    area.setWidget(chart)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setAlignment(Qt.AlignmentFlag.AlignTop)
    # the page's background shows through (a scroll area paints its own grey otherwise)
    area.setStyleSheet("QScrollArea { background: transparent; }")
    area.viewport().setAutoFillBackground(False)
    chart.setAutoFillBackground(False)
    return area
