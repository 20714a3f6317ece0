"""The Train page shows a kept run made current (Runs window, reopened project)."""

from __future__ import annotations

import types

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.project import RunRecord
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState


def _record(run_id: str, epochs: int, reason: str = "early_stopping") -> RunRecord:
    loss = [1.0 / (i + 1) for i in range(epochs)]
    return RunRecord(
        id=run_id,
        name=f"Run {run_id[-1]} · MLP 2×8",
        created="2026-11-21T10:00:00+00:00",
        kind="tabular",
        task="binary",
        history={"loss": loss, "val_loss": [v + 0.1 for v in loss], "accuracy": [0.5] * epochs},
        summary={
            "best_epoch": epochs - 2,
            "epochs_run": epochs,
            "stopped_reason": reason,
            "seconds": 12.5,
        },
        phases=[["train", 0], ["fine-tune", 2]] if epochs > 3 else [],
    )


def test_selecting_a_kept_run_shows_its_curves_and_figures(qtbot):
    state = AppState()
    page = TrainPage(state)
    qtbot.addWidget(page)
    for record in (_record("run-001", 5), _record("run-002", 3, "completed")):
        state.runs.append(record)
        state.run_objects[record.id] = types.SimpleNamespace(metadata={}, history={})

    state.select_run("run-001")
    assert page.plots.epoch_points("loss") == [1.0 / (i + 1) for i in range(5)]
    assert page.progress.format().startswith("Done: 5 epochs in 0:12")
    assert "Run 1" in page.status_label.text()
    assert [p[0] for p in page.plots._phases] == ["fine-tune"]

    state.select_run("run-002")
    assert len(page.plots.epoch_points("val_loss")) == 3
    assert "3 epochs" in page.progress.format()


def test_a_new_dataset_without_a_run_clears_the_old_curves(qtbot):
    state = AppState()
    page = TrainPage(state)
    qtbot.addWidget(page)
    state.runs.append(_record("run-001", 4))
    state.run_objects["run-001"] = types.SimpleNamespace(metadata={}, history={})
    state.select_run("run-001")
    assert page.plots.epoch_points("loss")

    state.set_dataset(TABULAR, None, None)  # File → New Project, or another dataset opened
    assert page.plots.epoch_points("loss") == []
    assert page.progress.format() == "Not started"
