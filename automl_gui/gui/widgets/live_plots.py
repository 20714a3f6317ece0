"""Live training plots: loss, metric, learning rate and generalization gap.

Data arrive as core events (:class:`BatchEnd`, :class:`EpochEnd`, :class:`PhaseChanged`) and are
stored at once, so the accessors always tell the truth; drawing is coalesced by a timer to at
most ~10 redraws per second, whatever the event rate. Epochs are drawn 1-based at the end of
each epoch (x = epoch + 1), batches at fractional epochs (x = epoch + (step + 1) / steps).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from automl_gui.core.base.events import BatchEnd, EpochEnd, PhaseChanged
from automl_gui.plots.style import AXIS_COLOR, short_number, style_plot

REDRAW_INTERVAL_MS = 100
EMA_EPOCHS = 0.25  # time constant of the smoothed batch-loss line, in epochs
LEFT_AXIS_WIDTH = 74  # px: tick labels such as "1.25e-3" or "-0.02" and the axis title
MIN_HEIGHT = 380  # px: the legend and two rows of plots of ~170 px, axes and titles readable

TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#e8590c"
BATCH_COLOR = (31, 119, 180, 110)
LR_COLOR = "#2b8a3e"
GAP_COLOR = "#7048e8"
PHASE_COLOR = "#868e96"
OVERFIT_COLOR = "#c92a2a"
BEST_COLOR = "#f08c00"
REFIT_COLOR = "#c2255c"  # not the learning rate's green nor the gap's violet
#: the phase ``core.jobs._refit`` announces: its epochs (training and validation rows
#: together, no validation curve) are drawn as their own series, not as more "train" epochs
REFIT_PHASE = "refit"
REFIT_NAME = "refit on all data"


def _finite(value: object) -> float | None:
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def log_tick(x: float) -> str:
    """A log axis label: "0.01", "0.5", "1", "20" near 1, else short scientific ("1e-3",
    "5e-4", "2e5"); "" for a value that is not 1, 2 or 5 × 10^k."""
    if not x > 0 or not math.isfinite(x):
        return ""
    k = math.floor(math.log10(x) + 1e-9)
    mantissa = round(x / 10**k, 3)
    if mantissa not in (1, 2, 5):
        return ""
    if -2 <= k <= 2:
        return f"{x:.{max(0, -k)}f}"
    return f"{int(mantissa)}e{k}"


def fine_ticks(low: float, high: float) -> list[float]:
    """Two to five round values (1, 2, 2.5 or 5 × 10^k apart) between ``low`` and ``high``
    (> 0): the ticks of a log axis whose range holds fewer than two 1, 2, 5 × 10^k values."""
    if not 0 < low < high or not math.isfinite(high):
        return []
    for step_count in (3, 2, 1.2):
        raw = (high - low) / step_count
        k = math.floor(math.log10(raw))
        for mantissa in (5, 2.5, 2, 1):
            step = mantissa * 10**k
            first = math.ceil(low / step - 1e-9)
            ticks = [round(i * step, 12) for i in range(first, math.floor(high / step + 1e-9) + 1)]
            ticks = [t for t in ticks if t > 0]
            if 2 <= len(ticks) <= 5:
                return ticks
    return []


class _LogAxis(pg.AxisItem):
    """Log axis labelled at 1, 2 and 5 × 10^k (:func:`log_tick`); where the range holds
    fewer than two of those, at round values in between (:func:`fine_ticks`), and a constant
    series (``constant``) at its one value, so the axis always says what the rate is."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - pyqtgraph's
        super().__init__(*args, **kwargs)
        self.constant: float | None = None
        self._fine = False  # the ticks are fine_ticks' (labelled in full)

    def set_constant(self, value: float | None) -> None:
        if value != self.constant:
            self.constant = value
            self.picture = None  # pyqtgraph's cached drawing
            self.update()

    def logTickValues(self, minVal, maxVal, size, stdTicks):  # noqa: N802, N803 - pyqtgraph API
        self._fine = False
        if self.constant is not None:
            self._fine = True
            return [(None, [math.log10(self.constant)])]
        ticks = super().logTickValues(minVal, maxVal, size, stdTicks)
        labelled = {
            v for _, values in ticks for v in values if minVal <= v <= maxVal and log_tick(10**v)
        }
        fine = fine_ticks(10**minVal, 10**maxVal) if len(labelled) < 2 else []
        if not fine:
            return ticks
        self._fine = True
        return [(None, [math.log10(v) for v in fine])]

    def logTickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph API
        if self._fine:
            return [short_number(10 ** (v * scale)) for v in values]
        return [log_tick(10 ** (v * scale)) for v in values]


class TrainingPlots(QWidget):
    """Four linked plots of a training run, fed by events or by a finished history."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._view = pg.GraphicsLayoutWidget()
        self._view.setBackground("w")
        self._view.ci.setSpacing(12)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        # said only when it happens: an epoch cut short has validation figures, no training ones
        self.note = QLabel()
        self.note.setProperty("role", "muted")
        self.note.setWordWrap(True)
        self.note.setContentsMargins(8, 2, 8, 2)
        self.note.hide()
        layout.addWidget(self.note)
        # two rows of plots stay readable: below this the page scrolls (Train page)
        self.setMinimumHeight(MIN_HEIGHT)

        # One legend above the grid, so no legend ever hides a curve.
        self.legend = pg.LegendItem(colCount=5, labelTextColor=AXIS_COLOR)
        self._view.addItem(self.legend, row=0, col=0, colspan=2)
        self.loss_plot = self._make_plot(1, 0, "Loss", "loss")
        self.metric_plot = self._make_plot(1, 1, "Accuracy", "accuracy")
        self.lr_plot = self._make_plot(2, 0, "Learning rate", "learning rate", log_axis=True)
        self.gap_plot = self._make_plot(2, 1, "Generalization gap", "val loss − loss")
        self.lr_plot.setLogMode(y=True)
        for plot in (self.metric_plot, self.lr_plot, self.gap_plot):
            plot.setXLink(self.loss_plot)

        def pen(color: object, width: float = 2.0, style: object = None) -> object:
            p = pg.mkPen(color=color, width=width)
            if style is not None:
                p.setStyle(style)
            return p

        sym = {"symbol": "o", "symbolSize": 6}
        self._batch_curve = self.loss_plot.plot(pen=pen(BATCH_COLOR, 1.5), name="batch (smoothed)")
        self._loss_curve = self.loss_plot.plot(
            pen=pen(TRAIN_COLOR), symbolBrush=TRAIN_COLOR, symbolPen=None, name="train", **sym
        )
        self._val_loss_curve = self.loss_plot.plot(
            pen=pen(VAL_COLOR), symbolBrush=VAL_COLOR, symbolPen=None, name="validation", **sym
        )
        self._best_marker = pg.ScatterPlotItem(
            symbol="star", size=16, brush=pg.mkBrush(BEST_COLOR), pen=pg.mkPen("#000", width=0.8)
        )
        self.loss_plot.addItem(self._best_marker)
        self._metric_curve = self.metric_plot.plot(
            pen=pen(TRAIN_COLOR), symbolBrush=TRAIN_COLOR, symbolPen=None, name="train", **sym
        )
        self._val_metric_curve = self.metric_plot.plot(
            pen=pen(VAL_COLOR), symbolBrush=VAL_COLOR, symbolPen=None, name="validation", **sym
        )
        self._refit_loss_curve = self.loss_plot.plot(
            pen=pen(REFIT_COLOR), symbolBrush=REFIT_COLOR, symbolPen=None, name=REFIT_NAME, **sym
        )
        self._refit_metric_curve = self.metric_plot.plot(
            pen=pen(REFIT_COLOR), symbolBrush=REFIT_COLOR, symbolPen=None, name=REFIT_NAME, **sym
        )
        self._refit_in_legend = False
        self._lr_curve = self.lr_plot.plot(
            pen=pen(LR_COLOR), symbolBrush=LR_COLOR, symbolPen=None, **sym
        )
        self.gap_plot.addItem(
            pg.InfiniteLine(pos=0, angle=0, pen=pen(PHASE_COLOR, 1, Qt.PenStyle.DashLine))
        )
        self._gap_curve = self.gap_plot.plot(
            pen=pen(GAP_COLOR), symbolBrush=GAP_COLOR, symbolPen=None, **sym
        )
        self.legend.addItem(self._loss_curve, "train")
        self.legend.addItem(self._val_loss_curve, "validation")
        self.legend.addItem(self._batch_curve, "batch loss (smoothed)")
        self.legend.addItem(self._best_marker, "best epoch")

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(lambda: self.redraw(full=self._epochs_dirty))
        self._markers: list[tuple[object, pg.InfiniteLine]] = []
        self.redraw_count = 0
        self._epochs_dirty = True
        self.reset("binary")

    # -- construction ------------------------------------------------------------------------
    def _make_plot(
        self, row: int, col: int, title: str, ylabel: str, log_axis: bool = False
    ) -> pg.PlotItem:
        axes = {"left": _LogAxis(orientation="left")} if log_axis else None
        plot = self._view.addPlot(row=row, col=col, axisItems=axes)
        style_plot(plot, title, "epoch", ylabel)
        # one width for every left axis: the x-linked plots line their epochs up (a wider
        # "7.5e-3" axis shifted the learning rate's epochs and hid its first tick)
        plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        return plot

    # -- feeding -----------------------------------------------------------------------------
    def reset(self, task: str) -> None:
        """Clear everything and prepare for a new run of ``task`` (binary/multiclass/regression)."""
        self.task = task
        self.metric_key = "mae" if task == "regression" else "accuracy"
        metric_title = "Mean absolute error" if task == "regression" else "Accuracy"
        self.metric_plot.setTitle(metric_title, color=AXIS_COLOR, size="11pt")
        self.metric_plot.setLabel("left", self.metric_key, color=AXIS_COLOR)
        self._epochs: list[int] = []
        self._series: dict[str, list[float]] = {}
        self._batches: list[tuple[float, float]] = []
        self._ema: float | None = None
        self._phases: list[tuple[str, int]] = []
        self.overfitting_epoch: int | None = None
        self._best_override: int | None = None
        for plot, line in self._markers:
            plot.removeItem(line)  # type: ignore[attr-defined]
        self._markers = []
        self.redraw()

    def add_batch(self, event: BatchEnd) -> None:
        """Add a (throttled) batch report to the smoothed batch-loss line."""
        loss = _finite(event.logs.get("loss"))
        if loss is None:
            return
        steps = max(int(event.steps or 1), 1)
        x = event.epoch + min(event.step + 1, steps) / steps
        if self._ema is None or not self._batches:
            self._ema = loss
        else:
            # the weight depends on the x distance, so the smoothing spans ~a quarter epoch
            # however many (throttled) batch reports an epoch gets
            dx = max(x - self._batches[-1][0], 0.0)
            alpha = 1.0 - math.exp(-dx / EMA_EPOCHS)
            self._ema = alpha * loss + (1 - alpha) * self._ema
        self._batches.append((x, self._ema))
        self._schedule(epochs_changed=False)

    def add_epoch(self, event: EpochEnd) -> None:
        """Add one finished epoch's logs (loss, val_loss, metric, val_metric, lr)."""
        self._append_epoch(event.epoch, event.logs)
        self._schedule()

    def _append_epoch(self, epoch: int, logs: Mapping[str, object]) -> None:
        if self._epochs and epoch <= self._epochs[-1]:
            return  # duplicate or out-of-order report
        self._epochs.append(epoch)
        n = len(self._epochs)
        for key, value in logs.items():
            series = self._series.setdefault(key, [])
            series.extend([math.nan] * (n - 1 - len(series)))
            f = _finite(value)
            series.append(math.nan if f is None else f)

    def mark_phase(self, event: PhaseChanged) -> None:
        """Draw a labelled vertical line where a training phase begins."""
        self._phases.append((event.phase, event.epoch))
        self._add_marker(event.epoch, event.phase, PHASE_COLOR)
        self._schedule()  # the refit's epochs become their own series

    def mark_overfitting(self, epoch: int | None) -> None:
        """Draw (or move) the "overfitting" marker at 0-based ``epoch``; None removes it."""
        if self.overfitting_epoch == epoch:
            return
        if self.overfitting_epoch is not None:
            self._remove_markers("overfitting")
        self.overfitting_epoch = epoch
        if epoch is not None:
            self._add_marker(epoch + 1, "overfitting", OVERFIT_COLOR, top=False)

    def set_best_epoch(self, epoch: int | None) -> None:
        """Force the best-epoch marker (0-based), e.g. from ``TrainResult.best_epoch``."""
        self._best_override = epoch
        self._schedule()

    def load_history(
        self,
        history: Mapping[str, Sequence[float]],
        *,
        task: str | None = None,
        best_epoch: int | None = None,
    ) -> None:
        """Show a finished run's per-epoch history (no batch line)."""
        if task is not None:
            self.reset(task)
        else:
            self.reset(self.task)
        n = max((len(v) for v in history.values()), default=0)
        for i in range(n):
            self._append_epoch(i, {k: v[i] for k, v in history.items() if i < len(v)})
        self._best_override = best_epoch
        self.redraw()

    # -- read-only accessors (tests, screenshots) ------------------------------------------
    def epochs(self) -> list[int]:
        """0-based epochs received so far."""
        return list(self._epochs)

    def epoch_points(self, key: str) -> list[float]:
        """Per-epoch values of ``key`` ("loss", "val_loss", "accuracy", "lr", ...)."""
        series = self._series.get(key, [])
        return series + [math.nan] * (len(self._epochs) - len(series))

    def batch_points(self) -> list[tuple[float, float]]:
        """Smoothed batch losses as (fractional epoch, loss)."""
        return list(self._batches)

    def gap_points(self) -> list[float]:
        """val_loss − loss per epoch (NaN where either is missing)."""
        return [
            v - t
            for t, v in zip(self.epoch_points("loss"), self.epoch_points("val_loss"), strict=False)
        ]

    def cut_epochs(self) -> list[int]:
        """0-based epochs with validation figures and no training ones: the time budget or
        Stop ended them before their last batch (the trainer drops a partial epoch's
        training figures)."""
        pairs = zip(self.epoch_points("loss"), self.epoch_points("val_loss"), strict=False)
        return [e for e, (t, v) in zip(self._epochs, pairs, strict=False) if t != t and v == v]

    def _note_cut_epochs(self) -> None:
        cut = [str(e + 1) for e in self.cut_epochs()]
        if cut:
            which = f"Epoch {cut[0]} was" if len(cut) == 1 else f"Epochs {', '.join(cut)} were"
            self.note.setText(
                f"{which} cut short (time budget or Stop): training figures not shown."
            )
        self.note.setVisible(bool(cut))

    def phase_marks(self) -> list[tuple[str, int]]:
        return list(self._phases)

    def refit_start(self) -> int | None:
        """The epochs the first model trained (the refit's are drawn after them), or None."""
        return next((epoch for name, epoch in self._phases if name == REFIT_PHASE), None)

    def best_epoch(self) -> int | None:
        """0-based best epoch: the given one, else the lowest validation loss so far."""
        if self._best_override is not None:
            return self._best_override
        values = [(v, i) for i, v in enumerate(self.epoch_points("val_loss")) if not math.isnan(v)]
        return self._epochs[min(values)[1]] if values else None

    # -- drawing -----------------------------------------------------------------------------
    def _schedule(self, *, epochs_changed: bool = True) -> None:
        # Batch reports only move the batch-loss line: redraw the other three plots (and
        # their axes, the costly part of a repaint) only when an epoch or marker changed.
        self._epochs_dirty = self._epochs_dirty or epochs_changed
        if not self._timer.isActive():
            self._timer.start()

    def redraw(self, full: bool = True) -> None:
        """Push the stored points to the curves now (normally called by the timer).

        ``full=False`` updates only the batch-loss line (what a batch report changes).
        """
        self._timer.stop()
        self.redraw_count += 1
        self._batch_curve.setData([b[0] for b in self._batches], [b[1] for b in self._batches])
        if not full:
            self._show_tick_labels()
            return
        self._epochs_dirty = False
        xs = [e + 1 for e in self._epochs]

        refit = self.refit_start()
        first = (lambda x: x <= refit) if refit is not None else (lambda x: True)

        def put(curve: pg.PlotDataItem, key: str, positive: bool = False, keep=None) -> None:  # noqa: ANN001
            pts = [
                (x, y)
                for x, y in zip(xs, self.epoch_points(key), strict=False)
                if not math.isnan(y) and (y > 0 or not positive) and (keep is None or keep(x))
            ]
            curve.setData([p[0] for p in pts], [p[1] for p in pts])

        put(self._loss_curve, "loss", keep=first)
        put(self._val_loss_curve, "val_loss")
        put(self._metric_curve, self.metric_key, keep=first)
        later = (lambda x: x > refit) if refit is not None else (lambda x: False)
        put(self._refit_loss_curve, "loss", keep=later)
        put(self._refit_metric_curve, self.metric_key, keep=later)
        if (refit is not None) != self._refit_in_legend:
            self._refit_in_legend = refit is not None
            if refit is not None:
                self.legend.addItem(self._refit_loss_curve, REFIT_NAME)
            else:
                self.legend.removeItem(self._refit_loss_curve)
        put(self._val_metric_curve, f"val_{self.metric_key}")
        put(self._lr_curve, "lr", positive=True)
        rates = {y for y in self.epoch_points("lr") if y > 0}  # NaN: not > 0
        self.lr_plot.getAxis("left").set_constant(next(iter(rates)) if len(rates) == 1 else None)
        self._note_cut_epochs()
        gap = [(x, g) for x, g in zip(xs, self.gap_points(), strict=False) if not math.isnan(g)]
        self._gap_curve.setData([p[0] for p in gap], [p[1] for p in gap])
        self._show_tick_labels()
        best = self.best_epoch()
        val = self.epoch_points("val_loss") or self.epoch_points("loss")
        if best is not None and best in self._epochs:
            y = val[self._epochs.index(best)] if val else math.nan
            self._best_marker.setData([best + 1] if not math.isnan(y) else [], [y])
        else:
            self._best_marker.setData([], [])

    def _show_tick_labels(self) -> None:
        """An empty plot shows no tick labels: pyqtgraph's default range (0 to 1, on the log
        axis 1 to 10) means nothing before the first value arrives."""
        curves = {
            self.loss_plot: (
                self._loss_curve,
                self._val_loss_curve,
                self._batch_curve,
                self._refit_loss_curve,
            ),
            self.metric_plot: (
                self._metric_curve,
                self._val_metric_curve,
                self._refit_metric_curve,
            ),
            self.lr_plot: (self._lr_curve,),
            self.gap_plot: (self._gap_curve,),
        }
        for plot, items in curves.items():
            shown = any(item.xData is not None and len(item.xData) > 0 for item in items)
            if plot.getAxis("left").style["showValues"] != shown:  # a restyle costs a layout
                for side in ("left", "bottom"):
                    plot.getAxis(side).setStyle(showValues=shown)

    def tick_labels_shown(self, plot: pg.PlotItem) -> bool:
        """Whether ``plot`` labels its ticks (tests)."""
        return bool(plot.getAxis("left").style["showValues"])

    def _add_marker(self, x: float, label: str, color: str, top: bool = True) -> None:
        for i, plot in enumerate((self.loss_plot, self.metric_plot, self.lr_plot, self.gap_plot)):
            line = pg.InfiniteLine(
                pos=x,
                angle=90,
                pen=pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine),
                label=label if i == 0 else None,
                # phases are labelled at the top, clear of the best-epoch star near the
                # curves' foot; the overfitting marker at the foot, clear of the phases
                labelOpts={
                    "position": 0.94 if top else 0.06,
                    "color": color,
                    "fill": (255, 255, 255, 200),
                },
                name=label,
            )
            plot.addItem(line)
            self._markers.append((plot, line))

    def _remove_markers(self, label: str) -> None:
        keep = []
        for plot, line in self._markers:
            if line.name() == label:
                plot.removeItem(line)  # type: ignore[attr-defined]
            else:
                keep.append((plot, line))
        self._markers = keep
