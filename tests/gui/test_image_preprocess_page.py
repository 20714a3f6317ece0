"""Image Preprocess page: edits reach the config and are remembered, previews run off the UI
thread and stale results are dropped (the Model page: test_image_model_page.py; what the image
and audio pages share: test_files_preprocess_model_pages.py)."""

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

from automl_gui.core.data.images import ImageDataset, ImageItem
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.preprocess import images as core_images
from automl_gui.core.preprocess.image_config import AugmentConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.images import preprocess as pp
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


def test_validation_and_test_leave_training_at_least_40_percent(prep, state):
    prep.test_spin.setValue(30)
    prep.val_spin.setValue(40)  # 70 % held out: the other one gives way
    assert prep.test_spin.value() == 20
    prep.test_spin.setValue(45)
    assert prep.val_spin.value() == 15
    c = state.settings(IMAGES).preprocess
    assert (c.validation_fraction, c.test_fraction) == (0.15, 0.45)
    assert "40 %" in prep.split_note.text()


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


def test_auto_colour_says_what_it_resolves_to(qtbot, prep, state, dataset):
    """Auto colour names its choice for the loaded folder (the job's rule), as Auto size
    names its size; the preview follows it."""
    import dataclasses

    combo = prep.color_combo
    auto = combo.findData("auto")
    assert combo.itemText(auto) == "Auto (grayscale if all gray)"  # nothing loaded
    state.set_dataset(IMAGES, dataset)
    n = len(dataset)
    colour = n - dataset.gray_count()  # the factory makes some images gray
    assert 0 < colour and combo.itemText(auto) == f"Auto (RGB: {colour} of {n} images in colour)"
    assert prep.resolved_colour() == "rgb"
    gray = dataclasses.replace(
        dataset, items=[dataclasses.replace(i, mode="L") for i in dataset.items]
    )
    state.set_dataset(IMAGES, gray)
    assert combo.itemText(auto) == f"Auto (grayscale: all {n} images are gray)"
    assert prep.resolved_colour() == "grayscale"
    combo.setCurrentIndex(combo.findData("rgb"))
    assert prep.resolved_colour() == "rgb"  # chosen by hand
