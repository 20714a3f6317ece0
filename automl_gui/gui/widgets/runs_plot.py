"""Overlaid training curves of several runs (the Runs window's plot).

One colour per run; validation solid, training dashed; the best epoch marked with a dot on
the run's validation curve. A combobox picks the quantity (loss, accuracy or MAE, learning
rate: whatever the runs' histories hold). Runs of different lengths share the epoch axis
(1-based); a run without the chosen quantity is left out and named under the plot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from automl_gui.gui.runs_data import best_epoch, curves, quantities
from automl_gui.plots.style import AXIS_COLOR, PALETTE, style_plot

MUTED = "#868e96"
QUANTITY_TIPS = {
    "loss": "The loss the model minimizes, per epoch (lower is better)",
    "lr": "The learning rate used in each epoch (log scale)",
}


def run_color(index: int) -> str:
    """The colour of the run at ``index`` in the history (stable while runs are checked)."""
    return PALETTE[index % len(PALETTE)]


def _pen(color: str, dashed: bool, width: float = 2.2) -> Any:
    pen = pg.mkPen(color=color, width=width)
    if dashed:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


# how the curves are drawn; each phrase kept whole (no-break spaces), wrapping between them only
STYLE_KEY = " · ".join(
    p.replace(" ", "\u00a0") for p in ("── validation", "╌╌ training", "● best epoch")
)
LEGEND_SAMPLE = 50  # px of a legend entry besides its name (the line sample and spacing)


class RunsPlot(QWidget):
    """Curves of the checked runs for one quantity, picked in a combobox."""

    quantity_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.records: list[Any] = []
        self.colors: dict[str, str] = {}
        self.skipped: list[str] = []  # names of checked runs without the quantity
        self._curves: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._best: dict[str, tuple[float, float]] = {}

        self.combo = QComboBox()
        self.combo.setToolTip("Which curve to compare: loss, a metric or the learning rate")
        self.combo.setMinimumContentsLength(14)
        self.combo.currentIndexChanged.connect(self._on_combo)
        caption = QLabel("&Curve:")
        caption.setBuddy(self.combo)
        # each phrase stays whole (no-break spaces): a narrow pane breaks between them only
        self.style_label = QLabel(STYLE_KEY)
        self.style_label.setProperty("role", "muted")
        self.style_label.setWordWrap(True)  # wraps in a narrow pane instead of widening it
        self.style_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.style_label.setToolTip(
            "Validation curves are solid, training curves dashed; the dot marks the epoch whose "
            "weights each run kept (lowest validation loss)"
        )
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(caption)
        top.addWidget(self.combo)
        top.addWidget(self.style_label, 1)

        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.view.ci.setSpacing(4)
        self.view.setToolTip("Training curves of the checked runs; x is the epoch (1 = first)")
        self.legend = pg.LegendItem(colCount=3, labelTextColor=AXIS_COLOR)
        self.view.addItem(self.legend, row=0, col=0)
        self.plot = self.view.addPlot(row=1, col=0)
        style_plot(self.plot, "", "epoch", "")
        self.plot.getViewBox().setDefaultPadding(0.03)

        self.note = QLabel()
        self.note.setProperty("role", "muted")
        self.note.setWordWrap(True)
        self.note.setToolTip("Checked runs whose history has no such curve")
        self.note.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.note)

    # -- public -----------------------------------------------------------------------------
    @property
    def quantity(self) -> str:
        """The history key shown ("loss", "accuracy", "mae", "lr" ...); "" when none."""
        return str(self.combo.currentData() or "")

    def set_quantity(self, key: str) -> bool:
        """Show ``key``'s curves; False when no checked run has it."""
        index = self.combo.findData(key)
        if index < 0:
            return False
        self.combo.setCurrentIndex(index)
        return True

    def set_runs(self, records: Sequence[Any], colors: Mapping[str, str]) -> None:
        """Plot ``records`` (the checked runs) in ``colors`` (run id → colour)."""
        self.records = list(records)
        self.colors = dict(colors)
        keep = self.quantity or "loss"
        self.combo.blockSignals(True)
        self.combo.clear()
        for key, label in quantities(self.records):
            self.combo.addItem(label, key)
            self.combo.setItemData(
                self.combo.count() - 1,
                QUANTITY_TIPS.get(key, f"{label} per epoch, training and validation"),
                Qt.ItemDataRole.ToolTipRole,
            )
        index = self.combo.findData(keep)
        self.combo.setCurrentIndex(index if index >= 0 else (0 if self.combo.count() else -1))
        self.combo.setEnabled(self.combo.count() > 0)
        self.combo.blockSignals(False)
        self.redraw()

    def curve_data(self) -> dict[tuple[str, str], tuple[list[float], list[float]]]:
        """(run id, "val"/"train") → (epochs, values) as drawn (for tests and export)."""
        out = {}
        for key, item in self._curves.items():
            xs, ys = item.getData()
            out[key] = ([] if xs is None else list(xs), [] if ys is None else list(ys))
        return out

    def best_points(self) -> dict[str, tuple[float, float]]:
        """Run id → (epoch, value) of its best-epoch dot."""
        return dict(self._best)

    def legend_names(self) -> list[str]:
        return [label.text for _sample, label in self.legend.items]

    # -- drawing ----------------------------------------------------------------------------
    def _on_combo(self, _index: int) -> None:
        self.redraw()
        self.quantity_changed.emit(self.quantity)

    def redraw(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self._curves.clear()
        self._best.clear()
        self.skipped = []
        key = self.quantity
        label = self.combo.currentText()
        log = key in ("lr", "learning_rate")
        self.plot.setLogMode(y=log)
        self.plot.setTitle(f"{label} per epoch" if key else "", color=AXIS_COLOR, size="11pt")
        self.plot.setLabel("left", label.lower() if key else "", color=AXIS_COLOR)
        if not key:
            self.note.hide()
            return
        for record in self.records:
            parts = curves(record, key)
            if not parts:
                self.skipped.append(record.name)
                continue
            color = self.colors.get(record.id, run_color(0))
            first = None
            for part in ("val", "train"):
                values = parts.get(part)
                if not values:
                    continue
                xs = [float(i + 1) for i in range(len(values))]
                ys = [v if not (log and v <= 0) else math.nan for v in values]
                item = self.plot.plot(
                    xs, ys, pen=_pen(color, dashed=part == "train"), connect="finite"
                )
                item.setToolTip(f"{record.name}: {'validation' if part == 'val' else 'training'}")
                self._curves[(record.id, part)] = item
                first = first or item
            if first is not None:
                self.legend.addItem(first, record.name)
            self._mark_best(record, parts, color, log)
        self._fit_legend()
        if self.skipped:
            names = ", ".join(self.skipped)
            self.note.setText(f"Not shown (no {label.lower()} curve): {names}.")
            self.note.show()
        else:
            self.note.hide()

    def _fit_legend(self) -> None:
        """As many legend columns (at most 3) as the names fit side by side: a legend wider
        than the pane pushed the plot out of it."""
        labels = [label for _sample, label in self.legend.items]
        if not labels:
            return
        widest = max(label.boundingRect().width() for label in labels) + LEGEND_SAMPLE
        columns = max(1, min(3, int((self.view.width() - 20) // max(widest, 1))))
        if columns != self.legend.columnCount:
            self.legend.setColumnCount(columns)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_legend()

    def _mark_best(self, record: Any, parts: dict[str, list[float]], color: str, log: bool) -> None:
        best = best_epoch(record)
        values = parts.get("val") or parts.get("train") or []
        if best is None or best > len(values):
            return
        y = values[best - 1]
        if not math.isfinite(y) or (log and y <= 0):
            return
        # a PlotDataItem (not a bare scatter) so the plot's log mode applies to it too
        dot = self.plot.plot(
            [float(best)],
            [y],
            pen=None,
            symbol="o",
            symbolSize=11,
            symbolBrush=pg.mkBrush(color),
            symbolPen=pg.mkPen("#212529", width=1.2),
        )
        dot.setToolTip(f"{record.name}: best epoch {best}")
        dot.setZValue(10)
        self._best[record.id] = (float(best), y)
