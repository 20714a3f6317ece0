"""Where File → Save Project As may save: never over another project (its runs would go)."""

from __future__ import annotations

from automl_gui.core.project import ProjectData, save_project
from automl_gui.gui._project_questions import folder_problem


def test_save_as_refuses_another_projects_folder_but_not_the_open_one(tmp_path):
    other = tmp_path / "other"
    save_project(other, ProjectData(kind="tabular"))
    message, hint = folder_problem(other, None)  # a new project over an old one
    assert "already holds another project" in message and "empty folder" in hint
    assert folder_problem(other, str(tmp_path / "mine"))[0]  # Save As of another project
    assert folder_problem(other, str(other)) == ("", "")  # the open project itself
    assert folder_problem(tmp_path / "new", None) == ("", "")
    (tmp_path / "empty").mkdir()
    assert folder_problem(tmp_path / "empty", None) == ("", "")
