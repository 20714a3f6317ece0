"""The parts of the folder Data pages that are not the page itself: the broken-files table,
the facts forms and the words (summary line, paths relative to the dataset's folder)."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QWidget

from automl_gui.core.data.images import BadFile
from automl_gui.gui.format import plural
from automl_gui.gui.widgets.bar_chart import PALETTE

ALL_CLASSES = None  # class-picker data of the "All classes" row
SPLITS = ("train", "validation", "test")
SPLIT_COLOURS = {"train": PALETTE[0], "validation": PALETTE[1], "test": PALETTE[2]}
LAYOUT_WORDS = {
    "class_folders": "one folder per class",
    "split_folders": "split into train / validation / test folders",
    "csv": "listed in a CSV",
    "table": "one per row of a table",
}


def facts_form(rows: tuple[tuple[str, str, str], ...]) -> tuple[QWidget, dict[str, QLabel]]:
    """A form of (key, caption, tooltip) rows with selectable values ("–" for now);
    returns the form and its value labels by key."""
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
    form.setContentsMargins(0, 0, 0, 0)
    labels: dict[str, QLabel] = {}
    for key, caption, tip in rows:
        label = QLabel("–")
        label.setWordWrap(True)
        label.setToolTip(tip)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        labels[key] = label
        name = QLabel(caption + ":")
        name.setToolTip(tip)
        form.addRow(name, label)
    box = QWidget()
    box.setLayout(form)
    return box, labels


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
            return relative(bad.path, self.root) if index.column() == 0 else bad.reason
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{bad.path}\n{bad.reason}"
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


# -- text helpers ----------------------------------------------------------------------------
def split_counts(ds: Any) -> dict[str, int]:
    """Items per split, in train / validation / test order, splits with items only."""
    counts = {split: 0 for split in SPLITS}
    for item in ds.items:
        if item.split in counts:
            counts[item.split] += 1
    return {split: n for split, n in counts.items() if n}


def summary_html(
    ds: Any,
    name: str,
    nouns: str,
    extra: list[str] | None = None,
    *,
    formats: str | None = None,
    bad: str = "broken",
) -> str:
    """'<b>pets</b> — 1,234 images · 3 classes · one folder per class · JPEG 1,000, PNG 234';
    ``extra`` parts go before the formats; ``formats`` replaces the formats' part ("": none),
    ``bad`` is what the left-out items are called ("3 broken left out")."""
    parts = [
        f"{len(ds):,} {nouns}",
        plural(len(ds.class_names), "class", "classes"),
        LAYOUT_WORDS.get(ds.layout, ds.layout),
    ]
    if ds.has_split:
        parts.append(", ".join(f"{split} {n:,}" for split, n in split_counts(ds).items()))
    parts += extra or []
    if formats is None:
        formats = ", ".join(f"{f} {n:,}" for f, n in ds.formats.items())
    if formats:
        parts.append(formats)
    if ds.bad_files:
        parts.append(f"<span style='color:#B71C1C'>{len(ds.bad_files):,} {bad} left out</span>")
    return f"<b>{html(name)}</b> — " + " · ".join(parts)


def relative(path: str, root: str) -> str:
    """``path`` relative to ``root`` when it lies under it (string prefix: no file system)."""
    prefix = root.rstrip(os.sep) + os.sep
    return path[len(prefix) :] if path.startswith(prefix) else path


def dataset_folder(ds: Any) -> str:
    """The folder paths are shown relative to: the root, or the CSV's folder."""
    return ds.root if os.path.isdir(ds.root) else os.path.dirname(ds.root)


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600;")
    return label


def html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
