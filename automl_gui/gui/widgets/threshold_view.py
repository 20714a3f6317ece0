"""A binary classifier's decision threshold, chosen by hand or by a rule, with what it costs.

A slider and a spin box on the positive class's probability, the figures at that threshold
(precision, recall, F1, the share predicted positive, the four counts and the cost at the
chosen cost ratio), a precision–recall curve with the current point marked, "Best F1" /
"Lowest cost" (``core.trust.thresholds.best_threshold``), and "Use this threshold" / "Reset
to 0.5", which the page turns into the run's metadata. The curve is what
``core.trust.thresholds.threshold_curve`` returns (columns ``threshold, precision, recall,
f1, predicted_positive_rate, tp, fp, fn, tn``); moving the threshold only looks rows up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.widgets.live_plots import TRAIN_COLOR
from automl_gui.plots.style import style_plot

STEPS = 1000  # slider positions over [0, 1]
MARK_COLOR = "#e8590c"
DEFAULT = 0.5


def _pct(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{100 * value:.1f} %"


class ThresholdView(QWidget):
    """Threshold controls, the figures at the threshold and the precision–recall curve."""

    use_clicked = Signal(float, str)  # value, how it was chosen ("F1", "cost 1:5", "by hand")
    reset_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.curve: Any = None  # the curve the threshold is chosen on
        self.test_curve: Any = None  # the test split's, when chosen on validation
        self.stored: float | None = None  # the threshold in use (greys "Use")
        self.positive = ""
        self.chosen = "by hand"
        self._updating = False

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, STEPS)
        self.slider.setPageStep(STEPS // 20)
        self.slider.setSingleStep(STEPS // 100)
        self.spin = QDoubleSpinBox()
        self.spin.setRange(0.0, 1.0)
        self.spin.setDecimals(3)
        self.spin.setSingleStep(0.01)
        self.threshold_label = QLabel("&Threshold")
        self.threshold_label.setBuddy(self.spin)
        for w in (self.slider, self.spin):
            w.setToolTip(
                "The positive class is predicted when its probability is at least this. "
                "Lower: more positives found (recall up), more false alarms (precision down)."
            )
        self.cost = QDoubleSpinBox()
        self.cost.setRange(0.01, 1000.0)
        self.cost.setDecimals(2)
        self.cost.setValue(1.0)
        self.cost.setSuffix(" ×")
        self.cost.setToolTip(
            "How much worse a missed positive (false negative) is than a false alarm (false "
            "positive): 5 means one miss costs as much as five false alarms."
        )
        cost_label = QLabel("A missed positive &costs")
        cost_label.setBuddy(self.cost)
        self.best_f1 = QPushButton("Best &F1")
        self.best_f1.setToolTip("The threshold with the highest F1 on the test split")
        self.lowest_cost = QPushButton("&Lowest cost")
        self.lowest_cost.setToolTip(
            "The threshold with the lowest total cost on the test split at this cost ratio"
        )
        self.use_button = QPushButton("&Use this threshold")
        self.use_button.setToolTip(
            "Store this threshold with the model: Predict, the command line and every export "
            "decide with it"
        )
        self.reset_button = QPushButton("&Reset to 0.5")
        self.reset_button.setToolTip("Forget the chosen threshold: the most likely class wins")

        self.figures = QTableWidget(0, 2)
        self.figures.setHorizontalHeaderLabels(["At this threshold", "Test split"])
        self.figures.verticalHeader().hide()
        self.figures.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.figures.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.figures.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.figures.setMinimumWidth(250)
        self.figures.setMaximumWidth(420)
        self.figures.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

        self.plot = pg.PlotWidget(background="w")
        style_plot(self.plot.getPlotItem(), "Precision–recall (test split)", "recall", "precision")
        self.plot.getPlotItem().setMouseEnabled(x=False, y=False)
        self.plot.setMinimumHeight(180)
        self.plot.setToolTip("Each point is one threshold; the orange dot is the current one.")
        self.words = QLabel()
        self.words.setWordWrap(True)
        self.words.setProperty("role", "muted")

        controls = QGridLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.threshold_label, 0, 0)
        controls.addWidget(self.slider, 0, 1)
        controls.addWidget(self.spin, 0, 2)
        controls.setColumnStretch(1, 1)
        rules = QHBoxLayout()
        rules.addWidget(cost_label)
        rules.addWidget(self.cost)
        rules.addWidget(QLabel("a false alarm"))
        rules.addStretch(1)
        rules.addWidget(self.best_f1)
        rules.addWidget(self.lowest_cost)
        middle = QHBoxLayout()
        middle.addWidget(self.figures)
        middle.addWidget(self.plot, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.words, 1)
        bottom.addWidget(self.reset_button)
        bottom.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addLayout(rules)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)

        self.slider.valueChanged.connect(lambda v: self._moved(v / STEPS))
        self.spin.valueChanged.connect(self._moved)
        self.cost.valueChanged.connect(lambda _v: self._show_figures())
        self.best_f1.clicked.connect(lambda: self._best("f1"))
        self.lowest_cost.clicked.connect(lambda: self._best("cost"))
        self.use_button.clicked.connect(
            lambda: self.use_clicked.emit(round(self.value(), 3), self.chosen)
        )
        self.reset_button.clicked.connect(self.reset_clicked.emit)
        self._marker = pg.ScatterPlotItem(
            size=11, brush=pg.mkBrush(MARK_COLOR), pen=pg.mkPen("w", width=1.5)
        )

    # -- data ------------------------------------------------------------------------------
    def set_curve(
        self, curve: Any, positive: str, value: float = DEFAULT, test: Any = None
    ) -> None:
        """Show ``curve`` (a DataFrame) for the ``positive`` class, the threshold at ``value``.
        ``test``: the test split's curve when ``curve`` is the validation split's (the
        threshold is chosen on validation, the test figures are what to expect); None when
        ``curve`` is the test split's own."""
        self.curve = curve.sort_values("threshold", kind="stable").reset_index(drop=True)
        self.test_curve = (
            None
            if test is None
            else test.sort_values("threshold", kind="stable").reset_index(drop=True)
        )
        self.positive = positive
        self.threshold_label.setText(f"&Threshold on P({positive})")
        split = "validation split" if self.test_curve is not None else "test split"
        for button, what in ((self.best_f1, "highest F1"), (self.lowest_cost, "lowest cost")):
            button.setToolTip(f"The threshold with the {what} on the {split}")
        self.figures.setColumnCount(3 if self.test_curve is not None else 2)
        self.figures.setHorizontalHeaderLabels(
            ["At this threshold", "Validation", "Test"]
            if self.test_curve is not None
            else ["At this threshold", "Test split"]
        )
        header = self.figures.horizontalHeader()
        for column in range(1, self.figures.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.figures.setMinimumWidth(340 if self.test_curve is not None else 250)
        plot = self.plot.getPlotItem()
        plot.clear()
        plot.setTitle(f"Precision–recall ({split})", color="#212529", size="10pt")
        pr = self.curve.iloc[::-1]  # from the highest threshold: recall only grows
        plot.plot(
            pr["recall"].to_numpy(float),
            np.nan_to_num(pr["precision"].to_numpy(float), nan=1.0),
            pen=pg.mkPen(TRAIN_COLOR, width=2),
        )
        plot.addItem(self._marker)
        plot.setXRange(0, 1, padding=0.02)
        plot.setYRange(0, 1, padding=0.02)
        self.chosen = "by hand"
        self.set_value(value)

    def set_stored(self, value: float | None) -> None:
        """The threshold the model uses now (None: none stored): "Use this threshold" is
        greyed while the controls show it, and the words say it is in use."""
        self.stored = value
        self._show_figures()

    def value(self) -> float:
        return float(self.spin.value())

    def set_value(self, value: float, chosen: str = "by hand") -> None:
        """Move the controls to ``value`` (``chosen``: how it was picked)."""
        self._moved(float(value), chosen)

    def row(self, value: float | None = None) -> dict[str, float]:
        """The choosing curve's figures at the threshold nearest ``value`` (default: the
        current)."""
        from automl_gui.core.trust.thresholds import curve_at

        return curve_at(self.curve, self.value() if value is None else value)

    def test_row(self, value: float | None = None) -> dict[str, float]:
        """The test split's figures at ``value`` (default: the current): what to expect."""
        from automl_gui.core.trust.thresholds import curve_at

        curve = self.test_curve if self.test_curve is not None else self.curve
        return curve_at(curve, self.value() if value is None else value)

    # -- reacting ----------------------------------------------------------------------------
    def _moved(self, value: float, chosen: str = "by hand") -> None:
        if self._updating:
            return
        self._updating = True
        try:
            self.spin.setValue(value)
            self.slider.setValue(int(round(value * STEPS)))
        finally:
            self._updating = False
        self.chosen = chosen
        self._show_figures()

    def _best(self, rule: str) -> None:
        from automl_gui.core.trust.thresholds import best_threshold, cost_words

        if self.curve is None:
            return
        ratio = float(self.cost.value())
        value = float(best_threshold(self.curve, rule=rule, cost_ratio=ratio))
        self.set_value(value, "F1" if rule == "f1" else cost_words(ratio))

    def _show_figures(self) -> None:
        if self.curve is None or self.curve.empty:
            return
        ratio = float(self.cost.value())
        rows_of = [self.row()] + ([self.test_row()] if self.test_curve is not None else [])
        names = [
            ("Precision", "Of the examples predicted positive, the share that are"),
            ("Recall", "Of the positive examples, the share found"),
            ("F1", "The balance of precision and recall"),
            (f"Predicted {self.positive}", "Share of the split predicted positive"),
            ("Positives found", "True positives"),
            ("False alarms", "False positives"),
            ("Positives missed", "False negatives"),
            ("Negatives right", "True negatives"),
            (
                "Cost (in false alarms)",
                "Missed positives × the cost ratio + false alarms: what the mistakes cost, "
                "counted in false alarms",
            ),
        ]
        columns = [_figures(r, ratio) for r in rows_of]
        stored = self.stored
        in_use = stored is not None and abs(self.value() - stored) < 5e-4
        self.use_button.setEnabled(not in_use)
        how = {"F1": "the best F1", "by hand": ""}.get(self.chosen, self.chosen)
        if self.test_curve is not None:
            where = (
                " Chosen on the validation split; the Test column is what to expect on new data."
            )
        else:
            where = (
                " No validation answers kept with this run: the threshold is chosen on the "
                "test split, so its figures there are optimistic."
            )
        if in_use:
            lead = f"At {self.value():.3f}: in use — Predict, the command line and exports decide with it."
        else:
            lead = (
                f"At {self.value():.3f}"
                + (f", picked for {how}" if how else "")
                + ": “Use this threshold” keeps it with the model."
            )
        self.words.setText(lead + where)
        self.figures.setRowCount(len(names))
        for i, (name, tip) in enumerate(names):
            for j, cell in enumerate([name] + [c[i] for c in columns]):
                item = QTableWidgetItem(cell)
                item.setToolTip(tip)
                self.figures.setItem(i, j, item)
        r = rows_of[0]
        self._marker.setData([float(r["recall"])], [float(np.nan_to_num(r["precision"], nan=1.0))])


def _figures(r: dict[str, float], ratio: float) -> list[str]:
    """The figures table's cells for one split's row of the curve."""
    tp, fp, fn, tn = (int(r[k]) for k in ("tp", "fp", "fn", "tn"))
    cost = fn * ratio + fp
    return [
        _pct(float(r["precision"])),
        _pct(float(r["recall"])),
        f"{float(r['f1']):.3f}",
        _pct(float(r["predicted_positive_rate"])),
        f"{tp:,}",
        f"{fp:,}",
        f"{fn:,}",
        f"{tn:,}",
        f"{cost:,.0f}" if float(cost).is_integer() else f"{cost:,.1f}",
    ]
