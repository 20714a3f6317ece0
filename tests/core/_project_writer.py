"""The child process the project kill tests SIGKILL at random moments (TensorFlow-free).

Each prints "ready" once its imports are done, so the parent's random kill times fall in
the save loop.

``python _project_writer.py project FOLDER START LOG``: saves a project with large run
histories in a loop (the project in FOLDER, opened, when there is one), ``ui["counter"]`` = START, START + 1, ...; after each save returns it
appends the counter to LOG.

``python _project_writer.py runs FOLDER START LOG``: each loop adds a run with a big fake
model (written by ``save_run_folder`` through the project save), drops the oldest run when
there are more than three, saves, and appends the counter to LOG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from automl_gui.core.project import ProjectData, RunRecord, load_project, next_run_id, save_project

HISTORY_KEYS = ("loss", "val_loss", "accuracy", "val_accuracy", "lr", "auc")
HISTORY_LEN = 3000


def big_history(seed: int) -> dict[str, list[float]]:
    return {
        key: [((i * 7919 + seed * 31 + k) % 10007) / 10007.0 for i in range(HISTORY_LEN)]
        for k, key in enumerate(HISTORY_KEYS)
    }


def project_data(counter: int) -> ProjectData:
    """Four runs with existing folders (the parent makes them) and large histories."""
    runs = [
        RunRecord(
            id=f"run-00{i}",
            name=f"Run {i}",
            created="2025-01-01T00:00:00+00:00",
            kind="tabular",
            task="binary",
            history=big_history(i),
            metrics={"accuracy": 0.5 + i / 10},
            folder=f"runs/run-00{i}",
        )
        for i in range(1, 5)
    ]
    return ProjectData(
        name="killed", kind="tabular", runs=runs, current_run="run-004", ui={"counter": counter}
    )


class FakeModel:
    """Writes a big file where a Keras model would be (the save is what is killed)."""

    def __init__(self, seed: int) -> None:
        import numpy as np

        self.weights = np.random.default_rng(seed).random(1_500_000)  # 12 MB

    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            for chunk in range(0, len(self.weights), 100_000):
                fh.write(self.weights[chunk : chunk + 100_000].tobytes())


class FakeRun:
    def __init__(self, seed: int) -> None:
        import numpy as np

        self.model = FakeModel(seed)
        self.metadata = {"kind": "images", "task": "multiclass", "class_names": ["a", "b"]}
        self.report = {"metrics": {"accuracy": 0.5}}
        self.history = {"loss": [1.0, 0.5]}
        self.result = None
        self.test_predictions = None
        self.diagnosis = None
        self.notices = ["fake"]
        self.phases = [("head", 0)]
        self.samples = np.random.default_rng(seed).random((64, 32, 32, 3)).astype("float32")


def _log(path: str, counter: int) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{counter}\n")
        fh.flush()
        os.fsync(fh.fileno())


def main(mode: str, folder: str, start: int, log: str) -> None:
    counter = start
    if mode == "project":
        # a later child opens the project it goes on saving (a new one is refused there)
        exists = Path(folder, "project.automl.json").exists()
        data = load_project(folder) if exists else project_data(counter)
        print("ready", flush=True)
        while True:
            data.ui["counter"] = counter
            save_project(folder, data)
            _log(log, counter)
            counter += 1
    import automl_gui.core.export.bundle  # noqa: F401  (imported before "ready": timing)

    data = load_project(folder) if Path(folder, "project.automl.json").exists() else ProjectData()
    print("ready", flush=True)
    while True:
        run_id = next_run_id([r.id for r in data.runs])
        record = RunRecord(id=run_id, name=run_id, created="", kind="images", task="multiclass")
        data.runs.append(record)
        if len(data.runs) > 3:
            data.runs.pop(0)
        data.ui["counter"] = counter
        save_project(folder, data, {run_id: FakeRun(counter)})
        _log(log, counter)
        counter += 1


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
