"""Column profile list (kind badge, missing, unique, summary) with a distribution plot."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.data.schema import ColumnProfile, TableProfile

KIND_COLORS = {
    "numeric": "#1E6FD9",
    "categorical": "#8E44AD",
    "boolean": "#00897B",
    "text": "#E67E22",
    "datetime": "#2E7D32",
    "identifier": "#7B8794",
    "constant": "#9AA5B1",
}

KIND_HELP = {
    "numeric": "Numbers: scaled and fed to the model as they are.",
    "categorical": "A limited set of values (labels): one-hot encoded or embedded.",
    "boolean": "Two values (true/false, yes/no): treated as a category.",
    "text": "Free text with many distinct values: excluded by default.",
    "datetime": "Dates or times: excluded by default in this version.",
    "identifier": "Unique per row (an id or key): carries no signal, excluded by default.",
    "constant": "A single value everywhere: carries no signal, excluded by default.",
}

COL_NAME, COL_KIND, COL_MISSING, COL_UNIQUE, COL_SUMMARY = range(5)


def _badge(color: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(color))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawRoundedRect(1, 1, 10, 10, 3, 3)
    painter.end()
    return QIcon(pix)


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}"


def column_summary(col: ColumnProfile) -> str:
    """One line: min/max/mean for numbers, else the most frequent values."""
    kind = col.kind.value if hasattr(col.kind, "value") else str(col.kind)
    if kind == "numeric" and col.minimum is not None:
        text = f"min {_num(col.minimum)} · max {_num(col.maximum)} · mean {_num(col.mean)}"
        if col.infinite:
            text += f" · {col.infinite:,} infinite"
        return text
    if col.top_values:
        shown = ", ".join(f"{v} ({c:,})" for v, c in col.top_values[:4])
        return shown + (", …" if len(col.top_values) > 4 else "")
    return ""


class ProfileView(QWidget):
    """One row per column; selecting a row plots that column's distribution below."""

    column_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: TableProfile | None = None
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setColumnCount(5)
        self.tree.setHeaderLabels(["Column", "Kind", "Missing", "Unique", "Summary"])
        self.tree.setToolTip("What was found in each column. Select one to see its distribution.")
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(COL_NAME, 150)
        self.tree.setColumnWidth(COL_KIND, 110)
        self.tree.setColumnWidth(COL_MISSING, 80)
        self.tree.setColumnWidth(COL_UNIQUE, 80)
        self.tree.currentItemChanged.connect(self._on_current)
        self.tree.setIconSize(QSize(12, 12))

        self.plot_title = QLabel("Select a column to see its distribution.")
        self.plot_title.setProperty("role", "muted")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMinimumSize(240, 140)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.getPlotItem().showGrid(y=True, alpha=0.2)
        self.plot.setToolTip("Distribution of the selected column (counts)")
        self.bars: pg.BarGraphItem | None = None

        plot_box = QWidget()
        plot_layout = QVBoxLayout(plot_box)
        plot_layout.setContentsMargins(4, 0, 0, 0)
        plot_layout.addWidget(self.plot_title)
        plot_layout.addWidget(self.plot, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(plot_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 380])
        self.splitter = splitter
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # -- content -----------------------------------------------------------------------------
    def set_profile(self, profile: TableProfile | None) -> None:
        """Show ``profile`` (None clears the view)."""
        self._profile = profile
        self.tree.clear()
        self._clear_plot()
        if profile is None:
            return
        items = []
        n = max(profile.n_rows, 1)
        for col in profile.columns:
            kind = col.kind.value if hasattr(col.kind, "value") else str(col.kind)
            item = QTreeWidgetItem(
                [
                    col.name,
                    kind,
                    f"{col.missing:,}" + (f" ({col.missing / n:.0%})" if col.missing else ""),
                    f"{col.unique:,}",
                    column_summary(col),
                ]
            )
            color = KIND_COLORS.get(kind, "#7B8794")
            item.setIcon(COL_KIND, _badge(color))
            item.setForeground(COL_KIND, QBrush(QColor(color)))
            item.setToolTip(COL_NAME, f"{col.name} ({col.dtype})")
            item.setToolTip(COL_KIND, KIND_HELP.get(kind, kind))
            item.setToolTip(COL_MISSING, f"{col.missing:,} missing of {profile.n_rows:,} rows")
            item.setToolTip(COL_UNIQUE, f"{col.unique:,} distinct values")
            item.setToolTip(COL_SUMMARY, column_summary(col))
            for c in (COL_MISSING, COL_UNIQUE):
                item.setTextAlignment(
                    c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                )
            items.append(item)
        self.tree.addTopLevelItems(items)
        self.tree.resizeColumnToContents(COL_NAME)
        if self.tree.columnWidth(COL_NAME) > 260:
            self.tree.setColumnWidth(COL_NAME, 260)

    def select_column(self, name: str) -> None:
        """Select the row of column ``name`` (plots it)."""
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.text(COL_NAME) == name:
                self.tree.setCurrentItem(item)
                return

    def current_column(self) -> str | None:
        item = self.tree.currentItem()
        return item.text(COL_NAME) if item is not None else None

    # -- plot --------------------------------------------------------------------------------
    def _clear_plot(self) -> None:
        self.plot.clear()
        self.bars = None
        self.plot.getPlotItem().getAxis("bottom").setTicks(None)
        self.plot_title.setText("Select a column to see its distribution.")

    def _on_current(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        if item is None or self._profile is None:
            self._clear_plot()
            return
        name = item.text(COL_NAME)
        try:
            col = self._profile.column(name)
        except KeyError:
            return
        self.plot_column(col)
        self.column_selected.emit(name)

    def plot_column(self, col: ColumnProfile) -> None:
        """Draw a histogram (numbers) or the top values (categories) of ``col``."""
        self._clear_plot()
        axis = self.plot.getPlotItem().getAxis("bottom")
        brush = pg.mkBrush(KIND_COLORS.get(getattr(col.kind, "value", str(col.kind)), "#1E6FD9"))
        if col.histogram is not None and len(col.histogram[0]) > 0:
            counts = np.asarray(col.histogram[0], dtype=float)
            edges = np.asarray(col.histogram[1], dtype=float)
            centers = (edges[:-1] + edges[1:]) / 2
            widths = np.diff(edges) * 0.95
            self.bars = pg.BarGraphItem(x=centers, height=counts, width=widths, brush=brush)
            self.plot_title.setText(f"Distribution of “{col.name}” ({len(counts)} bins)")
        elif col.top_values:
            labels = [str(v) for v, _ in col.top_values]
            counts = np.asarray([c for _, c in col.top_values], dtype=float)
            x = np.arange(len(counts), dtype=float)
            self.bars = pg.BarGraphItem(x=x, height=counts, width=0.7, brush=brush)
            short = [(i, lab if len(lab) <= 12 else lab[:11] + "…") for i, lab in enumerate(labels)]
            axis.setTicks([short])
            self.plot_title.setText(f"Most frequent values of “{col.name}”")
        else:
            self.plot_title.setText(f"No distribution to show for “{col.name}”.")
            return
        self.plot.addItem(self.bars)
        self.plot.autoRange()
