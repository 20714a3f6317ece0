"""A table view whose columns fit their contents lazily: the ones on screen, when shown.

``QTableView.resizeColumnsToContents`` measures every column, asking the model for the
font, alignment, colours and text of ~50 rows of each through Python: 7 s at 2,000 columns,
over a minute at 20,000, all on the UI thread. :class:`FrameTable` keeps the call but fits
only the columns in view, and the others as they scroll into view; a column's width comes
from its texts' widths in the view's font (a few dozen rows), not from a delegate per cell.
A column the user resized keeps its width.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QStyle, QTableView, QWidget

SAMPLE_ROWS = 50  # rows measured per column, from the first one in view
MAX_WIDTH = 240  # a fitted column is never wider (long texts are cut, tooltips are whole)
MIN_WIDTH = 40
FIT_BATCH = 200  # columns fitted per pass at most (tiny columns on a huge screen)


class FrameTable(QTableView):
    """A ``QTableView`` whose ``resizeColumnsToContents`` fits columns as they come into view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fitting = False  # resizeColumnsToContents was asked since the last reset
        self._fitted: set[int] = set()
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.fit_visible_columns)
        self.horizontalScrollBar().valueChanged.connect(self._schedule)
        self.horizontalHeader().sectionResized.connect(self._on_section_resized)

    # -- model -------------------------------------------------------------------------------
    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802
        old = self.model()
        if old is not None:
            old.modelReset.disconnect(self._on_reset)
        super().setModel(model)
        if model is not None:
            model.modelReset.connect(self._on_reset)
        self._on_reset()

    def _on_reset(self) -> None:
        """New contents: widths go back to the default until asked to fit again."""
        self._fitting = False
        self._fitted.clear()

    # -- fitting -----------------------------------------------------------------------------
    def resizeColumnsToContents(self) -> None:  # noqa: N802
        """Fit the columns in view now and the others when they scroll into view."""
        self._fitting = True
        self._fitted.clear()
        self.fit_visible_columns()

    def fitted_columns(self) -> set[int]:
        """The columns fitted so far (tests)."""
        return set(self._fitted)

    def fit_visible_columns(self) -> None:
        """Fit the columns in view that were not fitted yet (nothing unless asked to fit)."""
        model = self.model()
        if not self._fitting or model is None:
            return
        count = model.columnCount()
        header = self.horizontalHeader()
        right = max(self.viewport().width(), 1)
        column = max(self.columnAt(0), 0)
        x = header.sectionViewportPosition(column)
        done = 0
        while column < count and x < right and done < FIT_BATCH:
            if column not in self._fitted and not header.isSectionHidden(column):
                self._fitted.add(column)
                self.setColumnWidth(column, self.column_width(column))
                done += 1
            x += self.columnWidth(column)
            column += 1

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802
        """Qt's own resize (a double click on a divider) measures the same few rows."""
        return self.column_width(column)

    def column_width(self, column: int) -> int:
        """The width that shows ``column``'s header and its texts in ~50 rows (capped)."""
        model = self.model()
        if model is None:
            return self.horizontalHeader().defaultSectionSize()
        style = self.style()
        pad = 2 * (style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1)
        first = max(self.rowAt(0), 0)
        last = min(model.rowCount(), first + SAMPLE_ROWS)
        texts = {_text(model.data(model.index(row, column))) for row in range(first, last)}
        metrics = self.fontMetrics()
        width = max((metrics.horizontalAdvance(t) for t in texts), default=0) + pad + 4
        header = self.horizontalHeader()
        if not header.isHidden():  # the header's own hint: its style sheet's font and padding
            width = max(width, header.sectionSizeHint(column))
        return max(MIN_WIDTH, min(width, MAX_WIDTH))

    def _schedule(self, *_: Any) -> None:
        if self._fitting:
            self._pending.start()

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        self._fitted.add(column)  # sized by the user (or by us): keep it

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._schedule()


def _text(value: Any) -> str:
    return "" if value is None else str(value)
