"""Run folders that go missing and come back, and what a save may delete (issue 13: nothing
lost). A save deletes a run folder only when this project removed the run (listed in the file
it replaces, not in the project saved) or a save that did not finish wrote or was deleting it.
TensorFlow-free: the runs are tiny fakes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from project_tiny import JOURNAL, TinyRun
from project_tiny import names as _names
from project_tiny import record as _record
from project_tiny import saved as _saved

from automl_gui.core import project as project_module
from automl_gui.core.project import (
    PROJECT_FILE,
    ProjectData,
    ProjectError,
    load_project,
    next_run_id,
    save_project,
)


def _listed(project: Path) -> list[str]:
    return [r["id"] for r in json.loads((project / PROJECT_FILE).read_text())["runs"]]


def _like_the_window(data: ProjectData) -> ProjectData:
    """What the window saves: a fresh capture holding the same run records, with the id and
    the file of the project it opened or saved (``data``: an old file's has no id)."""
    return ProjectData(
        kind=data.kind,
        runs=list(data.runs),
        current_run=data.current_run,
        id=data.id,
        opened_from=data.opened_from,
    )


# -- the reported gap: some run folders missing at load ------------------------------------------
def test_a_run_folder_missing_at_load_stays_listed_and_is_never_deleted_when_back(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002", "run-003"])
    away = tmp_path / "unmounted-disk" / "run-003"
    away.parent.mkdir()
    shutil.move(str(project / "runs" / "run-003"), str(away))

    data = load_project(project)  # run-003's folder is missing (a disk not mounted yet)
    assert [r.id for r in data.runs] == ["run-001", "run-002", "run-003"]
    assert data.current_run == "run-002"  # the current run is one that can be used
    assert len(data.notices) == 1 and "'Run 3' (runs/run-003) is missing" in data.notices[0]
    assert "stays in the project" in data.notices[0]
    assert data.run("run-003").metrics == {"accuracy": 0.5}  # its results are still shown

    save_project(project, _like_the_window(data))  # saved while the folder is away
    assert _listed(project) == ["run-001", "run-002", "run-003"]
    again = load_project(project)
    assert [r.id for r in again.runs] == ["run-001", "run-002", "run-003"] and again.notices

    shutil.move(str(away), str(project / "runs" / "run-003"))  # the disk is back
    back = load_project(project)
    assert back.notices == [] and [r.id for r in back.runs] == ["run-001", "run-002", "run-003"]
    save_project(project, _like_the_window(back))
    assert _names(project / "runs") == ["run-001", "run-002", "run-003"]
    assert (project / "runs" / "run-003" / "model.keras").read_bytes() == b"a model"


def test_a_folder_that_comes_back_while_the_project_is_open_is_kept_by_the_next_save(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    away = tmp_path / "moved-away"
    shutil.move(str(project / "runs" / "run-002"), str(away))
    data = load_project(project)
    assert "missing" in data.notices[0]
    shutil.move(str(away), str(project / "runs" / "run-002"))  # moved back before saving
    save_project(project, _like_the_window(data))
    assert _names(project / "runs") == ["run-001", "run-002"]
    assert _listed(project) == ["run-001", "run-002"]
    assert load_project(project).notices == []


def test_several_missing_runs_are_one_notice(tmp_path):
    project = tmp_path / "P"
    ids = [f"run-00{i}" for i in range(1, 7)]
    _saved(project, ids)
    for run_id in ids[1:]:
        shutil.rmtree(project / "runs" / run_id)
    data = load_project(project)
    assert len(data.runs) == 6 and data.current_run == "run-001"
    assert len(data.notices) == 1 and "The folders of 5 runs are missing" in data.notices[0]
    assert "and 2 more" in data.notices[0]
    # every run missing: no current run, and still nothing forgotten
    shutil.rmtree(project / "runs" / "run-001")
    data = load_project(project)
    assert len(data.runs) == 6 and data.current_run is None
    save_project(project, data)
    assert len(_listed(project)) == 6


def test_a_missing_run_with_its_object_in_memory_is_written_again(tmp_path):
    project = tmp_path / "P"
    data = _saved(project, ["run-001", "run-002"])
    shutil.rmtree(project / "runs" / "run-002")  # gone while the window still holds the run
    save_project(project, data, {"run-002": TinyRun()})
    assert (project / "runs" / "run-002" / "model.keras").is_file()


# -- what a save deletes: only what this project removed -----------------------------------------
def test_removing_a_run_in_the_session_still_deletes_its_folder(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002", "run-003"])
    data = load_project(project)
    data.runs = [r for r in data.runs if r.id != "run-002"]
    save_project(project, _like_the_window(data))
    assert _names(project / "runs") == ["run-001", "run-003"]
    assert not (project / JOURNAL).exists()
    # removed and saved again in one session: each save deletes what it no longer lists
    data.runs.append(_record("run-004"))
    save_project(project, data, {"run-004": TinyRun()})
    data.runs = [r for r in data.runs if r.id != "run-004"]
    save_project(project, data)
    assert _names(project / "runs") == ["run-001", "run-003"]
    # a removed run's id used again by a new run: its old folder is replaced
    data.runs = [r for r in data.runs if r.id != "run-003"]
    data.runs.append(_record("run-003"))
    save_project(project, data, {"run-003": TinyRun()})
    assert _names(project / "runs") == ["run-001", "run-003"]


def test_an_unlisted_folder_of_this_project_is_never_deleted_nor_replaced(tmp_path):
    """What an older version did: it dropped a run whose folder was missing (and the project's
    id, and the run folders named no project); the folder came back."""
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002", "run-003"])
    raw = json.loads((project / PROJECT_FILE).read_text())
    raw.pop("id")
    raw["runs"] = raw["runs"][:2]
    (project / PROJECT_FILE).write_text(json.dumps(raw))
    for run_json in (project / "runs").glob("*/run.json"):
        saved = json.loads(run_json.read_text())
        saved.pop("project")
        run_json.write_text(json.dumps(saved))

    data = load_project(project)
    assert [r.id for r in data.runs] == ["run-001", "run-002"] and data.id == ""
    save_project(project, _like_the_window(data))
    assert _names(project / "runs") == ["run-001", "run-002", "run-003"]
    # a new run given the id of that folder is refused, not written over it
    data = load_project(project)
    new_id = next_run_id([r.id for r in data.runs])
    data.runs.append(_record(new_id))
    with pytest.raises(ProjectError, match="does not list") as info:
        save_project(project, data, {new_id: TinyRun()})
    assert "move that folder away" in info.value.hint
    assert (project / "runs" / "run-003" / "model.keras").read_bytes() == b"a model"
    assert _listed(project) == ["run-001", "run-002"]
    # the id the window gives (it names the project folder) is one no folder there has
    data.runs[-1] = _record(next_run_id([r.id for r in data.runs[:-1]], project))
    save_project(project, data, {data.runs[-1].id: TinyRun()})
    assert _listed(project) == ["run-001", "run-002", "run-004"]
    assert (project / "runs" / "run-003" / "model.keras").read_bytes() == b"a model"


def test_a_project_file_that_lost_its_id_keeps_the_one_its_runs_name(tmp_path):
    project = tmp_path / "P"
    first = _saved(project, ["run-001", "run-002"]).id
    raw = json.loads((project / PROJECT_FILE).read_text())
    raw.pop("id")  # saved by a version of the app that did not know ids
    (project / PROJECT_FILE).write_text(json.dumps(raw))
    data = load_project(project)
    data.runs = data.runs[:1]
    data.runs.append(_record("run-002"))  # removed, and a new run took its id
    save_project(project, _like_the_window(data), {"run-002": TinyRun()})
    assert json.loads((project / PROJECT_FILE).read_text())["id"] == first
    assert _names(project / "runs") == ["run-001", "run-002"]


# -- saves that did not finish: the next save finishes them ----------------------------------------
def test_a_save_killed_before_its_deletions_has_them_done_by_the_next_save(tmp_path, monkeypatch):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    data = load_project(project)
    data.runs = data.runs[:1]
    with monkeypatch.context() as patched:
        patched.setattr(project_module, "finish", lambda *_a: None)  # killed right there
        save_project(project, data)
    assert _listed(project) == ["run-001"] and (project / "runs" / "run-002").is_dir()
    journal = json.loads((project / JOURNAL).read_text())
    assert journal["removing"] == ["run-002"] and journal["writing"] == []

    save_project(project, load_project(project))  # another session
    assert _names(project / "runs") == ["run-001"] and not (project / JOURNAL).exists()


def test_a_journal_of_another_project_or_a_damaged_one_deletes_nothing(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    raw = json.loads((project / PROJECT_FILE).read_text())
    raw["runs"] = raw["runs"][:1]  # run-002 unlisted, as after an older version's save
    (project / PROJECT_FILE).write_text(json.dumps(raw))
    for text in (
        json.dumps(
            {
                "format": "automl-gui-save-journal",
                "version": 1,
                "project": "someone",
                "digest": None,
                "writing": ["run-002"],
                "removing": ["run-002"],
            }
        ),
        "{not json",
        json.dumps(
            {
                "format": "automl-gui-save-journal",
                "project": raw["id"],
                "removing": "run-002",
                "writing": [5],
            }
        ),
    ):
        (project / JOURNAL).write_text(text)
        save_project(project, load_project(project))
        assert _names(project / "runs") == ["run-001", "run-002"]
        assert not (project / JOURNAL).exists()


def test_a_save_as_keeps_a_missing_run_listed_in_the_new_project(tmp_path):
    first, copy_ = tmp_path / "A", tmp_path / "C"
    _saved(first, ["run-001", "run-002"])
    shutil.rmtree(first / "runs" / "run-002")
    data = load_project(first)
    save_project(copy_, data, source=first)
    assert _names(copy_ / "runs") == ["run-001"] and _listed(copy_) == ["run-001", "run-002"]
    assert "missing" in load_project(copy_).notices[0]
    # never listed over a folder that is there already
    other = tmp_path / "D"
    (other / "runs" / "run-002").mkdir(parents=True)
    (other / "runs" / "run-002" / "notes.txt").write_text("mine")
    with pytest.raises(ProjectError, match="did not write"):
        save_project(other, load_project(first), source=first)
    assert _names(other / "runs" / "run-002") == ["notes.txt"]
