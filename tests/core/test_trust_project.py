"""A threshold chosen and slices computed after a run was saved survive save → reopen (the
run's folder is written once: the project file's record keeps them), and clearing the
threshold survives too; projects written before the field load as before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from automl_gui.core.project import (
    ProjectData,
    load_project,
    load_run,
    record_for_run,
    save_project,
)
from automl_gui.core.trust.thresholds import clear_threshold, set_threshold

FIXTURES = Path(__file__).parent / "fixtures" / "projects"


@pytest.fixture(scope="module")
def keras_run():
    import keras

    from automl_gui.core.jobs.run import Run
    from automl_gui.core.train.result import TrainResult

    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(inputs))
    metadata = {"kind": "tabular", "task": "binary", "class_names": ["no", "yes"]}
    result = TrainResult(history={"loss": [1.0]}, best_epoch=0, epochs_run=1)
    report = {"metrics": {"accuracy": 0.5}}
    return lambda: Run(model, dict(metadata), dict(report), {"loss": [1.0]}, result, None)


def _reopen(folder: Path, run_id: str):
    data = load_project(folder)
    record = data.run(run_id)
    return data, record, load_run(folder, record)


def test_threshold_and_slices_chosen_after_saving_survive_reopen(keras_run, tmp_path) -> None:
    run = keras_run()
    data = ProjectData(kind="tabular", runs=[record_for_run(run, "run-001")])
    save_project(tmp_path, data, {"run-001": run})
    folder_meta = tmp_path / "runs" / "run-001" / "metadata.json"
    written = folder_meta.read_bytes()

    set_threshold(run.metadata, 0.3, "F1", precision=0.7, recall=0.9)
    slices = {"color": {"by": "color", "table": [{"group": "red", "count": 40}]}}
    run.report["slices"] = slices
    save_project(tmp_path, data, {"run-001": run})
    assert folder_meta.read_bytes() == written  # the folder is not rewritten

    data, record, again = _reopen(tmp_path, "run-001")
    assert again.metadata["threshold"]["value"] == 0.3
    assert again.metadata["threshold"]["chosen"] == "F1"
    assert again.report["slices"] == slices
    assert again.report["metrics"] == {"accuracy": 0.5}

    clear_threshold(again.metadata)
    save_project(tmp_path, data, {"run-001": again})
    data, record, third = _reopen(tmp_path, "run-001")
    assert "threshold" not in third.metadata and third.report["slices"] == slices
    raw = json.loads(next(tmp_path.glob("*.automl.json")).read_text())
    assert raw["runs"][0]["edits"]["metadata"] == {"threshold": None}


def test_a_run_saved_with_its_threshold_and_one_never_changed(keras_run, tmp_path) -> None:
    first, second = keras_run(), keras_run()
    set_threshold(first.metadata, 0.7, "by hand")
    data = ProjectData(
        kind="tabular",
        runs=[record_for_run(first, "run-001"), record_for_run(second, "run-002")],
    )
    save_project(tmp_path, data, {"run-001": first, "run-002": second})
    _, record, one = _reopen(tmp_path, "run-001")
    assert one.metadata["threshold"]["value"] == 0.7
    _, record, two = _reopen(tmp_path, "run-002")
    assert "threshold" not in two.metadata and record.edits == {}
    x = np.zeros((2, 3), "float32")
    assert two.model.predict(x, verbose=0).shape == (2, 2)


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.automl.json")))
def test_old_project_files_load_without_edits(fixture) -> None:
    data = load_project(FIXTURES / fixture)
    assert all(record.edits == {} for record in data.runs)
