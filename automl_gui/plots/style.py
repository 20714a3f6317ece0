"""The app's plot look, shared by every pyqtgraph plot of the window and the command line:
axis colour, the colours of several series, and :func:`style_plot`."""

from __future__ import annotations

import math

import pyqtgraph as pg

AXIS_COLOR = "#343a40"
#: one colour per series (trainings of a study, runs of a project), in this order
PALETTE = (
    "#1f77b4",
    "#e8590c",
    "#2b8a3e",
    "#7048e8",
    "#c92a2a",
    "#0c8599",
    "#f08c00",
    "#5c7cfa",
    "#862e9c",
    "#495057",
)


def short_number(value: float, digits: int = 3) -> str:
    """A number in at most ``digits`` significant figures, short: 0.5 → "0.5", 64 → "64",
    0.00125 → "1.25e-3", 1.22e-05 → "1.22e-5", 2e5 → "2e5" (scientific below 0.01 and from
    1e5, trailing zeros dropped)."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if 0.01 <= abs(value) < 1e5:
        return f"{value:.{digits}g}"
    mantissa, exp = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exp)}"


class EpochAxis(pg.AxisItem):
    """An axis of whole epochs: ticks only at whole numbers (never 0.5 or 1.5), at least 1
    apart, whatever the zoom."""

    def tickSpacing(self, minVal, maxVal, size):  # noqa: N802, N803 - pyqtgraph API
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(spacing, offset) for spacing, offset in levels if spacing >= 1]
        return whole or [(1.0, 0.0)]


def style_plot(plot: pg.PlotItem, title: str, xlabel: str, ylabel: str) -> None:
    """The app's plot look: title, labels, light grid, plain numbers, no context menu; an
    "epoch" x axis ticks whole epochs only (:class:`EpochAxis`)."""
    if xlabel == "epoch" and not isinstance(plot.getAxis("bottom"), EpochAxis):
        plot.setAxisItems({"bottom": EpochAxis(orientation="bottom")})
    plot.setTitle(title, color=AXIS_COLOR, size="11pt")
    plot.showGrid(x=True, y=True, alpha=0.15)
    for axis in ("left", "bottom"):
        ax = plot.getAxis(axis)
        ax.setPen(pg.mkPen(AXIS_COLOR))
        ax.setTextPen(pg.mkPen(AXIS_COLOR))
        ax.enableAutoSIPrefix(False)
        # it keeps a prefix computed from the range so far: a restyled plot with data drew 0.8
        # as 800
        ax.autoSIPrefixScale, ax.labelUnitPrefix = 1.0, ""
        # no sub-minor ticks: their grid lines were two thirds of each repaint's cost
        # (32 ms -> 16 ms for the four live plots), which the UI benchmark felt
        ax.setStyle(maxTickLevel=1)
    plot.setLabel("bottom", xlabel, color=AXIS_COLOR)  # after the prefix reset above
    plot.setLabel("left", ylabel, color=AXIS_COLOR)
    plot.setMenuEnabled(False)
