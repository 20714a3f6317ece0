"""Preprocess page: review and change how each column is fed to the model, and the split."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.preprocess.config import (
    ENCODINGS,
    MISSING_STRATEGIES,
    SCALINGS,
    ColumnConfig,
    PreprocessConfig,
)
from automl_gui.gui.state import AppState

LABELS = {
    "numeric": "Numeric",
    "categorical": "Categorical",
    "mean": "Mean",
    "median": "Median",
    "most_frequent": "Most frequent",
    "constant": "Constant",
    "drop_rows": "Drop rows",
    "standardize": "Standardize",
    "minmax": "Min-max",
    "none": "None",
    "onehot": "One-hot",
    "embedding": "Embedding",
}
OPTIONS_ROLE = Qt.ItemDataRole.UserRole + 1
NOT_APPLICABLE = "—"

(COL_NAME, COL_TYPE, COL_MISSING, COL_FILL, COL_INDICATOR, COL_SCALING, COL_ENCODING) = range(7)
HEADERS = ["Column", "Type", "Missing values", "Fill value", "Indicator", "Scaling", "Encoding"]
HEADER_TIPS = [
    "Tick to use the column as a model input; untick to leave it out. Hover for why.",
    "Numeric: fed as a number. Categorical: each distinct value is a category.",
    "How to fill missing values: mean/median (numbers), the most frequent value, a constant "
    "you choose, or drop the rows that miss it.",
    "The value used when Missing values is 'Constant'.",
    "Add a 0/1 input saying the value was missing (helps when missingness means something).",
    "Numbers only: standardize (mean 0, std 1), min-max (0..1) or none.",
    "Categories only: one-hot (one input per value) or embedding (learned vector, for many values).",
]
_Index = QModelIndex | QPersistentModelIndex


def missing_options(kind: str) -> list[str]:
    """Missing strategies valid for a feature type."""
    if kind == "numeric":
        return list(MISSING_STRATEGIES)
    return [m for m in MISSING_STRATEGIES if m not in ("mean", "median")]


class ColumnConfigModel(QAbstractTableModel):
    """Editable table over the feature ``ColumnConfig`` rows (the target is not listed).

    Edits change the ``ColumnConfig`` objects in place and call ``on_edit``.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ColumnConfig] = []
        self.numeric_ok: dict[str, bool] = {}
        self.on_edit: Any = None

    def set_rows(self, rows: list[ColumnConfig], numeric_ok: dict[str, bool]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.numeric_ok = numeric_ok
        self.endResetModel()

    def row_of(self, name: str) -> int:
        for i, c in enumerate(self.rows):
            if c.name == name:
                return i
        raise KeyError(name)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS[section]
        return None

    def applicable(self, c: ColumnConfig, col: int) -> bool:
        """Whether a setting means anything for this column as configured."""
        if col == COL_NAME:
            return True
        if not c.use:
            return False
        if col == COL_FILL:
            return c.missing == "constant"
        if col == COL_SCALING:
            return c.type == "numeric"
        if col == COL_ENCODING:
            return c.type == "categorical"
        return True

    def options(self, c: ColumnConfig, col: int) -> list[str]:
        if col == COL_TYPE:
            return ["numeric", "categorical"] if self.numeric_ok.get(c.name) else ["categorical"]
        if col == COL_MISSING:
            return missing_options(c.type)
        if col == COL_SCALING:
            return list(SCALINGS)
        if col == COL_ENCODING:
            return list(ENCODINGS)
        return []

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        c, col = self.rows[index.row()], index.column()
        if not self.applicable(c, col):
            return Qt.ItemFlag.ItemIsSelectable
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if col in (COL_NAME, COL_INDICATOR):
            return base | Qt.ItemFlag.ItemIsUserCheckable
        if col == COL_TYPE and len(self.options(c, col)) < 2:
            return base
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        c, col = self.rows[index.row()], index.column()
        applicable = self.applicable(c, col)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == COL_NAME:
                return c.name
            if col == COL_INDICATOR:
                return None
            if not applicable:
                return NOT_APPLICABLE
            value = {
                COL_TYPE: c.type,
                COL_MISSING: c.missing,
                COL_SCALING: c.scaling,
                COL_ENCODING: c.encoding,
            }.get(col)
            if col == COL_FILL:
                return "" if c.fill_value is None else str(c.fill_value)
            return LABELS.get(value, value)
        if role == Qt.ItemDataRole.EditRole:
            return {
                COL_TYPE: c.type,
                COL_MISSING: c.missing,
                COL_FILL: "" if c.fill_value is None else str(c.fill_value),
                COL_SCALING: c.scaling,
                COL_ENCODING: c.encoding,
            }.get(col)
        if role == Qt.ItemDataRole.CheckStateRole:
            if col == COL_NAME:
                return Qt.CheckState.Checked if c.use else Qt.CheckState.Unchecked
            if col == COL_INDICATOR:
                on = c.missing_indicator and applicable
                return Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        if role == OPTIONS_ROLE:
            return self.options(c, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_NAME:
                state = "used" if c.use else "left out"
                return f"{c.name}: {state}. {c.reason}".strip()
            if not applicable:
                return "Not used for this column as set up."
            return HEADER_TIPS[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_NAME and not c.use:
            return QBrush(QColor("#9AA5B1"))
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        c, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            if col == COL_NAME:
                c.use = checked
            elif col == COL_INDICATOR:
                c.missing_indicator = checked
            else:
                return False
        elif role == Qt.ItemDataRole.EditRole:
            if col == COL_FILL:
                c.fill_value = _parse_fill(str(value), c.type)
                if c.fill_value is None and str(value).strip():
                    return False
            elif col in (COL_TYPE, COL_MISSING, COL_SCALING, COL_ENCODING):
                if value not in self.options(c, col):
                    return False
                if col == COL_TYPE:
                    _change_type(c, value)
                elif col == COL_MISSING:
                    c.missing = value
                elif col == COL_SCALING:
                    c.scaling = value
                else:
                    c.encoding = value
            else:
                return False
        else:
            return False
        row = index.row()
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
        if self.on_edit is not None:
            self.on_edit()
        return True


def _parse_fill(text: str, kind: str) -> float | str | None:
    text = text.strip()
    if not text:
        return None
    if kind == "numeric":
        try:
            return float(text)
        except ValueError:
            return None
    return text


def _change_type(c: ColumnConfig, kind: str) -> None:
    c.type = kind
    if c.missing not in missing_options(kind):
        c.missing = "most_frequent"
    if c.fill_value is not None:
        c.fill_value = _parse_fill(str(c.fill_value), kind)


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor listing the cell's valid choices (from ``OPTIONS_ROLE``)."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: _Index
    ) -> QWidget:
        options = index.data(OPTIONS_ROLE) or []
        if not options:
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        for value in options:
            combo.addItem(LABELS.get(value, value), value)
        combo.activated.connect(lambda _i, c=combo: self._commit(c))
        return combo

    def _commit(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo)

    def setEditorData(self, editor: QWidget, index: _Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            i = editor.findData(index.data(Qt.ItemDataRole.EditRole))
            editor.setCurrentIndex(max(i, 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: Any, index: _Index) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class PreprocessPage(QWidget):
    """Step 2: per-column preprocessing, duplicates and the train/validation/test split."""

    name = "preprocess"
    title = "Preprocess"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._auto: PreprocessConfig | None = None
        self._updating = False
        self._build()
        state.dataset_changed.connect(self._reload)
        state.target_changed.connect(self._on_target_changed)
        self._reload()

    def _build(self) -> None:
        title = QLabel("Preprocess")
        title.setProperty("role", "title")
        self.info_label = QLabel()
        self.info_label.setProperty("role", "muted")
        self.info_label.setWordWrap(True)

        self.columns = ColumnConfigModel(self)
        self.columns.on_edit = self._changed
        self.table = QTableView()
        self.table.setModel(self.columns)
        self.table.setItemDelegate(ChoiceDelegate(self.table))
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setToolTip("How each column is fed to the model. Click a cell to change it.")
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((160, 100, 120, 80, 90, 100, 100)):
            self.table.setColumnWidth(col, width)

        self.dedup_check = QCheckBox("Drop duplicate rows")
        self.dedup_check.setToolTip(
            "Remove rows that repeat exactly, so the same row cannot land in both training and "
            "test data (which would flatter the scores)."
        )
        self.dedup_check.toggled.connect(self._on_options)

        self.train_spin = _percent_spin(10, 90, "Share of rows the model learns from.")
        self.val_spin = _percent_spin(
            0, 85, "Share of rows used to watch training (early stopping, plots)."
        )
        self.test_spin = _percent_spin(
            5, 90, "Share of rows kept aside for the final evaluation: whatever remains."
        )
        self.test_spin.setReadOnly(True)
        self.test_spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.train_spin.valueChanged.connect(self._on_split)
        self.val_spin.valueChanged.connect(self._on_split)
        self.stratify_check = QCheckBox("Stratify by class")
        self.stratify_check.setToolTip(
            "Keep the class proportions the same in every split (classification only)."
        )
        self.stratify_check.toggled.connect(self._on_options)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Random seed of the split: the same seed gives the same split.")
        self.seed_spin.valueChanged.connect(self._on_options)
        self.reset_button = QPushButton("Reset to automatic")
        self.reset_button.setToolTip(
            "Undo every change on this page (back to the automatic setup)."
        )
        self.reset_button.clicked.connect(self.reset_to_automatic)

        split_box = QGroupBox("Split")
        form = QFormLayout(split_box)
        form.addRow("Training %", self.train_spin)
        form.addRow("Validation %", self.val_spin)
        form.addRow("Test %", self.test_spin)
        form.addRow(self.stratify_check)
        form.addRow("Seed", self.seed_spin)
        rows_box = QGroupBox("Rows")
        rows_layout = QVBoxLayout(rows_box)
        rows_layout.addWidget(self.dedup_check)
        self.used_label = QLabel()
        self.used_label.setProperty("role", "muted")
        self.used_label.setWordWrap(True)
        rows_layout.addWidget(self.used_label)

        side = QVBoxLayout()
        side.addWidget(rows_box)
        side.addWidget(split_box)
        side.addStretch(1)
        side.addWidget(self.reset_button)
        self.side_box = QWidget()
        self.side_box.setLayout(side)
        self.side_box.setFixedWidth(260)
        side.setContentsMargins(0, 0, 0, 0)

        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addWidget(self.side_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.info_label)
        layout.addLayout(body, 1)

    # -- state -> widgets --------------------------------------------------------------------
    def _on_target_changed(self) -> None:
        self._auto = copy.deepcopy(self.state.preprocess)
        self._reload()

    def _reload(self) -> None:
        cfg = self.state.preprocess
        enabled = cfg is not None and self.state.table is not None
        self.table.setEnabled(enabled)
        self.side_box.setEnabled(enabled)
        if not enabled:
            self.columns.set_rows([], {})
            self.info_label.setText("Load a dataset and pick a target on the Data page first.")
            return
        import pandas as pd  # imported on first use: the window must not wait for it

        df = self.state.table.df
        numeric_ok = {
            str(c): bool(pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))
            for c in df.columns
        }
        self.columns.set_rows([c for c in cfg.columns if c.name != cfg.target], numeric_ok)
        self._updating = True
        dups = self.state.profile.duplicate_rows if self.state.profile is not None else 0
        self.dedup_check.setText(f"Drop duplicate rows ({dups:,} found)")
        self.dedup_check.setChecked(cfg.drop_duplicates)
        self.train_spin.setValue(round(cfg.split.train * 100))
        self.val_spin.setMaximum(95 - self.train_spin.value())
        self.val_spin.setValue(round(cfg.split.validation * 100))
        self.test_spin.setValue(100 - self.train_spin.value() - self.val_spin.value())
        classification = cfg.task != "regression"
        self.stratify_check.setEnabled(classification)
        self.stratify_check.setChecked(cfg.split.stratify and classification)
        self.seed_spin.setValue(cfg.split.seed)
        self._updating = False
        self._update_info()

    def _update_info(self) -> None:
        cfg = self.state.preprocess
        if cfg is None:
            return
        used = len(cfg.feature_columns())
        total = len(self.columns.rows)
        self.info_label.setText(
            f"Target: <b>{cfg.target}</b> ({cfg.task}) — change it on the Data page. "
            f"{used} of {total} columns are used as inputs. Hover a column name for why."
        )
        n = self.state.profile.n_rows if self.state.profile is not None else 0
        s = cfg.split
        self.used_label.setText(
            f"About {round(n * s.train):,} training, {round(n * s.validation):,} validation and "
            f"{round(n * s.test):,} test rows."
        )

    # -- widgets -> state --------------------------------------------------------------------
    def _changed(self) -> None:
        self._update_info()
        self.state.notify_preprocess_changed()

    def _on_split(self) -> None:
        if self._updating:
            return
        self._updating = True
        self.val_spin.setMaximum(95 - self.train_spin.value())
        self.test_spin.setValue(100 - self.train_spin.value() - self.val_spin.value())
        self._updating = False
        self._on_options()

    def _on_options(self) -> None:
        cfg = self.state.preprocess
        if self._updating or cfg is None:
            return
        cfg.drop_duplicates = self.dedup_check.isChecked()
        train, val = self.train_spin.value(), self.val_spin.value()
        cfg.split.train = round(train / 100, 4)
        cfg.split.validation = round(val / 100, 4)
        cfg.split.test = round((100 - train - val) / 100, 4)
        cfg.split.stratify = self.stratify_check.isChecked()
        cfg.split.seed = self.seed_spin.value()
        self._changed()

    def reset_to_automatic(self) -> None:
        """Restore the automatic configuration made when the target was chosen."""
        cfg = self.state.preprocess
        if cfg is None or self._auto is None:
            return
        fresh = copy.deepcopy(self._auto)
        for name in ("columns", "drop_duplicates", "embedding_threshold", "split"):
            setattr(cfg, name, getattr(fresh, name))
        self._reload()
        self.state.notify_preprocess_changed()


def _percent_spin(low: int, high: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(" %")
    spin.setToolTip(tip)
    return spin
