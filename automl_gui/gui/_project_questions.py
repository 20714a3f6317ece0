"""The questions a project asks the user (module functions: tests replace them).

Each returns the answer as a word or a path. Without a screen (Qt's offscreen or minimal
platform) nobody could answer a modal question: those return the answer that loses nothing
and opens no dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

if TYPE_CHECKING:
    from automl_gui.core.kinds import DataKind

APP = "automl-gui"
HEADLESS = ("offscreen", "minimal")  # no screen: nobody could answer a question


def _headless() -> bool:
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.platformName() in HEADLESS


def ask_save_changes(parent: QWidget | None, name: str) -> str:
    """Save / Discard / Cancel for unsaved changes: "save", "discard" or "cancel".

    Without a screen (offscreen, minimal platforms) nobody can answer: "discard".
    """
    if _headless():
        return "discard"
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP)
    box.setText(f"Save the changes to “{name}”?")
    box.setInformativeText("Your changes are lost if you don't save them.")
    buttons = QMessageBox.StandardButton
    box.setStandardButtons(buttons.Save | buttons.Discard | buttons.Cancel)
    box.setDefaultButton(buttons.Save)
    answer = box.exec()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


def ask_missing_dataset(parent: QWidget | None, path: str) -> str:
    """The project's dataset is gone: "locate", "without" (open without data) or "cancel"."""
    if _headless():
        return "without"
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(APP)
    box.setText(f"The project's dataset was not found:\n{path}")
    box.setInformativeText(
        "It may have been moved, renamed or be on a drive that is not connected. Locate it, "
        "or open the project without data: its settings and runs are still shown, and it "
        "keeps pointing to the old place until you open a dataset."
    )
    locate = box.addButton("Locate…", QMessageBox.ButtonRole.AcceptRole)
    without = box.addButton("Open Without Data", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(locate)
    box.exec()
    clicked = box.clickedButton()
    return "locate" if clicked is locate else "without" if clicked is without else "cancel"


def choose_dataset(parent: QWidget | None, kind: DataKind | None, old: str, start: str) -> str:
    """Ask where the moved dataset of ``kind`` is now ('' when cancelled)."""
    name = Path(old).name
    if kind is not None and kind.file_based and not Path(old).suffix:
        return QFileDialog.getExistingDirectory(parent, f"Locate the folder “{name}”", start)
    path, _ = QFileDialog.getOpenFileName(parent, f"Locate “{name}”", start, "All files (*)")
    return path


SAVE_HINT = (
    "Choose an empty folder, or type a new folder name above: saving creates it and puts the "
    "project's files inside."
)
OPEN_HINT = (
    "Choose the project's folder (the one that holds project.automl.json) and press Open, or "
    "type its path above."
)


class ProjectFolderDialog(QFileDialog):
    """The folder dialog of File → Save Project As… and Open Project….

    Qt's own (non-native) folder dialog refuses a folder name that does not exist yet
    ("Directory not found"), and a file dialog only steps into the folder typed in it. Here
    Save accepts a new name typed in an existing folder (saving creates it) and Open accepts
    the project folder itself, typed or selected, or its project file. A native dialog, where
    the platform has one, keeps its own ways (each can create a folder).

    Args:
        save: Save Project As (a new name is accepted); else Open Project.
    """

    def __init__(self, parent: QWidget | None, title: str, start: str, *, save: bool) -> None:
        super().__init__(parent, title, start)
        self.save = save
        self.chosen = ""
        self.setFileMode(QFileDialog.FileMode.Directory)
        label = QFileDialog.DialogLabel
        self.setLabelText(label.Accept, "&Save" if save else "&Open")
        self.setLabelText(label.FileName, "Project folder:")
        edit = self.findChild(QLineEdit, "fileNameEdit")
        if save and edit is not None:  # Qt disables Save for a name that does not exist yet
            edit.textChanged.connect(self._enable_new_name)  # after Qt's own check
        # what to do, inside the dialog too: window managers cut long titles short
        self.hint = QLabel(SAVE_HINT if save else OPEN_HINT)
        self.hint.setWordWrap(True)
        grid = self.layout()
        if isinstance(grid, QGridLayout):  # Qt's own dialog (a native one has no layout)
            grid.addWidget(self.hint, grid.rowCount(), 0, 1, grid.columnCount())

    def _new_folder(self) -> str:
        """The new folder typed (its parent exists), or ''."""
        files = self.selectedFiles()
        path = Path(files[0]) if files else None
        if path is None or path.exists() or not path.parent.is_dir():
            return ""
        return str(path)

    def _enable_new_name(self) -> None:
        box = self.findChild(QDialogButtonBox)
        ok = box.button(QDialogButtonBox.StandardButton.Open) if box is not None else None
        if ok is not None and self._new_folder():
            ok.setEnabled(True)

    def accept(self) -> None:
        """A new folder name (Save) or a project file (Open) is the answer; anything else is
        Qt's: an existing folder is chosen, a missing one refused."""
        from automl_gui.core.project import is_project

        files = self.selectedFiles()
        path = Path(files[0]) if files else None
        new_folder = self._new_folder() if self.save else ""
        if new_folder or (path is not None and path.is_file() and is_project(path)):
            self.chosen = new_folder or str(path)
            self.done(QFileDialog.DialogCode.Accepted)
            return
        super().accept()

    def answer(self) -> str:
        """The folder (or project file) chosen, '' when cancelled."""
        if self.result() != QFileDialog.DialogCode.Accepted:
            return ""
        return self.chosen or next(iter(self.selectedFiles()), "")


def choose_project(parent: QWidget | None, start: str) -> str:
    """The project folder (or its project file) to open ('' when cancelled)."""
    dialog = ProjectFolderDialog(parent, "Open project (choose its folder)", start, save=False)
    dialog.exec()
    return dialog.answer()


def choose_project_folder(parent: QWidget | None, start: str) -> str:
    """A folder to save the project in: an empty one, or a new name typed in the dialog."""
    dialog = ProjectFolderDialog(
        parent,
        "Save project in folder (choose an empty folder or type a new name)",
        start,
        save=True,
    )
    dialog.exec()
    return dialog.answer()


def folder_problem(folder: Path, current: str | None) -> tuple[str, str]:
    """Why the project cannot be saved in ``folder`` ('', '' when it can)."""
    from automl_gui.core.project import is_project

    if folder.exists() and not folder.is_dir():
        return f"“{folder.name}” is a file, not a folder.", "Choose or create a folder."
    if not folder.exists():
        return "", ""
    if current and folder.resolve() == Path(current).resolve():
        return "", ""
    if is_project(folder):  # saving there would replace that project and lose its runs
        return (
            f"“{folder.name}” already holds another project.",
            "Choose an empty folder or create a new one (open that project to work on it).",
        )
    if any(folder.iterdir()):
        return (
            f"“{folder.name}” already holds other files and is not a project.",
            "A project is a folder of its own: choose an empty folder, or type a new folder "
            "name in the dialog.",
        )
    return "", ""
