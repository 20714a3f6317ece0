"""Projects facing what users and other programs do to them (issue 13: nothing lost).

Links: a ``runs/`` folder moved to a bigger disk and linked back, one run folder linked, the
project file linked, a runs folder two projects share, Save As over another project.
Hand-edited files: a key written twice, nesting thousands deep, a file of hundreds of MB,
wrong types anywhere (a table of cases, then seeded random mutations of every fixture).
TensorFlow-free: the runs are tiny fakes.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
from pathlib import Path

import pytest
from project_tiny import TinyRun
from project_tiny import names as _names
from project_tiny import saved as _saved

from automl_gui.core.project import (
    PROJECT_FILE,
    ProjectData,
    ProjectError,
    RunRecord,
    load_project,
    load_run,
    save_project,
)
from automl_gui.core.project import _format as _project_format
from automl_gui.core.project._format import plain

FIXTURES = Path(__file__).parent / "fixtures" / "projects"


def _record(run_id: str) -> RunRecord:
    return RunRecord(id=run_id, name=f"Run {run_id[4:]}", created="", kind="images", task="binary")


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links not followed) and its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _link_runs_elsewhere(project: Path, disk: Path) -> Path:
    """Move ``project/runs`` to ``disk/runs`` and link it back (what a user does)."""
    disk.mkdir(parents=True, exist_ok=True)
    shutil.move(str(project / "runs"), str(disk / "runs"))
    (project / "runs").symlink_to(disk / "runs", target_is_directory=True)
    return disk / "runs"


# -- item 1: links -------------------------------------------------------------------------------
def test_a_runs_folder_moved_to_a_bigger_disk_and_linked_back_keeps_every_run(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    runs = _link_runs_elsewhere(project, tmp_path / "big")

    data = load_project(project)
    assert [r.id for r in data.runs] == ["run-001", "run-002"] and data.notices == []
    save_project(project, data)
    assert _names(runs) == ["run-001", "run-002"]
    assert (project / "runs").is_symlink()

    # a new run is written through the link, onto the bigger disk
    data.runs.append(_record("run-003"))
    save_project(project, data, {"run-003": TinyRun()})
    assert (runs / "run-003" / "model.keras").is_file() and (project / "runs").is_symlink()
    # a run deleted from the history: its folder goes, as this project wrote it
    data.runs = [r for r in data.runs if r.id != "run-001"]
    save_project(project, data)
    assert _names(runs) == ["run-002", "run-003"]
    assert [r.id for r in load_project(project).runs] == ["run-002", "run-003"]


def test_load_run_reads_through_a_linked_runs_folder(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001"])
    runs = _link_runs_elsewhere(project, tmp_path / "big")
    (runs / "run-001" / "metadata.json").unlink()  # stops load_run before TensorFlow
    record = load_project(project).runs[0]
    with pytest.raises(ProjectError, match="metadata.json is missing"):
        load_run(project, record)


def test_a_save_never_removes_what_it_did_not_write_in_a_linked_runs_folder(tmp_path):
    shared = tmp_path / "big" / "runs"
    other = tmp_path / "other"
    _saved(other, ["run-001", "run-002"])
    _link_runs_elsewhere(other, tmp_path / "big")
    (shared / "run-007").mkdir()  # the user's folder that merely looks like a run
    (shared / "run-007" / "notes.txt").write_text("mine")
    (shared / ".run-001.tmp-xyz").mkdir()  # another project's save, maybe still running
    (shared / "readme.txt").write_text("the user's")
    before = _tree(shared)

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "runs").symlink_to(shared, target_is_directory=True)
    save_project(mine, ProjectData(kind="images"))
    assert _tree(shared) == before
    assert [r.id for r in load_project(other).runs] == ["run-001", "run-002"]

    # writing a run where another project's run is: refused, nothing changed
    data = load_project(mine)
    data.runs.append(_record("run-002"))
    with pytest.raises(ProjectError, match="another project") as info:
        save_project(mine, data, {"run-002": TinyRun()})
    assert "run-002" in info.value.message and info.value.hint
    assert _tree(shared) == before
    # its own runs come and go there; the rest stays
    data.runs = [_record("run-003")]
    save_project(mine, data, {"run-003": TinyRun()})
    assert (shared / "run-003" / "model.keras").is_file()
    data.runs = []
    save_project(mine, data)
    assert _tree(shared) == before
    save_project(other, load_project(other))
    assert _tree(shared) == before


def test_a_runs_link_to_a_disk_not_connected_is_refused_not_emptied(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    runs = _link_runs_elsewhere(project, tmp_path / "usb")
    listing = (project / PROJECT_FILE).read_bytes()
    shutil.move(str(tmp_path / "usb"), str(tmp_path / "unplugged"))  # the link points nowhere
    with pytest.raises(ProjectError, match="not there") as info:
        load_project(project)
    assert "Connect the disk" in info.value.hint
    with pytest.raises(ProjectError, match="not there"):
        save_project(project, ProjectData(kind="images"))
    assert (project / PROJECT_FILE).read_bytes() == listing
    runs.mkdir(parents=True)  # an empty mount point: none of the runs are there
    with pytest.raises(ProjectError, match="None of the project's 2 runs") as info:
        load_project(project)
    assert "none of its runs could be used" in info.value.hint


def test_orphans_of_this_project_go_but_a_run_folder_holding_a_users_file_stays(
    tmp_path, monkeypatch
):
    from automl_gui.core import project as project_module

    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    runs = _link_runs_elsewhere(project, tmp_path / "big")
    # a save that wrote run-003 and failed before the project file listed it (disk full)
    data = load_project(project)
    data.runs.append(_record("run-003"))

    def disk_full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(project_module, "write_json_atomic", disk_full)
        with pytest.raises(ProjectError, match="No space left"):
            save_project(project, data, {"run-003": TinyRun()})
    assert (runs / "run-003" / "model.keras").is_file()
    (runs / "run-002" / "my notes.txt").write_text("why this run was good")
    data = load_project(project)  # the project as it was: run-003 never listed
    assert [r.id for r in data.runs] == ["run-001", "run-002"]
    data.runs = data.runs[:1]
    save_project(project, data)
    assert _names(runs) == ["run-001", "run-002"]  # run-003 was that save's: gone
    assert (runs / "run-002" / "my notes.txt").read_text() == "why this run was good"
    assert (runs / "run-002" / "model.keras").is_file()


def test_a_linked_run_folder_is_read_but_never_followed_to_delete(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001", "run-002"])
    kept = tmp_path / "kept" / "run-002"
    kept.parent.mkdir()
    shutil.move(str(project / "runs" / "run-002"), str(kept))
    (project / "runs" / "run-002").symlink_to(kept, target_is_directory=True)
    before = _tree(kept)

    data = load_project(project)
    assert [r.id for r in data.runs] == ["run-001", "run-002"] and data.notices == []
    data.runs = data.runs[:1]
    save_project(project, data)
    assert _tree(kept) == before
    # the user's link stays: the project did not make it
    assert (project / "runs" / "run-002").is_symlink()
    assert [r.id for r in load_project(project).runs] == ["run-001"]


def test_a_linked_project_file_is_written_through_and_stays_a_link(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001"])
    real = tmp_path / "synced" / "p.automl.json"
    real.parent.mkdir()
    shutil.move(str(project / PROJECT_FILE), str(real))
    (project / PROJECT_FILE).symlink_to(real)

    data = load_project(project)
    data.ui["page"] = "train"
    save_project(project, data)
    assert (project / PROJECT_FILE).is_symlink()
    assert json.loads(real.read_text())["ui"]["page"] == "train"
    assert _names(real.parent) == ["p.automl.json"] and _names(project) == [PROJECT_FILE, "runs"]
    assert [r.id for r in load_project(project).runs] == ["run-001"]

    real.unlink()  # a link to nothing: not written anywhere
    with pytest.raises(ProjectError, match="link") as info:
        save_project(project, data)
    assert info.value.hint and not real.exists()


def test_save_as_over_another_project_is_refused_and_changes_nothing(tmp_path):
    first, second = tmp_path / "A", tmp_path / "B"
    _saved(first, ["run-001"])
    _saved(second, ["run-001", "run-002"])
    before = _tree(second)
    data = load_project(first)
    with pytest.raises(ProjectError, match="another project") as info:
        save_project(second, data, source=first)
    assert info.value.hint
    with pytest.raises(ProjectError, match="another project"):
        save_project(second, data)  # no source: the project's id tells
    assert _tree(second) == before
    save_project(first, data)  # a refused save changed nothing: it is still A, saved there


def test_save_as_makes_a_new_project_whose_runs_are_its_own(tmp_path):
    first, copy_ = tmp_path / "A", tmp_path / "C"
    _saved(first, ["run-001", "run-002"])
    original = _tree(first)
    data = load_project(first)
    save_project(copy_, data, source=first)
    assert _tree(first) == original
    ids = {json.loads((p / PROJECT_FILE).read_text())["id"] for p in (first, copy_)}
    assert len(ids) == 2 and "" not in ids
    again = load_project(copy_)
    again.runs = again.runs[:1]
    save_project(copy_, again)  # the copy deletes its own run folder, not the original's
    assert _names(copy_ / "runs") == ["run-001"] and _tree(first) == original


def test_a_project_saved_again_keeps_its_id_and_an_old_one_gets_one(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001"])
    raw = json.loads((project / PROJECT_FILE).read_text())
    first_id = raw["id"]
    opened = load_project(project)
    save_project(project, ProjectData(kind="images", runs=opened.runs, id=opened.id))
    assert json.loads((project / PROJECT_FILE).read_text())["id"] == first_id
    again = load_project(project)  # what the window saves: its capture, opened from there
    save_project(project, ProjectData(kind="images", opened_from=again.opened_from))
    assert json.loads((project / PROJECT_FILE).read_text())["id"] == first_id
    # a file from before ids (format 3 without one) opens and gets one when saved
    old_folder = tmp_path / "old"
    (old_folder / "runs" / "run-003").mkdir(parents=True)
    shutil.copy(FIXTURES / "v3_audio.automl.json", old_folder / PROJECT_FILE)
    old = load_project(old_folder)
    assert old.id == "" and [r.id for r in old.runs] == ["run-003"]
    save_project(old_folder, old)
    assert json.loads((old_folder / PROJECT_FILE).read_text())["id"] == old.id != ""
    assert (old_folder / "runs" / "run-003").is_dir()


# -- item 3: a key written twice ----------------------------------------------------------------
def _write_raw(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROJECT_FILE).write_text(text, encoding="utf-8")
    return folder


def test_a_key_written_twice_is_refused_and_no_run_folder_is_touched(tmp_path):
    project = tmp_path / "P"
    _saved(project, ["run-001"])
    text = (project / PROJECT_FILE).read_text()
    before = _tree(project / "runs")
    end = text.rstrip().rfind("}")
    (project / PROJECT_FILE).write_text(text[:end] + ', "runs": []\n}\n')
    with pytest.raises(ProjectError, match='"runs" twice') as info:
        load_project(project)
    assert "backup" in info.value.hint
    assert _tree(project / "runs") == before

    assert '"note": ""' in text  # deep inside a run too
    (project / PROJECT_FILE).write_text(text.replace('"note": ""', '"note": "", "note": "x"'))
    with pytest.raises(ProjectError, match='"note" twice'):
        load_project(project)


# -- item 9: nesting, size, types ---------------------------------------------------------------
HEAD = '{"format": "automl-gui-project", "version": 3, '


@pytest.mark.parametrize("depth", [200, 100_000])
def test_deeply_nested_files_are_refused_clearly(tmp_path, depth):
    _write_raw(tmp_path, HEAD + '"ui": {"x": ' + "[" * depth + "]" * depth + "}}")
    with pytest.raises(ProjectError, match="nested") as info:
        load_project(tmp_path)
    assert "backup" in info.value.hint


def test_a_file_far_larger_than_a_project_is_refused(tmp_path, monkeypatch):
    assert _project_format.MAX_PROJECT_BYTES >= 32 * 1024 * 1024  # real projects fit
    monkeypatch.setattr(_project_format, "MAX_PROJECT_BYTES", 2000)
    _write_raw(tmp_path, HEAD + '"name": "' + "x" * 2000 + '"}')
    with pytest.raises(ProjectError, match="larger than") as info:
        load_project(tmp_path)
    assert info.value.hint


def test_a_number_python_will_not_read_is_a_project_error(tmp_path):
    _write_raw(tmp_path, HEAD + '"ui": {"x": 1' + "0" * 5000 + "}}")
    with pytest.raises(ProjectError, match="damaged"):
        load_project(tmp_path)


def test_a_file_name_whose_bytes_are_not_utf8_saves_and_opens_again(tmp_path):
    # how Python spells the name b"caf\xe9.csv" on Linux: half a character (a lone surrogate)
    name = b"caf\xe9.csv".decode("utf-8", "surrogateescape")
    data = ProjectData(kind="tabular", dataset={"path": f"/data/{name}", "kind": "tabular"})
    save_project(tmp_path, data)
    assert load_project(tmp_path).dataset["path"] == f"/data/{name}"
    data.name = "Café ✓"  # other text stays readable in the file
    save_project(tmp_path, data)
    assert load_project(tmp_path).name == "Café ✓"


def test_a_project_too_large_to_open_again_is_not_saved(tmp_path, monkeypatch):
    save_project(tmp_path, ProjectData(kind="images"))
    before = (tmp_path / PROJECT_FILE).read_bytes()
    monkeypatch.setattr(_project_format, "MAX_PROJECT_BYTES", 4000)
    data = load_project(tmp_path)
    data.ui["notes"] = "x" * 5000
    with pytest.raises(ProjectError, match="more than this app opens") as info:
        save_project(tmp_path, data)
    assert "Delete runs" in info.value.hint
    assert (tmp_path / PROJECT_FILE).read_bytes() == before


def _v3() -> dict:
    return json.loads((FIXTURES / "v3_audio.automl.json").read_text(encoding="utf-8"))


def _set(raw: dict, path: tuple, value) -> dict:
    out = copy.deepcopy(raw)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def _drop(raw: dict, path: tuple) -> dict:
    out = copy.deepcopy(raw)
    node = out
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return out


WRONG = [
    ("runs", {}),
    ("runs", [5]),
    ("runs", "run-003"),
    ("mlp", []),
    ("training", "fast"),
    ("ui", [1]),
    ("dataset", "/data/clips"),
    ("dataset", {"path": 5, "kind": "audio"}),
    ("search", 4),
    ("name", 5),
    ("kind", "video"),
    ("kind", 3),
    ("current_run", 3),
    ("created", None),
    ("id", 7),
    ("runs", 0, "id", 3),
    ("runs", 0, "id", "../../elsewhere"),
    ("runs", 0, "name", None),
    ("runs", 0, "history", [1, 2]),
    ("runs", 0, "history", {"loss": "falling"}),
    ("runs", 0, "history", {"loss": ["a"]}),
    ("runs", 0, "history", {"loss": 0.5}),
    ("runs", 0, "phases", 5),
    ("runs", 0, "phases", [5]),
    ("runs", 0, "phases", [["head"]]),
    ("runs", 0, "settings", []),
    ("runs", 0, "metrics", "good"),
    ("runs", 0, "summary", [1]),
    ("runs", 0, "folder", 5),
    ("runs", 0, "note", {}),
]


@pytest.mark.parametrize("case", WRONG, ids=[".".join(map(str, c[:-1])) for c in WRONG])
def test_a_wrong_type_anywhere_is_a_project_error(tmp_path, case):
    *path, value = case
    _write_raw(tmp_path, json.dumps(_set(_v3(), tuple(path), value)))
    (tmp_path / "runs" / "run-003").mkdir(parents=True)
    with pytest.raises(ProjectError, match="damaged") as info:
        load_project(tmp_path)
    assert "backup" in info.value.hint


def _v4() -> dict:
    return json.loads((FIXTURES / "v4_audio.automl.json").read_text(encoding="utf-8"))


WRONG_V4 = [
    (("settings",), [], "settings should be an object"),
    (("settings", "audio"), 5, "settings.audio should be an object"),
    (("settings", "audio", "model"), "cnn", "settings.audio.model should be an object"),
    (("settings", "images", "preprocess"), [1], "settings.images.preprocess should be an object"),
]


@pytest.mark.parametrize("path, value, said", WRONG_V4, ids=[c[2] for c in WRONG_V4])
def test_a_wrong_type_in_a_kinds_settings_is_a_project_error(tmp_path, path, value, said):
    _write_raw(tmp_path, json.dumps(_set(_v4(), path, value)))
    (tmp_path / "runs" / "run-003").mkdir(parents=True)
    with pytest.raises(ProjectError, match="damaged") as info:
        load_project(tmp_path)
    assert said in info.value.message


def test_a_kind_this_app_does_not_know_keeps_its_settings(tmp_path):
    raw = _set(_v4(), ("settings", "video"), {"model": {"frames": 8}, "extra": 1})
    _write_raw(tmp_path, json.dumps(raw))
    (tmp_path / "runs" / "run-003").mkdir(parents=True)
    assert load_project(tmp_path).settings["video"] == {"model": {"frames": 8}, "extra": 1}


def test_missing_keys_and_duplicate_run_ids_are_project_errors(tmp_path):
    (tmp_path / "runs" / "run-003").mkdir(parents=True)
    for raw in (
        _drop(_v3(), ("runs", 0, "id")),
        _drop(_v3(), ("runs", 0, "kind")),
        _set(_v3(), ("runs",), [_v3()["runs"][0], _v3()["runs"][0]]),
        [1, 2],
        _set(_v3(), ("version",), 2.5),
    ):
        _write_raw(tmp_path, json.dumps(raw))
        with pytest.raises(ProjectError):
            load_project(tmp_path)
    # null where an empty object would do is read as empty
    _write_raw(
        tmp_path, json.dumps(_set(_set(_v3(), ("mlp",), None), ("runs", 0, "history"), None))
    )
    data = load_project(tmp_path)
    assert data.settings["tabular"]["model"] == {} and data.runs[0].history == {}


# -- property: random mutations of every fixture ------------------------------------------------
def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


ODD = [None, True, 0, -1, 2**40, 1.5, float("inf"), "", "x", "run-003", [], [1], [[]], {}, {"a": 1}]


def _mutate(raw, rng: random.Random):
    out = copy.deepcopy(raw)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _paths(out) if p]
        if not paths:
            return rng.choice(ODD)
        path = rng.choice(paths)
        parent = out
        for key in path[:-1]:
            parent = parent[key]
        action = rng.random()
        if action < 0.6:
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD))
        elif action < 0.8:
            del parent[path[-1]]
        else:
            parent[path[-1]] = [parent[path[-1]]] if rng.random() < 0.5 else {"x": parent[path[-1]]}
    return out


def _check_types(data: ProjectData) -> None:
    """What the window relies on after a successful load."""
    assert isinstance(data.name, str) and isinstance(data.id, str)
    assert data.kind in (None, "tabular", "images", "audio")
    for value in (data.dataset, data.preprocess, data.search):
        assert value is None or isinstance(value, dict)
    for value in (data.training, data.ui, *data.settings.values()):
        assert isinstance(value, dict)
    for parts in data.settings.values():
        assert all(isinstance(v, dict) for k, v in parts.items() if k in ("preprocess", "model"))
    for value in (data.target, data.task, data.current_run):
        assert value is None or isinstance(value, str)
    assert data.current_run is None or data.run(data.current_run) is not None
    for r in data.runs:
        assert all(isinstance(v, str) for v in (r.id, r.name, r.created, r.kind, r.task, r.note))
        assert isinstance(r.settings, dict) and isinstance(r.metrics, dict)
        assert all(isinstance(v, float) for vs in r.history.values() for v in vs)
        assert all(isinstance(p, list) and len(p) == 2 for p in r.phases)


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.automl.json")))
def test_mutated_project_files_open_or_say_why(tmp_path, fixture):
    raw = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    rng = random.Random(fixture)
    opened = 0
    for i in range(150):
        folder = tmp_path / f"m{i}"
        for name in ("model", "runs/run-001", "runs/run-002", "runs/run-003"):
            (folder / name).mkdir(parents=True)
        mutated = _mutate(raw, rng)
        if isinstance(mutated, dict):
            mutated.setdefault("format", "automl-gui-project")
        _write_raw(folder, json.dumps(mutated))
        try:
            data = load_project(folder)
        except ProjectError as exc:
            assert exc.message and exc.hint
            continue
        opened += 1
        _check_types(data)
        save_project(folder, data)  # what opened can be saved, and opens again the same
        again = load_project(folder)
        assert plain(again.to_dict()) == plain(data.to_dict())
    assert opened >= 10  # the mutations are not all fatal: the loader is not just refusing
