"""A virtualized Qt table model over a pandas DataFrame.

Construction does no per-row work: the view asks only for the cells it paints, and the model
formats them in small blocks (``BLOCK_ROWS`` rows of one column at a time, one vectorized
``iloc`` slice each) kept in a bounded cache. A 1,000,000-row frame scrolls like a 100-row one.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

BLOCK_ROWS = 64
MAX_BLOCKS = 4096  # ~262k formatted cells at most
DISPLAY_CHARS = 120  # longer text is cut in the cell (full text in the tooltip)
TOOLTIP_CHARS = 2000
MISSING_TEXT = "—"

_Index = QModelIndex | QPersistentModelIndex

if TYPE_CHECKING:  # pandas is imported on first use: the window must not wait for it
    import pandas as pd


def format_value(value: Any) -> str:
    """Format one cell for display (floats with 6 significant digits, missing as '—')."""
    if value is None:
        return MISSING_TEXT
    if isinstance(value, float):
        if math.isnan(value):
            return MISSING_TEXT
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:.1f}"
        return f"{value:.6g}"
    import pandas as pd

    try:
        if pd.isna(value):
            return MISSING_TEXT
    except (TypeError, ValueError):
        pass
    return str(value)


class DataFrameModel(QAbstractTableModel):
    """Read-only table model over a DataFrame; formats only the cells a view asks for."""

    def __init__(self, df: pd.DataFrame | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._df = df
        self._setup()

    # -- data source -------------------------------------------------------------------------
    def _setup(self) -> None:
        df = self._df
        self._cache: OrderedDict[tuple[int, int], tuple[list[str], list[bool]]] = OrderedDict()
        self._missing_brush = QBrush(QColor("#9AA5B1"))
        self._missing_font = QFont()
        self._missing_font.setItalic(True)
        if df is None:
            self._n_rows, self._columns, self._numeric, self._dtypes = 0, [], [], []
            self._default_index = True
            return
        import pandas as pd

        self._n_rows = len(df)
        self._columns = [str(c) for c in df.columns]
        # judged once per distinct dtype: str() and the checks per column took ~0.5 s at
        # 20,000 columns on the UI thread
        judged: dict[Any, tuple[bool, str]] = {}
        self._numeric, self._dtypes = [], []
        for dtype in df.dtypes.tolist():
            try:
                numeric, text = judged[dtype]
            except (KeyError, TypeError):
                numeric = bool(
                    pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
                )
                text = str(dtype)
                try:
                    judged[dtype] = (numeric, text)
                except TypeError:  # an unhashable dtype: judged each time
                    pass
            self._numeric.append(numeric)
            self._dtypes.append(text)
        self._default_index = isinstance(df.index, pd.RangeIndex) and df.index.start == 0

    @property
    def frame(self) -> pd.DataFrame | None:
        """The DataFrame shown (never modified by the model); None when empty."""
        return self._df

    def set_frame(self, df: pd.DataFrame | None) -> None:
        """Show another DataFrame (resets attached views)."""
        self.beginResetModel()
        self._df = df
        self._setup()
        self.endResetModel()

    def _block(self, col: int, block: int) -> tuple[list[str], list[bool]]:
        key = (col, block)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        start = block * BLOCK_ROWS
        values = self._df.iloc[start : start + BLOCK_ROWS, col]
        missing = values.isna().tolist()
        texts = [
            MISSING_TEXT if miss else format_value(v)
            for v, miss in zip(values.tolist(), missing, strict=True)
        ]
        self._cache[key] = (texts, missing)
        if len(self._cache) > MAX_BLOCKS:
            self._cache.popitem(last=False)
        return texts, missing

    def cell_text(self, row: int, col: int) -> str:
        """Full formatted text of one cell."""
        texts, _ = self._block(col, row // BLOCK_ROWS)
        return texts[row % BLOCK_ROWS]

    # -- Qt model API ------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._n_rows

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.cell_text(row, col)
            return text if len(text) <= DISPLAY_CHARS else text[: DISPLAY_CHARS - 1] + "…"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self._numeric[col]:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole):
            _, missing = self._block(col, row // BLOCK_ROWS)
            if missing[row % BLOCK_ROWS]:
                if role == Qt.ItemDataRole.ForegroundRole:
                    return self._missing_brush
                return self._missing_font
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            texts, missing = self._block(col, row // BLOCK_ROWS)
            if missing[row % BLOCK_ROWS]:
                return "Missing value"
            text = texts[row % BLOCK_ROWS]
            return text if len(text) <= TOOLTIP_CHARS else text[:TOOLTIP_CHARS] + "…"
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(self._columns):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{self._columns[section]} ({self._dtypes[section]})"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if self._default_index:
                return str(section + 1)
            return str(self._df.index[section])
        return None
