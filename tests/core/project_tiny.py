"""Tiny TensorFlow-free runs and projects the project-folder tests save and reopen."""

from __future__ import annotations

from pathlib import Path

from automl_gui.core.project import PROJECT_FILE, ProjectData, RunRecord, save_project

JOURNAL = f".{PROJECT_FILE}.saving"  # the save journal beside the project file


class TinyModel:
    def save(self, path: Path) -> None:
        Path(path).write_bytes(b"a model")


class TinyRun:
    """What save_run_folder needs of a run, without TensorFlow."""

    def __init__(self) -> None:
        self.model = TinyModel()
        self.metadata = {"kind": "images", "task": "binary"}
        self.report = {"metrics": {"accuracy": 0.5}}
        self.history = {"loss": [1.0, 0.5]}
        self.result = None
        self.test_predictions = None
        self.diagnosis = None
        self.notices: list[str] = []
        self.phases: list = []
        self.samples = None


def record(run_id: str) -> RunRecord:
    return RunRecord(
        id=run_id,
        name=f"Run {int(run_id[4:])}",
        created="",
        kind="images",
        task="binary",
        metrics={"accuracy": 0.5},
        history={"loss": [1.0, 0.5]},
    )


def saved(folder: Path, ids: list[str]) -> ProjectData:
    """A project of tiny runs ``ids`` saved into ``folder``."""
    data = ProjectData(kind="images", runs=[record(i) for i in ids], current_run=ids[-1])
    save_project(folder, data, {i: TinyRun() for i in ids})
    return data


def names(folder: Path) -> list[str]:
    """The entries of ``folder``, sorted."""
    return sorted(p.name for p in folder.iterdir())
