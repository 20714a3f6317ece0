"""File → Open Run Folder…: a run folder made by ``automl-gui train`` joins the project's runs
(Compare Runs lists it, Evaluate and Export use it, Save keeps it), the folder untouched; a
folder that is not a run says so and changes nothing."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.cli import main as cli_main
from automl_gui.core.project import load_project
from automl_gui.gui import _project_questions as questions
from automl_gui.gui.dialogs import _export_formats as fx
from automl_gui.gui.dialogs import messages, open_run
from automl_gui.gui.dialogs._runs_details import describe, distribution_words
from automl_gui.gui.dialogs.runs import open_runs_window
from automl_gui.gui.main_window import MainWindow


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        + f" {p.stat().st_mtime_ns}"
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> tuple[Path, Path]:
    """(a table, the run folder ``automl-gui train`` wrote for it)."""
    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=90), rng.normal(size=90)
    csv = root / "t.csv"
    pd.DataFrame({"a": a, "b": b, "y": (a - b > 0).astype(int)}).to_csv(csv, index=False)
    out = root / "run"
    assert cli_main(["train", str(csv), "--target", "y", "--epochs", "1", "--out", str(out)]) == 0
    return csv, out


@pytest.fixture
def window(qtbot, tmp_path, cli_run):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.data_page.loaded, timeout=60_000):
        w.open_path(str(cli_run[0]))
    if w.state.target != "y":
        with qtbot.waitSignal(w.state.target_changed, timeout=60_000):
            w.data_page.set_target("y")
    return w


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, m, h="": shown.append((m, h)))
    return shown


def open_folder(qtbot, window: MainWindow, folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(open_run, "ask_folder", lambda *_a: str(folder))
    assert window.action_open_run.isEnabled()
    window.action_open_run.trigger()
    worker = window.run_folder_worker
    assert worker is not None  # read in a worker thread, never on the UI thread
    with qtbot.waitSignal(worker.done, timeout=60_000):
        pass


def test_a_cli_run_folder_joins_the_runs_and_is_saved_with_the_project(
    qtbot, window, cli_run, tmp_path, monkeypatch, errors
):
    folder = cli_run[1]
    before = digest(folder)
    open_folder(qtbot, window, folder, monkeypatch)
    assert errors == []
    state = window.state
    (record,) = state.runs
    assert state.current_run_id == record.id and state.run is state.run_objects[record.id]
    assert record.dataset == "t.csv" and record.task == "binary"  # grouped with this data
    assert record.name.endswith("· run") and record.created == state.run.metadata["created"]
    assert window.current_page_name() == "evaluate" and "opened from" in window.banner.text
    assert fx.blocker(state) == ""  # Export takes it
    open_folder(qtbot, window, folder, monkeypatch)  # again: said, not added twice
    assert len(state.runs) == 1 and "already in this project" in errors.pop()[0]
    runs = open_runs_window(window)
    assert runs.runs_list.ids() == [record.id]
    runs.close()

    project = tmp_path / "project"
    monkeypatch.setattr(questions, "choose_project_folder", lambda *_a: str(project))
    with qtbot.waitSignal(window.projects.saved, timeout=60_000):
        window.projects.action_save.trigger()
    saved = load_project(project).runs
    assert [r.folder for r in saved] == [f"runs/{record.id}"]
    assert (project / "runs" / record.id / "model.keras").is_file()
    assert digest(folder) == before  # the user's folder: read, never changed


def test_a_job_run_of_other_data_says_what_evaluate_shows(
    qtbot, cli_run, tmp_path, monkeypatch, errors
):
    """A run trained on another table: the banner names that data and says Evaluate shows
    the run's own recorded test split (as it does), Compare Runs groups it under that data's
    file name, and opening it again names the job, not its "run" folder."""
    rng = np.random.default_rng(8)
    a = rng.normal(size=70)
    other = tmp_path / "o.csv"
    pd.DataFrame({"a": a, "b": rng.normal(size=70), "y": (a > 0).astype(int)}).to_csv(
        other, index=False
    )
    job_run = tmp_path / "churn-job" / "output" / "run"
    shutil.copytree(cli_run[1], job_run)
    job = {"name": "churn-job", "data": {"original": str(cli_run[0]), "copied": False}}
    (job_run.parents[1] / "job.json").write_text(json.dumps(job))
    metadata = json.loads((job_run / "metadata.json").read_text())  # trained by 2 workers
    metadata["distribution"] = {
        "strategy": "MultiWorkerMirroredStrategy",
        "replicas": 2,
        "workers": 2,
        "global_batch_size": 16,
    }
    (job_run / "metadata.json").write_text(json.dumps(metadata))
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.data_page.loaded, timeout=60_000):
        window.open_path(str(other))
    if window.state.target != "y":
        with qtbot.waitSignal(window.state.target_changed, timeout=60_000):
            window.data_page.set_target("y")
    open_folder(qtbot, window, job_run, monkeypatch)
    assert errors == []
    (record,) = window.state.runs
    n = window.state.run.report["n_samples"]
    banner = window.banner.text
    assert "trained on t.csv, not the loaded o.csv" in banner
    assert f"Evaluate shows its results on its own test split ({n:,} rows of t.csv)" in banner
    assert "all the loaded data" not in banner
    evaluate = window.pages["evaluate"]
    assert f"Test split: {n:,} rows" in evaluate.summary.text()  # what the banner says
    assert record.dataset == "t.csv" and record.name.endswith("· churn-job")
    # its details say how it trained across workers (one line; none for one process)
    assert describe(record, True).endswith(
        "<br>Across 2 workers: MultiWorkerMirroredStrategy, 2 replicas, global batch 16"
    )
    one = {"strategy": "none", "replicas": 1, "workers": 1, "global_batch_size": 16}
    assert distribution_words(one) == "" and distribution_words(None) == ""
    gpus = {"strategy": "MirroredStrategy", "replicas": 2, "workers": 1}
    assert distribution_words(gpus) == "On one machine: MirroredStrategy, 2 replicas"
    open_folder(qtbot, window, job_run, monkeypatch)
    assert errors.pop()[0].startswith("churn-job is already in this project as")


def test_a_folder_that_is_not_a_run_says_so_and_changes_nothing(
    qtbot, window, tmp_path, monkeypatch, errors
):
    empty = tmp_path / "not_a_run"
    empty.mkdir()
    (empty / "notes.txt").write_text("hello")
    dirty = window.state.dirty
    open_folder(qtbot, window, empty, monkeypatch)
    assert len(errors) == 1
    message, hint = errors[0]
    assert "not a run folder" in message and "metadata.json" in message and "--out" in hint
    assert window.state.runs == [] and window.state.dirty == dirty
    assert [p.name for p in empty.iterdir()] == ["notes.txt"]


def test_the_action_says_why_it_is_off_without_data(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(settings=settings, load_engine=False)
    qtbot.addWidget(w)
    assert not w.action_open_run.isEnabled()
    assert "Open the data the run was trained on" in w.action_open_run.toolTip()
    assert w.action_open_run.shortcut().toString() == open_run.SHORTCUT
