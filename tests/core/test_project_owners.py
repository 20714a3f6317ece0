"""Whose run folders a save may touch (issue 13 review): an old project's linked runs/, a new
project saved into another one's folder, two savers on one project. TensorFlow-free.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from project_tiny import JOURNAL, TinyRun
from project_tiny import names as _names
from project_tiny import record as _record
from project_tiny import saved as _saved

from automl_gui.core.project import (
    PROJECT_FILE,
    ProjectData,
    ProjectError,
    load_project,
    next_run_id,
    save_project,
)
from automl_gui.core.project import _owner as _project_owner


def _owner(run_dir: Path) -> str | None:
    return json.loads((run_dir / "run.json").read_text()).get("project")


def _as_before_ids(project: Path) -> None:
    """Make ``project`` what the previous app version wrote: no project id, run folders
    naming no project."""
    raw = json.loads((project / PROJECT_FILE).read_text())
    raw.pop("id")
    (project / PROJECT_FILE).write_text(json.dumps(raw))
    for run_json in (project / "runs").glob("*/run.json"):
        saved = json.loads(run_json.read_text())
        saved.pop("project")
        run_json.write_text(json.dumps(saved))


def _link_runs_elsewhere(project: Path, disk: Path) -> Path:
    disk.mkdir(parents=True, exist_ok=True)
    shutil.move(str(project / "runs"), str(disk / "runs"))
    (project / "runs").symlink_to(disk / "runs", target_is_directory=True)
    return disk / "runs"


# -- item 3: an old project's linked runs/, and ids already taken on disk ------------------------
def test_an_old_projects_linked_runs_become_its_own_and_delete_then_train_saves(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    _as_before_ids(project)
    runs = _link_runs_elsewhere(project, tmp_path / "big")

    data = load_project(project)
    assert data.id == "" and data.notices == []
    data.runs = data.runs[:1]  # run-002 deleted from the history
    save_project(project, data)
    assert data.id and _owner(runs / "run-001") == data.id  # the runs it lists are its own now
    assert _names(runs) == ["run-001"]  # the run it removed went, as in its own runs/

    new_id = next_run_id([r.id for r in data.runs], project)
    data.runs.append(_record(new_id))
    save_project(project, data, {new_id: TinyRun()})  # refused before: "did not write"
    assert _names(runs) == ["run-001", new_id] and _owner(runs / new_id) == data.id
    again = load_project(project)
    again.runs = again.runs[1:]
    save_project(project, again)
    assert _names(runs) == [new_id]


def test_next_run_id_skips_folders_and_journal_names_already_there(tmp_path):
    project = tmp_path / "P"
    data = _saved(project, ["run-001", "run-002"])
    (project / "runs" / "run-003").mkdir()  # a leftover folder the file does not list
    (project / "runs" / "run-003" / "model.keras").write_bytes(b"someone's")
    (project / "runs" / ".run-004.tmp-1-abc").mkdir()  # another save writing run-004
    (project / JOURNAL).write_text(
        json.dumps(
            {
                "format": "automl-gui-save-journal",
                "version": 1,
                "project": data.id,
                "digest": None,
                "writing": ["run-005"],
                "removing": [],
            }
        )
    )
    ids = [r.id for r in data.runs]
    assert next_run_id(ids) == "run-003"  # no folder given: the ids alone
    assert next_run_id(ids, project) == "run-006"
    assert next_run_id(ids, project / PROJECT_FILE) == "run-006"
    assert next_run_id(["run-009"], project) == "run-010"
    assert next_run_id([], tmp_path / "nowhere") == "run-001"

    (project / JOURNAL).unlink()
    new_id = next_run_id(ids, project)
    data.runs.append(_record(new_id))
    save_project(project, data, {new_id: TinyRun()})
    assert (project / "runs" / "run-003" / "model.keras").read_bytes() == b"someone's"
    assert (project / "runs" / new_id / "model.keras").read_bytes() == b"a model"


def test_a_folder_an_old_file_lists_that_names_another_project_is_not_claimed(tmp_path):
    project, other = tmp_path / "P", tmp_path / "O"
    _saved(project, ["run-001", "run-002", "run-003"])
    _as_before_ids(project)
    other_id = _saved(other, ["run-002"]).id
    shutil.rmtree(project / "runs" / "run-002")
    shutil.copytree(other / "runs" / "run-002", project / "runs" / "run-002")
    (project / "runs" / "run-001" / "notes.txt").write_text("mine")

    data = load_project(project)
    data.runs = []
    save_project(project, data)
    assert data.id not in ("", other_id)  # not taken from the one folder naming an id
    assert _names(project / "runs") == ["run-001", "run-002"]  # run-003 was its own
    assert _owner(project / "runs" / "run-002") == other_id
    assert _owner(project / "runs" / "run-001") is None
    assert (project / "runs" / "run-001" / "notes.txt").read_text() == "mine"


def test_a_save_killed_while_claiming_keeps_the_id_it_was_giving(tmp_path, monkeypatch):
    from automl_gui.core import project as project_module

    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    _as_before_ids(project)
    data = load_project(project)
    real_claim = project_module.claim

    def killed(runs, names, project_id):
        real_claim(runs, sorted(names)[:1], project_id)  # one stamped, then the kill
        raise KeyboardInterrupt

    monkeypatch.setattr(project_module, "claim", killed)
    with pytest.raises(KeyboardInterrupt):
        save_project(project, data)
    monkeypatch.undo()
    given = _owner(project / "runs" / "run-001")
    assert given and _owner(project / "runs" / "run-002") is None
    again = load_project(project)
    save_project(project, again)
    assert again.id == given
    assert {_owner(p) for p in (project / "runs").iterdir()} == {given}


# -- item 4: a new project saved into another project's folder ----------------------------------
def test_a_new_project_saved_into_a_project_folder_is_refused_and_deletes_nothing(tmp_path):
    folder = tmp_path / "projA"
    _saved(folder, ["run-001"])
    before = (folder / PROJECT_FILE).read_bytes()
    with pytest.raises(ProjectError, match="already holds another project") as info:
        save_project(folder, ProjectData(name="B"), {})
    assert "open that project" in info.value.hint.lower()
    assert _names(folder / "runs") == ["run-001"]
    assert (folder / PROJECT_FILE).read_bytes() == before

    # an old project (no id) there is protected the same way
    _as_before_ids(folder)
    with pytest.raises(ProjectError, match="already holds another project"):
        save_project(folder, ProjectData(name="B"), {})
    _saved(tmp_path / "C", ["run-001"])
    other = load_project(tmp_path / "C")
    with pytest.raises(ProjectError, match="already holds another project"):
        save_project(folder, other)  # a project with an id, saved where an old one is
    assert _names(folder / "runs") == ["run-001"]


def test_a_project_opened_or_saved_there_saves_there_again(tmp_path):
    folder = tmp_path / "P"
    data = _saved(folder, ["run-001", "run-002"])
    data.runs = data.runs[:1]
    save_project(folder, data)  # the same object: saved there
    assert _names(folder / "runs") == ["run-001"]
    _as_before_ids(folder)
    old = load_project(folder)  # opened from there, no id yet
    assert old.id == ""
    old.runs = []
    save_project(folder, old)
    assert _names(folder / "runs") == [] and old.id
    fresh = ProjectData(name="same", id=old.id)  # its id says it is that project
    save_project(folder, fresh)
    assert json.loads((folder / PROJECT_FILE).read_text())["name"] == "same"
    assert "opened_from" not in json.loads((folder / PROJECT_FILE).read_text())


def test_a_project_folder_copied_elsewhere_is_opened_and_saved_there(tmp_path):
    first, copy_ = tmp_path / "A", tmp_path / "copy"
    _saved(first, ["run-001"])
    shutil.copytree(first, copy_)
    data = load_project(copy_)
    data.runs = []
    save_project(copy_, data)
    assert _names(copy_ / "runs") == [] and _names(first / "runs") == ["run-001"]
    with pytest.raises(ProjectError, match="another project"):
        save_project(first, ProjectData(name="A again"))
    assert _names(first / "runs") == ["run-001"]


# -- item 5: another saver's temp files are left alone ------------------------------------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_save_leaves_another_live_savers_temp_files_alone(tmp_path):
    folder = tmp_path / "P"
    data = _saved(folder, ["run-001", "run-002"])
    live = os.getppid()  # a process that runs (the test runner's parent)
    runs = folder / "runs"
    theirs = [
        folder / f".{PROJECT_FILE}.tmp-{live}-1",
        runs / f".run-003.tmp-automl-gui-{live}-abcdefgh",  # their run folder, half written
        runs / f".run-001.old-automl-gui-{live}",  # their backup, mid-replace
    ]
    theirs[0].write_text("{")
    for path in theirs[1:]:
        path.mkdir()
        (path / "model.keras").write_bytes(b"theirs")
    save_project(folder, data)
    assert all(p.exists() for p in theirs)


def test_a_dead_savers_leftovers_go_once_idle_not_while_fresh(tmp_path, monkeypatch):
    folder = tmp_path / "P"
    data = _saved(folder, ["run-001"])
    dead = _dead_pid()
    runs = folder / "runs"
    left = [
        folder / f".{PROJECT_FILE}.tmp-{dead}-1",
        runs / f".run-002.tmp-automl-gui-{dead}-abcdefgh",
        runs / f".run-001.old-automl-gui-{dead}",
        runs / f".run-003.old-automl-gui-{dead}-del",
    ]
    left[0].write_text("{")
    for path in left[1:]:
        path.mkdir()
        (path / "model.keras").write_bytes(b"x")
    save_project(folder, data)
    assert all(p.exists() for p in left)  # just written: its writer may be on another computer
    monkeypatch.setattr(_project_owner, "STALE_IDLE_S", 0.0)
    save_project(folder, data)
    assert not any(p.exists() for p in left)
    assert _names(runs) == ["run-001"]


def test_a_save_and_an_open_leave_the_users_hidden_folders_in_runs_alone(tmp_path, monkeypatch):
    """Only the app's naming (``.run-001.old-automl-gui-PID``) holding only a run folder's
    files is ever tidied or put back: ``.run-001.old-2023`` is the user's."""
    from automl_gui.core.project import load_project

    folder = tmp_path / "P"
    data = _saved(folder, ["run-001"])
    runs = folder / "runs"
    mine = [runs / ".run-001.old-2023", runs / ".run-002.tmp-20240101", runs / ".run-001.tmp-x"]
    for path in mine:
        path.mkdir()
        (path / "notes.txt").write_text("mine")
    named = runs / f".run-002.old-automl-gui-{_dead_pid()}"  # our naming, the user's file
    named.mkdir()
    (named / "notes.txt").write_text("mine")
    monkeypatch.setattr(_project_owner, "STALE_MAX_AGE_S", 0.0)
    save_project(folder, data)
    shutil.rmtree(runs / "run-001")
    load_project(folder)  # run-001 missing: none of these is its backup
    assert all((p / "notes.txt").read_text() == "mine" for p in [*mine, named])
    assert not (runs / "run-001").exists()


def test_an_open_never_takes_a_live_savers_backup(tmp_path):
    from automl_gui.core.project import load_project

    folder = tmp_path / "P"
    _saved(folder, ["run-001"])
    runs = folder / "runs"
    theirs = runs / f".run-001.old-automl-gui-{os.getppid()}"  # between its two renames
    (runs / "run-001").rename(theirs)
    load_project(folder)
    assert theirs.is_dir() and not (runs / "run-001").exists()
