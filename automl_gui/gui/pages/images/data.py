"""Image Data page: scan a folder (or an image CSV) off the UI thread, then describe it.

Shows what :func:`automl_gui.core.data.images.scan_images` found: a summary line, images per
class as a bar chart (stacked by split when the folder is split), image size statistics,
notices and ignored files, the broken files with their reasons, and a thumbnail gallery per
class (:class:`~automl_gui.gui.widgets.image_gallery.ImageGallery`).
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.data.images import ImageDataset, ImageItem
from automl_gui.core.kinds.images import IMAGES
from automl_gui.gui import settings as app_settings
from automl_gui.gui.format import plural, spread
from automl_gui.gui.pages._folder_data import FolderDataPage
from automl_gui.gui.pages._folder_parts import (
    ALL_CLASSES,
    LAYOUT_WORDS,
    SPLIT_COLOURS,
    BadFilesModel,
    dataset_folder,
    facts_form,
    heading,
    relative,
    summary_html,
)
from automl_gui.gui.widgets.image_gallery import ImageGallery

__all__ = [
    "ALL_CLASSES",
    "LAYOUT_WORDS",
    "SPLIT_COLOURS",
    "BadFilesModel",
    "ImageDataPage",
    "gallery_row",
    "gallery_rows",
    "load_job",
    "scan_job",
    "summary_html",
]

KEY_THUMB_SIZE = "images/thumb_size"


def scan_job(path: str, on_event: Any = None, cancel: Any = None) -> ImageDataset:
    """Scan ``path`` (runs in a worker thread)."""
    from automl_gui.core.data.images import scan_images

    return scan_images(path, on_event=on_event, cancel=cancel)


def load_job(path: str, on_event: Any = None, cancel: Any = None) -> tuple[ImageDataset, list]:
    """Scan ``path`` and prepare the gallery rows too, off the UI thread (0.1 s at 50,000)."""
    ds = scan_job(path, on_event=on_event, cancel=cancel)
    return ds, gallery_rows(ds)


class ImageDataPage(FolderDataPage):
    """Step 1 for images: the folder, its classes, image sizes, broken files, thumbnails."""

    kind = IMAGES
    NOUN, NOUNS = "image", "images"
    EXTENSION_WORD = "an image"
    NO_DATA = "No image folder loaded."
    SCAN_TIP = "Every image is opened and checked once, in the background"

    def __init__(self, state: Any, parent: QWidget | None = None) -> None:
        self._rows: list[tuple[str, str, str, str | None, str]] = []
        self._rows_of: ImageDataset | None = None
        super().__init__(state, parent)

    # -- hooks -------------------------------------------------------------------------------
    def _scan_job(self, path: str) -> Any:
        return lambda on_event, cancel: load_job(path, on_event=on_event, cancel=cancel)

    def _accept(self, result: tuple[ImageDataset, list]) -> ImageDataset:
        dataset, rows = result
        self._rows, self._rows_of = rows, dataset
        self.state.set_dataset(IMAGES, dataset)
        return dataset

    # -- layout ------------------------------------------------------------------------------
    def _build_empty(self) -> QWidget:
        return self._empty_panel(
            "Open an image folder",
            "Use a folder with one subfolder per class, a folder already split into "
            "train/, val/ and test/ class folders, or a CSV listing image files and their "
            "labels. JPEG, PNG, BMP, GIF and WebP are read; broken files are listed and left out.",
            "Choose an image folder (or drop it anywhere on the window)",
        )

    def _build_content(self) -> QWidget:
        sizes_box, self.size_labels = facts_form(
            (
                ("width", "Width", "Pixel width: smallest – largest, and the median"),
                ("height", "Height", "Pixel height: smallest – largest, and the median"),
                ("distinct", "Distinct sizes", "How many different width×height pairs occur"),
                ("aspect", "Aspect ratio", "Width ÷ height: narrowest to widest"),
                ("modes", "Colour modes", "As stored; all are converted to the model's colours"),
                (
                    "ignored",
                    "Ignored",
                    "Skipped files: hidden ones (names starting with a dot, or in hidden "
                    "folders) and files without an image extension",
                ),
            )
        )
        return self._two_columns(
            "Images per class; click a class to show it in the gallery",
            [6, heading("Image sizes"), sizes_box],
            (self._build_gallery_tab(), "Gallery", "Thumbnails of the images, per class"),
        )

    def _build_gallery_tab(self) -> QWidget:
        self._build_class_picker()
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

    # -- showing a dataset -------------------------------------------------------------------
    def _clear_dataset(self) -> None:
        self.gallery.clear()

    def _show_dataset(self, ds: ImageDataset) -> None:
        self._show_sizes(ds)
        ignored = f"{ds.hidden_ignored:,} hidden, {ds.other_ignored:,} non-image"
        self.size_labels["ignored"].setText(ignored)
        self.tabs.setCurrentIndex(0)

    def _show_sizes(self, ds: ImageDataset) -> None:
        stats = ds.size_stats()
        w, h = stats.get("width") or {}, stats.get("height") or {}
        self.size_labels["width"].setText(_min_med_max(w))
        self.size_labels["height"].setText(_min_med_max(h))
        distinct = stats.get("distinct_sizes", 0)
        common = stats.get("most_common_size")
        text = f"{distinct:,}"
        if distinct > 1 and distinct == stats.get("count"):  # no size occurs twice
            text += " (each image its own size)"
        elif common and distinct > 1:  # one size more often than once: worth naming
            text += f" (most common {common[0]}×{common[1]})"
        elif common:
            text += f" (all {common[0]}×{common[1]})"
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

    def _fill_items(self) -> None:
        ds = self.dataset()
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
        self.gallery_label.setText(f"{plural(len(items), 'image')} {self._picked_words()}")

    def _saved_thumb_size(self) -> int:
        try:
            return int(app_settings.current().value(KEY_THUMB_SIZE, 96))
        except (TypeError, ValueError):
            return 96

    def _on_thumb_size(self, size: int) -> None:
        self.gallery.set_thumb_size(size)
        app_settings.current().setValue(KEY_THUMB_SIZE, int(size))


# -- text helpers ----------------------------------------------------------------------------
def gallery_rows(ds: ImageDataset) -> list[tuple[str, str, str, str | None, str]]:
    """:func:`gallery_row` of every image of ``ds``."""
    root = dataset_folder(ds)
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
    return path, name, item.label, item.split, f"{relative(path, root)}\n{facts}"


def _min_med_max(d: dict) -> str:
    """ "48 – 95 px, median 73.5" (smallest – largest, then the median)."""
    if not d or d.get("min") is None:
        return "–"
    med = d["median"]
    med_text = f"{med:g}" if isinstance(med, float) else f"{med:,}"
    return spread(f"{d['min']:,}", f"{d['max']:,} px", med_text)
