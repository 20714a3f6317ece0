"""Metrics per subgroup: a picker of what to group by, the groups' table and what it shows.

The table is a DataFrame as ``core.trust.slices.SliceReport.table`` holds it (``group,
count`` and one column per metric); groups too small to judge are greyed with a tooltip
saying why. Above it, the report's sentences (the largest gap, the four-fifths ratio with a
pass/fail word). The picker's entries and what choosing one does belong to the page.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.evaluate.labels import metric_label
from automl_gui.gui.widgets.page_layout import BusyRow

MAX_ROWS = 500  # groups listed (a column of identifiers would make thousands)
SMALL_COLOR = "#adb5bd"
#: the four-fifths verdicts: (colour, first word)
VERDICTS = {
    "passes": ("#2b8a3e", "Passes"),
    "fails": ("#c92a2a", "Fails"),
    "below": ("#495057", "Below 0.8:"),
    "chance": ("#495057", "Within chance:"),
}


def _merge_intervals(table: Any) -> tuple[Any, dict[str, str]]:
    """The groups' table with each ``<metric>_low``/``_high`` pair folded into its metric's
    cell ("0.611 (0.524–0.692)"); the second value maps a header to its tooltip."""
    import pandas as pd

    columns = [str(c) for c in table.columns]
    out = pd.DataFrame(index=table.index)
    tips: dict[str, str] = {}
    for c in columns:
        if c.endswith(("_low", "_high")) and c.rsplit("_", 1)[0] in columns:
            continue
        low, high = f"{c}_low", f"{c}_high"
        if low in columns and high in columns:
            out[c] = [
                _cell(v) if _missing(a) or _missing(b) else f"{_cell(v)} ({a:.2f}–{b:.2f})"
                for v, a, b in zip(table[c], table[low], table[high], strict=True)
            ]
            tips[c] = "The group's figure, with its 95 % interval (Wilson) in brackets"
        else:
            out[c] = table[c]
    return out, tips


def _missing(value: Any) -> bool:
    try:
        return value is None or math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class SlicesView(QWidget):
    """Group-by picker, Show button, progress row, sentences and the groups' table."""

    show_clicked = Signal(int)  # the picker's index

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = QComboBox()
        self.picker.setMinimumContentsLength(16)
        self.picker.setMaximumWidth(420)  # never the whole width (a long CSV choice elided)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.picker.setToolTip("What to group the test examples by")
        label = QLabel("&Group the test split by")
        label.setBuddy(self.picker)
        self.show_button = QPushButton("&Show groups")
        self.show_button.setToolTip("Work out the metrics of each group (kept in the report)")
        self.busy = BusyRow("Working out each group's metrics", "Stop", 160)
        self.words = QLabel("Pick what to group by, then Show groups.")
        self.words.setWordWrap(True)
        self.verdict = QLabel()  # the four-fifths rule's pass/fail, coloured
        self.verdict.setWordWrap(True)
        self.verdict.hide()
        self.words.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 0)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        top = QHBoxLayout()
        top.addWidget(label)
        top.addWidget(self.picker)
        top.addWidget(self.show_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.busy)
        layout.addWidget(self.verdict)
        layout.addWidget(self.words)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)  # the room below the words while no table is shown
        self.table.hide()  # no empty white pane before the first groups
        self.show_button.clicked.connect(lambda: self.show_clicked.emit(self.picker.currentIndex()))
        self.small: set[str] = set()

    def set_choices(self, choices: list[str], disabled: dict[str, str] | None = None) -> None:
        """The picker's entries; those in ``disabled`` are listed greyed with why, and the
        first usable entry is selected."""
        disabled = disabled or {}
        self.picker.clear()
        model = self.picker.model()
        first = -1
        for choice in choices:
            why = disabled.get(choice)
            self.picker.addItem(f"{choice} ({why})" if why else choice)
            if why:
                item = model.item(self.picker.count() - 1)  # a QStandardItemModel's
                item.setEnabled(False)
                item.setToolTip(why)
            elif first < 0:
                first = self.picker.count() - 1
        self.picker.setCurrentIndex(first)
        self.show_button.setEnabled(first >= 0)

    def clear(self, words: str = "") -> None:
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.table.hide()
        self.verdict.hide()
        self.words.setText(words)

    def show_verdict(self, verdict: str | None, text: str) -> None:
        """The four-fifths rule's verdict in a line (None: no verdict, hidden): "passes"
        green, "fails" red (a protected attribute's significant gap), "below" and "chance"
        (below 0.8 on an ordinary column, or within chance) in plain dark grey."""
        if verdict is None:
            self.verdict.hide()
            return
        color, word = VERDICTS[verdict]
        self.verdict.setText(f'<b style="color:{color}">{word}</b> {escape(text)}')
        self.verdict.show()

    def show_table(self, table: Any, small: Any, lines: list[str], min_count: int) -> None:
        """Show the groups' ``table`` (DataFrame), greying the groups in ``small``."""
        self.small = {str(g) for g in (small or [])}
        table, tips = _merge_intervals(table)
        columns = [str(c) for c in table.columns]
        shown = table.head(MAX_ROWS)
        self.table.setColumnCount(len(columns))
        self.table.setHorizontalHeaderLabels(
            [
                c.capitalize() if c in ("group", "count", "positives") else metric_label(c)
                for c in columns
            ]
        )
        for j, c in enumerate(columns):
            if c in tips:
                self.table.horizontalHeaderItem(j).setToolTip(tips[c])
        self.table.setRowCount(len(shown))
        grey = QBrush(QColor(SMALL_COLOR))
        tip = f"Fewer than {min_count} test examples: too few to judge, left out of the gaps"
        for i, row in enumerate(shown.itertuples(index=False)):
            small = str(row[0]) in self.small
            for j, value in enumerate(row):
                item = QTableWidgetItem(_cell(value.item() if hasattr(value, "item") else value))
                if j > 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if small:
                    item.setForeground(grey)
                    item.setToolTip(tip)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.table.show()
        more = len(table) - len(shown)
        if more > 0:
            lines = [*lines, f"The first {MAX_ROWS:,} of {len(table):,} groups are listed."]
        # the largest gap first, in bold; one paragraph per sentence
        paragraphs = [escape(line) for line in lines]
        if paragraphs:
            paragraphs[0] = f"<b>{paragraphs[0]}</b>"
        self.words.setText("<br>".join(paragraphs))
