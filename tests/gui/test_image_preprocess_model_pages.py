"""Image Preprocess and Model pages: edits reach the configs, are remembered, previews and
weights lookups run off the UI thread and stale results are dropped."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import image_factory
import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings

from automl_gui.core.base.errors import ModelError
from automl_gui.core.base.events import Log
from automl_gui.core.data.images import ImageDataset, ImageItem
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.models.weights import WeightsSpec
from automl_gui.core.preprocess import images as core_images
from automl_gui.core.preprocess.image_config import AugmentConfig
from automl_gui.core.train.config import TrainConfig
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


def dataset_of(root: Path, layout: str = "class_folders") -> ImageDataset:
    """An ImageDataset of the files under ``root`` (sizes read with PIL, as a scan would)."""
    items = []
    for f in sorted(root.rglob("*.*")):
        split = f.parent.parent.name if layout == "split_folders" else None
        split = {"val": "validation"}.get(split, split)
        with Image.open(f) as im:
            items.append(ImageItem(str(f), f.parent.name, split, im.width, im.height, im.mode))
    return ImageDataset(str(root), layout, items, sorted({i.label for i in items}))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    return image_factory.make_class_folders(root, per_class=4, size=(32, 32))


@pytest.fixture
def dataset(folder):
    return dataset_of(folder)


class FakeCore:
    """Stands in for core's load_images/augment_preview: records calls, can hold a call."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], AugmentConfig, int]] = []
        self.gate: threading.Event | None = None
        self.started = threading.Event()

    def load_images(self, paths, size):
        return np.full((len(paths), size, size, 3), 200.0, dtype="float32")

    def augment_preview(self, paths, config, size, count=8, seed=0):
        self.calls.append((list(paths), config, size))
        self.started.set()
        if self.gate is not None:
            self.gate.wait(10)
        value = 10 * len(self.calls)  # each call paints its own colour
        out = np.zeros((count, size, size, 3), dtype=np.uint8)
        out[..., 0] = value
        out[..., 1] = 255 - value
        return out


@pytest.fixture
def fake(monkeypatch):
    f = FakeCore()
    monkeypatch.setattr(core_images, "load_images", f.load_images)
    monkeypatch.setattr(core_images, "augment_preview", f.augment_preview)
    yield f
    if f.gate is not None:
        f.gate.set()  # never leave a preview thread waiting


@pytest.fixture
def prep(qtbot, state):
    page = ImagePreprocessPage(state)
    qtbot.addWidget(page)
    yield page
    page.wait_idle()


def tile_rgb(page: ImagePreprocessPage, row: int, col: int) -> tuple[int, int, int]:
    image = page.tiles[row][col].pixmap().toImage()
    c = image.pixelColor(image.width() // 2, image.height() // 2)
    return c.red(), c.green(), c.blue()


def preview_done(page):
    return not page.preview_busy and "Updating" not in page.preview_status.text()


# -- Preprocess page: settings ---------------------------------------------------------------
def test_edits_update_the_config_notify_and_are_remembered(qtbot, prep, state, settings):
    with qtbot.waitSignal(state.preprocess_changed):
        prep.size_spin.setValue(96)
    prep.color_combo.setCurrentIndex(prep.color_combo.findData("grayscale"))
    prep.flip_combo.setCurrentIndex(prep.flip_combo.findData("both"))
    prep.strength_spins["rotation"].setValue(0.25)
    prep.strength_spins["brightness"].setValue(0.0)
    prep.val_spin.setValue(20)
    prep.test_spin.setValue(10)
    prep.seed_spin.setValue(7)
    prep.cache_check.setChecked(True)
    c = state.settings(IMAGES).preprocess
    assert (c.image_size, c.color_mode, c.seed, c.cache) == (96, "grayscale", 7, True)
    assert (c.augment.flip, c.augment.rotation, c.augment.brightness) == ("both", 0.25, 0.0)
    assert (c.validation_fraction, c.test_fraction) == (0.2, 0.1)
    assert prep.strength_labels["rotation"].text() == "up to ±90°"
    assert prep.strength_labels["brightness"].text() == "off"
    assert prep.strength_spins["brightness"].text() == "Off"
    saved = json.loads(settings.value(pp.KEY_IMAGE_PREPROCESS))
    assert saved["image_size"] == 96 and saved["augment"]["flip"] == "both"
    # the next launch starts from the remembered settings
    other = AppState()
    page2 = ImagePreprocessPage(other)
    qtbot.addWidget(page2)
    assert other.settings(IMAGES).preprocess == c and page2.size_spin.value() == 96


def test_bad_remembered_settings_are_ignored(qtbot, settings):
    settings.setValue(pp.KEY_IMAGE_PREPROCESS, json.dumps({"image_size": "big", "augment": 3}))
    assert pp.load_config(settings) is None
    settings.setValue(
        pp.KEY_IMAGE_PREPROCESS,
        json.dumps({"image_size": 64, "future_key": 1, "augment": {"zoom": 0.3, "new": 1}}),
    )
    loaded = pp.load_config(settings)
    assert loaded.image_size == 64 and loaded.augment.zoom == 0.3
    state = AppState()
    page = ImagePreprocessPage(state)
    qtbot.addWidget(page)
    assert state.settings(IMAGES).preprocess.augment.zoom == 0.3


def test_size_auto_and_normalization_follow_the_model(qtbot, prep, state):
    assert prep.size_spin.value() == 0 and prep.size_spin.text().startswith("Auto")
    for arch, size, norm in (
        ("resnet50", "224", "BGR"),
        ("inceptionv3", "299", "−1…1"),
        ("cnn", None, "0…1"),
    ):
        state.settings(IMAGES).model.architecture = arch
        state.notify_model_changed()
        assert norm in prep.norm_edit.text()
        if size:
            assert prep.size_spin.text() == f"Auto ({size} px)"
            assert f"{size} px" in prep.size_spin.toolTip()
    assert not prep.speed_note.isVisibleTo(prep)  # no backbone, nothing to cache
    state.settings(IMAGES).model.architecture = "resnet50"
    state.notify_model_changed()
    assert prep.speed_note.isVisibleTo(prep)
    prep.augment_check.setChecked(False)
    assert not prep.speed_note.isVisibleTo(prep)  # already the fast path


def test_cnn_auto_size_comes_from_the_images(qtbot, prep, state, dataset):
    state.settings(IMAGES).model.architecture = "cnn"
    state.set_dataset(IMAGES, dataset)  # 32 px images (×0.75–1.5)
    qtbot.waitUntil(lambda: prep.size_spin.text() != "Auto")  # statistics: in the background
    text = prep.size_spin.text()
    assert text.startswith("Auto (") and text.endswith(" px)")
    assert 32 <= int(text[6:-4]) <= 48
    assert "Caching 12 images" in prep.cache_note.text()


def test_auto_shows_the_size_of_the_network_auto_picks_here(qtbot, prep, state, dataset):
    state.settings(IMAGES).model.architecture = "auto"
    state.set_dataset(IMAGES, dataset)
    state.auto_architecture = "cnn"  # the Model page found no pretrained weights
    state.notify_model_changed()
    qtbot.waitUntil(lambda: prep.size_spin.text() != "Auto")
    assert prep.effective_size() <= 48  # the CNN's size, not a backbone's 224
    assert f"at {prep.effective_size()} px" in prep.cache_note.text()
    state.auto_architecture = "inceptionv3"
    state.notify_model_changed()
    assert prep.size_spin.text() == "Auto (299 px)" and prep.effective_size() == 299


def test_tiny_sizes_snap_to_the_minimum(prep, state):
    prep.size_spin.setValue(8)
    assert state.settings(IMAGES).preprocess.image_size == 16
    prep.size_spin.editingFinished.emit()
    assert prep.size_spin.value() == 16


def test_augmentation_off_disables_strengths_and_reset(qtbot, prep, state):
    prep.augment_check.setChecked(False)
    assert not state.settings(IMAGES).preprocess.augment.enabled
    assert not prep.flip_combo.isEnabled()
    assert not any(s.isEnabled() for s in prep.strength_spins.values())
    prep.augment_check.setChecked(True)
    prep.strength_spins["zoom"].setValue(0.4)
    config = state.settings(IMAGES).preprocess
    config.image_size = 64
    with qtbot.waitSignal(state.preprocess_changed):
        prep.reset_button.click()
    assert state.settings(IMAGES).preprocess.augment == AugmentConfig()
    assert prep.strength_spins["zoom"].value() == AugmentConfig().zoom
    assert state.settings(IMAGES).preprocess.image_size == 64  # only the augmentation is reset


def test_validation_and_test_leave_training_at_least_40_percent(prep, state):
    prep.test_spin.setValue(30)
    prep.val_spin.setValue(40)  # 70 % held out: the other one gives way
    assert prep.test_spin.value() == 20
    prep.test_spin.setValue(45)
    assert prep.val_spin.value() == 15
    c = state.settings(IMAGES).preprocess
    assert (c.validation_fraction, c.test_fraction) == (0.15, 0.45)
    assert "40 %" in prep.split_note.text()


def test_a_split_folder_disables_the_fractions(qtbot, prep, state, tmp_path):
    root = image_factory.make_split_folders(tmp_path / "split", counts={"train": 2, "val": 1})
    state.set_dataset(IMAGES, dataset_of(root, "split_folders"))
    assert state.loaded(IMAGES).has_split
    assert not prep.val_spin.isEnabled() and not prep.test_spin.isEnabled()
    assert "already split" in prep.split_note.text()
    state.set_dataset(IMAGES, dataset_of(root / "train"))
    assert prep.val_spin.isEnabled()


# -- Preprocess page: preview ----------------------------------------------------------------
def test_preview_waits_for_the_engine(qtbot, prep, state, dataset, fake):
    prep.show()
    state.set_dataset(IMAGES, dataset)
    qtbot.waitUntil(lambda: prep.preview_status.text() == pp.NOT_READY)
    assert fake.calls == []
    state.set_engine_ready(True)
    qtbot.waitUntil(lambda: len(fake.calls) == 1 and preview_done(prep), timeout=5000)
    paths, config, size = fake.calls[0]
    labels = {Path(p).parent.name for p in paths}
    assert len(paths) == pp.PREVIEW_ROWS and len(labels) == 3  # one image per class
    assert config == state.settings(IMAGES).preprocess.augment and size <= pp.PREVIEW_MAX_SIZE
    assert tile_rgb(prep, 0, 0) == (200, 200, 200)  # as loaded
    assert tile_rgb(prep, 2, 3) == (10, 245, 0)  # augmented
    assert "augmented as in training" in prep.preview_status.text()
    prep.augment_check.setChecked(False)  # augmented columns would only repeat the originals
    qtbot.waitUntil(lambda: len(fake.calls) == 2 and preview_done(prep), timeout=5000)
    assert prep.tiles[0][1].pixmap().isNull() and "off" in prep.tiles[0][1].text()
    assert tile_rgb(prep, 0, 0) == (200, 200, 200)
    assert "augmentation off" in prep.preview_status.text()


def test_edits_are_debounced_and_stale_previews_dropped(qtbot, prep, state, dataset, fake):
    state.set_engine_ready(True)
    prep.show()
    fake.gate = threading.Event()
    state.set_dataset(IMAGES, dataset)
    qtbot.waitUntil(fake.started.is_set, timeout=5000)  # the first preview is held running
    for value in (0.1, 0.2, 0.3):  # a burst of edits while it runs
        prep.strength_spins["rotation"].setValue(value)
    fake.gate.set()
    qtbot.waitUntil(lambda: len(fake.calls) == 2 and preview_done(prep), timeout=5000)
    qtbot.wait(pp.PREVIEW_DEBOUNCE_MS + 100)
    assert len(fake.calls) == 2  # one preview for the whole burst
    assert fake.calls[1][1].rotation == 0.3
    assert tile_rgb(prep, 0, 1) == (20, 235, 0)  # the first (stale) result was never shown


def test_new_samples_and_grayscale(qtbot, prep, state, dataset, fake):
    state.set_engine_ready(True)
    prep.show()
    state.set_dataset(IMAGES, dataset)
    qtbot.waitUntil(lambda: len(fake.calls) == 1 and preview_done(prep), timeout=5000)
    first = list(prep.preview_paths)
    prep.color_combo.setCurrentIndex(prep.color_combo.findData("grayscale"))
    qtbot.waitUntil(lambda: len(fake.calls) == 2 and preview_done(prep), timeout=5000)
    r, g, b = tile_rgb(prep, 0, 1)
    assert r == g == b  # what a grayscale model sees
    for _ in range(5):
        prep.new_samples_button.click()
        qtbot.waitUntil(lambda: preview_done(prep), timeout=5000)
        if prep.preview_paths != first:
            break
    assert prep.preview_paths != first


def test_preview_failure_is_shown(qtbot, prep, state, dataset, monkeypatch):
    from automl_gui.core.base.errors import DataError

    def broken(*_a, **_k):
        raise DataError("Could not read the image x.png: not a readable image.", "Check it.")

    monkeypatch.setattr(core_images, "load_images", broken)
    state.set_engine_ready(True)
    prep.show()
    state.set_dataset(IMAGES, dataset)
    qtbot.waitUntil(lambda: "No preview" in prep.preview_status.text(), timeout=5000)
    assert "x.png" in prep.preview_status.text()


def test_hidden_page_waits_until_shown(qtbot, prep, state, dataset, fake):
    state.set_engine_ready(True)
    state.set_dataset(IMAGES, dataset)
    qtbot.wait(pp.PREVIEW_DEBOUNCE_MS + 100)
    assert fake.calls == []
    prep.show()
    qtbot.waitUntil(lambda: len(fake.calls) == 1, timeout=5000)


def test_real_preview_with_tensorflow(qtbot, prep, state, dataset):
    """The preview through core's real decoding and Keras augmentation layers."""
    state.set_engine_ready(True)
    state.settings(IMAGES).preprocess.image_size = 32
    prep.show()
    state.set_dataset(IMAGES, dataset)
    qtbot.waitUntil(lambda: "sample images" in prep.preview_status.text(), timeout=60000)
    assert "at 32 px" in prep.preview_status.text()
    pix = prep.tiles[0][1].pixmap()
    assert not pix.isNull() and pix.width() == pp.TILE


def test_pick_samples_spreads_over_classes_and_is_quick_at_50000():
    items = [ImageItem(f"/x/{i % 7}/{i}.png", f"class{i % 7}") for i in range(50_000)]
    data = ImageDataset("/x", "class_folders", items, [f"class{k}" for k in range(7)])
    start = time.perf_counter()
    paths = pp.pick_samples(data, 3, seed=1)
    assert time.perf_counter() - start < 0.05
    assert len({p.split("/")[2] for p in paths}) == 3
    assert paths == pp.pick_samples(data, 3, seed=1) != pp.pick_samples(data, 3, seed=2)
    one_class = ImageDataset("/x", "class_folders", [items[0], items[7]], ["class0"])
    assert sorted(pp.pick_samples(one_class, 3, seed=0)) == ["/x/0/0.png", "/x/0/7.png"]


def test_strength_texts():
    assert pp.strength_text("rotation", 0.05) == "up to ±18°"
    assert pp.strength_text("translation", 0.2) == "shift up to 20 %"
    assert pp.strength_text("zoom", 0) == "off"


def test_preprocess_controls_have_tooltips(prep):
    assert_tooltips(prep)


def assert_tooltips(page):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    for cls in (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractButton):
        for w in page.findChildren(cls):
            if isinstance(w.parent(), (QAbstractSpinBox, QComboBox)):
                continue  # the spin box's / combo's own line edit
            if w.objectName().startswith("qt_"):
                continue
            assert w.toolTip(), f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"


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
    assert state.settings(IMAGES).model.architecture == "auto" and model_page.layers_spin.isEnabled()
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
    assert other.settings(IMAGES).model.fine_tune_epochs == 3 and other.settings(IMAGES).model.weights_path == str(file)
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
    assert model_page.training.epochs == 30  # image default (as the command line)
    state.set_dataset(IMAGES, dataset)
    assert state.training is model_page.training
    model_page.training_form.epochs_spin.setValue(8)
    model_page.training_form.batch_spin.setValue(16)
    assert (state.training.epochs, state.training.batch_size) == (8, 16)
    assert table_training.epochs == TrainConfig().epochs
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
    assert state.training == TrainConfig(epochs=30) and state.training is model_page.training
    assert model_page.arch_combo.currentData() == "auto"


def test_model_controls_have_tooltips(model_page):
    assert_tooltips(model_page)


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
