"""Small result widgets: metric cards (and which cards a report gets), the per-class table
(every kind's Evaluate page shows a report with these two) and a plain read-only table over a
list of rows."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

_CARD_STYLE = (
    "QFrame#metricCard { background: #ffffff; border: 1px solid #d8dee4; border-radius: 6px; }"
)


def format_value(value: Any, digits: int = 4) -> str:
    """Short human form of a metric: '0.9123', '1.2e-05', '—' for None/NaN."""
    if value is None:
        return "—"
    try:
        f = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(f):
        return "—"
    if f != 0 and (abs(f) < 1e-3 or abs(f) >= 1e6):
        return f"{f:.3g}"
    if float(f).is_integer() and abs(f) >= 1000:
        return f"{int(f):,}"
    return f"{f:.{digits}f}"


Card = tuple[str, str, str]  # (caption, metric key, tooltip)


def classification_cards(noun: str) -> tuple[Card, ...]:
    """The cards of a classifier's report, worded for its test ``noun``s ("row", "image").

    Balanced accuracy stands next to accuracy: on imbalanced classes always answering the
    majority class has a high accuracy but a balanced accuracy of 1/k. It is the recall
    averaged over classes, so no "Recall macro" card repeats it.
    """
    return (
        ("Accuracy", "accuracy", f"Share of test {noun}s whose top prediction is right."),
        (
            "Balanced accuracy",
            "balanced_accuracy",
            f"Share of each class's test {noun}s found, averaged over the classes (macro "
            "recall): every class counts equally, so always answering the largest class "
            "scores 1 / number of classes.",
        ),
        (
            "Top-3 accuracy",
            "top_k_accuracy",
            f"Share of test {noun}s whose true class is among the model's 3 most likely classes.",
        ),
        ("F1 macro", "f1_macro", "F1 averaged over classes, each class counting equally."),
        (
            "Precision macro",
            "precision_macro",
            f"Of the {noun}s predicted as a class, share right, averaged over classes.",
        ),
        (
            "Log loss",
            "log_loss",
            "Cross-entropy of the predicted probabilities (lower is better; confident mistakes "
            "cost most).",
        ),
        ("ROC AUC", "roc_auc", "Ranking quality of the probabilities (1 is perfect, 0.5 chance)."),
    )


REGRESSION_CARDS: tuple[Card, ...] = (
    ("MSE", "mse", "Mean squared error on the test split."),
    ("RMSE", "rmse", "Root mean squared error: typical error in target units."),
    ("MAE", "mae", "Mean absolute error in target units."),
    ("R²", "r2", "Share of the target's variance explained (1 is perfect, 0 = the mean)."),
)


class MetricCards(QWidget):
    """A row of cards, each a caption over a big number, with a tooltip explaining it
    (:meth:`show_report` picks a report's cards). On a
    narrow page the captions wrap ("Precision" over "macro") so the row still fits: seven
    cards with one-line captions held a 1024-pixel window 1085 pixels wide."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._values: dict[str, str] = {}

    def set_metrics(self, items: Sequence[tuple[str, Any, str]]) -> None:
        """Replace the cards with ``(caption, value, tooltip)`` items."""
        while self._layout.count():
            w = self._layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self._values = {}
        for caption, value, tip in items:
            text = format_value(value)
            self._values[caption] = text
            card = QFrame()
            card.setObjectName("metricCard")
            card.setStyleSheet(_CARD_STYLE)
            card.setToolTip(tip)
            box = QVBoxLayout(card)
            box.setContentsMargins(10, 8, 10, 8)
            cap = QLabel(caption)
            cap.setProperty("role", "muted")
            cap.setWordWrap(True)
            num = QLabel(text)
            num.setStyleSheet("font-size: 15pt; font-weight: 600; color: #1f2933;")
            box.addWidget(cap)
            box.addWidget(num)
            self._layout.addWidget(card)
        self._layout.addStretch(1)

    def show_report(self, report: dict[str, Any], noun: str) -> None:
        """The cards of an evaluation ``report`` (``core.evaluate.metrics``) for test
        ``noun``s: a regressor's errors, or a classifier's accuracy and balanced accuracy
        and the rest; a metric the report lacks (top-3 with 3 classes or fewer, ROC AUC
        when a class is missing from the test split) gets no card."""
        from automl_gui.core.evaluate.metrics import report_metrics

        metrics = report_metrics(report)  # balanced accuracy for reports saved before it
        if report.get("task") == "regression":  # every card, "—" for a missing value
            items = [(cap, metrics.get(key), tip) for cap, key, tip in REGRESSION_CARDS]
        else:
            cards = classification_cards(noun)
            items = [
                (cap, metrics[key], tip) for cap, key, tip in cards if metrics.get(key) is not None
            ]
        self.set_metrics(items)

    def values(self) -> dict[str, str]:
        """Caption → displayed text (for tests)."""
        return dict(self._values)


class RowsModel(QAbstractTableModel):
    """Read-only table over ``rows`` (lists of values) with ``headers``; numbers right-aligned."""

    def __init__(
        self,
        headers: Sequence[str] = (),
        rows: Sequence[Sequence[Any]] = (),
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]

    def set_rows(self, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        self.beginResetModel()
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()][index.column()]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, float):
                return format_value(value)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and value:
            return value  # a cell cut with "…" shows whole on hover
        if role == Qt.ItemDataRole.TextAlignmentRole and numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if section < len(self.headers) else None
        return str(section + 1)


def class_weights_text(run: Any, noun: str) -> str:
    """A sentence saying how a run weighted its classes ("" when every example counted once):
    the Evaluate pages' summary, so balanced accuracy and recall read with it."""
    weights = getattr(getattr(run, "result", None), "class_weights", None)
    if not weights:
        weights = ((getattr(run, "metadata", None) or {}).get("training_result") or {}).get(
            "class_weights"
        )
    names = [str(c) for c in (getattr(run, "report", None) or {}).get("class_names", [])]
    if not weights or len(weights) != len(names) or min(weights) <= 0:
        return ""
    low = min(range(len(weights)), key=weights.__getitem__)
    high = max(range(len(weights)), key=weights.__getitem__)
    times = weights[high] / weights[low]
    return (
        f"Classes weighted 'balanced': a '{names[high]}' {noun} counted {times:.1f}× a "
        f"'{names[low]}' {noun} in training."
    )


PER_CLASS_HEADERS = ("class", "precision", "recall", "F1", "support", "mistaken for")


def per_class_rows(report: dict[str, Any]) -> list[list[Any]]:
    """One row per class of a classifier's report: class, precision, recall, F1, support and
    the class its test examples are most often mistaken for, with how often ("dog (3)"; ""
    when never)."""
    matrix = report.get("confusion_matrix") or []
    names = [str(c) for c in report.get("class_names", [])]
    rows = []
    for i, p in enumerate(report.get("per_class", [])):
        confused = ""
        if i < len(matrix):
            wrong = [(n, j) for j, n in enumerate(matrix[i]) if j != i and n > 0 and j < len(names)]
            if wrong:
                n, j = max(wrong)
                confused = f"{names[j]} ({n:,})"
        rows.append(
            [str(p["class"]), p["precision"], p["recall"], p["f1"], int(p["support"]), confused]
        )
    return rows


class PerClassTable(QTableView):
    """Precision, recall, F1, support and the most frequent mistake of each class. The figures
    keep their width; the class column takes what its names need, up to half of what is left,
    and the mistakes' column the rest; a long name is cut with "…" (a cell's tooltip has it
    whole). The table is never narrower than its headers: in the image Evaluate page's pane
    at 1024 pixels "mistaken for" showed as "staken"."""

    def __init__(self, noun: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows_model = RowsModel()
        self.setModel(self.rows_model)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.verticalHeader().hide()  # the rows are named by their class
        self.horizontalHeader().setMinimumSectionSize(48)
        self.setToolTip(
            f"Precision: of the {noun}s predicted as the class, share right. Recall: of the "
            f"class's {noun}s, share found. Support: test {noun}s of the class. Mistaken for: "
            f"the class its {noun}s are most often predicted as instead, and how many times."
        )

    def show_report(self, report: dict[str, Any]) -> None:
        """Fill the table from a classifier's report (``core.evaluate.metrics``)."""
        self.rows_model.set_rows(PER_CLASS_HEADERS, per_class_rows(report))
        header = self.horizontalHeader()
        last = len(PER_CLASS_HEADERS) - 1
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        for column in range(1, last):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(last, QHeaderView.ResizeMode.Stretch)
        self._fit_class_column()
        self.updateGeometry()  # the width its headers and figures need (minimumSizeHint)

    def _header_width(self, column: int) -> int:
        return self.horizontalHeader().sectionSizeFromContents(column).width()

    def _figures_width(self) -> int:
        last = self.rows_model.columnCount() - 1
        return sum(max(self._header_width(c), self.sizeHintForColumn(c)) for c in range(1, last))

    def _fit_class_column(self) -> None:
        """The class names whole where they fit in half the room the figures leave, never
        less than the header; the mistakes' column stretches over the rest."""
        last = self.rows_model.columnCount() - 1
        if last < 1:
            return
        spare = self.viewport().width() - self._figures_width()
        most = max(spare - self._header_width(last), 0)
        width = min(self.sizeHintForColumn(0), max(spare // 2, 0), most)
        self.horizontalHeader().resizeSection(0, max(width, self._header_width(0)))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_class_column()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """At least every header whole (with the style's padding) and the figures, so a
        splitter or tab widget holding the table keeps it that wide."""
        hint = super().minimumSizeHint()
        last = self.rows_model.columnCount() - 1
        if last < 1:
            return hint
        need = self._header_width(0) + self._figures_width() + self._header_width(last)
        need += 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()
        return QSize(max(hint.width(), need), hint.height())

    def clear_rows(self) -> None:
        self.rows_model.set_rows([], [])
