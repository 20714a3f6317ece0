"""A small pyqtgraph histogram of numbers (e.g. clip durations) with an optional marker line
(e.g. the automatic clip length at the 95th percentile)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from automl_gui.plots.style import AXIS_COLOR, style_plot

BAR_COLOR = "#4C78A8"
MARKER_COLOR = "#E45756"
MAX_BINS = 60


def histogram_edges(values: np.ndarray, max_bins: int = MAX_BINS) -> np.ndarray:
    """Bin edges for ``values``: numpy's "auto" rule, at most ``max_bins`` bins; one bin of
    width 10% (or 1 for 0) around the value when all values are equal."""
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        half = abs(lo) * 0.05 or 0.5
        return np.array([lo - half, lo + half])
    edges = np.histogram_bin_edges(values, bins="auto")
    if len(edges) - 1 > max_bins:
        edges = np.linspace(lo, hi, max_bins + 1)
    return edges


class HistogramPlot(QWidget):
    """Counts of values in bins, as bars, with an optional vertical marker line.

    ``counts`` and ``edges`` hold what is drawn (empty before :meth:`set_values`).
    """

    def __init__(
        self,
        title: str = "",
        xlabel: str = "",
        ylabel: str = "count",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self._title = title
        style_plot(self.plot.getPlotItem(), title, xlabel, ylabel)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.setMinimumHeight(120)
        self.bars: pg.BarGraphItem | None = None
        self.marker: pg.InfiniteLine | None = None
        self.counts = np.zeros(0, dtype=np.int64)
        self.edges = np.zeros(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def clear(self, message: str = "") -> None:
        """Remove bars and marker; ``message`` replaces the title meanwhile."""
        for item in (self.bars, self.marker):
            if item is not None:
                self.plot.removeItem(item)
        self.bars = self.marker = None
        self.counts, self.edges = np.zeros(0, dtype=np.int64), np.zeros(0)
        self.plot.setTitle(message or self._title, color=AXIS_COLOR, size="11pt")

    def set_values(
        self,
        values: Sequence[float] | np.ndarray,
        marker: float | None = None,
        marker_label: str = "",
        title: str | None = None,
    ) -> None:
        """Draw the histogram of the finite ``values`` and a dashed line at ``marker``."""
        self.clear(title or "")
        data = np.asarray(values, dtype=np.float64).reshape(-1)
        data = data[np.isfinite(data)]
        if not len(data):
            self.plot.setTitle(title or "Nothing to show", color=AXIS_COLOR, size="11pt")
            return
        self.edges = histogram_edges(data)
        self.counts, _ = np.histogram(data, bins=self.edges)
        centres = (self.edges[:-1] + self.edges[1:]) / 2
        widths = np.diff(self.edges)
        self.bars = pg.BarGraphItem(
            x=centres,
            height=self.counts.astype(float),
            width=widths * 0.92,
            brush=pg.mkBrush(BAR_COLOR),
            pen=pg.mkPen(None),
        )
        self.plot.addItem(self.bars)
        if marker is not None and np.isfinite(marker):
            self.marker = pg.InfiniteLine(
                pos=float(marker),
                angle=90,
                pen=pg.mkPen(MARKER_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
                label=marker_label or None,
                labelOpts={
                    "position": 0.9,
                    "color": MARKER_COLOR,
                    "fill": (255, 255, 255, 210),
                    "anchors": [(1, 0.5), (1, 0.5)],
                },
            )
            self.plot.addItem(self.marker)
        lo, hi = float(self.edges[0]), float(self.edges[-1])
        if self.marker is not None:
            lo, hi = min(lo, float(marker)), max(hi, float(marker))
        pad = (hi - lo) * 0.03
        self.plot.setXRange(lo - pad, hi + pad, padding=0)
        # room above the bars for the marker's label (drawn at 0.9 of the height)
        top = 1.3 if self.marker is not None and marker_label else 1.08
        self.plot.setYRange(0, max(1, int(self.counts.max())) * top, padding=0)
