"""The Runs window's "Runs of" box: which dataset's runs the list shows, or all of them.

One entry per :class:`~automl_gui.gui.runs_groups.DataGroup` of the project's runs ("wine.csv ·
binary (3 runs)"), then "All datasets" when there are several (the runs the list leaves out
are named under it, :mod:`._runs_others`). Emits ``chosen`` with the group (None: all).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from automl_gui.gui import runs_groups as groups

ALL_DATASETS = "all"  # the box's entry that lists every run


class GroupPicker(QWidget):
    """ "Runs of: [wine.csv · binary (3 runs)]"."""

    chosen = Signal(object)  # the DataGroup picked, or None for all datasets

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups: list[groups.DataGroup] = []  # the box's groups, in order
        self.box = QComboBox()
        self.box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.box.setToolTip(
            "Whose runs the list shows: those of one dataset and task (scores of different "
            "data are not comparable), or all of them"
        )
        self.box.activated.connect(lambda _index: self._on_activated())
        label = QLabel("Runs &of:")
        label.setBuddy(self.box)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(label)
        row.addWidget(self.box)
        row.addStretch(1)

    def fill(self, records: Sequence[Any], group: groups.DataGroup | None) -> None:
        """List the groups of ``records`` with ``group`` chosen (None: all datasets)."""
        present = groups.groups(records)
        box = self.box
        box.blockSignals(True)
        box.clear()
        for i, each in enumerate(present):
            n = sum(each.holds(r) for r in records)
            box.addItem(f"{each.label} ({n} run{'s' * (n != 1)})", i)
            tip = f"The runs trained on {each.label}"
            box.setItemData(box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        if len(present) > 1:
            box.addItem(f"All datasets ({len(records)} runs)", ALL_DATASETS)
            tip = (
                "Every run of the project; the best of a metric is still picked only among "
                "runs of the same dataset and task"
            )
            box.setItemData(box.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.groups = present
        if group is None:
            box.setCurrentIndex(max(0, box.findData(ALL_DATASETS)))
        else:
            box.setCurrentIndex(present.index(group) if group in present else 0)
        box.setEnabled(len(present) > 1)
        box.blockSignals(False)

    def text(self) -> str:
        return self.box.currentText()

    def labels(self) -> list[str]:
        return [self.box.itemText(i) for i in range(self.box.count())]

    def _on_activated(self) -> None:
        data = self.box.currentData()
        self.chosen.emit(None if data == ALL_DATASETS else self.groups[data])
