"""The AutoML search's live leaderboard: one row per trial and per scikit-learn baseline.

:class:`Leaderboard` shows a :class:`~automl_gui.gui.widgets.leaderboard_model.LeaderboardModel`
in a sortable table with an "Export CSV…" button and context menu, and emits
``trial_selected`` with the chosen record (the Train page then plots that trial's curves).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication
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

from automl_gui.core.tune.search.space import NOT_TRIALS, TrialRecord
from automl_gui.gui.widgets.leaderboard_model import (
    COLUMNS,
    SORT_ROLE,
    LeaderboardModel,
    describe_hyperparameters,
)

#: rows a finished search's leaderboard shows without scrolling (:meth:`Leaderboard.fit_rows`):
#: a few trials, the average and the three baselines
FIT_ROWS = 8


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
        self._scroll_target: str | None = None  # a row kept in view until the user scrolls
        self.view.verticalScrollBar().actionTriggered.connect(self._user_scrolled)

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
        self._floor: int | None = None  # the minimum height before fit_rows grew it
        self.model.rowsInserted.connect(self._on_rows)
        self.model.modelReset.connect(self._on_rows)
        self.model.dataChanged.connect(self._show_workers)
        self._show_workers()

    # -- feeding (delegates to the model) -----------------------------------------------------
    def clear(self, maximize: bool = False) -> None:
        self._scroll_target = None
        self.model.clear(maximize)
        if self._floor is not None:  # a new search: the page's own minimum again
            self.setMinimumHeight(self._floor)

    def fit_rows(self, most: int = FIT_ROWS) -> None:
        """Grow the minimum height so up to ``most`` rows show without scrolling the table
        (a finished search: its trials, the average and the baselines the banner names);
        the page around it scrolls instead when the window is short."""
        if self._floor is None:
            self._floor = self.minimumHeight()
        rows = min(len(self.model.records), most)
        view = self.view
        need = (
            self.export_button.sizeHint().height()
            + view.horizontalHeader().sizeHint().height()
            + rows * view.verticalHeader().defaultSectionSize()
            + view.horizontalScrollBar().sizeHint().height()
            + 2 * view.frameWidth()
            + 8
        )
        self.setMinimumHeight(max(self._floor, need))

    def _show_workers(self, *_args: object) -> None:
        """The Worker column only for a search whose trials ran on several workers (rows
        from a search across processes); one machine's rows have none."""
        shown = any(r.worker for r in self.model.records)
        self.view.setColumnHidden(COLUMNS.index("Worker"), not shown)

    def _on_rows(self, *_args: object) -> None:
        self._show_workers()
        self.export_button.setEnabled(bool(self.model.records))
        trials = sum(r.status not in NOT_TRIALS for r in self.model.records)
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
        """Scroll the row of ``trial_id`` to the middle of the view (without selecting it),
        and again whenever the board is laid out anew (a board just shown, as after reopening
        a project, has no height yet) until the user scrolls or picks a row."""
        self._scroll_target = trial_id
        self._scroll_now()

    def _scroll_now(self) -> None:
        for row, r in enumerate(self.model.records):
            if r.trial_id == self._scroll_target:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                return

    def _user_scrolled(self, *_args: object) -> None:
        self._scroll_target = None

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if self._scroll_target is not None:
            QTimer.singleShot(0, self, self._scroll_now)  # after the view's own layout

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._scroll_target = None
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
