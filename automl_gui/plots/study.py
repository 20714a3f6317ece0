"""The plot of a comparison study (``core.tune.study.studies``): two panels side by side.

Left: the headline metric per training (bars, or a line against the batch size or the
training rows, with macro F1 on a learning curve). Right: the validation loss per epoch, or
the training time. Failed and skipped trainings keep their place, marked. The trivial
baseline is a dashed line; a training that never beat it gets no "converged" star, a dashed
curve and "did not converge" in the legend. The Study dialog feeds it row by row; the command
line saves it (:mod:`.study_png`).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QSizePolicy, QVBoxLayout, QWidget

from automl_gui.core.tune.study.baseline import NOT_CONVERGED, not_converged_text
from automl_gui.plots import _legend_row as legend_row
from automl_gui.plots.style import AXIS_COLOR, PALETTE, style_plot

F1_COLOR = "#e8590c"
MUTED = "#868e96"
FAILED_COLOR = "#c92a2a"
METRIC_NAMES = {
    "test_accuracy": "test accuracy",
    "test_f1": "test F1 (macro)",
    "test_mae": "test MAE",
    "test_rmse": "test RMSE",
    "test_r2": "test R²",
    "val_accuracy": "validation accuracy",
    "val_loss": "validation loss",
}
BOUNDED = ("test_accuracy", "test_f1", "test_r2", "val_accuracy")
PREFERRED_HEIGHT = 380  # px: the title, two rows of legends and both panels, legible


@dataclass(frozen=True)
class Layout:
    """How one study is drawn: its title, what the trainings differ by (the x axis), and
    what each panel shows (a :class:`StudyPlot` drawing method for the left and the right)."""

    title: str
    by: str
    left: Callable[[StudyPlot, pg.PlotItem], None]
    right: Callable[[StudyPlot, pg.PlotItem], None]
    log_x: bool = False  # x on a log₂ axis (batch sizes)
    second_score: bool = False  # the left panel adds F1 (or R²) to the headline score


def metric_name(key: str) -> str:
    """``test_accuracy`` → "test accuracy" (unknown keys: underscores become spaces)."""
    return METRIC_NAMES.get(key, key.replace("_", " "))


def _headline(task: str) -> str:
    return "test_mae" if task == "regression" else "test_accuracy"


def _value(row: Any, key: str) -> float | None:
    value = row.metrics.get(key) if row.status == "completed" else None
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _ceiling(top: float, key: str) -> float:
    """The y-axis top: room above the highest value for its label; scores of at most 1
    (accuracy, F1, R²) stop a little above 1."""
    if top <= 0:
        return 1.0
    room = top * 1.22
    return min(room, 1.1) if key in BOUNDED and top <= 1 else room


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.3g}"


class StudyPlot(QWidget):
    """A study's metric (left) and curves or times (right), with a title and legends."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setToolTip(
            "Left: the headline score of each training. Right: validation loss per epoch, or "
            "training time. Failed and skipped trainings are marked."
        )
        self._view = pg.GraphicsLayoutWidget()
        self._view.setBackground("w")
        self._view.setAntialiasing(True)
        self._view.ci.setSpacing(16)
        self._view.ci.setContentsMargins(10, 6, 16, 10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        self._title = self._view.addLabel("", row=0, col=0, colspan=2)
        # legends above the panels, so no legend ever hides a bar, a point or a label
        self.left_legend = pg.LegendItem(colCount=3, labelTextColor=AXIS_COLOR)
        self.right_legend = pg.LegendItem(colCount=3, labelTextColor=AXIS_COLOR)
        self._view.addItem(self.left_legend, row=1, col=0)
        self._view.addItem(self.right_legend, row=1, col=1)
        self.left = self._view.addPlot(row=2, col=0)
        self.right = self._view.addPlot(row=2, col=1)
        grid = self._view.ci.layout
        for col in (0, 1):  # two equal panels, whatever the legends hold
            grid.setColumnStretchFactor(col, 1)
            grid.setColumnPreferredWidth(col, 1)
        for legend in (self.left_legend, self.right_legend):
            legend.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        grid.setRowStretchFactor(2, 1)  # a taller view grows the panels, not blank bands
        for plot in (self.left, self.right):
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
        self.tolerance = 0.05
        self.kind = ""
        self.task = ""
        self.data_name = ""
        self.metric = ""
        self.baseline: Any = None  # the finished study's trivial baseline (core .baseline)
        self.rows: list[Any] = []
        self.curves_rows: list[Any] | None = None  # rows whose curves the right panel shows
        self.clear()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Both panels legible: a window that scrolls gives the plot this much."""
        return QSize(900, PREFERRED_HEIGHT)

    # -- public -----------------------------------------------------------------------------
    def clear(self) -> None:
        """Empty both panels (a study about to start)."""
        self.rows = []
        self.curves_rows = None
        self.kind = self.task = self.data_name = self.metric = ""
        self.baseline = None
        self._draw()

    def show_result(self, result: Any) -> None:
        """Draw a finished (or stopped) ``StudyResult`` in full."""
        self.kind, self.task = result.kind, result.task
        self.data_name, self.metric = result.data_name, result.metric
        self.tolerance = float(result.config.tolerance)
        self.baseline = getattr(result, "baseline", None)
        self.rows = list(result.rows)
        self.curves_rows = None
        self._draw()

    def add_row(self, row: Any, kind: str, task: str) -> None:
        """Add one finished training while the study runs (``StudyRowEnded.row``)."""
        if kind != self.kind or task != self.task:
            self.rows = []
            self.kind, self.task, self.metric = kind, task, _headline(task)
        self.rows.append(row)
        self.curves_rows = None
        self._draw()

    def show_curves(self, rows: list[Any]) -> None:
        """Show the validation loss per epoch of ``rows`` in the right panel (one line each)."""
        self.curves_rows = list(rows)
        self._draw_curves(self.curves_rows)
        legend_row.arrange(self._view.ci.layout, self.left_legend, self.right_legend)

    def save_png(self, path: str | os.PathLike[str], width: int = 1200, height: int = 600) -> Path:
        """Render what is shown to a ``width`` × ``height`` PNG (atomic write); the widget on
        screen is not resized: a hidden copy is drawn at that size."""
        twin = StudyPlot()
        twin.kind, twin.task = self.kind, self.task
        twin.data_name, twin.metric = self.data_name, self.metric
        twin.tolerance = self.tolerance
        twin.baseline = self.baseline
        twin.rows = list(self.rows)
        twin.curves_rows = None if self.curves_rows is None else list(self.curves_rows)
        twin._draw()
        try:
            return twin._render(Path(path), width, height)
        finally:
            twin.close()
            twin.deleteLater()

    # -- drawing ----------------------------------------------------------------------------
    @property
    def layout_of_study(self) -> Layout:
        """How the study shown is drawn (an unknown one as a learning curve is)."""
        return LAYOUTS.get(self.kind, UNKNOWN_LAYOUT)

    def _draw(self) -> None:
        layout = self.layout_of_study
        what = layout.title
        title = f"{what} on {self.data_name}" if self.data_name else what
        if self.metric:
            title += f" — {metric_name(self.metric)} by {layout.by}"
        self._title.setText(title, color=AXIS_COLOR, size="13pt", bold=True)
        for plot in (self.left, self.right):
            plot.clear()
            plot.getAxis("bottom").setTicks(None)
        self.left_legend.clear()
        self.right_legend.clear()
        if not self.kind:
            style_plot(self.left, "Score", "", "")
            style_plot(self.right, "Validation loss per epoch", "epoch", "")
        else:
            layout.left(self, self.left)
            layout.right(self, self.right)
        legend_row.arrange(self._view.ci.layout, self.left_legend, self.right_legend)

    def _draw_score_bars(self, plot: pg.PlotItem) -> None:
        self._draw_bars(plot, self.metric, metric_name(self.metric))

    def _draw_loss_curves(self, _plot: pg.PlotItem) -> None:
        self._draw_curves(self.curves_rows if self.curves_rows is not None else self.rows)

    def _draw_bars(self, plot: pg.PlotItem, key: str, ylabel: str) -> None:
        by = self.layout_of_study.by
        style_plot(plot, f"{ylabel.capitalize()} by {by}", by, ylabel)
        values = [_value(r, key) for r in self.rows]
        self._bars(plot, values, [_fmt(v) if v is not None else "" for v in values])
        self._draw_baseline(plot)

    def _draw_baseline(self, plot: pg.PlotItem) -> None:
        """The trivial baseline's test score as a dashed line across the score panel."""
        base = self.baseline
        value = getattr(base, "test_value", None)
        if value is None or self.metric not in ("test_accuracy", "test_mae"):
            return
        pen = pg.mkPen(MUTED, width=1.5, style=Qt.PenStyle.DashLine)
        line = pg.InfiniteLine(pos=value, angle=0, pen=pen)
        line.setToolTip(f"The trivial baseline: {base.words}, {_fmt(value)} on the test split")
        plot.addItem(line)
        sample = pg.PlotDataItem([0, 1], [0, 0], pen=pen)
        rule = base.words.split(",")[0]  # "always answering the most common class"
        self.left_legend.addItem(sample, f"{rule} ({_fmt(value)})")
        top = plot.viewRange()[1][1]
        if value > top * 0.95:
            plot.setYRange(0, _ceiling(value, self.metric), padding=0)

    def _bars(self, plot: pg.PlotItem, values: list[float | None], texts: list[str]) -> None:
        xs = list(range(len(self.rows)))
        plot.getAxis("bottom").setTicks([[(i, r.label) for i, r in enumerate(self.rows)], []])
        shown = [(i, v) for i, v in enumerate(values) if v is not None]
        top = max([v for _, v in shown] or [1.0])
        top = max(top, 1e-9)
        if shown:
            bars = pg.BarGraphItem(
                x=[i for i, _ in shown],
                height=[v for _, v in shown],
                width=0.6,
                brushes=[pg.mkBrush(PALETTE[i % len(PALETTE)]) for i, _ in shown],
                pens=[pg.mkPen("#343a40", width=0.6) for _ in shown],
            )
            plot.addItem(bars)
        for i, row in enumerate(self.rows):
            if values[i] is not None:
                label = pg.TextItem(texts[i], color=AXIS_COLOR, anchor=(0.5, 1.0))
                label.setPos(i, values[i])
            else:
                label = pg.TextItem(row.status, color=self._status_color(row), anchor=(0.5, 1.0))
                label.setPos(i, top * 0.06)
            plot.addItem(label)
        plot.setXRange(-0.6, max(0.6, len(xs) - 0.4), padding=0)
        plot.setYRange(0, _ceiling(top, self.metric if plot is self.left else ""), padding=0)

    def _draw_lines(self, plot: pg.PlotItem) -> None:
        """Metric against x: batch size on a log₂ axis, training examples on a linear one."""
        layout = self.layout_of_study
        log, xlabel = layout.log_x, layout.by
        ylabel = "score" if layout.second_score else metric_name(self.metric)
        title = f"{metric_name(self.metric).capitalize()} by {xlabel}"
        if layout.second_score and self.task != "regression":
            title = "Test accuracy and F1 (macro) by training examples"
        style_plot(plot, title, xlabel, ylabel)
        keys = [self.metric]
        if layout.second_score:
            keys.append("test_f1" if self.task != "regression" else "test_r2")
        tops: list[float] = []
        for n, key in enumerate(keys):
            points = sorted(
                (self._x(r, log), _value(r, key)) for r in self.rows if _value(r, key) is not None
            )
            if not points:
                continue
            color = PALETTE[0] if n == 0 else F1_COLOR
            item = plot.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                pen=pg.mkPen(
                    color,
                    width=2.5,
                    style=Qt.PenStyle.SolidLine if n == 0 else Qt.PenStyle.DashLine,
                ),
                symbol="o" if n == 0 else "s",
                symbolSize=9,
                symbolBrush=color,
                symbolPen=pg.mkPen("w", width=1),
                name=metric_name(key),
            )
            self.left_legend.addItem(item, metric_name(key))
            tops += [p[1] for p in points]
            if n == 0:
                for x, y in points:
                    text = pg.TextItem(_fmt(y), color=AXIS_COLOR, anchor=(0.5, 1.25))
                    text.setPos(x, y)
                    plot.addItem(text)
        self._x_ticks(plot, log)
        top = max(tops or [1.0])
        self._mark_missing(plot, log, top)
        plot.setYRange(min(0.0, min(tops or [0.0])), _ceiling(top, self.metric), padding=0)
        self._draw_baseline(plot)

    def _draw_times_line(self, plot: pg.PlotItem) -> None:
        style_plot(plot, "Training time by batch size", "batch size", "seconds")
        points = sorted((self._x(r, True), r.seconds) for r in self.rows if r.status == "completed")
        if points:
            item = plot.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                pen=pg.mkPen(PALETTE[2], width=2.5),
                symbol="o",
                symbolSize=9,
                symbolBrush=PALETTE[2],
                symbolPen=pg.mkPen("w", width=1),
                name="training time (s)",
            )
            self.right_legend.addItem(item, "training time (s)")
            for x, y in points:
                text = pg.TextItem(f"{y:.1f} s", color=AXIS_COLOR, anchor=(0.5, 1.25))
                text.setPos(x, y)
                plot.addItem(text)
        self._x_ticks(plot, True)
        top = max([p[1] for p in points] or [1.0])
        self._mark_missing(plot, True, top)
        plot.setYRange(0, top * 1.25 if top > 0 else 1.0, padding=0)

    def _draw_time_bars(self, plot: pg.PlotItem) -> None:
        style_plot(plot, "Training time by device", "device", "seconds")
        values = [r.seconds if r.status == "completed" else None for r in self.rows]
        texts = []
        for r, v in zip(self.rows, values, strict=True):
            per = r.metrics.get("seconds_per_epoch")
            texts.append(
                f"{v:.1f} s" + (f"\n{per:.2f} s/epoch" if per is not None else "")
                if v is not None
                else ""
            )
        self._bars(plot, values, texts)

    def _draw_curves(self, rows: list[Any]) -> None:
        plot = self.right
        plot.clear()
        plot.getAxis("bottom").setTicks(None)
        self.right_legend.clear()
        style_plot(plot, "Validation loss per epoch", "epoch", "validation loss")
        base = self.baseline
        if base is not None and base.metric == "val_loss":  # class weights: the uniform answer
            pen = pg.mkPen(MUTED, width=1.5, style=Qt.PenStyle.DashLine)
            line = pg.InfiniteLine(pos=base.value, angle=0, pen=pen)
            line.setToolTip(f"The trivial baseline: {base.text()}")
            plot.addItem(line)
            sample = pg.PlotDataItem([0, 1], [0, 0], pen=pen)
            self.right_legend.addItem(sample, f"trivial baseline ({_fmt(base.value)})")
        stars = False
        for i, row in enumerate(rows):
            index = self.rows.index(row) if row in self.rows else i
            losses = row.history.get("val_loss") or row.history.get("loss") or []
            points = [
                (e + 1, v) for e, v in enumerate(losses) if v is not None and math.isfinite(v)
            ]
            if not points:
                continue
            color = PALETTE[index % len(PALETTE)]
            below = getattr(row, "below_baseline", False)
            style = Qt.PenStyle.DashLine if below else Qt.PenStyle.SolidLine
            name = f"{row.label}: {NOT_CONVERGED}" if below else row.label
            item = plot.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                pen=pg.mkPen(color, width=2, style=style),
                symbol="o",
                symbolSize=5,
                symbolBrush=color,
                symbolPen=None,
                name=name,
            )
            if below:
                item.setToolTip(f"{row.label} {not_converged_text(base)}")
            self.right_legend.addItem(item, name)
            at = row.epochs_to_converge
            if at is not None and at <= len(losses) and math.isfinite(losses[at - 1]):
                marker = pg.ScatterPlotItem(
                    [at], [losses[at - 1]], symbol="star", size=15, brush=pg.mkBrush(color),
                    pen=pg.mkPen("#000", width=0.7),
                )  # fmt: skip
                marker.setToolTip(f"{row.label}: converged at epoch {at}")
                plot.addItem(marker)
                stars = True
        longest = max((len(r.history.get("val_loss") or []) for r in rows), default=0)
        if longest:  # whole epochs only (pyqtgraph would mark 1.5 on a 3-epoch axis)
            step = max(1, math.ceil(longest / 10))
            ticks = [(e, str(e)) for e in range(1, longest + 1, step)]
            plot.getAxis("bottom").setTicks([ticks, []])
        if stars:
            sample = pg.ScatterPlotItem(
                symbol="star", size=13, brush=pg.mkBrush("w"), pen=pg.mkPen("#000", width=0.8)
            )
            self.right_legend.addItem(sample, f"converged (within {self.tolerance:.0%} of best)")
        plot.enableAutoRange()

    def converged_labels(self) -> list[str]:
        """The trainings starred "converged" in the right panel (for tests)."""
        return [
            item.toolTip().split(": converged")[0]
            for item in self.right.items
            if isinstance(item, pg.ScatterPlotItem) and ": converged" in (item.toolTip() or "")
        ]

    def legend_texts(self) -> list[str]:
        """Every legend entry of both panels (for tests)."""
        return [
            label.text
            for legend in (self.left_legend, self.right_legend)
            for _sample, label in legend.items
        ]

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _status_color(row: Any) -> str:
        return FAILED_COLOR if row.status == "failed" else MUTED

    @staticmethod
    def _x(row: Any, log: bool) -> float:
        return math.log2(row.x) if log and row.x > 0 else float(row.x)

    def _x_ticks(self, plot: pg.PlotItem, log: bool) -> None:
        xs = sorted({self._x(r, log) for r in self.rows if r.x > 0})
        if not xs:
            return
        if log:
            labels = {self._x(r, log): f"{int(r.x)}" for r in self.rows}
            plot.getAxis("bottom").setTicks([[(x, labels[x]) for x in xs], []])
        span = (xs[-1] - xs[0]) or 1.0
        plot.setXRange(xs[0] - span * 0.08, xs[-1] + span * 0.08, padding=0)

    def _mark_missing(self, plot: pg.PlotItem, log: bool, top: float) -> None:
        """Failed, stopped and skipped trainings: their status written at their x."""
        for row in self.rows:
            if row.status == "completed" or row.x <= 0:
                continue
            text = pg.TextItem(row.status, color=self._status_color(row), anchor=(0.5, 1.0))
            text.setToolTip(row.reason)
            text.setPos(self._x(row, log), top * 0.06)
            plot.addItem(text)

    def _render(self, path: Path, width: int, height: int) -> Path:
        from automl_gui.core.base.files import atomic_write

        # drawn by a shown widget: rendering one never shown crashed pyqtgraph's layout
        # (an error inside a resize event); WA_DontShowOnScreen keeps it off the screen
        self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        self.resize(width, height)
        self.show()
        app = QApplication.instance()
        if app is not None:
            app.processEvents()
        image = QImage(width, height, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        self.render(image)

        def write(tmp: Path) -> None:
            if not image.save(str(tmp), "PNG"):
                raise OSError(f"Could not write {path}.")

        return atomic_write(path, write, make_parents=True)


#: study → how it is drawn
LAYOUTS = {
    "optimizers": Layout(
        "Optimizers", "optimizer", StudyPlot._draw_score_bars, StudyPlot._draw_loss_curves
    ),
    "batch-sizes": Layout(
        "Batch sizes", "batch size", StudyPlot._draw_lines, StudyPlot._draw_times_line,
        log_x=True,
    ),
    "learning-curve": Layout(
        "Learning curve", "training examples", StudyPlot._draw_lines,
        StudyPlot._draw_loss_curves, second_score=True,
    ),
    "devices": Layout("Devices", "device", StudyPlot._draw_score_bars, StudyPlot._draw_time_bars),
}  # fmt: skip
#: a study this plot does not know: its scores as lines, its validation loss per epoch
UNKNOWN_LAYOUT = Layout(
    "Comparison study", "setting", StudyPlot._draw_lines, StudyPlot._draw_loss_curves
)
