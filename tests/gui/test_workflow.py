"""The whole tabular workflow as a user does it, through the real window and menus.

Drop a CSV on the window → choose the target → Train ▸ Start → wait for the run → the live
plots got points → File ▸ Export Model… (file dialog bypassed) → reload the export from disk
and check it answers exactly like the model in the app.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from gui_helpers import drop
from PySide6.QtCore import QSettings

from automl_gui.core.export.bundle import load_bundle, predict_frame
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.gui.dialogs.export import ExportDialog
from automl_gui.gui.main_window import MainWindow


def _flowers(path) -> str:
    rng = np.random.default_rng(7)
    n = 240
    species = rng.choice(["setosa", "versicolor", "virginica"], size=n)
    centre = pd.Series(species).map({"setosa": 0.0, "versicolor": 2.0, "virginica": 4.0})
    df = pd.DataFrame(
        {
            "petal": centre + rng.normal(0, 0.6, n),
            "sepal": centre * 0.5 + rng.normal(0, 0.8, n),
            "garden": rng.choice(["north", "south", "east"], size=n),
            "notes_id": np.arange(n),  # an identifier: excluded automatically
            "species": species,
        }
    )
    df.loc[::13, "sepal"] = np.nan
    df.to_csv(path, index=False)
    return str(path)


def test_drop_train_export_reload_matches_the_app(qtbot, tmp_path, monkeypatch):
    csv = _flowers(tmp_path / "flowers.csv")
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.state.engine_ready, timeout=120_000)

    with qtbot.waitSignal(window.state.target_changed, timeout=60_000):
        drop(window, csv)
    assert window.state.loaded(TABULAR) is not None and len(window.state.loaded(TABULAR).df) == 240
    with qtbot.waitSignal(window.state.target_changed, timeout=60_000):
        window.data_page.set_target("species")
    assert window.state.target == "species" and window.state.task == "multiclass"

    window.state.settings(TABULAR).model.auto = False
    window.state.settings(TABULAR).model.hidden_units = [8]
    window.state.training.epochs = 3
    window.state.training.batch_size = 32
    assert window.action_start.isEnabled()
    with qtbot.waitSignal(window.state.run_finished, timeout=300_000):
        window.action_start.trigger()
    run = window.state.run
    assert run is not None and run.result.epochs_run == 3
    plots = window.train_page.plots
    assert len(plots.epoch_points("loss")) == 3
    assert len(plots.epoch_points("val_loss")) == 3
    assert plots.batch_points()  # the smoothed batch-loss line moved during training
    qtbot.waitUntil(window.action_export.isEnabled, timeout=10_000)  # once the worker ends

    out = tmp_path / "exported"
    results = []

    def exec_without_file_dialog(dialog: ExportDialog) -> int:
        with qtbot.waitSignal(dialog.export_done, timeout=120_000) as done:
            dialog.export_to(str(out), "keras")
        results.append(done.args[0])
        return 0

    monkeypatch.setattr(ExportDialog, "open", exec_without_file_dialog)
    window.action_export.trigger()
    assert results and results[0].ok, results
    assert (out / "report.json").exists()  # the evaluation travels with the model

    raw = pd.read_csv(csv).drop(columns=["species"])
    reloaded = predict_frame(load_bundle(out), raw)
    in_app = predict_frame(run.bundle, raw)
    cols = [f"probability_{c}" for c in ("setosa", "versicolor", "virginica")]
    np.testing.assert_allclose(reloaded[cols].to_numpy(), in_app[cols].to_numpy(), atol=1e-6)
    assert (reloaded["prediction"] == in_app["prediction"]).all()
