"""The Preprocess page's column table: one editable row per feature column (model and
combo-box delegate). Split from ``preprocess.py``, which re-exports these names."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from automl_gui.core.data.schema import ColumnKind
from automl_gui.core.preprocess.config import (
    ENCODINGS,
    MISSING_BY_TYPE,
    MISSING_STRATEGIES,
    SCALINGS,
    ColumnConfig,
)

LABELS = {
    "numeric": "Numeric",
    "categorical": "Categorical",
    "text": "Text",
    "datetime": "Date/time",
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
    "Numeric: fed as a number. Categorical: each distinct value is a category. Text: free "
    "text, read as TF-IDF of words and word pairs. Date/time: year, month, day of week, hour, "
    "their cycles and days since the first date.",
    "How to fill missing values: mean/median (numbers), the most frequent value, a constant "
    "you choose, or drop the rows that miss it.",
    "The value used when Missing values is 'Constant'.",
    "Add a 0/1 input saying the value was missing (helps when missingness means something).",
    "Numbers only: standardize (mean 0, std 1), min-max (0..1) or none.",
    "Categories: one-hot (one input per value) or embedding (learned vector, for many "
    "values). Text: TF-IDF of n-grams, with the vocabulary size (set under 'Free-text column' "
    "at the side when the row is selected).",
]
#: the n-gram lengths a text column may take (0: automatic, the text kind's words and pairs)
NGRAM_LABELS = {
    0: "Auto (words and pairs)",
    1: "Words",
    2: "Words and pairs",
    3: "Up to 3-word phrases",
}
_Index = QModelIndex | QPersistentModelIndex


#: the column types a column of a profiled kind may take besides numeric/categorical
SPECIAL_TYPES = {ColumnKind.TEXT: "text", ColumnKind.DATETIME: "datetime"}


def missing_options(kind: str) -> list[str]:
    """Missing strategies valid for a feature type."""
    if kind in MISSING_BY_TYPE:
        return list(MISSING_BY_TYPE[kind])
    if kind == ColumnKind.NUMERIC:
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
        self.special: dict[str, str] = {}
        self.on_edit: Any = None

    def set_rows(
        self,
        rows: list[ColumnConfig],
        numeric_ok: dict[str, bool],
        special: dict[str, str] | None = None,
    ) -> None:
        """``special``: columns the profile found to be free text ("text") or dates
        ("datetime"), which may be used as such."""
        self.beginResetModel()
        self.rows = rows
        self.numeric_ok = numeric_ok
        self.special = dict(special or {})
        for c in rows:  # settings read back from a project keep their type on offer
            if c.type in MISSING_BY_TYPE:
                self.special.setdefault(c.name, c.type)
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
            return c.missing == "constant" and c.type != "text"  # missing text is ""
        if col == COL_INDICATOR:
            return c.type != "text"
        if col == COL_SCALING:
            return c.type == "numeric"
        if col == COL_ENCODING:
            return c.type in ("categorical", "text")
        return True

    def options(self, c: ColumnConfig, col: int) -> list[str]:
        if col == COL_TYPE:
            base = ["numeric", "categorical"] if self.numeric_ok.get(c.name) else ["categorical"]
            special = self.special.get(c.name)
            return base + [special] if special else base
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
        if col == COL_ENCODING and c.type == "text":  # set at the side (two settings)
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
            if col == COL_MISSING and c.type == "text" and value == "constant":
                return "Empty text"  # the model reads a missing text as ""
            if col == COL_ENCODING and c.type == "text":
                return text_encoding(c)
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
            if col == COL_ENCODING and c.type == "text":
                return (
                    f"TF-IDF of {NGRAM_LABELS.get(c.text_ngrams(), 'n-grams').lower()}, the "
                    f"{c.text_max_tokens():,} most frequent in the training rows. Select the "
                    "row to change them under 'Free-text column' at the side."
                )
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


def text_encoding(c: ColumnConfig) -> str:
    """A text column's Encoding cell: "TF-IDF 1-2 words, 20,000" (n-grams and vocabulary)."""
    n = c.text_ngrams()
    return f"TF-IDF {'words' if n == 1 else f'1-{n} words'}, {c.text_max_tokens():,}"


def _parse_fill(text: str, kind: str) -> float | str | None:
    text = text.strip()
    if not text:
        return None
    if kind == ColumnKind.NUMERIC:
        try:
            return float(text)
        except ValueError:
            return None
    return text


def _change_type(c: ColumnConfig, kind: str) -> None:
    c.type = kind
    options = missing_options(kind)
    if c.missing not in options:
        c.missing = "most_frequent" if "most_frequent" in options else options[0]
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
