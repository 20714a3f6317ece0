"""Image Data page: scan a folder (or an image CSV) off the UI thread, then describe it.

Shows what :func:`automl_gui.core.data.images.scan_images` found: a summary line, images per
class as a bar chart (stacked by split when the folder is split), image size statistics,
notices and ignored files, the broken files with their reasons, and a thumbnail gallery per
class (:class:`~automl_gui.gui.widgets.image_gallery.ImageGallery`).
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.data.images import BadFile, ImageDataset, ImageItem
from automl_gui.core.events import Progress
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs.messages import Banner
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.bar_chart import PALETTE, HorizontalBarChart, Series, scrolling
from automl_gui.gui.widgets.image_gallery import ImageGallery
from automl_gui.gui.widgets.page_layout import BusyRow
from automl_gui.gui.workers import JobWorker

KEY_THUMB_SIZE = "images/thumb_size"
ALL_CLASSES = None  # class-picker data of the "All classes" row
SPLIT_COLOURS = {"train": PALETTE[0], "validation": PALETTE[1], "test": PALETTE[2]}
LAYOUT_WORDS = {
    "class_folders": "one folder per class",
    "split_folders": "split into train / validation / test folders",
    "csv": "listed in a CSV",
}


def scan_job(path: str, on_event: Any = None, cancel: Any = None) -> ImageDataset:
    """Scan ``path`` (runs in a worker thread)."""
    from automl_gui.core.data.images import scan_images

    return scan_images(path, on_event=on_event, cancel=cancel)


def load_job(path: str, on_event: Any = None, cancel: Any = None) -> tuple[ImageDataset, list]:
    """Scan ``path`` and prepare the gallery rows too, off the UI thread (0.1 s at 50,000)."""
    ds = scan_job(path, on_event=on_event, cancel=cancel)
    return ds, gallery_rows(ds)


class ImageDataPage(QWidget):
    """Step 1 for images: the folder, its classes, image sizes, broken files, thumbnails."""

    name = "data"
    title = "Data"

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
        self._rows: list[tuple[str, str, str, str | None, str]] = []
        self._rows_of: ImageDataset | None = None
        self._build()
        state.dataset_changed.connect(self._on_dataset_changed)
        self._on_dataset_changed()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel("Data")
        self.title_label.setProperty("role", "title")
        self.info_label = QLabel("No image folder loaded.")
        self.info_label.setProperty("role", "muted")
        self.info_label.setWordWrap(True)
        self.info_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = Banner()

        self.busy_box = BusyRow(
            "Every image is opened and checked once, in the background",
            "Stop checking this folder (the current dataset stays)",
            220,
        )
        self.progress, self.busy_label = self.busy_box.bar, self.busy_box.label
        self.progress.setRange(0, 1000)
        self.cancel_button = self.busy_box.cancel_button
        self.cancel_button.clicked.connect(self.cancel_load)

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_empty())
        self.stack.addWidget(self._build_content())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.info_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.busy_box)
        layout.addWidget(self.stack, 1)

    def _build_empty(self) -> QWidget:
        panel = QWidget()
        title = QLabel("Open an image folder")
        title.setProperty("role", "title")
        text = QLabel(
            "Use a folder with one subfolder per class, a folder already split into "
            "train/, val/ and test/ class folders, or a CSV listing image files and their "
            "labels. JPEG, PNG, BMP, GIF and WebP are read; broken files are listed and left out."
        )
        text.setWordWrap(True)
        text.setFixedWidth(560)
        text.setMinimumHeight(text.heightForWidth(560) + 4)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        button = QPushButton("Open folder…")
        button.setProperty("primary", True)
        button.setToolTip("Choose an image folder (or drop it anywhere on the window)")
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

    def _build_content(self) -> QWidget:
        # left column: classes chart, image sizes, notes
        self.chart = HorizontalBarChart()
        self.chart.setToolTip("Images per class; click a class to show it in the gallery")
        self.chart.bar_clicked.connect(self.show_class)
        self.chart_heading = _heading("Images per class")
        self.sizes_form = QFormLayout()
        self.sizes_form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.sizes_form.setContentsMargins(0, 0, 0, 0)
        self.size_labels: dict[str, QLabel] = {}
        for key, caption, tip in (
            ("width", "Width", "Pixel width: smallest · median · largest"),
            ("height", "Height", "Pixel height: smallest · median · largest"),
            ("distinct", "Distinct sizes", "How many different width×height pairs occur"),
            ("aspect", "Aspect ratio", "Width ÷ height: narrowest to widest"),
            ("modes", "Colour modes", "As stored; all are converted to the model's colours"),
            (
                "ignored",
                "Ignored",
                "Skipped files: hidden ones (names starting with a dot, or in hidden folders) "
                "and files without an image extension",
            ),
        ):
            label = QLabel("–")
            label.setWordWrap(True)
            label.setToolTip(tip)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.size_labels[key] = label
            name = QLabel(caption + ":")
            name.setToolTip(tip)
            self.sizes_form.addRow(name, label)
        sizes_box = QWidget()
        sizes_box.setLayout(self.sizes_form)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setProperty("role", "muted")
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 4, 8, 0)
        left_layout.addWidget(self.chart_heading)
        self.chart_area = scrolling(self.chart)
        left_layout.addWidget(self.chart_area, 1)
        left_layout.addSpacing(6)
        left_layout.addWidget(_heading("Image sizes"))
        left_layout.addWidget(sizes_box)
        left_layout.addSpacing(6)
        left_layout.addWidget(self.notes_label)
        left_layout.addStretch(0)

        # right: gallery per class, bad files
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_gallery_tab(), "Gallery")
        self.tabs.addTab(self._build_bad_tab(), "Broken files")
        self.tabs.setTabToolTip(0, "Thumbnails of the images, per class")
        self.tabs.setTabToolTip(1, "Files that cannot be used, and why (they are left out)")

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 5)
        split.setSizes([340, 760])
        split.setChildrenCollapsible(False)
        left.setMinimumWidth(260)
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(split, 1)
        return panel

    def _build_gallery_tab(self) -> QWidget:
        self.class_list = QListWidget()
        self.class_list.setToolTip("Pick a class to see its images (↑/↓ to step through)")
        self.class_list.setMaximumWidth(200)
        self.class_list.setMinimumWidth(140)
        self.class_list.setStyleSheet("QListWidget::item { padding: 3px 4px; }")
        # long names are elided in the middle so the count at the end stays readable
        self.class_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.class_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.class_list.currentItemChanged.connect(self._on_class_picked)
        self.split_combo = QComboBox()
        self.split_combo.setToolTip("Show the images of one split only")
        self.split_combo.currentIndexChanged.connect(lambda _i: self._fill_gallery())
        self.split_label = QLabel("Split:")
        self.gallery = ImageGallery(thumb_size=self._saved_thumb_size())
        self.gallery.setToolTip("")
        self.gallery_label = QLabel()
        self.gallery_label.setProperty("role", "muted")
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(48, 256)
        self.size_slider.setSingleStep(8)
        self.size_slider.setPageStep(32)
        self.size_slider.setValue(self.gallery.thumb_size)
        self.size_slider.setMaximumWidth(180)
        self.size_slider.setToolTip("Thumbnail size (48–256 px)")
        self.size_slider.valueChanged.connect(self._on_thumb_size)
        top = QHBoxLayout()
        top.addWidget(self.gallery_label, 1)
        top.addWidget(self.split_label)
        top.addWidget(self.split_combo)
        top.addSpacing(12)
        size_caption = QLabel("Size:")
        size_caption.setToolTip(self.size_slider.toolTip())
        top.addWidget(size_caption)
        top.addWidget(self.size_slider)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(top)
        right_layout.addWidget(self.gallery, 1)
        tab = QWidget()
        layout = QHBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.class_list)
        layout.addWidget(right, 1)
        return tab

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
        worker = JobWorker(partial(load_job, path))
        self._worker = worker
        worker.progress.connect(lambda event: self._on_progress(gen, event))
        worker.finished.connect(lambda result: self._on_loaded(gen, path, *result))
        worker.failed.connect(lambda m, h: self._on_failed(gen, path, m, h))
        worker.cancelled.connect(lambda: self._on_cancelled(gen, path))
        self._workers.add(worker)
        worker.done.connect(lambda w=worker: self._workers.discard(w))
        self.banner.dismiss()
        name = Path(path).name or path
        self.progress.setValue(0)
        self._set_busy(True, f"Looking for images in {name}…")
        self.state.status.emit(f"Checking images in {name}…")
        worker.start()

    def cancel_load(self) -> None:
        """Cancel a scan in progress (no-op when idle)."""
        if self._worker is not None:
            self._worker.cancel()

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Cancel and join background scans (the window calls this when it closes)."""
        ok = True
        for worker in list(self._workers):
            worker.cancel()
            ok = worker.wait(msecs) and ok
        return ok

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

    def _on_loaded(self, gen: int, path: str, dataset: ImageDataset, rows: list) -> None:
        if not self._done(gen):
            return
        self._rows, self._rows_of = rows, dataset
        self.state.set_image_dataset(dataset)
        bad = f", {len(dataset.bad_files):,} broken left out" if dataset.bad_files else ""
        self.state.status.emit(
            f"Loaded {self.state.dataset_name}: {len(dataset):,} images in "
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
        ds = self.state.images if self.state.kind == "images" else None
        self._class = ALL_CLASSES
        if ds is None:
            self.info_label.setText("No image folder loaded.")
            self.info_label.setToolTip("")
            self.gallery.clear()
            self.chart.clear()
            self.bad_model.set_files([], "")
            self.class_list.clear()
            self.stack.setCurrentIndex(0)
            return
        self.stack.setCurrentIndex(1)
        self.info_label.setText(summary_html(ds, self.state.dataset_name))
        self.info_label.setToolTip(ds.root)
        self._show_chart(ds)
        self._show_sizes(ds)
        self._show_notes(ds)
        self._show_bad_files(ds)
        self._fill_class_list(ds)
        self.split_combo.blockSignals(True)
        self.split_combo.clear()
        self.split_combo.addItem("All", None)
        if ds.has_split:
            for split in ("train", "validation", "test"):
                n = sum(1 for i in ds.items if i.split == split)
                if n:
                    self.split_combo.addItem(f"{split} ({n:,})", split)
        self.split_combo.blockSignals(False)
        self.split_combo.setVisible(ds.has_split)
        self.split_label.setVisible(ds.has_split)
        self.tabs.setCurrentIndex(0)
        self._fill_gallery()

    def _show_chart(self, ds: ImageDataset) -> None:
        names = list(ds.class_names)
        if ds.has_split:
            series = []
            for split, colour in SPLIT_COLOURS.items():
                counts = ds.class_counts(split)
                if any(counts.values()):
                    series.append(Series(split, tuple(counts[c] for c in names), colour))
            self.chart.set_data(names, series)
        else:
            self.chart.set_counts(ds.class_counts())
        # as tall as its rows, up to the space there is (then it scrolls)
        self.chart_area.setMaximumHeight(self.chart.height() + 2)
        counts = ds.class_counts()
        self.chart_heading.setText(f"Images per class ({len(names)})")
        if counts:
            lo, hi = min(counts.values()), max(counts.values())
            ratio = f" · largest/smallest {hi / lo:.1f}×" if lo and hi / lo >= 1.5 else ""
            self.chart_heading.setToolTip(f"{lo:,} to {hi:,} images per class{ratio}")

    def _show_sizes(self, ds: ImageDataset) -> None:
        stats = ds.size_stats()
        w, h = stats.get("width") or {}, stats.get("height") or {}
        self.size_labels["width"].setText(_min_med_max(w))
        self.size_labels["height"].setText(_min_med_max(h))
        distinct = stats.get("distinct_sizes", 0)
        common = stats.get("most_common_size")
        text = f"{distinct:,}"
        if common:
            text += f" (most common {common[0]}×{common[1]})"
        self.size_labels["distinct"].setText(text)
        aspect = stats.get("aspect_ratio") or {}
        if aspect.get("min") is not None:
            self.size_labels["aspect"].setText(f"{aspect['min']:.2f} – {aspect['max']:.2f}")
        else:
            self.size_labels["aspect"].setText("–")
        modes = stats.get("modes") or {}
        self.size_labels["modes"].setText(
            ", ".join(f"{m} {n:,}" for m, n in modes.items()) if modes else "–"
        )

    def _show_notes(self, ds: ImageDataset) -> None:
        ignored = f"{ds.hidden_ignored:,} hidden, {ds.other_ignored:,} non-image"
        self.size_labels["ignored"].setText(ignored)
        self.notes_label.setText("<br>".join(f"• {_html(n)}" for n in ds.notices))
        self.notes_label.setVisible(bool(ds.notices))

    def _show_bad_files(self, ds: ImageDataset) -> None:
        bad = ds.bad_files
        self.bad_model.set_files(bad, ds.root)
        self.tabs.setTabText(1, f"Broken files ({len(bad):,})")
        self.folder_button.setEnabled(bool(bad))
        if bad:
            self.bad_label.setText(
                f"{_plural(len(bad), 'file')} with an image extension could not be used and "
                "are left out of training."
            )
        else:
            self.bad_label.setText("No broken files: every image could be read.")

    def _fill_class_list(self, ds: ImageDataset) -> None:
        self.class_list.blockSignals(True)
        self.class_list.clear()
        item = QListWidgetItem(f"All classes ({len(ds):,})")
        item.setData(Qt.ItemDataRole.UserRole, ALL_CLASSES)
        item.setToolTip("Every image, in scan order")
        self.class_list.addItem(item)
        for name, n in ds.class_counts().items():
            item = QListWidgetItem(f"{name} ({n:,})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(f"{name}: {n:,} images")
            self.class_list.addItem(item)
        self.class_list.setCurrentRow(0)
        self.class_list.blockSignals(False)

    def show_class(self, name: str | None) -> None:
        """Show the images of class ``name`` (None: all classes) in the gallery."""
        for row in range(self.class_list.count()):
            if self.class_list.item(row).data(Qt.ItemDataRole.UserRole) == name:
                self.class_list.setCurrentRow(row)
                self.tabs.setCurrentIndex(0)
                return

    def _on_class_picked(self, current: QListWidgetItem | None, _previous: Any = None) -> None:
        if current is None:
            return
        self._class = current.data(Qt.ItemDataRole.UserRole)
        self._fill_gallery()

    def _fill_gallery(self) -> None:
        ds = self.state.images if self.state.kind == "images" else None
        if ds is None:
            self.gallery.clear()
            return
        if self._rows_of is not ds:  # a dataset this page did not load: describe it here
            self._rows, self._rows_of = gallery_rows(ds), ds
        label, split = self._class, self.split_combo.currentData()
        if label is ALL_CLASSES:
            items = [(r[0], r[2], r[4]) for r in self._rows if split is None or r[3] == split]
        else:
            items = [
                (r[0], r[1], r[4])
                for r in self._rows
                if r[2] == label and (split is None or r[3] == split)
            ]
        self.gallery.set_items(items)
        self.chart.set_highlighted(label)
        what = "all classes" if label is ALL_CLASSES else f"class “{label}”"
        where = f" ({split})" if split else ""
        self.gallery_label.setText(f"{_plural(len(items), 'image')} of {what}{where}")

    def _saved_thumb_size(self) -> int:
        try:
            return int(app_settings.current().value(KEY_THUMB_SIZE, 96))
        except (TypeError, ValueError):
            return 96

    def _on_thumb_size(self, size: int) -> None:
        self.gallery.set_thumb_size(size)
        app_settings.current().setValue(KEY_THUMB_SIZE, int(size))

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


class BadFilesModel(QAbstractTableModel):
    """Bad files as rows: the file (relative to the dataset root) and the reason."""

    HEADERS = ("File", "Reason")

    def __init__(self) -> None:
        super().__init__()
        self.files: list[BadFile] = []
        self.root = ""

    def set_files(self, files: list[BadFile], root: str) -> None:
        self.beginResetModel()
        self.files = list(files)
        self.root = root if os.path.isdir(root) else os.path.dirname(root)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.files)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 2

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        bad = self.files[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return _relative(bad.path, self.root) if index.column() == 0 else bad.reason
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{bad.path}\n{bad.reason}"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


# -- text helpers ----------------------------------------------------------------------------
def summary_html(ds: ImageDataset, name: str) -> str:
    """'<b>pets</b> — 1,234 images · 3 classes · one folder per class · JPEG 1,000, PNG 234'."""
    parts = [
        f"{len(ds):,} images",
        _plural(len(ds.class_names), "class", "classes"),
        LAYOUT_WORDS.get(ds.layout, ds.layout),
    ]
    if ds.has_split:
        counts = []
        for split in ("train", "validation", "test"):
            n = sum(1 for i in ds.items if i.split == split)
            if n:
                counts.append(f"{split} {n:,}")
        parts.append(", ".join(counts))
    if ds.formats:
        parts.append(", ".join(f"{f} {n:,}" for f, n in ds.formats.items()))
    if ds.bad_files:
        parts.append(f"<span style='color:#B71C1C'>{len(ds.bad_files):,} broken left out</span>")
    return f"<b>{_html(name)}</b> — " + " · ".join(parts)


def gallery_rows(ds: ImageDataset) -> list[tuple[str, str, str, str | None, str]]:
    """:func:`gallery_row` of every image of ``ds``."""
    root = ds.root if os.path.isdir(ds.root) else os.path.dirname(ds.root)
    return [gallery_row(i, root) for i in ds.items]


def gallery_row(item: ImageItem, root: str) -> tuple[str, str, str, str | None, str]:
    """(path, file name, class, split, tooltip) of one image; the gallery shows the file name
    as caption for one class and the class for all classes. Cheap: 50,000 in ~0.1 s."""
    path = item.path
    name = path.rpartition(os.sep)[2]
    facts = f"Class: {item.label}"
    if item.split:
        facts += f" · split: {item.split}"
    if item.width:
        facts += f" · {item.width}×{item.height} {item.mode}"
    return path, name, item.label, item.split, f"{_relative(path, root)}\n{facts}"


def _relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` when it lies under it (string prefix: no file system)."""
    prefix = root.rstrip(os.sep) + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else path


def _min_med_max(d: dict) -> str:
    if not d or d.get("min") is None:
        return "–"
    med = d["median"]
    med_text = f"{med:g}" if isinstance(med, float) else str(med)
    return f"{d['min']:,} · {med_text} · {d['max']:,} px"


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600;")
    return label


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {words or word + 's'}"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
