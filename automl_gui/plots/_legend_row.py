"""The row of legends above a study plot's two panels (:class:`automl_gui.plots.study.StudyPlot`).

Each legend sits over its panel; when the left one is empty (an optimizers study's bars need
none) the right one spans both panels in one row of up to :data:`MOST_COLUMNS` entries, so no
blank band is left over the left panel and the panels keep the height.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg

MOST_COLUMNS = 5
COLUMNS = 3  # over one panel


def arrange(grid: Any, left: pg.LegendItem, right: pg.LegendItem, row: int = 1) -> None:
    """Place ``left`` and ``right`` in ``row`` of ``grid`` (a QGraphicsGridLayout) by what
    they hold."""
    wide = not left.items and bool(right.items)
    placed = {grid.itemAt(i) for i in range(grid.count())}
    for legend in (left, right):
        if legend in placed:
            grid.removeItem(legend)
    if wide:
        right.setColumnCount(min(len(right.items), MOST_COLUMNS))
        grid.addItem(right, row, 0, 1, 2)
    else:
        right.setColumnCount(COLUMNS)
        grid.addItem(left, row, 0)
        grid.addItem(right, row, 1)
    left.setVisible(not wide)
