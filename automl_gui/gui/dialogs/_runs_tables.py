"""The Runs window's runs list: check, rename, sort (the comparison: :mod:`._runs_compare`).

:class:`RunsList` has one row per kept run: a checkbox (which runs are compared), the name
(edited in place), when it finished, kind and model (and the dataset when runs of several are
listed), the headline test score, epochs and time; the current run is bold and tagged
"current". Columns are as wide as their contents and the list never scrolls sideways: the
columns that do not fit are hidden, the last first (the details under the list have them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from automl_gui.core.base.units import format_duration
from automl_gui.gui import runs_data as data

ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CURRENT_ROLE = Qt.ItemDataRole.UserRole + 2
NAME_ROLE = Qt.ItemDataRole.UserRole + 3  # the name as saved (restored after an empty edit)
CURRENT_TAG = "current"
TAG_BACKGROUND = "#D3F9D8"
TAG_COLOR = "#2B8A3E"

# the score right after the name; in a narrow list the columns from the right are hidden
COLUMNS = ("", "Name", "Score", "Model", "Created", "Epochs", "Time")
MODEL_WITH_DATASET = "Dataset · model"  # the Model column's title when several datasets show
COL_CHECK, COL_NAME, COL_SCORE, COL_MODEL, COL_CREATED, COL_EPOCHS, COL_TIME = range(7)
MIN_MODEL_WIDTH = 90  # px: "customer_ch…" still says which dataset
COLUMN_TIPS = (
    "Check the runs to compare (their curves and a column each in the table below)",
    "The run's name: double-click or press F2 to rename it. Bold: the current run, the one "
    "Evaluate, Predict and Export use",
    "Its headline test metric: accuracy (acc) for classification, R² for regression",
    "What it trained on and which model",
    "When the run finished (local time)",
    "Epochs trained",
    "Training time (minutes:seconds)",
)


class _SortItem(QTableWidgetItem):
    """An item sorted by its SORT_ROLE value (numbers as numbers; missing values last)."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.data(SORT_ROLE), other.data(SORT_ROLE)
        if mine is None or theirs is None:
            return mine is not None and theirs is None
        try:
            return mine < theirs
        except TypeError:
            return str(mine) < str(theirs)


class _NameDelegate(QStyledItemDelegate):
    """Draws the current run's name bold with a "current" tag at the cell's right end (the tag
    stays visible when a long name is elided, and is not part of the name edited)."""

    def initStyleOption(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.data(CURRENT_ROLE):
            option.font.setBold(True)

    @staticmethod
    def _tag_font(option: QStyleOptionViewItem) -> QFont:
        font = QFont(option.font)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
        font.setBold(True)
        return font

    def sizeHint(  # noqa: N802 - Qt API
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        """The name's width plus the tag's: the column fits the current run's name whole."""
        size = super().sizeHint(option, index)
        if index.data(CURRENT_ROLE):
            tag = QFontMetrics(self._tag_font(option)).horizontalAdvance(CURRENT_TAG) + 10
            size.setWidth(size.width() + tag)
        return size

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if not index.data(CURRENT_ROLE):
            super().paint(painter, option, index)
            return
        font = self._tag_font(option)
        metrics = QFontMetrics(font)
        tag_width = metrics.horizontalAdvance(CURRENT_TAG) + 10
        # the background and selection over the whole cell, the text left of the tag
        self.parent().style().drawPrimitive(
            QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, self.parent()
        )
        narrowed = QStyleOptionViewItem(option)
        narrowed.rect = option.rect.adjusted(0, 0, -tag_width, 0)
        super().paint(painter, narrowed, index)
        tag = QRect(
            option.rect.right() - tag_width + 2,
            option.rect.top() + 3,
            tag_width - 6,
            option.rect.height() - 6,
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(TAG_BACKGROUND))
        painter.drawRoundedRect(tag, 4, 4)
        painter.setPen(QColor(TAG_COLOR))
        painter.setFont(font)
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, CURRENT_TAG)
        painter.restore()


def swatch(color: str, size: int = 10) -> QIcon:
    """A small square of ``color`` (the run's colour in the plot)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    return QIcon(pixmap)


class RunsList(QTableWidget):
    """The kept runs, one row each; emits ``checked_changed`` and ``rename_requested``."""

    checked_changed = Signal()
    rename_requested = Signal(str, str)  # run id, new name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(list(COLUMNS))
        for col, tip in enumerate(COLUMN_TIPS):
            self.horizontalHeaderItem(col).setToolTip(tip)
        self.setItemDelegateForColumn(COL_NAME, _NameDelegate(self))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.verticalHeader().hide()
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        self._fit = QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(self._fit)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(36)
        header.setHighlightSections(False)
        self.setToolTip(
            "Every training run of this project. Check runs to compare them; double-click a "
            "name (or F2) to rename; Delete removes the selected run"
        )
        self.setSortingEnabled(True)
        self.sortByColumn(COL_CREATED, Qt.SortOrder.AscendingOrder)
        self._filling = False
        self._with_kind = False
        self._with_dataset = False
        self.itemChanged.connect(self._on_item_changed)

    # -- reading ----------------------------------------------------------------------------
    def run_id(self, row: int) -> str | None:
        item = self.item(row, COL_CHECK)
        return None if item is None else item.data(ID_ROLE)

    def row_of(self, run_id: str) -> int:
        for row in range(self.rowCount()):
            if self.run_id(row) == run_id:
                return row
        return -1

    def ids(self) -> list[str]:
        """The run ids in the shown order."""
        return [self.run_id(r) for r in range(self.rowCount())]

    def checked_ids(self) -> list[str]:
        """The checked runs' ids, in the shown order."""
        return [
            self.run_id(r)
            for r in range(self.rowCount())
            if self.item(r, COL_CHECK).checkState() == Qt.CheckState.Checked
        ]

    def selected_id(self) -> str | None:
        """The run of the selected (or current) row; None when none is."""
        rows = {i.row() for i in self.selectedIndexes()}
        if not rows and self.currentRow() >= 0:
            rows = {self.currentRow()}
        return self.run_id(min(rows)) if rows else None

    def cell_text(self, run_id: str, column: int) -> str:
        row = self.row_of(run_id)
        return "" if row < 0 else self.item(row, column).text()

    # -- writing ----------------------------------------------------------------------------
    def set_checked(self, run_id: str, checked: bool) -> None:
        row = self.row_of(run_id)
        if row >= 0:
            state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
            self.item(row, COL_CHECK).setCheckState(state)

    def set_runs(
        self,
        records: Sequence[Any],
        current: str | None,
        checked: Iterable[str],
        colors: Mapping[str, str],
        with_dataset: bool = False,
    ) -> None:
        """Show ``records``: items are updated in place when the same runs are shown (a rename
        arrives from inside the edit), rebuilt otherwise. ``with_dataset``: runs of several
        datasets are listed, the Model column names each one's dataset."""
        checked = set(checked)
        # the kind ("Table · ") only when the runs are of different kinds: the column stays narrow
        self._with_kind = len({r.kind for r in records}) > 1
        self._with_dataset = with_dataset
        self.horizontalHeaderItem(COL_MODEL).setText(
            MODEL_WITH_DATASET if with_dataset else COLUMNS[COL_MODEL]
        )
        self._filling = True
        selected = self.selected_id()
        sorting = self.isSortingEnabled()
        self.setSortingEnabled(False)
        try:
            if sorted(self.ids()) != sorted(r.id for r in records):
                self.setRowCount(0)
                self.setRowCount(len(records))
                for row in range(len(records)):
                    for col in range(len(COLUMNS)):
                        self.setItem(row, col, _SortItem())
            by_id = {r.id: r for r in records}
            for row in range(self.rowCount()):
                run_id = self.run_id(row) or records[row].id
                self._fill(row, by_id[run_id], run_id == current, run_id in checked, colors)
        finally:
            self.setSortingEnabled(sorting)
            self._filling = False
        if selected is not None and self.row_of(selected) >= 0:
            self.selectRow(self.row_of(selected))
        self.fit_columns()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Show the columns from the left as long as they fit whole (the check, name and score
        always): a narrow list hides Time, then Epochs, Created, never scrolls sideways with
        "Crea…" cut at its edge. The Model column (the dataset first when all datasets are
        listed) is shown elided rather than hidden while :data:`MIN_MODEL_WIDTH` px are left."""
        room = self.viewport().width()
        used = 0
        header = self.horizontalHeader()
        for col in range(self.columnCount()):
            width = self._column_width(col)
            left = room - used
            elided = col == COL_MODEL and width > left >= MIN_MODEL_WIDTH
            keep = col <= COL_SCORE or width <= left or elided
            self.setColumnHidden(col, not keep)
            if col == COL_MODEL:  # elided: it takes the room left, the text ends in "…"
                header.setSectionResizeMode(
                    col, QHeaderView.ResizeMode.Fixed if elided else self._fit
                )
                if elided:
                    header.resizeSection(col, left)
            used += width if keep else room  # once one is hidden, so are those right of it

    def hidden_columns(self) -> list[str]:
        """The titles of the columns hidden for want of room."""
        titles = [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]
        return [t for c, t in enumerate(titles) if self.isColumnHidden(c)]

    def _column_width(self, col: int) -> int:
        return max(self.horizontalHeader().sectionSizeHint(col), self.sizeHintForColumn(col))

    def _fill(
        self, row: int, record: Any, current: bool, checked: bool, colors: Mapping[str, str]
    ) -> None:
        check = self.item(row, COL_CHECK)
        check.setData(ID_ROLE, record.id)
        check.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemIsSelectable
        )
        check.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        check.setData(SORT_ROLE, 0 if checked else 1)
        check.setToolTip("Checked: compared (curves and a table column)")
        check.setIcon(swatch(colors.get(record.id, "#ffffff")) if checked else QIcon())

        score_key, score = data.headline(record)
        model = data.model_words(record, self._with_kind)
        if self._with_dataset:
            model = f"{record.dataset or '?'} · {data.model_words(record, with_kind=False)}"
        epochs = data.epochs_run(record)
        seconds = data.number((record.summary or {}).get("seconds"))
        cells = {
            COL_NAME: (record.name, record.name.lower()),
            COL_CREATED: (data.created_text(record.created, short=True), str(record.created)),
            COL_MODEL: (model, model.lower()),
            COL_SCORE: (data.headline_text(record), score),
            COL_EPOCHS: (data.fmt(epochs), epochs),
            COL_TIME: (format_duration(seconds), seconds),
        }
        tips = {
            COL_NAME: f"{record.name} ({record.id})"
            + (" — the current run: Evaluate, Predict and Export use it" if current else "")
            + (f"\nNote: {record.note}" if record.note else ""),
            COL_CREATED: f"Finished {data.created_text(record.created)}",
            COL_MODEL: f"{data.model_words(record)}; dataset {record.dataset or '?'}; "
            f"task {record.task or '?'}",
            COL_SCORE: (
                f"Test {data.metric_label(score_key)} on the held-out data"
                if score_key
                else "No test metrics recorded for this run"
            ),
            COL_EPOCHS: "Epochs trained",
            COL_TIME: "Training time (minutes:seconds)",
        }
        for col, (text, key) in cells.items():
            item = self.item(row, col)
            item.setText(text)
            item.setData(SORT_ROLE, key)
            item.setToolTip(tips[col])
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if col == COL_NAME:
                flags |= Qt.ItemFlag.ItemIsEditable
                item.setData(CURRENT_ROLE, current)
                item.setData(NAME_ROLE, record.name)
            elif col in (COL_SCORE, COL_EPOCHS, COL_TIME):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setFlags(flags)
            font = item.font()
            font.setBold(current)
            item.setFont(font)

    def content_width(self, columns: int | None = None) -> int:
        """The width that shows every column whole (for the window's first layout); with
        ``columns``, the first that many (``COL_SCORE + 1``: the check, name and score)."""
        count = self.columnCount() if columns is None else columns
        widths = sum(self._column_width(c) for c in range(count))
        return widths + 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()

    def edit_name(self, run_id: str | None = None) -> bool:
        """Start renaming ``run_id`` (default: the selected run) in place."""
        run_id = run_id or self.selected_id()
        row = self.row_of(run_id) if run_id else -1
        if row < 0:
            return False
        item = self.item(row, COL_NAME)
        self.setCurrentItem(item)
        self.editItem(item)
        return True

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row = item.row()
        run_id = self.run_id(row)
        if run_id is None:
            return
        if item.column() == COL_CHECK:
            checked = item.checkState() == Qt.CheckState.Checked
            self._filling = True
            item.setData(SORT_ROLE, 0 if checked else 1)
            self._filling = False
            self.checked_changed.emit()
        elif item.column() == COL_NAME:
            name = item.text().strip()
            if name:
                self.rename_requested.emit(run_id, name)
            else:  # a name cannot be empty: the old one comes back
                self._filling = True
                item.setText(str(item.data(NAME_ROLE) or ""))
                self._filling = False
