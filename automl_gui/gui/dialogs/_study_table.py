"""The comparison study dialog's results views: the rows table and the running loss plot.

:class:`StudyTable` shows one line per training (live while the study runs, then the
finished rows with the best in bold: the result's own pick, by validation score among the rows
that beat the trivial baseline; a row that never beat it "did not converge");
:class:`RunningLossPlot` draws the running training's loss per epoch.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLayout,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_duration
from automl_gui.core.tune.study.baseline import NOT_CONVERGED, not_converged_text
from automl_gui.gui.dialogs._study_form import STUDY_TYPES
from automl_gui.gui.widgets.live_plots import TRAIN_COLOR, VAL_COLOR
from automl_gui.plots.style import AXIS_COLOR, style_plot

COLUMNS = (
    "Setting",
    "Status",
    "metric",  # the headline metric; its header is set from the study
    "selection",  # the validation score the best is picked by; its header is set too
    "Val loss",
    "Epochs",
    "Iterations to converge",
    "Time",
)
COLUMN_TIPS = (
    "The setting this training used",
    "completed, stopped, failed (hover for why) or skipped",
    "The study's headline score for this training, on the test split",
    "The validation score at the best epoch: the best training is picked by it (not by the "
    "test score), among those that beat the trivial baseline",
    "The best validation loss of this training",
    "Epochs trained (early stopping may end a training before the limit)",
    "Optimizer steps until the first epoch whose validation loss came within the tolerance "
    "(5 % by default) of the training's best; a training that never beat the trivial "
    f"baseline (an answer that ignores the inputs: the summary names it) {NOT_CONVERGED}",
    "Training time (wall clock)",
)
# px: the header and five trainings; both chart panels with their legends and readable axes
# (on a 1400×900 screen both fit whole, the notes under them scroll into view)
TABLE_MIN_HEIGHT = 170
PLOT_MIN_HEIGHT = 360
SETTING_HEADERS = {
    "optimizers": "Optimizer",
    "batch-sizes": "Batch size",
    "learning-curve": "Training data",
    "devices": "Device",
}
STATUS_COLORS = {
    "running": "#1c7ed6",
    "completed": "#2b8a3e",
    "stopped": "#e67700",
    "failed": "#c92a2a",
    "skipped": "#868e96",
}

_WORDS = {"val": "Val", "test": "Test", "mae": "MAE", "rmse": "RMSE", "r2": "R²", "f1": "F1"}


def metric_title(name: str) -> str:
    """'test_accuracy' → 'Test accuracy', 'val_mae' → 'Val MAE', 'seconds' → 'Seconds'."""
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words) or name
    return text[:1].upper() + text[1:]


def _format_number(value: Any) -> str:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(f):
        return "—"
    return f"{f:.4f}" if abs(f) < 1000 else f"{f:,.0f}"


def unscale_axes(widget: Any) -> None:
    """Undo a stuck SI prefix on ``widget``'s plot axes (0.8 drawn as "800").

    pyqtgraph's ``enableAutoSIPrefix(False)`` computes a prefix from the axis' current range
    once more and keeps it; ``style_plot`` called on a plot that already holds data (as
    ``StudyPlot`` redraws do) then leaves scores scaled by 1000 with no unit saying so.
    """
    for plot in (getattr(widget, "left", None), getattr(widget, "right", None)):
        if plot is None:
            continue
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            if not axis.autoSIPrefix and axis.autoSIPrefixScale != 1.0:
                axis.autoSIPrefixScale, axis.labelUnitPrefix = 1.0, ""
                axis.picture = None
                axis.update()


def time_left(
    event: Any, elapsed: float, rows: list[Any], running: int | None, total: int
) -> float | None:
    """Seconds left: the running training's ETA plus the trainings after it, each taking
    the finished ones' average (or, before any finished, as long as this one will)."""
    if event.eta is None or running is None:
        return None
    done = [r.seconds for r in rows if r.status == "completed" and r.seconds > 0]
    per_row = sum(done) / len(done) if done else elapsed + event.eta
    return event.eta + max(total - running - 1, 0) * per_row


def summary_text(result: Any) -> str:
    """ "Study finished: 5 of 5 trainings completed; best by validation accuracy: adam (0.86;
    test 0.82)" — or that none beat the trivial baseline; the fastest too when time is what is
    compared."""
    rows = list(result.rows)
    completed = [r for r in rows if r.status == "completed"]
    text = f"Study finished: {len(completed)} of {len(rows)} trainings completed"
    study = STUDY_TYPES[result.kind]
    best = result.best_index()
    if study.scored and best is not None:
        row = rows[best]
        score = row.metrics.get(result.selection)
        test = row.metrics.get(result.metric)
        text += f"; best by {metric_title(result.selection).lower()}: {row.label}"
        text += f" ({_format_number(score)}" if score is not None else " ("
        text += f"; {metric_title(result.metric).lower()} {_format_number(test)})"
    elif study.scored and completed and result.baseline is not None:
        text += f"; none beat the trivial baseline ({result.baseline.text()})"
    below = [r.label for r in rows if r.below_baseline]
    if below and best is not None:
        text += f"; {not_converged_text()}: {', '.join(below)}"
    if study.timed and completed:
        fastest = min(completed, key=lambda r: r.seconds)
        text += f"; fastest: {fastest.label} ({format_duration(fastest.seconds, unknown='?')})"
    return text


def two_lines(title: str) -> str:
    """A column title of several words on two lines at its first space ("Iterations" over "to
    converge"): the table fits beside the running training's plot in a 1024-px window."""
    return title.replace(" ", "\n", 1) if len(title) > 7 else title


class StudyTable(QTableWidget):
    """One line per training of a study, updated while it runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([two_lines(c) for c in COLUMNS])
        for col, tip in enumerate(COLUMN_TIPS):
            self.horizontalHeaderItem(col).setToolTip(tip)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)  # the settings' names are never cut to "adad…"
        self.setToolTip("One line per training; hover a status for the reason")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.headline = ""
        self.selection = ""
        self.baseline: Any = None
        self.set_metric("")

    def set_metric(self, metric: str, selection: str = "", baseline: Any = None) -> None:
        """The headline (test) metric this table shows in its third column, the validation
        score the best is picked by in its fourth, and the study's trivial baseline."""
        self.headline, self.selection = metric, selection
        self.baseline = baseline
        for col, title in (
            (2, metric_title(metric) if metric else "Score"),
            (3, metric_title(selection) if selection else "Val score"),
        ):
            self.horizontalHeaderItem(col).setText(two_lines(title))

    def clear_rows(self, kind: str = "") -> None:
        """Empty the table for a study of ``kind`` (its first column is named after it)."""
        self.setRowCount(0)
        self.horizontalHeaderItem(0).setText(two_lines(SETTING_HEADERS.get(kind, COLUMNS[0])))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """As wide as every column whole: the splitter gives the running loss plot the rest,
        never a part of the table (it scrolled sideways, "Time" cut)."""
        header = self.horizontalHeader()
        width = sum(
            max(header.sectionSizeHint(c), self.sizeHintForColumn(c))
            for c in range(self.columnCount())
        )
        width += 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, super().minimumSizeHint().height())

    def header_text(self, col: int) -> str:
        """Column ``col``'s title on one line."""
        return self.horizontalHeaderItem(col).text().replace("\n", " ")

    def labels(self) -> list[str]:
        return [self.item(r, 0).text() for r in range(self.rowCount())]

    def cell_text(self, row: int, column: str) -> str:
        col = COLUMNS.index(column) if column in COLUMNS else 2
        item = self.item(row, col)
        return item.text() if item is not None else ""

    def start_row(self, index: int, label: str) -> None:
        """A training began: its line shows "running"."""
        self._ensure(index)
        self._set(index, ["", "running…", "", "", "", "0", "", ""], label)

    def update_running(self, index: int, epochs: int, val_loss: Any, seconds: float) -> None:
        """Epochs, loss and time of the running training, after each epoch."""
        if index >= self.rowCount():
            return
        for col, text in ((4, _format_number(val_loss)), (5, str(epochs))):
            self.item(index, col).setText(text)
        self.item(index, 7).setText(format_duration(seconds, unknown="?"))

    def set_row(self, index: int, row: Any, metric: str) -> None:
        """Show a finished ``StudyRow`` at line ``index``."""
        self._ensure(index)
        metrics = dict(getattr(row, "metrics", {}) or {})
        value = metrics.get(metric)
        if value is None and metric == "seconds":
            value = row.seconds
        val_loss = metrics.get("val_loss")
        if val_loss is None:
            losses = [v for v in (row.history or {}).get("val_loss", []) if v == v]
            val_loss = min(losses) if losses else None
        steps = row.steps_to_converge
        epochs = row.epochs_to_converge
        converge = "" if steps is None else f"{steps:,}"
        if steps is not None and epochs is not None:
            converge += f" (epoch {epochs})"
        if getattr(row, "below_baseline", False):
            converge = NOT_CONVERGED
        score = metrics.get(self.selection) if self.selection else None
        texts = [
            "",
            row.status,
            _format_number(value) if value is not None else "",
            _format_number(score) if score is not None else "",
            _format_number(val_loss) if val_loss is not None else "",
            str(row.epochs) if row.status != "skipped" else "",
            converge,
            format_duration(row.seconds, unknown="?") if row.status != "skipped" else "",
        ]
        self._set(index, texts, row.label, tip=row.reason)
        converge_item = self.item(index, COLUMNS.index("Iterations to converge"))
        if converge == NOT_CONVERGED:
            converge_item.setForeground(QBrush(QColor(STATUS_COLORS["failed"])))
            converge_item.setToolTip(
                f"{row.label} {not_converged_text(self.baseline)}, however flat its loss"
                + (f"; the baseline: {self.baseline.words}" if self.baseline is not None else "")
            )
        else:
            converge_item.setForeground(QBrush(QColor("#343a40")))
            converge_item.setToolTip("")

    def mark_best(self, index: int | None) -> None:
        """Bold the best line (None: none)."""
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                item = self.item(r, c)
                font = QFont(item.font())
                font.setBold(r == index)
                item.setFont(font)

    def _ensure(self, index: int) -> None:
        while self.rowCount() <= index:
            r = self.rowCount()
            self.insertRow(r)
            for c in range(self.columnCount()):
                item = QTableWidgetItem("")
                if c >= 2:  # numbers (and "did not converge") right-aligned
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.setItem(r, c, item)

    def _set(self, index: int, texts: list[str], label: str, tip: str = "") -> None:
        texts[0] = label
        for c, text in enumerate(texts):
            self.item(index, c).setText(text)
        status = self.item(index, 1)
        key = texts[1].rstrip("…")
        status.setForeground(QBrush(QColor(STATUS_COLORS.get(key, "#343a40"))))
        status.setToolTip(tip or texts[1])
        self.item(index, 0).setToolTip(tip or label)
        self.updateGeometry()  # its minimum width follows the contents


# the running plot's key, under its title (a legend inside the plot covered the val loss line)
KEY = (
    f"<span style='font-size:9pt; color:{TRAIN_COLOR}'>━ loss</span>&nbsp;&nbsp; "
    f"<span style='font-size:9pt; color:{VAL_COLOR}'>━●━ val&nbsp;loss</span>"
)


class RunningLossPlot(QWidget):
    """The running training's loss and validation loss per epoch, the key under the title."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._widget = pg.GraphicsLayoutWidget()
        self._widget.setBackground("w")
        self._widget.ci.setContentsMargins(4, 4, 12, 4)  # the last tick label whole
        self.title = self._widget.addLabel("", row=0, col=0)
        self.plot = self._widget.addPlot(row=1, col=0)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        style_plot(self.plot, "", "epoch", "loss")
        # the plot takes the height, not blank bands
        self.title.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._widget.ci.layout.setRowStretchFactor(1, 1)
        self.label = ""
        self._title("Running training")
        self._train = self.plot.plot([], [], pen=pg.mkPen(TRAIN_COLOR, width=2), name="loss")
        self._val = self.plot.plot(
            [],
            [],
            pen=pg.mkPen(VAL_COLOR, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=VAL_COLOR,
            symbolPen=None,
            name="val loss",
        )
        self._points: dict[str, list[tuple[float, float]]] = {"loss": [], "val_loss": []}
        self.label = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._widget)
        self.setToolTip("Loss per epoch of the training that is running now")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """As tall as the table beside it needs (the window scrolls to what it prefers)."""
        return QSize(260, TABLE_MIN_HEIGHT)

    def start(self, label: str) -> None:
        """A new training: clear the lines and name it in the title."""
        self._points = {"loss": [], "val_loss": []}
        self._redraw()
        self.label = label
        self._title("Running")

    def finish(self) -> None:
        """The study ended: the curves stay, titled as the last training's."""
        if self.label and any(self._points.values()):
            self._title("Last")

    def _title(self, which: str) -> None:
        # a title wider than the view would push the plot out of it: long labels go alone
        label = self.label if len(self.label) <= 28 else self.label[:27] + "…"
        text = f"{which}: {label}" if len(label) <= 16 else label
        self.title.setText(f"{text if label else which}<br>{KEY}", color=AXIS_COLOR, size="11pt")

    def title_text(self) -> str:
        """The title's first line (the key under it)."""
        return self.title.text.split("<br>")[0]

    def add_epoch(self, epoch: int, logs: dict[str, Any]) -> None:
        for key in self._points:
            value = logs.get(key)
            try:
                f = float(value)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue
            if math.isfinite(f):
                self._points[key].append((epoch + 1.0, f))
        self._redraw()

    def val_loss_points(self) -> list[float]:
        return [v for _x, v in self._points["val_loss"]]

    def _redraw(self) -> None:
        for key, curve in (("loss", self._train), ("val_loss", self._val)):
            pts = self._points[key]
            curve.setData([p[0] for p in pts], [p[1] for p in pts])
        epochs = len(self._points["loss"]) or len(self._points["val_loss"])
        step = max(1, math.ceil(epochs / 8))  # whole epochs only, at most ~8 labels
        self.plot.getAxis("bottom").setTickSpacing(step, step)


def scroll_area(parts: tuple[Any, ...], last: QWidget) -> QScrollArea:
    """The study window's content (widgets and layouts, the results stretching, ``last`` under
    them) in a frameless scroll area, for windows shorter than the content's legible height."""
    content = QWidget()
    layout = QVBoxLayout(content)
    layout.setContentsMargins(0, 0, 0, 0)
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if isinstance(part, QSplitter) else 0)
    layout.addWidget(last)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(content)
    return scroll


def results_area(table: QWidget, loss_plot: QWidget, plot: QWidget) -> QSplitter:
    """The study window's results: the table with the running training's loss beside it,
    above the study plot, which gets the full width (its two panels, legends and title need
    it). Each keeps a legible minimum height (:data:`PLOT_MIN_HEIGHT`): the window scrolls
    rather than squeezing them."""
    top = QSplitter(Qt.Orientation.Horizontal)
    top.addWidget(table)
    top.addWidget(loss_plot)
    top.setStretchFactor(0, 2)
    top.setStretchFactor(1, 1)
    # the table's columns whole (two-line titles) and the running loss legible beside it,
    # in a 1024-px window too
    top.setSizes([620, 320])
    results = QSplitter(Qt.Orientation.Vertical)
    results.addWidget(top)
    results.addWidget(plot)
    results.setStretchFactor(0, 2)
    results.setStretchFactor(1, 3)
    results.setChildrenCollapsible(False)
    results.setSizes([260, 440])
    table.setMinimumHeight(TABLE_MIN_HEIGHT)
    plot.setMinimumHeight(PLOT_MIN_HEIGHT)
    return results
