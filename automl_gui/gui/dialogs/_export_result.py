"""The export dialog's result panel: verdict, figures, notes, files and the open buttons.

Green verdict when the reloaded export answered like the app's model, red otherwise; the
notes (what a format cannot hold and what to do instead) sit in an amber box so they are not
missed; "Open folder" and "Open model card" hand the paths to the desktop (``opener``, which
tests replace).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.dialogs import _export_formats as fx

OK_STYLE = (
    "color: #1B4D22; background: #E8F5E9; border: 1px solid #B9DFBC; "
    "border-left: 4px solid #2E7D32; border-radius: 4px; padding: 8px 10px;"
)
BAD_STYLE = (
    "color: #6B1414; background: #FDECEC; border: 1px solid #F3B9B9; "
    "border-left: 4px solid #C62828; border-radius: 4px; padding: 8px 10px;"
)
NOTE_STYLE = (
    "color: #5C3B00; background: #FFF6E0; border: 1px solid #F2D48A; "
    "border-left: 4px solid #E0A100; border-radius: 4px; padding: 8px 10px;"
)
PLACEHOLDER = (
    "The export writes the model, metadata.json and MODEL_CARD.md, then loads what it wrote "
    "in the format's own runtime (Keras, TensorFlow, the TFLite interpreter or onnxruntime) "
    "and compares its answers with this session's on held-out samples.\n\n"
    "The result appears here."
)


def _selectable(label: QLabel) -> QLabel:
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ResultPanel(QWidget):
    """Shows one export's outcome (or a message, or the placeholder before any export)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opener = QDesktopServices.openUrl  # tests replace it
        self.result: Any = None

        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setWordWrap(True)
        self.placeholder.setProperty("role", "muted")

        self.verdict = _selectable(QLabel())
        self.detail = _selectable(QLabel())
        self.detail.setProperty("role", "muted")

        self.figures_box = QFrame()
        self.figures_form = QFormLayout(self.figures_box)
        self.figures_form.setContentsMargins(0, 0, 0, 0)
        self.figures_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.figure_labels: dict[str, QLabel] = {}

        self.notes = _selectable(QLabel())
        self.notes.setStyleSheet(NOTE_STYLE)
        self.notes.setToolTip("What this format cannot hold, and what to do instead")

        self.files_title = QLabel("<b>Files written</b>")
        self.files_title.setWordWrap(True)
        self.files = _selectable(QLabel())
        self.files.setToolTip("Everything the export wrote, relative to its folder")

        self.open_folder_button = QPushButton("Open &folder")
        self.open_folder_button.setToolTip("Show the export's folder in the file manager")
        self.open_folder_button.clicked.connect(self.open_folder)
        self.open_card_button = QPushButton("Open model &card")
        self.open_card_button.setToolTip(
            "Open MODEL_CARD.md: data summary, intended use, metrics per class, known limits"
        )
        self.open_card_button.clicked.connect(self.open_model_card)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(self.open_card_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.verdict)
        layout.addWidget(self.detail)
        layout.addWidget(self.figures_box)
        layout.addWidget(self.notes)
        layout.addWidget(self.files_title)
        layout.addWidget(self.files)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.clear()

    # -- states ------------------------------------------------------------------------------
    def _hide_all(self) -> None:
        for w in (
            self.placeholder,
            self.verdict,
            self.detail,
            self.figures_box,
            self.notes,
            self.files_title,
            self.files,
            self.open_folder_button,
            self.open_card_button,
        ):
            w.hide()

    def clear(self, text: str | None = None) -> None:
        """Back to the explanation shown before an export (``text`` replaces it)."""
        self.result = None
        self._hide_all()
        self.placeholder.setText(text or PLACEHOLDER)
        self.placeholder.show()

    def show_message(self, ok: bool, text: str) -> None:
        """Only a verdict line (errors, refusals, "cancelled")."""
        self.result = None
        self._hide_all()
        self.verdict.setText(text)
        self.verdict.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.verdict.show()

    def show_result(self, result: Any, what: str = "rows", extra_note: str = "") -> bool:
        """The verdict, figures, notes and files of an ExportResult; returns whether it is ok."""
        self._hide_all()
        self.result = result
        ok, headline = fx.describe_result(result, what)
        self.verdict.setText(headline)
        self.verdict.setStyleSheet(OK_STYLE if ok else BAD_STYLE)
        self.verdict.show()
        if ok and result.message and result.format in fx.QUANTIZED:
            # the headline has the figures; a quantized format's message adds its tolerance
            self.detail.setText(str(result.message))
            self.detail.show()

        while self.figures_form.rowCount():
            self.figures_form.removeRow(0)
        self.figure_labels = {}
        for name, value in fx.figures(result, what):
            value_label = _selectable(QLabel(value))
            self.figure_labels[name] = value_label
            self.figures_form.addRow(QLabel(f"{name}:"), value_label)
        self.figures_box.show()

        notes = [str(n) for n in (getattr(result, "notes", None) or [])]
        if extra_note:
            notes.append(extra_note)
        if notes:
            self.notes.setText("\n\n".join(f"⚠ {n}" for n in notes))
            self.notes.show()

        files, _ = fx.written_files(result)
        folder = fx.export_folder(result)
        self.files_title.setText(f"<b>Files written</b> in {folder}")
        self.files.setText("\n".join(files) if files else "(none found)")
        self.files_title.show()
        self.files.show()
        self.open_folder_button.show()
        self.open_folder_button.setEnabled(folder.is_dir())
        card = fx.model_card_path(result)
        self.open_card_button.show()
        self.open_card_button.setEnabled(card is not None)
        self.open_card_button.setToolTip(
            str(card) if card is not None else "This export has no MODEL_CARD.md"
        )
        return ok

    # -- actions -----------------------------------------------------------------------------
    def _open(self, path: Path) -> bool:
        return bool(self.opener(QUrl.fromLocalFile(str(path))))

    def open_folder(self) -> bool:
        if self.result is None:
            return False
        return self._open(fx.export_folder(self.result))

    def open_model_card(self) -> bool:
        card = fx.model_card_path(self.result) if self.result is not None else None
        return self._open(card) if card is not None else False

    def text(self) -> str:
        """Everything the panel shows, as plain text (tests, copy)."""
        parts: list[str] = []
        if self.placeholder.isVisibleTo(self):
            parts.append(self.placeholder.text())
        for label in (self.verdict, self.detail):
            if label.isVisibleTo(self) and label.text():
                parts.append(label.text())
        if self.figures_box.isVisibleTo(self):
            parts += [f"{name}: {lab.text()}" for name, lab in self.figure_labels.items()]
        if self.notes.isVisibleTo(self):
            parts.append(self.notes.text())
        if self.files.isVisibleTo(self):
            parts.append("Files written:\n" + self.files.text())
        return "\n".join(parts)
