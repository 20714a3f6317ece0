"""The dialog that opens a text dataset: a table of texts (CSV, TSV, JSON Lines, Parquet) or
a folder of .txt files, in one dialog (a file dialog with a "Use this folder" button)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from automl_gui.core.data.detect import SUPPORTED_TABLE_SUFFIXES
from automl_gui.core.kinds.text import JSON_LINES_SUFFIXES

#: the files the text kind opens as a dataset (``TEXT.claims_file``: tables, JSON Lines)
TEXT_TABLE_FILTER = (
    "Tables of texts ("
    + " ".join(f"*{suffix}" for suffix in SUPPORTED_TABLE_SUFFIXES + JSON_LINES_SUFFIXES)
    + ");;All files (*)"
)


def ask_text_dataset(parent: QWidget | None, start: str) -> str:
    """Ask for a text dataset (blocking); "" when cancelled. A file is chosen as usual; the
    "Use this folder" button takes the folder shown (class folders of .txt files)."""
    dialog = QFileDialog(parent, "Open a text dataset: a table of texts, or a folder", start)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)  # the button needs Qt's
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setNameFilter(TEXT_TABLE_FILTER)
    folder_button = QPushButton("Use this folder")
    folder_button.setToolTip(
        "Open the folder shown: one subfolder of .txt files per class, or train/ val/ test/ "
        "folders of them"
    )
    chosen: list[str] = []

    def use_folder() -> None:
        chosen.append(dialog.directory().absolutePath())
        dialog.done(1)  # accepted, skipping the file check of accept()

    folder_button.clicked.connect(use_folder)
    layout = dialog.layout()
    if layout is not None:
        layout.addWidget(folder_button)
    if not dialog.exec():
        return ""
    if chosen:
        return chosen[0]
    files = dialog.selectedFiles()
    return files[0] if files else ""
