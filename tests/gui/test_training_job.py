"""File → Export Training Job…: off (saying why) until a table is ready to train; then the
dialog writes a job folder for the loaded table with the window's settings, remembers its
fields and shows what it wrote."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.gui.dialogs import training_job
from automl_gui.gui.main_window import MainWindow


@pytest.fixture
def make_window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)

    def make() -> MainWindow:
        w = MainWindow(settings=settings, load_engine=False)
        qtbot.addWidget(w)
        return w

    return make


def test_the_dialog_writes_a_job_folder_for_the_loaded_table(qtbot, make_window, tmp_path):
    window = make_window()
    action = window.action_export_job
    assert not action.isEnabled() and "Open a dataset first" in action.toolTip()
    assert action.shortcut().toString() == training_job.SHORTCUT

    rng = np.random.default_rng(2)
    csv = tmp_path / "loans.csv"
    a = rng.normal(size=60)
    pd.DataFrame({"a": a, "b": rng.normal(size=60), "y": (a > 0).astype(int)}).to_csv(
        csv, index=False
    )
    with qtbot.waitSignal(window.data_page.loaded, timeout=60_000):
        window.open_path(str(csv))
    if window.state.target != "y":
        with qtbot.waitSignal(window.state.target_changed, timeout=60_000):
            window.data_page.set_target("y")
    window.state.training.epochs = 7  # a Train page setting the job carries
    assert action.isEnabled() and action.toolTip() == training_job.EXPORT_JOB_TIP

    action.trigger()
    dialog = window.job_dialog
    assert dialog.name.text() == "loans-train" and dialog.mode_key == "train"
    assert "--target y" in dialog.command.text() and "--epochs 7" in dialog.command.text()
    assert training_job.AUTO_EPOCHS_NOTE not in dialog.notes.text()  # set: no Auto note
    dialog.workers.setValue(3)
    dialog.hosts.setText("node1, node2")  # checked as typed: one host per process
    assert "2 hosts for 3 processes" in dialog.command.text()
    assert not dialog.export_button.isEnabled()
    dialog.hosts.setText("node1, node2 node3")
    assert "--out output/run" in dialog.command.text()
    dialog.where.setText(str(tmp_path / "jobs"))
    assert dialog.export_button.isEnabled()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.worker is None and dialog.folder is not None, timeout=30_000)

    job = tmp_path / "jobs" / "loans-train"
    assert dialog.folder == job and dialog.open_button.isVisible()
    names = {p.name for p in job.iterdir()}
    expected = {"job.json", "data.txt", "run-on-hosts.sh", "slurm.sbatch", "README.txt"}
    assert expected <= names and {"kubernetes-job.yaml", "tfjob.yaml"} <= names
    saved = json.loads((job / "job.json").read_text())
    text = json.dumps(saved)
    assert "node3" in text and "--epochs" in text and '"y"' in text
    assert "Wrote" in dialog.result.text() and str(job) in dialog.result.text()

    # written: Export waits for another name, the success line and Open Folder stay
    assert not dialog.export_button.isEnabled() and not dialog.taken.isVisible()
    assert "change the job name" in dialog.export_button.toolTip()
    dialog.port.setValue(12400)  # any other field: still the same folder
    assert not dialog.export_button.isEnabled() and dialog.open_button.isVisible()
    dialog.name.setText("loans-train-2")
    assert dialog.export_button.isEnabled() and not dialog.taken.isVisible()
    assert "Wrote" in dialog.result.text() and dialog.open_button.isVisible()
    (tmp_path / "jobs" / "mine").mkdir()  # a folder of the user's: named, never written over
    dialog.name.setText("mine")
    assert not dialog.export_button.isEnabled() and dialog.taken.isVisible()
    assert "mine exists: change the job name" in dialog.taken.text()
    # the container image only names the Kubernetes files' image: empty is the default
    dialog.name.setText("loans-image")
    dialog.image.setText("")
    assert dialog.export_button.isEnabled() and dialog.job()[1].image == "automl-gui:latest"
    dialog.image.setText("automl-gui:latest")
    dialog.close()

    # the fields are remembered for the next time
    window.state.training.epochs = 0  # Auto: no --epochs, and the dialog says what then
    again = training_job.open_job_dialog(window)
    assert again.workers.value() == 3 and again.hosts.text() == "node1, node2 node3"
    assert "--epochs" not in again.command.text()
    assert training_job.AUTO_EPOCHS_NOTE in again.notes.text()
    again.mode.setCurrentIndex(again.mode.findData("search"))  # a chief more: 4 processes
    assert training_job.AUTO_EPOCHS_NOTE not in again.notes.text()  # a search's own epochs
    assert again.name.text() == "loans-search" and "4 processes" in again.command.text()
    again.hosts.setText("")  # placeholders
    assert "--model auto" in again.command.text() and "--search-dir" in again.command.text()
    again.close()
