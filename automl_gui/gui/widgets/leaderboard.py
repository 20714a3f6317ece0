"""The AutoML search's live leaderboard: one row per trial and per scikit-learn baseline.

:class:`LeaderboardModel` holds :class:`~automl_gui.core.tune.search.space.TrialRecord` rows (a
running row from ``TrialStarted``, replaced by the ``TrialEnded`` record) and marks the best
trial; :class:`Leaderboard` shows it in a sortable table with an "Export CSV…" button and
context menu, and emits ``trial_selected`` with the chosen record (the Train page then plots
that trial's curves).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.tune.search.space import TrialRecord

_Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Trial", "Status", "Metric", "Validation", "Test", "Epochs", "Time", "Settings")
STATUS_TEXT = {
    "running": "● running",
    "completed": "✓ completed",
    "failed": "✗ failed",
    "stopped": "■ stopped",
    "baseline": "◆ baseline",
}
STATUS_COLOR = {
    "running": "#1565C0",
    "completed": "#2E7D32",
    "failed": "#C62828",
    "stopped": "#A15C00",
    "baseline": "#52606D",
}
STATUS_TIP = {
    "running": "Training now: its curves are the live plots.",
    "completed": "Trained all the epochs of its round (or stopped early when it stopped "
    "improving).",
    "failed": "Could not be trained; the search went on without it.",
    "stopped": "Cut short by Stop or the time budget; its best epoch still counts.",
    "baseline": "A scikit-learn model trained on the same rows: does the network do better?",
}
BASELINE_BACKGROUND = "#F1F3F5"
BEST_BACKGROUND = "#FFF4D6"
OPTIMIZER_NAMES = {"adam": "Adam", "rmsprop": "RMSprop", "sgd": "SGD", "adamax": "Adamax"}


def _num(value: Any) -> str:
    """A short number: 0.1 → "0.10", 0.001 → "1e-3", 64 → "64"."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) < 0.01 or abs(value) >= 1e5:
            mantissa, exp = f"{value:.0e}".split("e")
            return f"{mantissa}e{int(exp)}"
        return f"{value:.2f}" if abs(value) < 1 else f"{value:.3g}"
    return str(value)


def describe_hyperparameters(hp: dict[str, Any]) -> str:
    """Readable settings: ``"2×64, dropout 0.10, L2 1e-4, adam, lr 1e-3, batch 32"``.

    Known table keys are written first and short; other keys (image and audio spaces, a
    baseline's settings) follow as ``name value``; Keras Tuner's "tuner/..." keys are left out.
    """
    hp = {k: v for k, v in hp.items() if not str(k).startswith("tuner/") and v is not None}
    parts: list[str] = []
    if "model" in hp:
        parts.append(str(hp.pop("model")))
    if "depth" in hp and "units" in hp:
        depth, units = hp.pop("depth"), hp.pop("units")
        parts.append("linear" if depth == 0 else f"{depth}×{units}")
    if "dropout" in hp:
        parts.append(f"dropout {_num(hp.pop('dropout'))}")
    if "l2" in hp:
        parts.append(f"L2 {_num(hp.pop('l2'))}")
    if hp.pop("batch_norm", False):
        parts.append("batch norm")
    if "optimizer" in hp:
        opt = str(hp.pop("optimizer"))
        parts.append(OPTIMIZER_NAMES.get(opt, opt))
    if "learning_rate" in hp:
        parts.append(f"lr {_num(hp.pop('learning_rate'))}")
    if "batch_size" in hp:
        parts.append(f"batch {hp.pop('batch_size')}")
    parts += [f"{str(k).replace('_', ' ')} {_num(v)}" for k, v in hp.items()]
    return ", ".join(parts)


def _seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"


def _finite(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


class LeaderboardModel(QAbstractTableModel):
    """Leaderboard rows (trials, then baselines as they come) with the best trial marked."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.records: list[TrialRecord] = []
        self.maximize = False  # the search's direction: higher objective is better
        self.best_id: str | None = None

    # -- feeding -----------------------------------------------------------------------------
    def clear(self, maximize: bool = False) -> None:
        self.beginResetModel()
        self.records = []
        self.maximize = maximize
        self.best_id = None
        self.endResetModel()

    def set_records(self, records: list[TrialRecord], best_id: str | None = None) -> None:
        """Show ``records`` (a finished or resumed search); ``best_id`` overrides the best."""
        self.beginResetModel()
        self.records = list(records)
        self.best_id = best_id if best_id is not None else self._find_best()
        self.endResetModel()

    def start_trial(self, trial_id: str, hyperparameters: dict[str, Any]) -> None:
        """A running row for a trial that just began."""
        self.upsert(TrialRecord(trial_id, dict(hyperparameters), status="running"))

    def upsert(self, record: TrialRecord) -> None:
        """Add ``record`` or replace the row with its trial id."""
        for row, old in enumerate(self.records):
            if old.trial_id == record.trial_id:
                self.records[row] = record
                self._best_changed()
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return
        row = len(self.records)
        self.beginInsertRows(QModelIndex(), row, row)
        self.records.append(record)
        self.endInsertRows()
        self._best_changed()

    def set_epochs(self, trial_id: str, epochs: int) -> None:
        """The running trial's epochs so far (its row counts them live)."""
        for row, r in enumerate(self.records):
            if r.trial_id == trial_id and r.status == "running":
                r.epochs = epochs
                index = self.index(row, COLUMNS.index("Epochs"))
                self.dataChanged.emit(index, index)
                return

    def record(self, trial_id: str | None) -> TrialRecord | None:
        return next((r for r in self.records if r.trial_id == trial_id), None)

    def _find_best(self) -> str | None:
        best: TrialRecord | None = None
        for r in self.records:
            if r.status == "baseline" or not r.scored:
                continue
            if best is None or (r.value > best.value if self.maximize else r.value < best.value):
                best = r
        return best.trial_id if best is not None else None

    def _best_changed(self) -> None:
        best = self._find_best()
        if best != self.best_id:
            self.best_id = best
            if self.records:
                last = self.index(len(self.records) - 1, len(COLUMNS) - 1)
                self.dataChanged.emit(self.index(0, 0), last)

    # -- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return {
                "Validation": "The best validation figure the trial reached (mean ± spread "
                "over the folds when cross-validated); ★ marks the best trial.",
                "Test": "Score on the test rows (baselines; the kept model's is on Evaluate).",
                "Metric": "What the Validation column measures.",
            }.get(COLUMNS[section])
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.records[index.row()]
        col = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(r, col)
        if role == SORT_ROLE:
            return self._sort_key(r, col)
        if role == Qt.ItemDataRole.UserRole:
            return r.trial_id
        if role == Qt.ItemDataRole.ForegroundRole and col == "Status":
            return QBrush(QColor(STATUS_COLOR.get(r.status, "#1F2933")))
        if role == Qt.ItemDataRole.BackgroundRole:
            if r.trial_id == self.best_id:
                return QBrush(QColor(BEST_BACKGROUND))
            if r.status == "baseline":
                return QBrush(QColor(BASELINE_BACKGROUND))
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(r.trial_id == self.best_id)
            font.setItalic(r.status == "baseline")
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in ("Validation", "Test", "Epochs"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, r: TrialRecord, col: str) -> str:
        if col == "Trial":
            name = r.trial_id.removeprefix("baseline:")
            return f"★ {name}" if r.trial_id == self.best_id else name
        if col == "Status":
            return STATUS_TEXT.get(r.status, r.status)
        if col == "Metric":
            return r.metric_name
        if col == "Validation":
            value = _finite(getattr(r, "cv_mean", None))
            std = _finite(getattr(r, "cv_std", None))
            if value is None:
                value = _finite(r.value)
            if value is None:
                return "—"
            return f"{value:.4g} ± {std:.2g}" if std is not None else f"{value:.4g}"
        if col == "Test":
            test = _finite(r.test_score)
            return f"{test:.4g}" if test is not None else "—"
        if col == "Epochs":
            return "" if r.status == "baseline" else str(r.epochs)
        if col == "Time":
            return _seconds(r.seconds) if r.status != "running" else "…"
        if col == "Settings":
            return describe_hyperparameters(r.hyperparameters)
        return ""

    def _sort_key(self, r: TrialRecord, col: str) -> Any:
        if col == "Validation":
            value = _finite(getattr(r, "cv_mean", None))
            value = _finite(r.value) if value is None else value
            if value is None:  # failed and running rows sort last either way
                return math.inf if not self.maximize else -math.inf
            return value
        if col == "Test":
            test = _finite(r.test_score)
            return -math.inf if test is None else test
        if col == "Epochs":
            return r.epochs
        if col == "Time":
            return r.seconds
        if col == "Trial":
            return (r.status == "baseline", r.trial_id)
        return self._text(r, col)

    def _tooltip(self, r: TrialRecord, col: str) -> str:
        lines = []
        if col == "Status":
            lines.append(STATUS_TIP.get(r.status, ""))
        if r.reason:
            lines.append(r.reason)
        folds = getattr(r, "cv_folds", None)
        if folds and col == "Validation":
            lines.append(f"Mean over {folds if isinstance(folds, int) else len(folds)} folds.")
        if col == "Settings":
            lines.append(describe_hyperparameters(r.hyperparameters))
        if r.trial_id == self.best_id:
            lines.append("★ The best trial so far: the search keeps it.")
        return "\n".join(line for line in lines if line)


def leaderboard_csv_rows(records: list[TrialRecord]) -> list[dict[str, Any]]:
    """Rows for the CSV: ``core.tune.search.space.leaderboard_rows`` plus readable settings and, when
    cross-validated, the folds' mean and spread."""
    from automl_gui.core.tune.search.space import leaderboard_rows

    rows = leaderboard_rows(records)
    for row, r in zip(rows, records, strict=True):
        row["settings"] = describe_hyperparameters(r.hyperparameters)
        for name in ("cv_mean", "cv_std"):
            if getattr(r, name, None) is not None:
                row[name] = getattr(r, name)
    return rows


def ask_csv_path(parent: QWidget | None, start: str) -> str:
    """Ask where to save the leaderboard (blocking); "" when cancelled. Tests patch this."""
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export the leaderboard", start, "CSV files (*.csv);;All files (*)"
    )
    return path


class Leaderboard(QWidget):
    """The sortable leaderboard table with its title, hint and CSV export."""

    trial_selected = Signal(object)  # the TrialRecord chosen, or None when cleared
    exported = Signal(str)  # the path written
    export_failed = Signal(str, str, str)  # title, message, hint: the owner shows them

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LeaderboardModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        for col in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.view.setToolTip(
            "Click a row to plot that trial's curves; click the running row to follow it live "
            "again. Click a header to sort."
        )
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.selectionModel().currentRowChanged.connect(self._on_current)

        self.title = QLabel("Leaderboard")
        self.title.setStyleSheet("font-weight: 600;")
        self.hint = QLabel("")
        self.hint.setProperty("role", "muted")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the leaderboard as a CSV file (one row per trial).")
        self.export_button.clicked.connect(self.ask_export)
        self.export_button.setEnabled(False)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.hint, 1)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.model.rowsInserted.connect(self._on_rows)
        self.model.modelReset.connect(self._on_rows)

    # -- feeding (delegates to the model) -----------------------------------------------------
    def clear(self, maximize: bool = False) -> None:
        self.model.clear(maximize)

    def _on_rows(self, *_args: object) -> None:
        self.export_button.setEnabled(bool(self.model.records))
        trials = sum(r.status != "baseline" for r in self.model.records)
        self.hint.setText(f"{trials} trial{'s' if trials != 1 else ''}" if trials else "")

    # -- selection ---------------------------------------------------------------------------
    def selected_id(self) -> str | None:
        index = self.view.selectionModel().currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def select_trial(self, trial_id: str | None) -> None:
        """Select the row of ``trial_id`` (None clears the selection)."""
        if trial_id is None:
            self.view.selectionModel().clear()
            self.trial_selected.emit(None)
            return
        for row, r in enumerate(self.model.records):
            if r.trial_id == trial_id:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                self.view.selectRow(index.row())
                self.view.setCurrentIndex(index)
                return

    def scroll_to(self, trial_id: str | None) -> None:
        """Scroll the row of ``trial_id`` into view (without selecting it)."""
        for row, r in enumerate(self.model.records):
            if r.trial_id == trial_id:
                self.view.scrollTo(self.proxy.mapFromSource(self.model.index(row, 0)))
                return

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        trial_id = current.data(Qt.ItemDataRole.UserRole) if current.isValid() else None
        self.trial_selected.emit(self.model.record(trial_id))

    # -- export ------------------------------------------------------------------------------
    def export_csv(self, path: str | Path) -> Path:
        """Write the leaderboard to ``path`` as CSV (atomically); returns the path."""
        import pandas as pd

        from automl_gui.core.base.files import atomic_write

        path = Path(path)
        frame = pd.DataFrame(leaderboard_csv_rows(self.model.records))
        atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))
        self.exported.emit(str(path))
        return path

    def ask_export(self) -> None:
        """Ask for a file name and export there (a failure is told through ``export_failed``)."""
        from automl_gui.gui import settings as app_settings

        store = app_settings.current()
        start = str(Path(app_settings.last_folder(store)) / "leaderboard.csv")
        path = ask_csv_path(self, start)
        if not path:
            return
        if not path.lower().endswith(".csv"):
            path += ".csv"
        try:
            self.export_csv(path)
        except OSError as exc:
            self.export_failed.emit("Export", f"The leaderboard could not be saved: {exc}.", "")
            return
        app_settings.set_last_folder(store, path)

    def _context_menu(self, pos: Any) -> None:
        menu = QMenu(self)
        export = QAction("Export CSV…", menu)
        export.setEnabled(bool(self.model.records))
        export.triggered.connect(self.ask_export)
        copy = QAction("Copy settings", menu)
        index = self.view.indexAt(pos)
        copy.setEnabled(index.isValid())
        record = (
            self.model.record(index.data(Qt.ItemDataRole.UserRole)) if index.isValid() else None
        )
        if record is not None:
            text = describe_hyperparameters(record.hyperparameters)
            copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(text))
        menu.addAction(export)
        menu.addAction(copy)
        menu.popup(self.view.viewport().mapToGlobal(pos))
