"""Image Model page: architecture, fine-tuning and weights edits reach the config and are
remembered, weights lookups run off the UI thread and stale results are dropped (the
Preprocess page: test_image_preprocess_page.py)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import image_factory
import pytest
from PySide6.QtCore import QSettings
from test_image_preprocess_page import dataset_of  # tests/gui is on the path

from automl_gui.core.base.errors import ModelError
from automl_gui.core.base.events import Log
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.weights import WeightsSpec
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.images import preprocess as pp
from automl_gui.gui.pages.images.model import ImageModelPage
from automl_gui.gui.pages.images.preprocess import ImagePreprocessPage
from automl_gui.gui.state import AppState


@pytest.fixture
def settings(tmp_path):
    return app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def state(qtbot, settings):
    return AppState()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    return image_factory.make_class_folders(root, per_class=4, size=(32, 32))


@pytest.fixture
def dataset(folder):
    return dataset_of(folder)


@pytest.fixture
def prep(qtbot, state):
    page = ImagePreprocessPage(state)
    qtbot.addWidget(page)
    yield page
    page.wait_idle()


# -- Model page --------------------------------------------------------------------------------
class FakeWeights:
    """Stands in for core.models.weights: which backbones are 'found', per folder."""

    def __init__(self, found: dict[str, str]) -> None:
        self.found = dict(found)
        self.calls: list[tuple[str, str | None, bool]] = []
        self.gate: threading.Event | None = None
        self.fail = False

    def manifest(self):
        return {
            "resnet50": WeightsSpec("resnet50", "r.h5", "https://x/r.h5", None, "md5", 94_765_736),
            "inceptionv3": WeightsSpec("inceptionv3", "i.h5", "https://x/i.h5", None, "md5", 9e7),
        }

    def find_weights(self, arch, configured=None, *, on_event=None):
        main = threading.current_thread() is threading.main_thread()
        if arch == "inceptionv3" and on_event is not None:
            on_event(Log("Skipped /cache/i.h5: its MD5 checksum does not match.", "warning"))
        self.calls.append((arch, configured, main))
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail:
            raise ModelError("The weights file r.h5 is damaged (checksum mismatch).", "")
        path = self.found.get(arch)
        if path and configured:
            path = str(Path(configured) / Path(path).name)
        return Path(path) if path else None


@pytest.fixture
def weights_fake(monkeypatch):
    from automl_gui.core.models import weights

    f = FakeWeights({"resnet50": "/cache/resnet50_notop.h5"})
    monkeypatch.setattr(weights, "manifest", f.manifest)
    monkeypatch.setattr(weights, "find_weights", f.find_weights)
    yield f
    if f.gate is not None:
        f.gate.set()


@pytest.fixture
def model_page(qtbot, state, weights_fake):
    page = ImageModelPage(state)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.lookup_busy and page.weights_status is not None)
    yield page
    page.wait_idle()


def select_arch(page: ImageModelPage, arch: str) -> None:
    page.arch_combo.setCurrentIndex(page.arch_combo.findData(arch))


def test_weights_status_is_looked_up_off_the_ui_thread(model_page, weights_fake):
    assert weights_fake.calls and not any(main for _a, _f, main in weights_fake.calls)
    assert model_page.status_labels["resnet50"].text() == "✓ found: /cache/resnet50_notop.h5"
    text = model_page.status_labels["inceptionv3"].text()
    assert text.startswith("no good copy here: will be downloaded")
    assert "(1 damaged copy skipped)" in text and "(90 MB)" in text
    assert "checksum" in model_page.status_labels["inceptionv3"].toolTip()
    model_page.download_check.setChecked(False)
    assert not model_page.state.settings(IMAGES).model.allow_download
    assert "choose the file" in model_page.status_labels["inceptionv3"].text()
    assert "Auto will use: ResNet50" in model_page.auto_choice.text()


def test_lookup_through_the_real_weights_module(tmp_path, monkeypatch):
    from automl_gui.core.models import weights
    from automl_gui.gui.pages.images import model as mp

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv(weights.ENV_FOLDER, raising=False)
    spec = weights.manifest()["resnet50"]
    assert spec.hash  # the manifest pins a checksum
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / spec.file_name).write_bytes(b"not the weights")  # right name, wrong content
    result = mp.lookup_weights(str(folder))
    entry = result["resnet50"]
    assert entry["error"] == "" and entry["path"] is None and len(entry["skipped"]) == 1
    assert "damaged copy skipped" in mp.status_text(entry, allow_download=True)
    assert result["inceptionv3"]["size_bytes"]


def test_auto_falls_back_to_the_cnn_and_errors_are_shown(qtbot, model_page, weights_fake):
    weights_fake.found = {}
    model_page.recheck_button.click()
    qtbot.waitUntil(lambda: model_page.weights_status is not None and not model_page.lookup_busy)
    assert "Compact CNN" in model_page.auto_choice.text()
    weights_fake.fail = True
    model_page.recheck_button.click()
    qtbot.waitUntil(lambda: model_page.weights_status is not None and not model_page.lookup_busy)
    assert "could not check: The weights file r.h5 is damaged" in (
        model_page.status_labels["resnet50"].text()
    )


def test_architecture_and_fine_tuning_edit_the_config(qtbot, model_page, state):
    assert (
        state.settings(IMAGES).model.architecture == "auto" and model_page.layers_spin.isEnabled()
    )
    with qtbot.waitSignal(state.model_changed):
        select_arch(model_page, "cnn")
    assert state.settings(IMAGES).model.architecture == "cnn"
    assert "from scratch" in model_page.arch_explain.text()
    assert not model_page.layers_spin.isEnabled() and not model_page.ft_epochs_spin.isEnabled()
    assert not model_page.auto_choice.isVisibleTo(model_page)
    select_arch(model_page, "inceptionv3")
    assert model_page.layers_spin.isEnabled() and "299" in model_page.arch_explain.text()
    assert model_page.layers_spin.text() == "Auto"
    model_page.layers_spin.setValue(0)  # head only: no phase 2, no phase-2 learning rate
    assert not model_page.lr_factor_spin.isEnabled()
    model_page.layers_spin.setValue(30)
    model_page.ft_epochs_spin.setValue(4)
    model_page.lr_factor_spin.setValue(0.05)
    model_page.dropout_spin.setValue(0.4)
    c = state.settings(IMAGES).model
    assert (c.fine_tune_layers, c.fine_tune_epochs, c.fine_tune_lr_factor) == (30, 4, 0.05)
    assert c.dropout == 0.4


def test_choose_file_and_folder(qtbot, model_page, state, settings, weights_fake, monkeypatch):
    from automl_gui.gui.pages.images import model as mp

    file = Path(settings.fileName()).parent / "my_resnet.h5"
    file.write_bytes(b"x")
    assert not model_page.choose_button.isEnabled()  # Auto: a file belongs to one network
    select_arch(model_page, "resnet50")
    monkeypatch.setattr(mp, "ask_weights_file", lambda parent, start: str(file))
    with qtbot.waitSignal(state.model_changed):
        model_page.choose_button.click()
    assert state.settings(IMAGES).model.weights_path == str(file)
    assert model_page.status_labels["resnet50"].text().startswith("✓ your file:")
    assert model_page.clear_file_button.isEnabled()
    select_arch(model_page, "inceptionv3")  # the ResNet file does not fit InceptionV3
    assert state.settings(IMAGES).model.weights_path == ""

    folder = file.parent / "weights"
    folder.mkdir()
    monkeypatch.setattr(mp, "ask_weights_folder", lambda parent, start: str(folder))
    weights_fake.calls.clear()
    model_page.folder_button.click()
    assert state.settings(IMAGES).model.weights_folder == str(folder)
    qtbot.waitUntil(lambda: model_page.weights_status is not None and not model_page.lookup_busy)
    assert ("resnet50", str(folder), False) in weights_fake.calls
    assert str(folder) in model_page.status_labels["resnet50"].text()
    assert app_settings.last_folder(settings, mp.KEY_WEIGHTS_FOLDER) == str(folder)
    model_page.clear_folder_button.click()
    assert state.settings(IMAGES).model.weights_folder == ""


def test_a_stale_lookup_is_dropped(qtbot, model_page, state, weights_fake, monkeypatch, tmp_path):
    from automl_gui.gui.pages.images import model as mp

    weights_fake.gate = threading.Event()
    model_page.recheck_button.click()  # held by the gate
    qtbot.waitUntil(lambda: model_page.lookup_busy)
    monkeypatch.setattr(mp, "ask_weights_folder", lambda parent, start: str(tmp_path))
    model_page.folder_button.click()  # a second lookup waits for the first
    assert model_page.status_labels["resnet50"].text() == "checking…"
    weights_fake.gate.set()
    qtbot.waitUntil(lambda: model_page.weights_status is not None and not model_page.lookup_busy)
    expected = str(tmp_path / "resnet50_notop.h5")
    assert model_page.status_labels["resnet50"].text() == f"✓ found: {expected}"


def test_settings_are_remembered_and_a_vanished_file_dropped(
    qtbot, model_page, state, settings, tmp_path
):
    file = tmp_path / "w.h5"
    file.write_bytes(b"x")
    select_arch(model_page, "resnet50")
    model_page.ft_epochs_spin.setValue(3)
    model_page.training_form.epochs_spin.setValue(12)
    state.settings(IMAGES).model.weights_path = str(file)
    model_page.dropout_spin.setValue(0.3)  # any edit saves
    saved = json.loads(settings.value(mp_key("KEY_IMAGE_MODEL")))
    assert saved["architecture"] == "resnet50" and saved["weights_path"] == str(file)
    other = AppState()
    page2 = ImageModelPage(other)
    qtbot.addWidget(page2)
    assert other.settings(IMAGES).model.fine_tune_epochs == 3 and other.settings(
        IMAGES
    ).model.weights_path == str(file)
    assert page2.training.epochs == 12 and page2.training_form.epochs_spin.value() == 12
    file.unlink()
    third = AppState()
    page3 = ImageModelPage(third)
    qtbot.addWidget(page3)
    assert third.settings(IMAGES).model.weights_path == ""
    for p in (page2, page3):
        p.wait_idle()


def mp_key(name: str) -> str:
    from automl_gui.gui.pages.images import model as mp

    return getattr(mp, name)


def test_images_and_tables_keep_their_own_training_settings(
    qtbot, model_page, state, dataset, settings
):
    from automl_gui.gui.pages.tabular.model import ModelPage

    tabular = ModelPage(state)
    qtbot.addWidget(tabular)
    table_training = state.training
    assert state.kind.name == "tabular" and table_training is not model_page.training
    assert model_page.training == IMAGES.default_training()  # as the command line
    assert model_page.training.epochs == 0  # Auto, from the data's size
    assert model_page.training_form.epochs_spin.text() == "Auto"
    state.set_dataset(IMAGES, dataset)
    assert state.training is model_page.training
    model_page.training_form.epochs_spin.setValue(8)
    model_page.training_form.batch_spin.setValue(16)
    assert (state.training.epochs, state.training.batch_size) == (8, 16)
    assert table_training.epochs == TABULAR.default_training().epochs
    saved = json.loads(settings.value(mp_key("KEY_IMAGE_TRAINING")))
    assert saved["epochs"] == 8
    assert not settings.value(app_settings.KEY_TRAINING)  # the tables' key is untouched
    state.set_dataset(TABULAR, None, None)  # a table replaces the images
    assert state.training is table_training


def test_model_restore_defaults(qtbot, model_page, state, dataset):
    state.set_dataset(IMAGES, dataset)
    select_arch(model_page, "cnn")
    state.settings(IMAGES).model.weights_folder = "/shared/weights"
    model_page.training_form.epochs_spin.setValue(5)
    with qtbot.waitSignal(state.model_changed):
        model_page.defaults_button.click()
    assert state.settings(IMAGES).model == ImageModelConfig(weights_folder="/shared/weights")
    assert state.training == IMAGES.default_training() and state.training is model_page.training
    assert model_page.arch_combo.currentData() == "auto"


def test_pages_show_changes_made_elsewhere(qtbot, model_page, prep, state, weights_fake, tmp_path):
    """The weights dialog's choices arrive as config changes + model_changed (Train page)."""
    select_arch(model_page, "resnet50")
    prep.size_spin.setValue(224)
    file = tmp_path / "chosen.h5"
    file.write_bytes(b"x")
    state.settings(IMAGES).model.weights_path = str(file)  # "Choose file…"
    state.notify_model_changed()
    assert model_page.status_labels["resnet50"].text().startswith("✓ your file:")
    state.settings(IMAGES).model.architecture = "cnn"  # "Train from scratch"
    state.settings(IMAGES).preprocess.image_size = 0
    state.notify_model_changed()
    assert model_page.arch_combo.currentData() == "cnn"
    assert not model_page.layers_spin.isEnabled()
    assert prep.size_spin.value() == 0 and "0…1" in prep.norm_edit.text()
    store = app_settings.current()  # remembered as if chosen on the pages
    assert json.loads(store.value(mp_key("KEY_IMAGE_MODEL")))["architecture"] == "cnn"
    assert json.loads(store.value(pp.KEY_IMAGE_PREPROCESS))["image_size"] == 0
    state.settings(IMAGES).model.weights_folder = str(tmp_path)  # e.g. settings loaded elsewhere
    weights_fake.calls.clear()
    state.notify_model_changed()
    qtbot.waitUntil(lambda: model_page.weights_status is not None and not model_page.lookup_busy)
    assert ("resnet50", str(tmp_path), False) in weights_fake.calls
    state.settings(IMAGES).preprocess.augment.enabled = False
    state.notify_preprocess_changed()
    assert not prep.augment_check.isChecked()


def test_auto_epochs_say_what_they_become_for_the_folder(qtbot, model_page, state, dataset):
    """Auto epochs name the cap the job will use: the kind's ``epochs_for`` the training
    images of the same split, in the batch the job picks."""
    hint = model_page.training_form.epochs_hint
    assert model_page.training.epochs == 0 and not hint.isVisibleTo(model_page)  # no folder
    state.set_dataset(IMAGES, dataset)
    text = hint.text()
    media = IMAGES.media(dataset, state.settings(IMAGES).preprocess)
    n_train = len(media.split().train)
    assert f"for {n_train} training images" in text and hint.isVisibleTo(model_page)
    batch = int(text.split("batches of ")[1].split(" ")[0])
    assert f"at most {IMAGES.epochs_for(n_train, batch)} epochs" in text
    model_page.training_form.epochs_spin.setValue(30)  # set by hand: nothing to say
    assert not hint.isVisibleTo(model_page)
