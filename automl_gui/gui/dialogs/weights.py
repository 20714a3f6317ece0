"""The dialog shown when a backbone's pretrained weights are missing (offline or failed).

It names the exact file, where it comes from and where to put it, and offers the ways on:
choose the file, train the Compact CNN from scratch instead, or cancel. The window shows it when
training fails with :class:`automl_gui.core.models.weights.WeightsMissingError`::

    dialog = WeightsDialog(error, window)
    if dialog.exec() and dialog.choice == "file":
        state.settings(IMAGES).model.weights_path = dialog.chosen_path
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui import settings as app_settings
from automl_gui.gui.format import rough_megabytes

KEY_WEIGHTS_FILE_FOLDER = "paths/weights_file"
FILE_FILTER = "Keras weights (*.h5);;All files (*)"
NAMES = {"resnet50": "ResNet50", "inceptionv3": "InceptionV3"}


def ask_weights_file(parent: QWidget | None, start: str, file_name: str) -> str:
    """Ask for a weights file (blocking); "" when cancelled. Tests monkeypatch this."""
    start_path = str(Path(start) / file_name) if file_name else start
    path, _ = QFileDialog.getOpenFileName(
        parent, "Choose the pretrained weights file", start_path, FILE_FILTER
    )
    return path


class _CopyField(QWidget):
    """A read-only, selectable line with a Copy button (file names, URLs, folders)."""

    def __init__(self, text: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(text)
        self.edit.setReadOnly(True)
        self.edit.setToolTip(f"The {what}: select it, or copy it with the button.")
        self.edit.setCursorPosition(0)
        self.edit.setMinimumWidth(360)
        self.copy_button = QToolButton()
        self.copy_button.setText("Copy")
        self.copy_button.setToolTip(f"Copy the {what} to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.copy_button)

    def text(self) -> str:
        return self.edit.text()

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.edit.text())


class WeightsDialog(QDialog):
    """Pretrained weights are missing: show what to get and where, and let the user choose.

    After :meth:`exec`: ``choice`` is "file" (``chosen_path`` holds the file), "scratch"
    (train a network that needs no weights: the Compact CNN) or "cancel".
    """

    def __init__(self, error: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.choice = "cancel"
        self.chosen_path = ""
        spec = getattr(error, "spec", None)
        arch = getattr(spec, "architecture", "") or ""
        self.network = NAMES.get(arch, arch or "the network")
        self.file_name = getattr(spec, "file_name", "") or ""
        self.url = getattr(spec, "url", "") or ""
        folders = [Path(f) for f in getattr(error, "folders", []) or []]
        destination = getattr(error, "destination", None)
        if destination is not None and Path(destination) not in folders:
            folders.insert(0, Path(destination))
        elif destination is not None:  # the recommended folder first
            folders.remove(Path(destination))
            folders.insert(0, Path(destination))
        self.folders = folders
        self.setWindowTitle(f"Pretrained weights for {self.network} not found")
        self._build(
            str(getattr(error, "message", "") or error),
            str(getattr(error, "hint", "") or ""),
            getattr(spec, "size_bytes", None),
        )

    def _build(self, message: str, hint: str, size_bytes: int | None) -> None:
        icon = QLabel()
        icon.setPixmap(
            self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(32, 32)
        )
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.message_label.font()
        font.setBold(True)
        self.message_label.setFont(font)
        self.hint_label = QLabel(hint)
        self.hint_label.setWordWrap(True)
        self.hint_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint_label.setVisible(bool(hint))
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        texts = QVBoxLayout()
        texts.addWidget(self.message_label)
        texts.addWidget(self.hint_label)
        top.addLayout(texts, 1)

        explain = QLabel(
            f"{self.network} starts from weights learned on ImageNet; they make it accurate "
            "on small datasets. Get the file below (on another computer if this one is "
            "offline), put it in one of the folders, and train again — or choose it now."
        )
        explain.setWordWrap(True)
        explain.setProperty("role", "muted")

        form = QFormLayout()
        self.file_field = _CopyField(self.file_name, "exact file name")
        self.url_field = _CopyField(self.url, "download address")
        form.addRow(
            "File" + ("" if not size_bytes else f" (about {rough_megabytes(size_bytes)})"),
            self.file_field,
        )
        form.addRow("Comes from", self.url_field)
        form.setRowVisible(self.file_field, bool(self.file_name))  # no manifest entry
        form.setRowVisible(self.url_field, bool(self.url))
        self.folder_fields: list[_CopyField] = []
        for i, folder in enumerate(self.folders):
            field = _CopyField(str(folder), "folder")
            self.folder_fields.append(field)
            form.addRow("Put it in" if i == 0 else "or in", field)
        if self.folders:
            rec = QLabel("The first folder is recommended; the others are searched too.")
            rec.setProperty("role", "muted")
            form.addRow("", rec)

        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setToolTip(
            f"Pick the {self.file_name or 'weights'} file on this computer and train with it."
        )
        self.choose_button.setDefault(True)
        self.choose_button.setProperty("primary", True)
        self.scratch_button = QPushButton("Train from scratch")
        self.scratch_button.setToolTip(
            "Train the Compact CNN from scratch instead: no weights file needed, but usually "
            "less accurate than a pretrained network on small datasets."
        )
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Do not train now.")
        buttons = QDialogButtonBox()
        buttons.addButton(self.choose_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.scratch_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        # AcceptRole buttons would close the dialog before the file dialog: handle them here
        self.choose_button.clicked.connect(self.choose_file)
        self.scratch_button.clicked.connect(self.train_from_scratch)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(720)

    # -- choices -----------------------------------------------------------------------------
    def choose_file(self) -> None:
        """Ask for the file; accept the dialog with ``choice == "file"`` unless cancelled."""
        store = app_settings.current()
        start = app_settings.last_folder(store, KEY_WEIGHTS_FILE_FOLDER)
        path = ask_weights_file(self, start, self.file_name)
        if not path:
            return  # stay open: the user may pick another way
        app_settings.set_last_folder(store, path, KEY_WEIGHTS_FILE_FOLDER)
        self.chosen_path = path
        self.choice = "file"
        self.accept()

    def train_from_scratch(self) -> None:
        self.choice = "scratch"
        self.accept()

    def reject(self) -> None:
        self.choice = "cancel"
        self.chosen_path = ""
        super().reject()
