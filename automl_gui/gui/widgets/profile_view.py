"""Column profile list (kind badge, missing, unique, summary) with a distribution plot.

The list is a model over the profile (:class:`ProfileModel`): rows are formatted when the
view paints them, so 20,000 columns cost what 20 do (one ``QTreeWidgetItem`` per column, with
its own painted badge and five tooltips, took seconds on the UI thread).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.data.schema import ColumnKind, ColumnProfile, TableProfile

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
HEADERS = ("Column", "Kind", "Missing", "Unique", "Summary")
NAME_SAMPLE = 500  # names measured to size the name column
_Index = QModelIndex | QPersistentModelIndex
_BADGES: dict[str, QIcon] = {}
_BRUSHES: dict[str, QBrush] = {}


def _badge(color: str) -> QIcon:
    """A small rounded square of ``color`` (one per colour, painted once)."""
    icon = _BADGES.get(color)
    if icon is None:
        icon = _BADGES[color] = _paint_badge(color)
    return icon


def _brush(color: str) -> QBrush:
    brush = _BRUSHES.get(color)
    if brush is None:
        brush = _BRUSHES[color] = QBrush(QColor(color))
    return brush


def _paint_badge(color: str) -> QIcon:
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
    if col.kind == ColumnKind.NUMERIC and col.minimum is not None:
        text = f"min {_num(col.minimum)} · max {_num(col.maximum)} · mean {_num(col.mean)}"
        if col.infinite:
            text += f" · {col.infinite:,} infinite"
        return text
    if col.top_values:
        shown = ", ".join(f"{shown_value(v)} ({c:,})" for v, c in col.top_values[:4])
        return shown + (", …" if len(col.top_values) > 4 else "")
    return ""


def shown_value(value: object) -> str:
    """A value as text; quoted when spaces around it (or nothing) would hide what it is:
    ' 1 ' and '1' are different values, and the merge warning names both."""
    text = str(value)
    return f"'{text}'" if not text or text != text.strip() else text


def _kind(col: ColumnProfile) -> str:
    return col.kind.value if hasattr(col.kind, "value") else str(col.kind)


class ProfileModel(QAbstractTableModel):
    """Read-only rows of a :class:`TableProfile`: name, kind, missing, unique, summary."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.profile: TableProfile | None = None
        self._rows: tuple[ColumnProfile, ...] = ()
        self._row_of: dict[str, int] = {}

    def set_profile(self, profile: TableProfile | None) -> None:
        self.beginResetModel()
        self.profile = profile
        self._rows = tuple(profile.columns) if profile is not None else ()
        self._row_of = {}
        for i, col in enumerate(self._rows):
            self._row_of.setdefault(col.name, i)  # the first of a repeated name
        self.endResetModel()

    def column_at(self, row: int) -> ColumnProfile:
        return self._rows[row]

    def row_of(self, name: str) -> int:
        """The row of column ``name``; -1 when it is not listed."""
        return self._row_of.get(name, -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.profile is None:
            return None
        col, c = self._rows[index.row()], index.column()
        n_rows = self.profile.n_rows
        if role == Qt.ItemDataRole.DisplayRole:
            if c == COL_NAME:
                return col.name
            if c == COL_KIND:
                return _kind(col)
            if c == COL_MISSING:
                n = max(n_rows, 1)
                return f"{col.missing:,}" + (f" ({col.missing / n:.0%})" if col.missing else "")
            if c == COL_UNIQUE:
                return f"{col.unique:,}"
            return column_summary(col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if c == COL_NAME:
                return f"{col.name} ({col.dtype})"
            if c == COL_KIND:
                return KIND_HELP.get(_kind(col), _kind(col))
            if c == COL_MISSING:
                return f"{col.missing:,} missing of {n_rows:,} rows"
            if c == COL_UNIQUE:
                return f"{col.unique:,} distinct values"
            return column_summary(col)
        if c == COL_KIND and role == Qt.ItemDataRole.DecorationRole:
            return _badge(KIND_COLORS.get(_kind(col), "#7B8794"))
        if c == COL_KIND and role == Qt.ItemDataRole.ForegroundRole:
            return _brush(KIND_COLORS.get(_kind(col), "#7B8794"))
        if c in (COL_MISSING, COL_UNIQUE) and role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ProfileView(QWidget):
    """One row per column; selecting a row plots that column's distribution below."""

    column_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: TableProfile | None = None
        self.model = ProfileModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setRootIsDecorated(False)
        self.tree.setItemsExpandable(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setToolTip("What was found in each column. Select one to see its distribution.")
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(COL_NAME, 150)
        self.tree.setColumnWidth(COL_KIND, 110)
        self.tree.setColumnWidth(COL_MISSING, 80)
        self.tree.setColumnWidth(COL_UNIQUE, 80)
        self.tree.selectionModel().currentRowChanged.connect(self._on_current)
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
        self.model.set_profile(profile)
        self._clear_plot()
        if profile is None:
            return
        # the widest of the first names, not every row measured through the view
        names = [c.name for c in profile.columns[:NAME_SAMPLE]]
        metrics = self.tree.fontMetrics()
        widest = max((metrics.horizontalAdvance(n) for n in names), default=0)
        self.tree.setColumnWidth(COL_NAME, max(80, min(widest + 24, 260)))

    def row_count(self) -> int:
        """How many columns are listed."""
        return self.model.rowCount()

    def row_texts(self, row: int) -> list[str]:
        """The texts of one listed column (name, kind, missing, unique, summary)."""
        return [str(self.model.index(row, c).data() or "") for c in range(len(HEADERS))]

    def select_column(self, name: str) -> None:
        """Select the row of column ``name`` (plots it)."""
        row = self.model.row_of(name)
        if row >= 0:
            self.tree.setCurrentIndex(self.model.index(row, COL_NAME))

    def current_column(self) -> str | None:
        index = self.tree.currentIndex()
        return self.model.column_at(index.row()).name if index.isValid() else None

    # -- plot --------------------------------------------------------------------------------
    def _clear_plot(self) -> None:
        self.plot.clear()
        self.bars = None
        self.plot.getPlotItem().getAxis("bottom").setTicks(None)
        self.plot_title.setText("Select a column to see its distribution.")

    def _on_current(self, current: QModelIndex, _previous: Any = None) -> None:
        if not current.isValid() or self._profile is None:
            self._clear_plot()
            return
        col = self.model.column_at(current.row())
        self.plot_column(col)
        self.column_selected.emit(col.name)

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
            labels = [shown_value(v) for v, _ in col.top_values]
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
