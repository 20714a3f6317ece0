"""The missing-weights dialog: names the file, its source and folders; file / scratch / cancel."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from automl_gui.core.models.weights import WeightsMissingError, WeightsSpec
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import weights as wd
from automl_gui.gui.dialogs.weights import WeightsDialog

FILE = "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/" + FILE


@pytest.fixture
def settings(tmp_path):
    return app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def make_error(tmp_path: Path) -> WeightsMissingError:
    spec = WeightsSpec("resnet50", FILE, URL, "a" * 32, "md5", 94_765_736)
    folders = [tmp_path / "mine", tmp_path / "models" / "pretrained", tmp_path / "keras"]
    return WeightsMissingError(
        "Could not download the ResNet50 weights: no internet connection.",
        "Download the file on another computer and choose it, or train from scratch.",
        spec=spec,
        folders=folders,
        destination=tmp_path / "keras",
    )


@pytest.fixture
def dialog(qtbot, tmp_path, settings):
    dlg = WeightsDialog(make_error(tmp_path))
    qtbot.addWidget(dlg)
    return dlg


def test_names_the_file_its_source_and_folders(dialog, tmp_path):
    assert dialog.file_field.text() == FILE
    assert dialog.url_field.text() == URL
    assert dialog.file_field.edit.isReadOnly() and dialog.url_field.edit.isReadOnly()
    folders = [f.text() for f in dialog.folder_fields]
    # the destination (where a download would go) comes first, then the other lookup folders
    assert folders == [
        str(tmp_path / "keras"),
        str(tmp_path / "mine"),
        str(tmp_path / "models" / "pretrained"),
    ]
    assert "no internet" in dialog.message_label.text()
    assert "another computer" in dialog.hint_label.text()
    assert "ResNet50" in dialog.windowTitle()
    assert dialog.choice == "cancel" and dialog.chosen_path == ""


def test_copy_puts_the_exact_text_on_the_clipboard(dialog):
    dialog.url_field.copy_button.click()
    assert QApplication.clipboard().text() == URL
    dialog.file_field.copy_button.click()
    assert QApplication.clipboard().text() == FILE


def test_choose_file_accepts_with_the_path(qtbot, dialog, monkeypatch, tmp_path, settings):
    chosen = tmp_path / "downloads" / FILE
    chosen.parent.mkdir()
    chosen.write_bytes(b"x")
    asked = {}

    def fake_ask(parent, start, file_name):
        asked.update(start=start, file_name=file_name)
        return str(chosen)

    monkeypatch.setattr(wd, "ask_weights_file", fake_ask)
    dialog.open()
    with qtbot.waitSignal(dialog.accepted):
        dialog.choose_button.click()
    assert dialog.choice == "file" and dialog.chosen_path == str(chosen)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert asked["file_name"] == FILE
    # the next file dialog starts in the folder the file came from
    assert app_settings.last_folder(settings, wd.KEY_WEIGHTS_FILE_FOLDER) == str(chosen.parent)


def test_cancelled_file_dialog_keeps_the_dialog_open(qtbot, dialog, monkeypatch):
    monkeypatch.setattr(wd, "ask_weights_file", lambda *a: "")
    dialog.open()
    dialog.choose_button.click()
    assert dialog.isVisible() and dialog.choice == "cancel" and dialog.chosen_path == ""


def test_train_from_scratch(qtbot, dialog):
    dialog.open()
    with qtbot.waitSignal(dialog.accepted):
        dialog.scratch_button.click()
    assert dialog.choice == "scratch" and dialog.chosen_path == ""


def test_cancel_and_escape(qtbot, dialog):
    dialog.open()
    with qtbot.waitSignal(dialog.rejected):
        dialog.cancel_button.click()
    assert dialog.choice == "cancel"
    dialog.open()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.choice == "cancel" and not dialog.isVisible()


def test_exec_returns_the_choice(qtbot, dialog):
    QTimer.singleShot(0, dialog.scratch_button.click)
    assert dialog.exec() == QDialog.DialogCode.Accepted
    assert dialog.choice == "scratch"


def test_error_without_spec_still_shows(qtbot, settings):
    dlg = WeightsDialog(WeightsMissingError("Weights missing.", ""))
    qtbot.addWidget(dlg)
    assert dlg.file_field.text() == "" and dlg.folder_fields == []
    assert not dlg.hint_label.isVisibleTo(dlg)


def test_every_control_has_a_tooltip(dialog):
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    for cls in (QAbstractButton, QLineEdit):
        for w in dialog.findChildren(cls):
            assert w.toolTip(), f"{type(w).__name__} {w.text()}"
