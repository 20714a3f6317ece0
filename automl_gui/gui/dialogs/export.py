"""Export Model dialog: every format, verified.

The dialog lists the engine's formats in groups (Keras / TensorFlow, Mobile and edge, Other
runtimes), a destination (a folder per export; the Keras format can also be one ``.keras``
file) with a default name from the dataset and format, and remembers the last folder and
format. The export runs :func:`core.export.export_model` in a :class:`JobWorker`; the engine
reloads what it wrote in the format's own runtime and compares predictions on held-out samples,
and the result panel shows the verdict (green or red), the figures, the notes (what the format
cannot hold, in an amber box), the files and buttons to open the folder and the model card.
An existing destination is never replaced without a "Yes" (``confirm_overwrite``).

The window's File menu and its way into this dialog are ``dialogs/export_menu.py``.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.kinds import kind_named
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import _export_formats as fx
from automl_gui.gui.dialogs import messages
from automl_gui.gui.dialogs._export_formats import describe_result, formats
from automl_gui.gui.dialogs._export_result import NOTE_STYLE, ResultPanel
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.screen import resize_within_screen
from automl_gui.gui.workers import JobWorker

__all__ = [
    "ExportDialog",
    "describe_result",
    "formats",
    "model_input",
]

SETTINGS_KEY = "export/last_folder"
FORMAT_KEY = "export/last_format"
KERAS_FILE_KEY = "export/keras_file"


def model_input(run: Any) -> tuple[str, str]:
    """(what the exported model takes, what the reload check compares) for ``run``'s kind."""
    kind = kind_named(str(getattr(run, "kind", "tabular")))
    return kind.export_input(getattr(run, "metadata", None) or {})


def last_format() -> str:
    """The format of the last export started (settings), "keras" at first."""
    fmt = str(app_settings.current().value(FORMAT_KEY, "") or "")
    return fmt if fmt in formats() else "keras"


class ExportDialog(QDialog):
    """Export the current run in any format and show how the reloaded export compares."""

    export_done = Signal(object)  # core.export.ExportResult
    export_failed = Signal(str, str)  # message, hint

    def __init__(self, state: AppState, parent: QWidget | None = None, fmt: str | None = None):
        super().__init__(parent)
        self.state = state
        self.worker: JobWorker | None = None
        self.last_result: Any = None
        self._cancel_requested = False
        self.setWindowTitle("Export Model")
        self.setMinimumWidth(640)
        resize_within_screen(self, 900, 640)

        takes, self._compared = model_input(state.run)
        self.intro = intro = QLabel(
            f"A .keras or SavedModel export takes {takes}; where another format cannot hold a "
            "step, the result says what to do instead. Every export comes with metadata.json "
            f"and a model card, and is reloaded after writing: its answers on a few test "
            f"{self._compared} are compared with this session's."
        )
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")
        self.blocked = QLabel()
        self.blocked.setWordWrap(True)
        self.blocked.setStyleSheet(NOTE_STYLE)

        self.format_group = QButtonGroup(self)
        self.format_buttons: dict[str, QRadioButton] = {}
        descriptions = formats()
        format_box = QGroupBox("Format")
        formats_layout = QVBoxLayout(format_box)
        formats_layout.setSpacing(0)
        for i, (title, keys) in enumerate(fx.grouped()):
            heading = _heading(title)
            heading.setContentsMargins(0, 8 if i else 0, 0, 2)
            formats_layout.addWidget(heading)
            for key in keys:
                button = QRadioButton(fx.label(key))
                button.setToolTip(descriptions.get(key, ""))
                button.setProperty("format", key)
                self.format_group.addButton(button, len(self.format_buttons))
                self.format_buttons[key] = button
                desc = QLabel(fx.short(key))  # one line; the full sentence is the tooltip
                desc.setProperty("role", "muted")
                desc.setToolTip(descriptions.get(key, ""))
                desc.setContentsMargins(24, 0, 0, 4)
                formats_layout.addWidget(button)
                formats_layout.addWidget(desc)

        self._stem = fx.dataset_stem(state)
        self._folder = app_settings.last_folder(app_settings.current(), SETTINGS_KEY)
        self.folder_edit = QLineEdit(self._folder)
        self.folder_edit.setToolTip("The folder the export is written in")
        browse = QPushButton("&Browse…")
        browse.setToolTip("Choose the folder to write the export in")
        browse.clicked.connect(self._browse)
        self.name_edit = QLineEdit()
        self.name_edit.setToolTip(
            "The export's name: a folder holding the model, metadata.json and MODEL_CARD.md "
            "(or a .keras file with the 'single .keras file' option)"
        )
        self.keras_file = QCheckBox("Single .keras file (metadata and model card beside it)")
        self.keras_file.setToolTip(
            "Write one <name>.keras file instead of a folder; only for the Keras format"
        )
        stored = str(app_settings.current().value(KERAS_FILE_KEY, "false")).lower()
        self.keras_file.setChecked(stored in ("true", "1"))
        self.keras_file.toggled.connect(self._keras_file_toggled)
        self.target_label = QLabel()
        self.target_label.setWordWrap(True)
        self.target_label.setProperty("role", "muted")
        self.target_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for edit in (self.folder_edit, self.name_edit):
            edit.textChanged.connect(self._update_target)
        dest = QGridLayout()
        dest.addWidget(QLabel("&Folder:"), 0, 0)
        dest.addWidget(self.folder_edit, 0, 1)
        dest.addWidget(browse, 0, 2)
        dest.addWidget(QLabel("&Name:"), 1, 0)
        dest.addWidget(self.name_edit, 1, 1, 1, 2)
        dest.addWidget(self.keras_file, 2, 1, 1, 2)
        dest.addWidget(self.target_label, 3, 1, 1, 2)
        for row, edit in ((0, self.folder_edit), (1, self.name_edit)):
            dest.itemAtPosition(row, 0).widget().setBuddy(edit)

        self.result_panel = ResultPanel()
        result_box = QGroupBox("Result")
        QVBoxLayout(result_box).addWidget(self.result_panel)

        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setToolTip("Writing the export, then reloading it to compare its answers")
        self.busy.hide()
        self.busy_label = QLabel()
        self.busy_label.setProperty("role", "muted")
        self.busy_label.hide()

        self.buttons = QDialogButtonBox()
        self.export_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setProperty("primary", True)
        self.export_button.setDefault(True)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.export_button.clicked.connect(self._export_clicked)
        self.close_button.clicked.connect(self._close_clicked)

        dest_box = QGroupBox("Destination")
        dest_box.setLayout(dest)
        left = QVBoxLayout()
        left.addWidget(format_box)
        left.addWidget(dest_box)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 11)
        columns.addWidget(result_box, 10)
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy_label)
        bottom.addWidget(self.busy, 1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.blocked)
        layout.addLayout(columns, 1)
        layout.addLayout(bottom)

        self.format_group.buttonToggled.connect(self._format_toggled)
        self.select_format(fmt or last_format())
        state.run_finished.connect(self._refresh)
        state.run_started.connect(self._refresh)
        self._refresh()

    # -- format and destination ---------------------------------------------------------------
    @property
    def fmt(self) -> str:
        button = self.format_group.checkedButton()
        return str(button.property("format")) if button is not None else "keras"

    def select_format(self, fmt: str) -> None:
        """Choose ``fmt`` (unknown: the first format)."""
        button = self.format_buttons.get(fmt) or next(iter(self.format_buttons.values()))
        if button.isChecked():
            self._format_toggled(button, True)
        button.setChecked(True)

    def _format_toggled(self, button: QRadioButton, checked: bool) -> None:
        if not checked:
            return
        self.keras_file.setVisible(self.fmt == "keras")
        self._suggest_name()

    def _keras_file_toggled(self, checked: bool) -> None:
        app_settings.current().setValue(KERAS_FILE_KEY, "true" if checked else "false")
        self._suggest_name()

    def _single_file(self) -> bool:
        return self.fmt == "keras" and self.keras_file.isChecked()

    def _suggest_name(self) -> None:
        """A default name for the chosen format, unless the user typed a name of their own."""
        if fx.is_default_name(self.name_edit.text().strip(), self._stem):
            self.name_edit.setText(fx.default_name(self._stem, self.fmt, self._single_file()))
        self._update_target()

    def target(self) -> str:
        """The path the export will be written to (folder / name)."""
        folder = self.folder_edit.text().strip()
        name = self.name_edit.text().strip()
        if not folder or not name:
            return ""
        if self._single_file() and not name.endswith(".keras"):
            name += ".keras"
        return str(Path(folder).expanduser() / name)

    def _update_target(self) -> None:
        target = self.target()
        what = "file" if target.endswith(".keras") else "folder"
        self.target_label.setText(f"Writes the {what} {target}" if target else "")

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Export into folder", self.folder_edit.text() or self._folder
        )
        if folder:
            self.folder_edit.setText(folder)

    def _refresh(self) -> None:
        busy = self.worker is not None
        reason = fx.blocker(self.state)
        self.export_button.setEnabled(not reason and not busy)
        self.export_button.setToolTip(reason or "Write the export and verify it (Enter)")
        self.blocked.setText(reason)
        self.blocked.setVisible(bool(reason))
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)
        self.close_button.setText("Cancel" if busy else "Close")
        self.close_button.setToolTip("Stop the export" if busy else "Close this dialog (Esc)")
        for w in (*self.format_buttons.values(), self.folder_edit, self.name_edit, self.keras_file):
            w.setEnabled(not busy)

    # -- exporting -----------------------------------------------------------------------------
    def _export_clicked(self) -> None:
        path = self.target()
        if not path:
            self.result_panel.show_message(False, "Choose a folder and a name first.")
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
        reason = fx.blocker(self.state)
        if reason:
            self.result_panel.show_message(False, reason)
            return False
        if self.worker is not None:
            return False
        target = Path(path).expanduser()
        self.select_format(fmt)
        if fmt == "keras":
            self.keras_file.setChecked(target.suffix == ".keras")
        self.folder_edit.setText(str(target.parent))
        self.name_edit.setText(target.name)
        refused = replace_refusal(self.state.run, fmt, target)
        if refused:
            self.result_panel.show_message(False, f"Not exported: {refused}")
            return False
        if target.exists() and not overwrite:
            if not self.confirm_overwrite(str(target)):
                self.result_panel.show_message(False, "Not exported: the destination exists.")
                return False
            overwrite = True
        settings = app_settings.current()
        app_settings.set_last_folder(settings, str(target.parent), SETTINGS_KEY)
        settings.setValue(FORMAT_KEY, fmt)
        job = _export_job(self.state.run, fmt, str(target), overwrite)

        worker = JobWorker(job, self)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        worker.done.connect(self._on_done)
        self.worker = worker
        self._cancel_requested = False
        self.last_result = None
        self.busy_label.setText(f"Exporting {fx.label(fmt)}…")
        self.result_panel.clear(
            f"Writing {target} and reloading it to compare its answers with this session's…"
        )
        self._refresh()
        self.state.status.emit(f"Exporting to {target}…")
        worker.start()
        return True

    def cancel(self) -> None:
        """Ask the running export to stop (it stops between its steps)."""
        if self.worker is None:
            return
        self._cancel_requested = True
        self.worker.cancel()
        self.busy_label.setText("Cancelling…")
        self.close_button.setEnabled(False)

    def _on_finished(self, result: Any) -> None:
        self.last_result = result
        late = (
            "Cancel came too late: the export had already been written and verified."
            if self._cancel_requested
            else ""
        )
        ok = self.result_panel.show_result(result, self._compared, late)
        self.state.status.emit("Export verified." if ok else "Export finished with a problem.")
        self.export_done.emit(result)

    def _on_failed(self, message: str, hint: str) -> None:
        self.result_panel.show_message(
            False, f"Export failed: {message}" + (f"\n{hint}" if hint else "")
        )
        self.state.status.emit("Export failed.")
        self.export_failed.emit(message, hint)

    def _on_cancelled(self) -> None:
        self.result_panel.show_message(False, "Export cancelled: nothing was written.")
        self.state.status.emit("Export cancelled.")

    def _on_done(self) -> None:
        self.worker = None  # it deletes itself
        self.close_button.setEnabled(True)
        self._refresh()

    def result_text(self) -> str:
        """The result panel's text (tests)."""
        return self.result_panel.text()

    def _close_clicked(self) -> None:
        if self.worker is not None:
            self.cancel()
        else:
            self.reject()

    def reject(self) -> None:
        """Close, unless an export is still writing (closing then would orphan the worker)."""
        if self.worker is not None:
            self.busy_label.setText("Still writing: Cancel stops it, or wait for the result.")
            return
        super().reject()


def replace_refusal(run: Any, fmt: str, target: Path) -> str:
    """Why ``target`` may not be written even after a "Yes" ("" when it may): the engine's
    one rule (``core.export.outputs``): only an export this app wrote is replaced, never the
    source model, a folder holding other files, or a folder above the current one."""
    from automl_gui.core.base.errors import AutoMLError
    from automl_gui.core.export.outputs import check_destination

    bundle_path = getattr(getattr(run, "bundle", None), "path", None) if run else None
    single_file = fmt == "keras" and target.suffix == ".keras"
    try:
        check_destination(target, True, inputs=[bundle_path], file=single_file)
    except AutoMLError as exc:
        return f"{exc.message}\n{exc.hint}" if exc.hint else exc.message
    return ""


def _export_job(run: Any, fmt: str, path: str, overwrite: bool) -> Any:
    """The worker's job: ``export_model`` of ``run.bundle``, passing the cancel token and
    events on when the engine takes them."""

    def job(on_event: Any, cancel: Any) -> Any:
        from automl_gui.core.export.formats import export_model

        bundle = run.bundle

        params = inspect.signature(export_model).parameters
        extra: dict[str, Any] = {}
        if "cancel" in params:
            extra["cancel"] = cancel
        if "on_event" in params:
            extra["on_event"] = on_event
        return export_model(bundle, fmt, path, overwrite=overwrite, **extra)

    return job


def _heading(text: str) -> QLabel:
    return QLabel(f"<b>{text}</b>")
