"""The export dialog never replaces a folder the app did not write, even after a "Yes": it says
so before asking, and the engine refuses on its own when asked anyway."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import export as export_dialog
from automl_gui.gui.dialogs.export import ExportDialog
from automl_gui.gui.state import AppState


@pytest.fixture(autouse=True)
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    store = app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield store
    app_settings.use(None)


@pytest.fixture(scope="module")
def run():
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    rng = np.random.default_rng(4)
    x = rng.normal(size=60)
    df = pd.DataFrame({"x": x, "y": np.where(x > 0, "yes", "no")})
    setup = setup_tabular(LoadedTable(df=df, source=TableSource(path="d.csv", format="csv")), "y")
    return train_tabular(
        df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[4]),
        TrainConfig(epochs=1, batch_size=16, seed=1),
    )


@pytest.fixture
def dialog(qtbot, run):
    state = AppState()
    state.set_run(run)
    d = ExportDialog(state)
    qtbot.addWidget(d)
    return d


def test_a_folder_of_other_files_is_refused_before_asking(dialog, tmp_path, monkeypatch):
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    asked: list[str] = []
    monkeypatch.setattr(dialog, "confirm_overwrite", lambda p: asked.append(p) or True)
    assert dialog.export_to(str(folder), "savedmodel") is False
    assert asked == []  # no "Replace?" for what will not be replaced
    text = dialog.result_text()
    assert "Not exported" in text and "did not write (thesis.tex)" in text
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.tex"]


def test_the_engine_refuses_even_after_a_yes(qtbot, dialog, tmp_path, monkeypatch):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "cat.jpg").write_bytes(b"\xff\xd8")
    monkeypatch.setattr(export_dialog, "replace_refusal", lambda *a: "")  # the dialog's check off
    monkeypatch.setattr(dialog, "confirm_overwrite", lambda p: True)
    with qtbot.waitSignal(dialog.export_failed, timeout=120_000) as blocker:
        assert dialog.export_to(str(folder), "savedmodel")
    message, hint = blocker.args
    assert "did not write (cat.jpg)" in message and hint
    assert sorted(p.name for p in folder.iterdir()) == ["cat.jpg"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "s.ini") == ["photos"]
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)


def test_an_export_the_app_wrote_is_replaced_after_a_yes(qtbot, dialog, tmp_path, monkeypatch):
    out = tmp_path / "export"
    monkeypatch.setattr(dialog, "confirm_overwrite", lambda p: True)
    for _ in range(2):
        with qtbot.waitSignal(dialog.export_done, timeout=120_000) as blocker:
            assert dialog.export_to(str(out), "keras")
        assert blocker.args[0].ok
        qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)


def test_a_projects_own_run_folder_is_refused_before_asking(dialog, run, tmp_path, monkeypatch):
    """No "Replace?" onto a project's runs/run-NNN: the project saves its own runs."""
    from automl_gui.core.project._runs import save_run_folder

    folder = tmp_path / "P" / "runs" / "run-001"
    save_run_folder(run, folder, project_id="abc")
    before = sorted(p.name for p in folder.iterdir())
    asked: list[str] = []
    monkeypatch.setattr(dialog, "confirm_overwrite", lambda p: asked.append(p) or True)
    assert dialog.export_to(str(folder), "savedmodel") is False
    assert asked == []
    text = dialog.result_text()
    assert "Not exported" in text and "run folder of the project" in text
    assert sorted(p.name for p in folder.iterdir()) == before
