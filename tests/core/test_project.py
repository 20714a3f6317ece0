"""Project files: save/reopen equality, run folders, migration per version, crash safety."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.project import (
    FORMAT_VERSION,
    MIGRATIONS,
    PROJECT_FILE,
    RUN_ID_RE,
    ProjectData,
    ProjectError,
    RunRecord,
    is_project,
    load_project,
    load_run,
    migrate,
    project_file,
    record_for_run,
    save_project,
    save_run_folder,
)
from automl_gui.core.project import _owner as _project_owner
from automl_gui.core.project._runs import is_temp_name

FIXTURES = Path(__file__).parent / "fixtures" / "projects"
WRITER = Path(__file__).parent / "_project_writer.py"
RUN_FILES = ("model.keras", "metadata.json", "report.json", "run.json")


def _frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1 = rng.normal(size=n)
    x2 = rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    y = np.where(x1 + 0.5 * x2 + (color == "red") > 0.3, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "outcome": y})


@pytest.fixture(scope="module")
def table_runs():
    """Two real tiny table runs with different settings, and the project that lists them."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    table = LoadedTable(df=_frame(), source=TableSource(path="mem.csv", format="csv"))
    setup = setup_tabular(table, "outcome")
    first = train_tabular(
        table.df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0),
        TrainConfig(epochs=2, batch_size=16),
    )
    second = train_tabular(
        table.df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[4, 4], dropout=0.1),
        TrainConfig(epochs=2, batch_size=8, learning_rate=0.01),
    )
    runs = {"run-001": first, "run-002": second}
    records = [record_for_run(r, rid, dataset="mem.csv") for rid, r in runs.items()]
    return runs, records, setup


def _project(records: list[RunRecord], setup) -> ProjectData:
    from dataclasses import asdict

    return ProjectData(
        kind="tabular",
        dataset={"path": "/somewhere/mem.csv", "kind": "tabular", "options": {"sep": ","}},
        target="outcome",
        task=setup.preprocess.task,
        preprocess=asdict(setup.preprocess),
        settings={"tabular": {"model": {"auto": False, "hidden_units": [4, 4]}}},
        training={"epochs": 2},
        runs=[RunRecord.from_dict(r.to_dict()) for r in records],
        current_run="run-002",
        ui={"page": "evaluate"},
    )


def _without_times(d: dict) -> dict:
    d = json.loads(json.dumps(d))
    d.pop("saved", None)
    d.pop("created", None)
    return d


def _test_rows(run) -> pd.DataFrame:
    return run.prepared.test


# -- round trip ---------------------------------------------------------------------------------
def test_table_project_round_trip_restores_runs_exactly(table_runs, tmp_path):
    from automl_gui.core.export.bundle import predict_arrays

    runs, records, setup = table_runs
    data = _project(records, setup)
    before = _without_times(data.to_dict())
    path = save_project(tmp_path / "proj", data, runs)
    assert path == tmp_path / "proj" / PROJECT_FILE and is_project(tmp_path / "proj")
    assert data.name == "proj" and data.saved and data.created
    assert [r.folder for r in data.runs] == ["runs/run-001", "runs/run-002"]

    loaded = load_project(tmp_path / "proj")
    assert loaded.notices == []
    after = _without_times(loaded.to_dict())
    for d in (before, after):
        d["runs"] = [{k: v for k, v in r.items() if k != "folder"} for r in d["runs"]]
    before["name"] = "proj"
    assert len(after["id"]) == 32 and after["id"] == data.id  # given when first saved
    before["id"] = data.id
    assert after == before
    assert load_project(path).to_dict() == loaded.to_dict()  # the file itself opens too

    for record in loaded.runs:
        original = runs[record.id]
        again = load_run(tmp_path / "proj", record)
        assert type(again).__name__ == "Run" and again.prepared is None
        rows = _test_rows(original)
        assert np.allclose(
            predict_arrays(again.model, again.metadata, rows),
            predict_arrays(original.model, original.metadata, rows),
            atol=1e-6,
        )
        assert again.report == json.loads(json.dumps(original.report))
        assert again.metadata["sample_predictions"] == original.metadata["sample_predictions"]
        assert again.history == original.history
        assert again.result.summary() == original.result.summary()
        assert (again.diagnosis is None) == (original.diagnosis is None)
        if original.diagnosis is not None:
            assert again.diagnosis == original.diagnosis
        assert again.notices == original.notices
        pd.testing.assert_frame_equal(
            again.test_predictions, original.test_predictions, check_dtype=False
        )


def test_saving_again_writes_only_new_runs_and_removes_deleted_ones(table_runs, tmp_path):
    runs, records, setup = table_runs
    folder = tmp_path / "p"
    data = _project(records, setup)
    save_project(folder, data, runs)
    (folder / "notes.txt").write_text("mine")  # a user's file: never touched
    (folder / "runs" / "keep-me").mkdir()
    model_time = (folder / "runs/run-001/model.keras").stat().st_mtime_ns
    data.runs = data.runs[:1]
    data.current_run = "run-001"
    save_project(folder, data)  # no objects needed: the folder is on disk
    assert (folder / "runs/run-001/model.keras").stat().st_mtime_ns == model_time
    assert not (folder / "runs/run-002").exists()
    assert (folder / "notes.txt").read_text() == "mine" and (folder / "runs/keep-me").is_dir()
    assert sorted(p.name for p in (folder / "runs").iterdir()) == ["keep-me", "run-001"]

    # Save As into another folder copies the runs from the project it was opened from...
    other = tmp_path / "copy"
    save_project(other, load_project(folder), source=folder)
    assert sorted(p.name for p in (other / "runs/run-001").iterdir()) == sorted(
        [*RUN_FILES, "test_predictions.parquet"]
    )
    copied = json.loads((other / "runs/run-001/run.json").read_text())
    assert copied["history"] == json.loads(json.dumps(runs["run-001"].history))
    # ...never over a run folder of the same name already there, which it did not remove (a
    # stale run of no known project, a folder holding the user's files): refused, left as is
    for name, (stale, expected) in {
        "stale-copy": ("run", "does not list"),
        "third-copy": ("notes", "did not write"),
    }.items():
        third = tmp_path / name
        if stale == "run":
            save_run_folder(runs["run-002"], third / "runs" / "run-001")
        else:
            (third / "runs" / "run-001").mkdir(parents=True)
            (third / "runs" / "run-001" / "other.txt").write_text("someone's notes")
        before = sorted(p.name for p in (third / "runs/run-001").iterdir())
        with pytest.raises(ProjectError, match=expected) as info:
            save_project(third, load_project(folder), source=folder)
        assert info.value.hint and not is_project(third)
        assert sorted(p.name for p in (third / "runs/run-001").iterdir()) == before
    assert "other.txt" in info.value.message
    # a run never saved needs its object
    fresh = load_project(folder)
    fresh.runs.append(RunRecord(id="run-009", name="Run 9", created="", kind="tabular", task=""))
    with pytest.raises(ProjectError, match="no model to save"):
        save_project(folder, fresh)
    assert [r.id for r in load_project(folder).runs] == ["run-001"]


def test_image_run_round_trip(tmp_path_factory, tmp_path):
    from image_factory import make_class_folders
    from kind_jobs import train_kind

    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.train.config import TrainConfig

    root = make_class_folders(tmp_path_factory.mktemp("shapes"), per_class=6, size=(16, 16))
    pre = ImagePreprocessConfig(image_size=16)
    pre.augment.enabled = False
    run = train_kind(
        IMAGES,
        scan_images(str(root)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=1, batch_size=8, seed=1),
    )
    record = record_for_run(run, "run-001", dataset="shapes")
    data = ProjectData(kind="images", runs=[record], current_run="run-001")
    save_project(tmp_path / "img", data, {"run-001": run})
    assert (tmp_path / "img/runs/run-001/samples.npy").is_file()
    again = load_run(tmp_path / "img", load_project(tmp_path / "img").runs[0])
    assert type(again).__name__ == "Run" and again.kind is IMAGES
    assert again.samples.shape == run.samples.shape
    assert np.allclose(
        again.model.predict(again.samples, verbose=0),
        run.model.predict(run.samples, verbose=0),
        atol=1e-5,
    )
    assert again.phases == [tuple(p) for p in run.phases]
    assert again.history == run.history and again.report == json.loads(json.dumps(run.report))
    pd.testing.assert_frame_equal(again.test_predictions, run.test_predictions, check_dtype=False)
    assert len(again.confidently_wrong()) == len(run.confidently_wrong())


# -- paths and errors ---------------------------------------------------------------------------
def test_project_file_and_is_project(tmp_path):
    assert project_file(tmp_path) == tmp_path / PROJECT_FILE
    assert project_file(tmp_path / "x.automl.json") == tmp_path / "x.automl.json"
    assert not is_project(tmp_path) and not is_project(tmp_path / "nothing")
    save_project(tmp_path, ProjectData())
    assert is_project(tmp_path) and is_project(tmp_path / PROJECT_FILE)
    assert load_project(tmp_path).name == tmp_path.name


def test_unreadable_projects_are_refused_with_clear_messages(tmp_path):
    with pytest.raises(ProjectError, match="not found"):
        load_project(tmp_path / "missing")
    with pytest.raises(ProjectError, match="is not a project"):
        load_project(tmp_path)
    target = tmp_path / PROJECT_FILE
    target.write_text('{"format": "automl-gui-project", "version": 3, "runs": [')
    with pytest.raises(ProjectError, match="damaged") as info:
        load_project(tmp_path)
    assert "backup" in info.value.hint
    target.write_text('{"format": "something-else", "version": 1}')
    with pytest.raises(ProjectError, match="not an automl-gui project"):
        load_project(tmp_path)
    target.write_text('{"format": "automl-gui-project", "version": 3, "runs": 5}')
    with pytest.raises(ProjectError, match="damaged"):
        load_project(tmp_path)
    target.write_text(json.dumps({"format": "automl-gui-project", "version": FORMAT_VERSION + 1}))
    with pytest.raises(ProjectError, match="newer") as info:
        load_project(tmp_path)
    assert "Update the app" in info.value.hint


def test_a_missing_run_folder_keeps_that_run_with_a_notice(tmp_path):
    shutil.copy(FIXTURES / "v2_images.automl.json", tmp_path / PROJECT_FILE)
    (tmp_path / "runs" / "run-001").mkdir(parents=True)
    data = load_project(tmp_path)
    assert [r.id for r in data.runs] == ["run-001", "run-002"]  # its results stay
    assert data.current_run == "run-001"  # the current run is one that is there
    assert len(data.notices) == 1 and "Run 2 · Compact CNN" in data.notices[0]
    assert "missing" in data.notices[0] and "once its folder is back" in data.notices[0]
    with pytest.raises(ProjectError, match="metadata.json is missing"):
        load_run(tmp_path, data.runs[0])
    with pytest.raises(ProjectError, match="folder of run 'Run 2 · Compact CNN' is missing"):
        load_run(tmp_path, data.runs[1])


def test_a_run_folder_outside_the_project_is_refused(tmp_path):
    raw = json.loads((FIXTURES / "v3_audio.automl.json").read_text())
    raw["runs"][0]["folder"] = "../elsewhere"
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / PROJECT_FILE).write_text(json.dumps(raw))
    data = load_project(tmp_path / "p")
    assert data.runs == [] and "missing" in data.notices[0]
    with pytest.raises(ProjectError, match="outside its project"):
        load_run(tmp_path / "p", RunRecord.from_dict(raw["runs"][0]))


# -- migrations ---------------------------------------------------------------------------------
def _fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_migrations_cover_every_old_version_and_are_pure():
    assert sorted(MIGRATIONS) == list(range(1, FORMAT_VERSION))
    raw = _fixture("v1_table.automl.json")
    copy = json.loads(json.dumps(raw))
    migrate(raw)
    assert raw == copy
    assert migrate(_fixture("v4_audio.automl.json")) == _fixture("v4_audio.automl.json")


def test_v3_project_migrates_each_kinds_fields_into_settings():
    migrated = migrate(_fixture("v3_audio.automl.json"))
    assert migrated == _fixture("v4_audio.automl.json")
    assert migrated["settings"]["audio"] == {
        "preprocess": {"sample_rate": 16000, "clip_seconds": 1.0},
        "model": {"architecture": "cnn"},
    }
    assert not {"mlp", "image_model", "audio_preprocess"} & set(migrated)


def test_v1_project_migrates(table_runs, tmp_path):
    expected = ProjectData(
        name="",
        kind="tabular",
        dataset={"path": "/data/iris.csv", "kind": "tabular"},
        target="species",
        task="multiclass",
        preprocess={
            "target": "species",
            "task": "multiclass",
            "columns": {"sepal_length": {"kind": "numeric"}},
        },
        settings={
            "tabular": {"model": {"auto": False, "hidden_units": [16], "dropout": 0.1}},
            "images": {"preprocess": {"image_size": 64}, "model": {"architecture": "auto"}},
            "audio": {"preprocess": {}, "model": {}},
        },
        training={"epochs": 5, "batch_size": 16},
        runs=[
            RunRecord(
                id="run-001",
                name="Run 1",
                created="2024-05-01T10:00:00+00:00",
                kind="tabular",
                task="multiclass",
                dataset="iris.csv",
                settings={
                    "preprocess": {
                        "target": "species",
                        "task": "multiclass",
                        "columns": {"sepal_length": {"kind": "numeric"}},
                    },
                    "model": {"auto": False, "hidden_units": [16], "dropout": 0.1},
                    "training": {"epochs": 5, "batch_size": 16},
                    "search": None,
                },
                history={"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]},
                metrics={"accuracy": 0.9},
                folder="model",
            )
        ],
        current_run="run-001",
        saved="2024-05-01T10:00:00+00:00",
    )
    migrated = ProjectData.from_dict(migrate(_fixture("v1_table.automl.json")))
    assert migrated == expected

    # its model/ folder (a bundle: model.keras, metadata.json, report.json) stays the run's
    # folder: it opens, and saving again keeps it and never moves the user's files
    from automl_gui.core.export.bundle import save_bundle

    run = table_runs[0]["run-001"]
    folder = tmp_path / "old"
    folder.mkdir()
    shutil.copy(FIXTURES / "v1_table.automl.json", folder / PROJECT_FILE)
    save_bundle(run.model, run.metadata, run.report, folder / "model")
    data = load_project(folder)
    assert data.notices == [] and data.runs[0].folder == "model"
    again = load_run(folder, data.runs[0])
    assert again.history == {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}
    assert again.result.summary() == run.result.summary()  # from the bundle's metadata
    assert again.test_predictions is None
    save_project(folder, data)
    reopened = load_project(folder)
    assert reopened.version == FORMAT_VERSION and reopened.runs[0].folder == "model"
    assert sorted(p.name for p in (folder / "model").iterdir()) == [
        "metadata.json",
        "model.keras",
        "report.json",
    ]


def test_v2_project_migrates(tmp_path):
    raw = _fixture("v2_images.automl.json")
    migrated = ProjectData.from_dict(migrate(raw))
    runs = [RunRecord(**{**r, "summary": {}, "phases": [], "note": ""}) for r in raw["runs"]]
    expected = ProjectData(
        name="shapes project",
        kind="images",
        dataset={"path": "/data/shapes", "kind": "images"},
        target=None,
        task="multiclass",
        preprocess=None,
        training={"epochs": 3, "batch_size": 8},
        settings={
            "tabular": {"model": {}},
            "images": {"preprocess": {"image_size": 32}, "model": {"architecture": "cnn"}},
            "audio": {"preprocess": {}, "model": {}},
        },
        search=None,
        runs=runs,
        current_run="run-002",
        ui={},
        created="2024-09-01T12:00:00+00:00",
        saved="2024-09-02T08:41:00+00:00",
    )
    assert migrated == expected
    shutil.copy(FIXTURES / "v2_images.automl.json", tmp_path / PROJECT_FILE)
    for rid in ("run-001", "run-002"):
        (tmp_path / "runs" / rid).mkdir(parents=True)
    assert load_project(tmp_path) == expected


@pytest.mark.parametrize("fixture", ["v3_audio.automl.json", "v4_audio.automl.json"])
def test_v3_and_v4_projects_read(tmp_path, fixture):
    shutil.copy(FIXTURES / fixture, tmp_path / PROJECT_FILE)
    (tmp_path / "runs" / "run-003").mkdir(parents=True)
    data = load_project(tmp_path)
    assert data.settings["audio"]["preprocess"]["sample_rate"] == 16000
    record = data.runs[0]
    assert data.search == {"budget_minutes": 5, "max_trials": 4} and data.ui == {"page": "evaluate"}
    assert record.phases == [["head", 0], ["fine-tune", 2]] and record.note == "best so far"
    assert record.history["loss"][0] == 0.9 and np.isnan(record.history["loss"][1])
    assert record.summary["best_epoch"] == 2


# -- crash safety -------------------------------------------------------------------------------
def _child(mode: str, folder: Path, start: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    return subprocess.Popen(
        [sys.executable, str(WRITER), mode, str(folder), str(start), str(log)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _kill_later(proc: subprocess.Popen, delay: float) -> None:
    """SIGKILL the writer ``delay`` seconds after it said it is ready."""
    if proc.stdout.readline().strip() != b"ready":
        proc.wait()
        raise AssertionError(f"the writer did not start: {proc.stderr.read().decode()}")
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    if proc.poll() is not None:
        raise AssertionError(f"the writer ended by itself: {proc.stderr.read().decode()}")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()


def _last_logged(log: Path) -> int | None:
    lines = log.read_text().split() if log.exists() else []
    return int(lines[-1]) if lines else None


def _finished(log: Path, start: int) -> int:
    """The last counter known saved: what this child logged, else the one it started after."""
    done = _last_logged(log)
    return done if done is not None and done >= start else start - 1


def _leftovers_of_gone_writers_may_go_now(monkeypatch) -> None:
    """The killed writers are gone: their leftovers need not wait until idle for a minute
    (what keeps a save from removing those of a writer on another computer)."""
    monkeypatch.setattr(_project_owner, "STALE_IDLE_S", 0.0)


def test_killing_the_project_writer_never_breaks_the_project(tmp_path, monkeypatch):
    rng = random.Random(6)
    folder = tmp_path / "killed"
    for i in range(1, 5):
        (folder / "runs" / f"run-00{i}").mkdir(parents=True)
        (folder / "runs" / f"run-00{i}" / "model.keras").write_bytes(b"x")
    (folder / "mine.csv").write_text("a,b\n1,2\n")
    log = tmp_path / "log.txt"
    # the first save completes before the kills start: there is a project to break
    proc = _child("project", folder, 0, log)
    assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
    began = time.monotonic()
    while _last_logged(log) is None:
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.01)
    # kill times span a few saves as long as this machine takes now (a loaded machine took
    # over 0.8 s for the first one, and every kill landed before it)
    span = max(0.8, 3 * (time.monotonic() - began))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    counter = load_project(folder).ui["counter"]
    seen = set()
    mid_write = 0  # kills that left a half-written temp file behind
    for _ in range(30):
        start = counter + 1
        proc = _child("project", folder, start, log)
        _kill_later(proc, rng.uniform(0.0, span))
        done = _finished(log, start)
        data = load_project(folder)  # never raises: the old file or the new one
        counter = data.ui["counter"]
        assert counter in (done, done + 1), (counter, done)
        assert data.notices == [] and len(data.runs) == 4
        assert len(data.runs[0].history["loss"]) == 3000
        seen.add(counter - start)
        mid_write += any(p.name.startswith(".project.automl.json.tmp-") for p in folder.iterdir())
    assert (folder / "mine.csv").read_text() == "a,b\n1,2\n"
    assert all((folder / "runs" / f"run-00{i}" / "model.keras").is_file() for i in range(1, 5))
    assert len(seen) > 1  # the kills landed at different points of the loop
    print(f"project writer: {mid_write} of 30 kills mid-write, {len(seen)} loop points")
    assert mid_write >= 3, mid_write
    _leftovers_of_gone_writers_may_go_now(monkeypatch)
    save_project(folder, load_project(folder))
    assert not [p.name for p in folder.iterdir() if ".tmp-" in p.name]


def _check_run_folders(folder: Path, data: ProjectData) -> None:
    for record in data.runs:
        run_dir = folder / record.folder
        assert all((run_dir / name).is_file() for name in (*RUN_FILES, "samples.npy")), record
        assert (run_dir / "model.keras").stat().st_size == 12_000_000
        json.loads((run_dir / "run.json").read_text())
    for entry in (folder / "runs").iterdir():
        if RUN_ID_RE.match(entry.name):  # a run folder is whole, or not there at all
            assert all((entry / name).is_file() for name in RUN_FILES), entry.name
            assert (entry / "model.keras").stat().st_size == 12_000_000
        else:
            assert is_temp_name(entry.name), entry.name


def test_killing_the_writer_during_run_folder_writes_never_leaves_half_a_run(tmp_path, monkeypatch):
    rng = random.Random(7)
    folder = tmp_path / "runs-killed"
    log = tmp_path / "log.txt"
    proc = _child("runs", folder, 0, log)
    while _last_logged(log) is None:
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.01)
    _kill_later(proc, 0)
    counter = 0
    mid_write = 0  # kills that left a half-written run folder (under its temp name)
    for _ in range(12):
        proc = _child("runs", folder, counter + 1, log)
        _kill_later(proc, rng.uniform(0.0, 0.3))
        data = load_project(folder)
        done = _finished(log, counter + 1)
        counter = data.ui["counter"]
        assert counter in (done, done + 1)
        assert data.notices == [] and 1 <= len(data.runs) <= 3
        _check_run_folders(folder, data)
        mid_write += any(is_temp_name(p.name) for p in (folder / "runs").iterdir())
    print(f"run writer: {mid_write} of 12 kills left a half-written run folder")
    assert mid_write >= 2, mid_write
    _leftovers_of_gone_writers_may_go_now(monkeypatch)
    data = load_project(folder)
    save_project(folder, data)
    listed = {r.id for r in data.runs}
    assert {p.name for p in (folder / "runs").iterdir()} == listed  # leftovers tidied


def test_save_run_folder_replaces_a_stale_folder_atomically(tmp_path):
    sys.path.insert(0, str(WRITER.parent))
    try:
        from _project_writer import FakeRun
    finally:
        sys.path.remove(str(WRITER.parent))
    out = tmp_path / "runs" / "run-001"
    stale = FakeRun(2)
    stale.notices, stale.phases = ["stale"], []
    save_run_folder(stale, out)  # a deleted run's folder, of the same id
    save_run_folder(FakeRun(1), out, project_id="abc")
    assert sorted(p.name for p in out.iterdir()) == sorted([*RUN_FILES, "samples.npy"])
    saved = json.loads((out / "run.json").read_text())
    assert saved["phases"] == [["head", 0]] and saved["notices"] == ["fake"]
    assert saved["project"] == "abc"  # the project that wrote it
    assert [p.name for p in out.parent.iterdir()] == ["run-001"]


def test_a_run_folder_a_kill_left_as_its_backup_is_put_back(tmp_path, monkeypatch):
    shutil.copy(FIXTURES / "v3_audio.automl.json", tmp_path / PROJECT_FILE)
    backup = tmp_path / "runs" / ".run-003.old-automl-gui-4242"  # killed between the renames
    backup.mkdir(parents=True)
    (backup / "metadata.json").write_text("{}")
    half = tmp_path / "runs" / ".run-003.tmp-automl-gui-4242-abc"  # the new one, half written
    half.mkdir()
    data = load_project(tmp_path)
    assert data.notices == [] and [r.id for r in data.runs] == ["run-003"]
    assert (tmp_path / "runs" / "run-003" / "metadata.json").is_file()
    save_project(tmp_path, data)
    assert half.is_dir()  # just written: its writer may be on another computer
    monkeypatch.setattr(_project_owner, "STALE_MAX_AGE_S", 0.0)
    save_project(tmp_path, data)
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["run-003"]
