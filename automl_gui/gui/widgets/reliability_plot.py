"""A reliability diagram: how often a classifier is right at each level of its confidence.

One bar per confidence bin (its width the bin's, its height the share of the bin's examples
the model got right), the diagonal a perfectly calibrated model would follow, and, faint
behind them, the share of examples that fall in each bin (so a bin of three examples is seen
for what it is). Bins come as ``core.trust.calibration.reliability`` returns them:
``{"low", "high", "confidence", "accuracy", "count"}``.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from automl_gui.gui.widgets.live_plots import TRAIN_COLOR
from automl_gui.plots.style import AXIS_COLOR, style_plot

#: a bin with fewer examples is drawn pale
FEW = 10


class ReliabilityPlot(pg.PlotWidget):
    """Accuracy per confidence bin against the diagonal, with each bin's share of examples."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        style_plot(
            self.getPlotItem(),
            "Reliability (test split)",
            "confidence of the predicted class",
            "share right · share of examples",
        )
        self.getPlotItem().setMouseEnabled(x=False, y=False)
        # the legend in a band above 1.0 kept free for it: it never covers a bar
        self.getPlotItem().addLegend(
            offset=(8, 4),
            brush=pg.mkBrush(255, 255, 255, 230),
            pen=pg.mkPen("#dee2e6"),
            colCount=2,
        )
        self.getPlotItem().getAxis("left").setTicks([[(v / 5, f"{v / 5:.1f}") for v in range(6)]])
        self.setMinimumHeight(200)
        self.bins: list[dict[str, Any]] = []

    def show_bins(self, bins: list[dict[str, Any]], positive: str | None = None) -> None:
        """Draw ``bins`` (empty bins are skipped); an empty list clears the plot. ``positive``:
        the bins are of P(positive) (two classes), their height the share that is positive."""
        plot = self.getPlotItem()
        plot.clear()
        if positive:
            plot.setLabel("bottom", f"the model's chance of '{positive}'", color=AXIS_COLOR)
            plot.setLabel(
                "left", f"share really '{positive}' · share of examples", color=AXIS_COLOR
            )
            right = f"share really '{positive}'"
        else:
            plot.setLabel("bottom", "confidence of the predicted class", color=AXIS_COLOR)
            plot.setLabel("left", "share right · share of examples", color=AXIS_COLOR)
            right = "share right"
        self.bins = [b for b in bins if int(b.get("count") or 0) > 0]
        if not self.bins:
            return
        total = sum(int(b["count"]) for b in self.bins)
        lows = [float(b["low"]) for b in self.bins]
        widths = [float(b["high"]) - float(b["low"]) for b in self.bins]
        centers = [lo + w / 2 for lo, w in zip(lows, widths, strict=True)]
        shares = [int(b["count"]) / total for b in self.bins]
        accuracy = [float(b["accuracy"]) for b in self.bins]
        plot.addItem(
            pg.BarGraphItem(
                x=centers,
                height=shares,
                width=[w * 0.92 for w in widths],
                brush=pg.mkBrush("#adb5bd55"),
                pen=pg.mkPen(None),
                name="share of examples",
            )
        )
        # bins of few examples pale: their share right says little
        for full, color, name in (
            (True, TRAIN_COLOR + "bb", right),
            (False, TRAIN_COLOR + "40", f"{right}, under {FEW} examples"),
        ):
            picked = [i for i, b in enumerate(self.bins) if (int(b["count"]) >= FEW) == full]
            if not picked:
                continue
            plot.addItem(
                pg.BarGraphItem(
                    x=[centers[i] for i in picked],
                    height=[accuracy[i] for i in picked],
                    width=[widths[i] * 0.7 for i in picked],
                    brush=pg.mkBrush(color),
                    pen=pg.mkPen(TRAIN_COLOR),
                    name=name,
                )
            )
        plot.plot(
            [0, 1],
            [0, 1],
            pen=pg.mkPen("#868e96", width=1.5, style=Qt.PenStyle.DashLine),
            name="perfectly calibrated",
        )
        low = max(0.0, min(lows) - 0.02)
        plot.setXRange(low, 1.0, padding=0.02)
        plot.setYRange(0.0, 1.3, padding=0.0)  # 1.0–1.3: the legend's band
