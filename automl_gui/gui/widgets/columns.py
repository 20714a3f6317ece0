"""Columns that stand side by side where they fit and stack where they do not.

A page in a scroll area whose columns are wider together than the window scrolls sideways and
cuts off its intro and the ends of its rows (the image and audio Preprocess pages at a
1024-pixel window). :func:`stacking_columns` gives a box layout that watches the scroll area's
viewport and turns its columns into rows while their minimum widths side by side do not fit.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QBoxLayout, QLayout, QScrollArea, QWidget

SIDE_BY_SIDE = QBoxLayout.Direction.LeftToRight
STACKED = QBoxLayout.Direction.TopToBottom


class StackingColumns(QBoxLayout):
    """A left-to-right box of layouts that goes top-to-bottom when the viewport is too narrow.

    Add the columns with ``addLayout(column, stretch)``, place the layout on the page, then
    call :meth:`follow` with the page's scroll area.
    """

    def __init__(self) -> None:
        super().__init__(SIDE_BY_SIDE)
        self._viewport: QWidget | None = None
        self._filter = _ResizeFilter(self)

    def follow(self, scroll: QScrollArea) -> None:
        """Choose the direction from ``scroll``'s viewport width, now and on each resize."""
        self._viewport = scroll.viewport()
        self._viewport.installEventFilter(self._filter)
        scroll.widget().installEventFilter(self._filter)  # contents that grow (a dataset)
        self.fit()

    def needed_width(self) -> int:
        """Width of the columns side by side at their minimum, with the margins around them."""
        columns = [self.itemAt(i) for i in range(self.count())]
        widths = [item.minimumSize().width() for item in columns if not item.isEmpty()]
        need = sum(widths) + self.spacing() * max(len(widths) - 1, 0)
        widget = self.parentWidget()
        outer = widget.layout() if widget is not None else None
        if outer is not None:  # the page's own margins around the columns
            margins = outer.contentsMargins()
            need += margins.left() + margins.right()
        return need

    def fit(self) -> None:
        """Side by side when the viewport holds both columns, else one above the other."""
        if self._viewport is None:
            return
        wide = self._viewport.width() >= self.needed_width()
        direction = SIDE_BY_SIDE if wide else STACKED
        if self.direction() != direction:
            self.setDirection(direction)


class _ResizeFilter(QObject):
    def __init__(self, columns: StackingColumns) -> None:
        super().__init__()
        self._columns = columns

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._columns.fit()
        return False


def stacking_columns(*columns: tuple[QLayout, int]) -> StackingColumns:
    """A :class:`StackingColumns` holding ``(layout, stretch)`` pairs, left to right."""
    box = StackingColumns()
    for layout, stretch in columns:
        box.addLayout(layout, stretch)
    return box
