"""What the Data pages of folder datasets (images, audio) share.

:class:`FolderDataPage` scans a folder (or a CSV of files) in a :class:`JobWorker` with
progress and Cancel, keeps the previous dataset when a scan fails or is cancelled, and
describes the result: a summary line, items per class as a bar chart (stacked by split), the
notices, the broken files with their reasons, and a class picker + split filter for the
per-class view. Subclasses supply the scan job, the state field and their own content (a
thumbnail gallery, a clip list with plots).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.events import Progress
from automl_gui.core.kinds import DataKind
from automl_gui.gui.format import plural
from automl_gui.gui.pages._folder_parts import (
    ALL_CLASSES,
    SPLIT_COLOURS,
    BadFilesModel,
    heading,
    html,
    split_counts,
    summary_html,
)
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import Banner
from automl_gui.gui.widgets.bar_chart import HorizontalBarChart, Series, scrolling
from automl_gui.gui.widgets.page_layout import BusyRow, page_column
from automl_gui.gui.workers import JobWorker, cancel_and_join

CHART_ROWS_IN_SIGHT = 7 * HorizontalBarChart.ROW + 6  # px: the class chart's least height


class FolderDataPage(QWidget):
    """Step 1 for a folder dataset: scan it in the background, then describe it.

    Subclasses set the class attributes, build their content in :meth:`_build_content`
    (calling :meth:`_build_class_chart`, :meth:`_build_class_picker` and
    :meth:`_build_bad_tab` for the shared parts) and implement :meth:`_scan_job`,
    :meth:`_accept`, :meth:`_show_dataset`, :meth:`_clear_dataset` and :meth:`_fill_items`.
    """

    name = "data"
    title = "Data"
    kind: DataKind  # the kind of this page's datasets
    NOUN, NOUNS = "file", "files"
    EXTENSION_WORD = "a known"  # broken files: "with {} extension"
    # what the items that cannot be used are called (tab, summary line, status bar)
    BAD_TAB, BAD_WORD = "Broken files", "broken"
    BAD_TAB_TIP = "Files that cannot be used, and why (they are left out)"
    NO_DATA = "No folder loaded."
    SCAN_TIP = "Every file is opened and checked once, in the background"

    loaded = Signal(str)  # path of a folder/CSV that scanned successfully
    load_failed = Signal(str, str)  # message, hint
    busy_changed = Signal(bool)
    open_requested = Signal()  # the empty page's "Open folder…" button

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._worker: JobWorker | None = None
        self._workers: set[JobWorker] = set()  # alive until their thread ends
        self._gen = 0  # results of replaced scans are ignored
        self._class: str | None = ALL_CLASSES
        self._build()
        state.dataset_changed.connect(self._on_dataset_changed)
        self._on_dataset_changed()

    # -- hooks -------------------------------------------------------------------------------
    def dataset(self) -> Any:
        """The loaded dataset of this page's kind, or None."""
        return self.state.loaded(self.kind)

    def _scan_job(self, path: str) -> Callable[..., Any]:
        """``job(on_event, cancel)`` that scans ``path`` (runs in a worker thread)."""
        raise NotImplementedError

    def _accept(self, result: Any) -> Any:
        """Take a finished scan's result into the state; returns the dataset."""
        raise NotImplementedError

    def _build_empty(self) -> QWidget:
        raise NotImplementedError

    def _build_content(self) -> QWidget:
        raise NotImplementedError

    def _show_dataset(self, ds: Any) -> None:
        """Describe ``ds`` in the page-specific parts (chart, notices, bad files are done)."""

    def _clear_dataset(self) -> None:
        """Empty the page-specific parts."""

    def _fill_items(self) -> None:
        """Show the items of the picked class and split."""

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel("Data")
        self.title_label.setProperty("role", "title")
        self.info_label = QLabel(self.NO_DATA)
        self.info_label.setProperty("role", "muted")
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = Banner()

        self.busy_box = BusyRow(
            self.SCAN_TIP, "Stop checking this folder (the current dataset stays)", 220
        )
        self.progress, self.busy_label = self.busy_box.bar, self.busy_box.label
        self.progress.setRange(0, 1000)
        self.cancel_button = self.busy_box.cancel_button
        self.cancel_button.clicked.connect(self.cancel_load)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_empty())
        self.stack.addWidget(self._build_content())

        page_column(self, self.title_label, self.info_label, self.banner, self.busy_box, self.stack)

    def _empty_panel(self, title_text: str, body: str, button_tip: str) -> QWidget:
        """The page before any dataset: what to open, and an "Open folder…" button."""
        panel = QWidget()
        title = QLabel(title_text)
        title.setProperty("role", "title")
        text = QLabel(body)
        text.setWordWrap(True)
        text.setFixedWidth(560)
        text.setMinimumHeight(text.heightForWidth(560) + 4)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        button = QPushButton("Open folder…")
        button.setProperty("primary", True)
        button.setToolTip(button_tip)
        button.clicked.connect(self.open_requested)
        layout = QVBoxLayout(panel)
        layout.addStretch(1)
        layout.addWidget(title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(6)
        layout.addWidget(text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(14)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return panel

    def _two_columns(
        self,
        chart_tip: str,
        left_parts: list[QWidget | int],
        items_tab: tuple[QWidget, str, str],
        left_width: int = 340,
    ) -> QWidget:
        """The content: on the left the class chart, then ``left_parts`` (widgets; an int is
        a spacing) and the notices; on the right ``tabs``: ``items_tab`` (widget, title,
        tooltip) and the broken files."""
        chart_area = self._build_class_chart(chart_tip)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setProperty("role", "muted")
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 4, 8, 0)
        left_layout.addWidget(self.chart_heading)
        left_layout.addWidget(chart_area, 1)
        for part in [*left_parts, 6, self.notes_label]:
            if isinstance(part, int):
                left_layout.addSpacing(part)
            else:
                left_layout.addWidget(part)
        left_layout.addStretch(0)
        left_area = QScrollArea()  # a short window scrolls the column, not squeezes it
        left_area.setWidget(left)
        left_area.setWidgetResizable(True)
        left_area.setFrameShape(QFrame.Shape.NoFrame)
        left_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_area.setStyleSheet("QScrollArea { background: transparent; }")
        left_area.viewport().setAutoFillBackground(False)
        left.setAutoFillBackground(False)

        widget, title, tip = items_tab
        self.tabs = QTabWidget()
        self.tabs.addTab(widget, title)
        self.bad_tab = self._build_bad_tab()
        self.tabs.addTab(self.bad_tab, self.BAD_TAB)
        self.tabs.setTabToolTip(0, tip)
        self.tabs.setTabToolTip(1, self.BAD_TAB_TIP)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left_area)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([left_width, 1100 - left_width])
        split.setChildrenCollapsible(False)
        left_area.setMinimumWidth(260)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(split, 1)
        return panel

    def _show_notes(self, ds: Any) -> None:
        """The scan's notices as bullet points (hidden when there are none)."""
        self.notes_label.setText("<br>".join(f"• {html(n)}" for n in ds.notices))
        self.notes_label.setVisible(bool(ds.notices))

    def _build_class_chart(self, tip: str) -> QWidget:
        """``chart_heading`` and the scrolling ``chart`` (clicking a class shows it)."""
        self.chart = HorizontalBarChart()
        self.chart.setToolTip(tip)
        self.chart.bar_clicked.connect(self.show_class)
        self.chart_heading = heading(f"{self.NOUNS.capitalize()} per class")
        self.chart_area = scrolling(self.chart)
        return self.chart_area

    def _build_class_picker(self) -> None:
        """``class_list`` (All classes + one row per class) and the ``split_combo`` filter."""
        self.class_list = QListWidget()
        self.class_list.setToolTip(f"Pick a class to see its {self.NOUNS} (↑/↓ to step through)")
        self.class_list.setMaximumWidth(200)
        self.class_list.setMinimumWidth(140)
        self.class_list.setStyleSheet("QListWidget::item { padding: 3px 4px; }")
        # long names are elided in the middle so the count at the end stays readable
        self.class_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.class_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.class_list.currentItemChanged.connect(self._on_class_picked)
        self.split_combo = QComboBox()
        self.split_combo.setToolTip(f"Show the {self.NOUNS} of one split only")
        self.split_combo.currentIndexChanged.connect(lambda _i: self._fill_items())
        self.split_label = QLabel("Split:")

    def _build_bad_tab(self) -> QWidget:
        self.bad_model = BadFilesModel()
        self.bad_table = QTableView()
        self.bad_table.setModel(self.bad_model)
        self.bad_table.setToolTip("Double-click a row to open its folder")
        self.bad_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.bad_table.setAlternatingRowColors(True)
        self.bad_table.setWordWrap(False)
        self.bad_table.verticalHeader().setVisible(False)
        self.bad_table.verticalHeader().setDefaultSectionSize(22)
        header = self.bad_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 320)
        self.bad_table.doubleClicked.connect(lambda idx: self.show_in_folder(idx.row()))
        self.bad_label = QLabel()
        self.bad_label.setProperty("role", "muted")
        self.bad_label.setWordWrap(True)
        self.folder_button = QPushButton("Show in folder")
        self.folder_button.setToolTip("Open the folder of the selected file in the file manager")
        self.folder_button.clicked.connect(self._show_selected_in_folder)
        row = QHBoxLayout()
        row.addWidget(self.bad_label, 1)
        row.addWidget(self.folder_button)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        layout.addWidget(self.bad_table, 1)
        return tab

    # -- loading -----------------------------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        return self._worker is not None

    def accept_drop(self, path: str) -> bool:
        """Scan a dropped folder here; other drops (a table) go to the window."""
        if not os.path.isdir(path):
            return False
        self.load(path)
        return True

    def load(self, path: str | Path) -> None:
        """Scan ``path`` in the background; the current dataset stays until the new one is
        ready (and stays when the scan fails or is cancelled)."""
        path = str(path)
        self.cancel_load()
        self._gen += 1
        gen = self._gen
        worker = JobWorker(self._scan_job(path))
        self._worker = worker
        worker.progress.connect(lambda event: self._on_progress(gen, event))
        worker.finished.connect(lambda result: self._on_loaded(gen, path, result))
        worker.failed.connect(lambda m, h: self._on_failed(gen, path, m, h))
        worker.cancelled.connect(lambda: self._on_cancelled(gen, path))
        self._workers.add(worker)
        worker.done.connect(lambda w=worker: self._workers.discard(w))
        self.banner.dismiss()
        name = Path(path).name or path
        self.progress.setValue(0)
        self._set_busy(True, f"Looking for {self.NOUNS} in {name}…")
        self.state.status.emit(f"Checking {self.NOUNS} in {name}…")
        worker.start()

    def cancel_load(self) -> None:
        """Cancel a scan in progress (no-op when idle)."""
        if self._worker is not None:
            self._worker.cancel()

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Cancel and join background work (the window calls this when it closes)."""
        return cancel_and_join(self._workers, msecs)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy_box.setVisible(busy)
        self.busy_label.setText(text)
        self.busy_changed.emit(busy)

    def _on_progress(self, gen: int, event: Progress) -> None:
        if gen != self._gen:
            return
        if event.fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(round(1000 * max(0.0, min(1.0, event.fraction))))
        if event.message:
            self.busy_label.setText(event.message)

    def _done(self, gen: int) -> bool:
        """End the busy state for scan ``gen``; False when that scan was replaced."""
        if gen != self._gen:
            return False
        self._worker = None
        self._set_busy(False)
        return True

    def _on_loaded(self, gen: int, path: str, result: Any) -> None:
        if not self._done(gen):
            return
        dataset = self._accept(result)
        bad = f", {len(dataset.bad_files):,} {self.BAD_WORD} left out" if dataset.bad_files else ""
        self.state.status.emit(
            f"Loaded {self.state.dataset_name}: {len(dataset):,} {self.NOUNS} in "
            f"{len(dataset.class_names)} classes{bad}"
        )
        self.loaded.emit(path)

    def _on_failed(self, gen: int, path: str, message: str, hint: str) -> None:
        if not self._done(gen):
            return
        name = Path(path).name or path
        kept = ""
        if self.state.has_dataset:
            kept = f" The previous dataset ({self.state.dataset_name}) is still loaded."
        self.banner.show_message(f"Could not load {name}: {message}", hint + kept)
        self.state.status.emit(f"Could not load {name}: {message}")
        self.load_failed.emit(message, hint)

    def _on_cancelled(self, gen: int, path: str) -> None:
        if not self._done(gen):
            return
        name = Path(path).name or path
        if self.state.has_dataset:
            note = f"The previous dataset ({self.state.dataset_name}) is still loaded."
        else:
            note = "No dataset is loaded; open a folder to begin."
        self.banner.show_message(f"Checking {name} was cancelled.", note, level="info")
        self.state.status.emit("Loading cancelled.")

    # -- showing a dataset -------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        ds = self.dataset()
        self._class = ALL_CLASSES
        if ds is None:
            self.info_label.setText(self.NO_DATA)
            self.info_label.setToolTip("")
            self.chart.clear()
            self.bad_model.set_files([], "")
            self.class_list.clear()
            self._clear_dataset()
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.info_label.setText(self._summary_html(ds))
        self.info_label.setToolTip(ds.root)
        counts = ds.class_counts()  # once: 50 ms at 50,000 items
        self._show_chart(ds, counts)
        self._show_bad_files(ds)
        self._fill_class_list(ds, counts)
        self._fill_split_combo(ds)
        self._show_notes(ds)
        self._show_dataset(ds)
        self._fill_items()

    def _summary_html(self, ds: Any, extra: list[str] | None = None) -> str:
        """'<b>name</b> — 1,234 images · 3 classes · one folder per class · …'."""
        return summary_html(
            ds,
            self.state.dataset_name,
            self.NOUNS,
            extra,
            formats=self._formats_words(ds),
            bad=self.BAD_WORD,
        )

    def _formats_words(self, ds: Any) -> str | None:
        """The summary line's part on the items' formats (None: "JPEG 1,000, PNG 234")."""
        return None

    def _show_chart(self, ds: Any, counts: dict[str, int]) -> None:
        names = list(ds.class_names)
        if ds.has_split:
            series = []
            for split, colour in SPLIT_COLOURS.items():
                counts = ds.class_counts(split)
                if any(counts.values()):
                    series.append(Series(split, tuple(counts[c] for c in names), colour))
            self.chart.set_data(names, series)
        else:
            self.chart.set_counts(counts)
        # as tall as its rows, up to the space there is (then it scrolls); a few rows are
        # always in sight whole: the column under it scrolls instead
        self.chart_area.setMaximumHeight(self.chart.height() + 2)
        self.chart_area.setMinimumHeight(min(self.chart.height() + 2, CHART_ROWS_IN_SIGHT))
        self.chart_heading.setText(f"{self.NOUNS.capitalize()} per class ({len(names)})")
        if counts:
            lo, hi = min(counts.values()), max(counts.values())
            ratio = f" · largest/smallest {hi / lo:.1f}×" if lo and hi / lo >= 1.5 else ""
            self.chart_heading.setToolTip(f"{lo:,} to {hi:,} {self.NOUNS} per class{ratio}")

    def _show_bad_files(self, ds: Any) -> None:
        bad = ds.bad_files
        self.bad_model.set_files(bad, ds.root)
        self.tabs.setTabText(self.tabs.indexOf(self.bad_tab), f"{self.BAD_TAB} ({len(bad):,})")
        self.folder_button.setEnabled(bool(bad))
        self.bad_label.setText(self._bad_words(len(bad)))

    def _bad_words(self, n: int) -> str:
        """The sentence over the table of the ``n`` items that cannot be used."""
        if n:
            return (
                f"{plural(n, 'file')} with {self.EXTENSION_WORD} extension could not be used "
                "and are left out of training."
            )
        return f"No {self.BAD_TAB.lower()}: every {self.NOUN} could be read."

    def _fill_class_list(self, ds: Any, counts: dict[str, int]) -> None:
        self.class_list.blockSignals(True)
        self.class_list.clear()
        item = QListWidgetItem(f"All classes ({len(ds):,})")
        item.setData(Qt.ItemDataRole.UserRole, ALL_CLASSES)
        item.setToolTip(f"Every {self.NOUN}, in scan order")
        self.class_list.addItem(item)
        for name, n in counts.items():
            item = QListWidgetItem(f"{name} ({n:,})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{name}: {plural(n, self.NOUN, self.NOUNS)}")
            self.class_list.addItem(item)
        self.class_list.setCurrentRow(0)
        self.class_list.blockSignals(False)

    def _fill_split_combo(self, ds: Any) -> None:
        self.split_combo.blockSignals(True)
        self.split_combo.clear()
        self.split_combo.addItem("All", None)
        if ds.has_split:
            for split, n in split_counts(ds).items():
                self.split_combo.addItem(f"{split} ({n:,})", split)
        self.split_combo.blockSignals(False)
        self.split_combo.setVisible(ds.has_split)
        self.split_label.setVisible(ds.has_split)

    def show_class(self, name: str | None) -> None:
        """Show the items of class ``name`` (None: all classes)."""
        for row in range(self.class_list.count()):
            if self.class_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.class_list.setCurrentRow(row)
                self.tabs.setCurrentIndex(0)
                return

    def _on_class_picked(self, current: QListWidgetItem | None, _previous: Any = None) -> None:
        if current is None:
            return
        self._class = current.data(Qt.ItemDataRole.UserRole)
        self._fill_items()

    def _picked_words(self) -> str:
        """'of all classes', 'of class “cat” (test)': what the item view shows."""
        label, split = self._class, self.split_combo.currentData()
        what = "all classes" if label is ALL_CLASSES else f"class “{label}”"
        where = f" ({split})" if split else ""
        return f"of {what}{where}"

    # -- bad files ---------------------------------------------------------------------------
    def _show_selected_in_folder(self) -> None:
        rows = self.bad_table.selectionModel().selectedRows()
        self.show_in_folder(rows[0].row() if rows else 0)

    def show_in_folder(self, row: int) -> bool:
        """Open the folder of bad file ``row`` in the system file manager."""
        if not 0 <= row < len(self.bad_model.files):
            return False
        folder = os.path.dirname(self.bad_model.files[row].path)
        return QDesktopServices.openUrl(QUrl.fromLocalFile(folder))
