"""File → Save Project As… and Open Project…: Qt's own folder dialog driven as a user does
(a name typed, Enter). Save took no new folder name ("Directory not found") and Open was a file
picker where a typed folder and Enter only stepped into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMessageBox

from automl_gui.core.project import PROJECT_FILE
from automl_gui.gui import _project_questions as questions
from automl_gui.gui._project_questions import ProjectFolderDialog


def typed(
    qtbot, monkeypatch, ask, start: Path, text: str, warned: list[str] | None = None
) -> tuple[str, bool]:
    """Run ``ask(None, start)`` (a modal dialog) while a timer types ``text`` and Enter into
    it; returns the answer and whether the dialog was still open after Enter (then closed).
    A message box Qt shows then is closed, its text put in ``warned``.

    The dialog is the one ``ask`` makes (recorded as it is made), the message box Qt's active
    modal widget: scanning every top-level widget for them crashed a CI run (segfault)."""
    made: list[ProjectFolderDialog] = []
    stayed: list[bool] = []

    class Recorded(ProjectFolderDialog):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(questions, "ProjectFolderDialog", Recorded)

    def type_and_enter(tries: int = 250) -> None:
        box = made[-1] if made else None
        if box is None or not box.isVisible():
            assert tries, "the dialog never opened"
            QTimer.singleShot(20, lambda: type_and_enter(tries - 1))
            return
        edit = box.findChild(QLineEdit, "fileNameEdit")
        edit.clear()
        qtbot.keyClicks(edit, text)
        edit.completer().popup().hide()  # what a user's Escape/second Enter does
        QTimer.singleShot(300, lambda: give_up(box))
        qtbot.keyClick(edit, Qt.Key.Key_Return)

    def give_up(box: QFileDialog) -> None:
        if box.result() == QFileDialog.DialogCode.Accepted or not box.isVisible():
            return  # Enter closed it
        shown = QApplication.activeModalWidget()
        if isinstance(shown, QMessageBox):
            if warned is not None:
                warned.append(shown.text())
            shown.reject()
            QTimer.singleShot(50, lambda: give_up(box))
            return
        stayed.append(True)
        box.reject()

    QTimer.singleShot(0, type_and_enter)
    answer = ask(None, str(start))
    return answer, bool(stayed)


def test_save_takes_a_new_folder_name_typed_in_the_dialog(qtbot, tmp_path, monkeypatch):
    answer, stayed = typed(
        qtbot, monkeypatch, questions.choose_project_folder, tmp_path, "my project"
    )
    assert not stayed
    assert Path(answer) == tmp_path / "my project"
    assert not (tmp_path / "my project").exists()  # saving creates it (save_project)


def test_save_button_takes_a_new_name_and_the_project_file_opens(qtbot, tmp_path):
    from PySide6.QtWidgets import QDialogButtonBox

    dialog = ProjectFolderDialog(None, "Save", str(tmp_path), save=True)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "fileNameEdit"), "new one")
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Open)
    assert save.isEnabled() and save.text() == "&Save"  # Qt's own check disabled it
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert Path(dialog.answer()) == tmp_path / "new one"


def test_save_takes_an_existing_empty_folder(qtbot, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    answer, stayed = typed(qtbot, monkeypatch, questions.choose_project_folder, tmp_path, "empty")
    assert not stayed and Path(answer) == tmp_path / "empty"


def test_open_takes_the_project_folder_typed_and_enter(qtbot, tmp_path, monkeypatch):
    project = tmp_path / "churn project"
    project.mkdir()
    (project / PROJECT_FILE).write_text("{}")
    answer, stayed = typed(qtbot, monkeypatch, questions.choose_project, tmp_path, "churn project")
    assert not stayed and Path(answer) == project
    answer, stayed = typed(qtbot, monkeypatch, questions.choose_project, project, PROJECT_FILE)
    assert not stayed and Path(answer) == project / PROJECT_FILE


def test_open_does_not_take_a_missing_name(qtbot, tmp_path, monkeypatch):
    warned: list[str] = []
    answer, stayed = typed(
        qtbot, monkeypatch, questions.choose_project, tmp_path, "nothing here", warned
    )
    assert answer == "" and stayed, warned
    assert warned and "Directory not found" in warned[0]


@pytest.mark.parametrize("save", [True, False])
def test_cancel_answers_nothing(qtbot, tmp_path, save):
    dialog = ProjectFolderDialog(None, "t", str(tmp_path), save=save)
    qtbot.addWidget(dialog)
    dialog.open()
    dialog.reject()
    assert dialog.answer() == ""


def test_open_project_on_a_folder_that_is_not_one_says_so(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings

    from automl_gui.gui.dialogs import messages
    from automl_gui.gui.main_window import MainWindow

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, m, h="": shown.append((m, h)))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(window)
    documents = tmp_path / "documents"
    documents.mkdir()
    monkeypatch.setattr(questions, "choose_project", lambda *_a: str(documents))
    window.projects.action_open.trigger()
    assert shown and "is not a project (no project.automl.json in it)" in shown[-1][0]
    assert "Choose a project folder" in shown[-1][1]
    assert window.state.project_path is None


@pytest.mark.parametrize("save", [True, False])
def test_the_dialog_says_what_to_do_inside_it(qtbot, tmp_path, save):
    """The explanation was only in the window title, which window managers cut short."""
    dialog = ProjectFolderDialog(None, "title", str(tmp_path), save=save)
    qtbot.addWidget(dialog)
    dialog.show()
    hint = dialog.hint
    assert hint.isVisible() and hint.window() is dialog
    assert ("type a new folder name" in hint.text()) is save
    assert ("project.automl.json" in hint.text()) is not save
