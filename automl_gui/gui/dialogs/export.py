"""Export Model dialog: pick a format and a destination, export in the background, verify.

The export runs :func:`core.export.export_model` in a :class:`JobWorker`; the engine reloads
what it wrote and compares predictions on the sample rows, and the dialog shows that result in
green (verified) or red (the problem). An existing destination is never replaced without a
"Yes" (``messages.confirm``; tests pass ``overwrite=True`` or monkeypatch it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import messages
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.clip_list import rate_text
from automl_gui.gui.workers import JobWorker

FALLBACK_FORMATS = {
    "keras": "Keras native format (.keras): one file, reload with keras.saving.load_model.",
    "savedmodel": "TensorFlow SavedModel folder: for TF Serving, TFLite conversion, other tools.",
}
FORMAT_LABELS = {"keras": "Keras (.keras)", "savedmodel": "TensorFlow SavedModel (folder)"}
DEFAULT_NAMES = {"keras": "model.keras", "savedmodel": "model_savedmodel"}
SETTINGS_KEY = "export/last_folder"

_OK_STYLE = "color: #1B4D22; background: #E8F5E9; border: 1px solid #B9DFBC; padding: 8px;"
_BAD_STYLE = "color: #6B1414; background: #FDECEC; border: 1px solid #F3B9B9; padding: 8px;"


def _formats() -> dict[str, str]:
    try:
        from automl_gui.core.export.formats import FORMATS
    except ImportError:
        return dict(FALLBACK_FORMATS)
    return dict(FORMATS)


def describe_result(result: Any, what: str = "rows") -> tuple[bool, str]:
    """(ok, sentence) for an ExportResult, e.g. "Verified: reloaded the SavedModel and ...".

    ``what`` names the compared samples ("rows" for tables, "images" for image models,
    "waveforms" for audio models).
    """
    kind = "SavedModel" if result.format == "savedmodel" else ".keras file"
    if not result.ok:
        return False, f"Export problem: {result.message or 'the reloaded model disagrees.'}"
    parts = [f"Verified: reloaded the {kind} and compared {result.rows_compared} {what}"]
    details = []
    if result.max_abs_diff is not None:
        details.append(f"max difference {result.max_abs_diff:.2g}")
    if result.agreement is not None:
        details.append(f"{100 * result.agreement:.0f} % same class")
    text = parts[0] + (": " + ", ".join(details) if details else "") + "."
    return True, f"{text}\nWritten to {result.path}"


def model_input(run: Any) -> tuple[str, str]:
    """(what the exported model takes, what the reload check compares) for ``run``'s kind."""
    kind = getattr(run, "kind", "tabular")
    if kind == "images":
        return (
            "decoded RGB images of any size (resizing and normalization are inside it)",
            "images",
        )
    if kind == "audio":
        rate = rate_text((getattr(run, "metadata", None) or {}).get("sample_rate"))
        at = f" at {rate}" if rate else " at the training sample rate"
        return (
            f"raw waveforms{at} (float32 mono, values in [-1, 1], any length; cropping or "
            "padding and the spectrogram are inside it)",
            "waveforms",
        )
    return "raw rows (the preprocessing is inside it)", "rows"


class ExportDialog(QDialog):
    """Export the trained model as .keras or SavedModel and verify the result."""

    export_done = Signal(object)  # core.export.ExportResult
    export_failed = Signal(str, str)  # message, hint

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.worker: JobWorker | None = None
        self.last_result: Any = None
        self.setWindowTitle("Export Model")
        self.setMinimumWidth(560)

        takes, self._compared = model_input(state.run)
        self.intro = intro = QLabel(
            f"The exported model takes {takes} and comes with metadata.json. After writing, "
            f"it is reloaded and its answers on a few test {self._compared} are compared with "
            "this session's."
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")

        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        formats_box = QVBoxLayout()
        for i, (fmt, description) in enumerate(_formats().items()):
            button = QRadioButton(FORMAT_LABELS.get(fmt, fmt))
            button.setToolTip(description)
            button.setProperty("format", fmt)
            self.format_group.addButton(button, i)
            self.format_buttons[fmt] = button
            desc = QLabel(description)
            desc.setWordWrap(True)
            desc.setProperty("role", "muted")
            desc.setContentsMargins(24, 0, 0, 4)
            formats_box.addWidget(button)
            formats_box.addWidget(desc)
        first = next(iter(self.format_buttons.values()), None)
        if first is not None:
            first.setChecked(True)
        self.format_group.buttonToggled.connect(self._format_toggled)

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Destination")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.hide()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setProperty("primary", True)
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._export_clicked)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(QLabel("<b>Format</b>"))
        layout.addLayout(formats_box)
        layout.addWidget(QLabel("<b>Destination</b>"))
        layout.addLayout(path_row)
        layout.addWidget(self.busy)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

        self._folder = app_settings.last_folder(app_settings.current(), SETTINGS_KEY)
        self.path_edit.setText(str(Path(self._folder) / DEFAULT_NAMES.get(self.fmt, "model")))
        self._refresh()

    # -- format and destination ---------------------------------------------------------------
    @property
    def fmt(self) -> str:
        button = self.format_group.checkedButton()
        return str(button.property("format")) if button is not None else "keras"

    def _format_toggled(self, button: QRadioButton, checked: bool) -> None:
        if not checked:
            return
        current = Path(self.path_edit.text() or self._folder)
        name = DEFAULT_NAMES.get(self.fmt, "model")
        if current.name in DEFAULT_NAMES.values() or not self.path_edit.text():
            self.path_edit.setText(str(current.parent / name))

    def _browse(self) -> None:
        start = self.path_edit.text() or str(Path(self._folder) / DEFAULT_NAMES[self.fmt])
        if self.fmt == "keras":
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export as .keras",
                start,
                "Keras model (*.keras)",
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
            if path and not path.endswith(".keras"):
                path += ".keras"
        else:
            path, _ = QFileDialog.getSaveFileName(
                self,
                "Export SavedModel folder",
                start,
                "Folder (*)",
                options=QFileDialog.Option.DontConfirmOverwrite,
            )
        if path:
            self._folder = str(Path(path).parent)
            app_settings.set_last_folder(app_settings.current(), path, SETTINGS_KEY)
            self.path_edit.setText(path)

    def _refresh(self) -> None:
        busy = self.worker is not None
        has_model = self.state.run is not None
        self.export_button.setEnabled(has_model and not busy)
        self.export_button.setToolTip("" if has_model else "Train a model first")
        self.busy.setVisible(busy)

    # -- exporting -----------------------------------------------------------------------------
    def _export_clicked(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            self._show_result(False, "Choose a destination first.")
            return
        self.export_to(path, self.fmt)

    def confirm_overwrite(self, path: str) -> bool:
        """Ask before replacing an existing file or folder (tests monkeypatch this)."""
        return messages.confirm(
            self, "Replace existing export?", f"{path} already exists.\nReplace it?"
        )

    def export_to(self, path: str, fmt: str, overwrite: bool = False) -> bool:
        """Export the current run to ``path`` in ``fmt`` in the background.

        Returns False (and starts nothing) when there is no model, an export is running, or the
        user declines to overwrite. The outcome arrives as ``export_done`` / ``export_failed``.
        """
        run = self.state.run
        if run is None:
            self._show_result(False, "Train a model first.")
            return False
        if self.worker is not None:
            return False
        if fmt in self.format_buttons:
            self.format_buttons[fmt].setChecked(True)
        self.path_edit.setText(path)
        if Path(path).exists() and not overwrite:
            if not self.confirm_overwrite(path):
                self._show_result(False, "Not exported: the destination exists.")
                return False
            overwrite = True
        bundle = run.bundle

        def job(on_event: Any, cancel: Any) -> Any:
            from automl_gui.core.export.formats import export_model

            return export_model(bundle, fmt, path, overwrite=overwrite)

        worker = JobWorker(job, self)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.done.connect(self._on_done)
        self.worker = worker
        self.last_result = None
        self.result_label.hide()
        self._refresh()
        self.state.status.emit(f"Exporting to {path}…")
        worker.start()
        return True

    def _on_finished(self, result: Any) -> None:
        self.last_result = result
        ok, text = describe_result(result, self._compared)
        self._show_result(ok, text)
        self.state.status.emit("Export verified." if ok else "Export finished with a problem.")
        self.export_done.emit(result)

    def _on_failed(self, message: str, hint: str) -> None:
        self._show_result(False, f"{message}\n{hint}" if hint else message)
        self.state.status.emit("Export failed.")
        self.export_failed.emit(message, hint)

    def _on_done(self) -> None:
        self.worker = None  # it deletes itself
        self._refresh()

    def _show_result(self, ok: bool, text: str) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(_OK_STYLE if ok else _BAD_STYLE)
        self.result_label.show()
        self._grow_to_fit()

    def _grow_to_fit(self) -> None:
        """Make room for wrapped text at the current width (never shrinks what the user
        made bigger): a top-level layout does not grow for a label that wraps to more lines."""
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        if needed > self.height():
            self.resize(self.width(), needed)

    def result_text(self) -> str:
        """The result panel's text (tests)."""
        return self.result_label.text()

    def reject(self) -> None:
        """Close, unless an export is still writing (closing then would orphan the worker)."""
        if self.worker is not None:
            self._show_result(False, "Please wait: the export is still being written.")
            return
        super().reject()
