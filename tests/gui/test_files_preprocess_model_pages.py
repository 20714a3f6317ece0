"""Image and audio Preprocess and Model pages alike: a split folder fixes the fractions,
augmentation off disables its strengths and Reset restores only the augmentation, and every
control explains itself. What only one kind's pages do stays in that kind's files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import audio_factory
import image_factory
import pytest
from PySide6.QtCore import QSettings
from test_image_preprocess_page import dataset_of  # tests/gui is on the path

from automl_gui.core.data.audio import scan_audio
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.preprocess.audio_config import AudioAugmentConfig
from automl_gui.core.preprocess.image_config import AugmentConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.audio.model import AudioModelPage
from automl_gui.gui.pages.audio.preprocess import AudioPreprocessPage
from automl_gui.gui.pages.images import model as image_model_page
from automl_gui.gui.pages.images.model import ImageModelPage
from automl_gui.gui.pages.images.preprocess import ImagePreprocessPage
from automl_gui.gui.state import AppState


def image_split(root: Path) -> tuple[Any, Any]:
    """A split image folder's dataset, and its train/ folder's (unsplit)."""
    image_factory.make_split_folders(root, counts={"train": 2, "val": 1})
    return dataset_of(root, "split_folders"), dataset_of(root / "train")


def audio_split(root: Path) -> tuple[Any, Any]:
    """A split audio folder's dataset, and its train/ folder's (unsplit)."""
    audio_factory.make_split_folders(
        root, ("a", "b"), {"train": 2, "val": 1}, formats=("wav",), rates=(8000,)
    )
    return scan_audio(str(root)), scan_audio(str(root / "train"))


@dataclass(frozen=True)
class Pages:
    """What differs between the kinds' Preprocess and Model pages."""

    preprocess: type
    model: type
    split: Callable[[Path], tuple[Any, Any]]  # folder -> (split dataset, unsplit dataset)
    augment: type  # the augmentation settings' class (its defaults are Reset's)
    augment_widgets: tuple[str, ...]  # more controls augmentation off disables
    strength: tuple[str, float]  # a strength edited before Reset
    kept: tuple[str, Any]  # a preprocess setting Reset leaves alone


PAGES = {
    IMAGES: Pages(
        preprocess=ImagePreprocessPage,
        model=ImageModelPage,
        split=image_split,
        augment=AugmentConfig,
        augment_widgets=("flip_combo",),
        strength=("zoom", 0.4),
        kept=("image_size", 64),
    ),
    AUDIO: Pages(
        preprocess=AudioPreprocessPage,
        model=AudioModelPage,
        split=audio_split,
        augment=AudioAugmentConfig,
        augment_widgets=("noise_check", "masks_spin"),
        strength=("gain_db", 12),
        kept=("sample_rate", 8000),
    ),
}


@pytest.fixture(params=list(PAGES), ids=str)
def kind(request):
    return request.param


@pytest.fixture
def state(qtbot, tmp_path):
    """A new window's state, with its settings in a fresh file (as a first launch)."""
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return AppState()


@pytest.fixture
def prep(qtbot, state, kind):
    page = PAGES[kind].preprocess(state)
    qtbot.addWidget(page)
    yield page
    page.wait_idle()


@pytest.fixture
def model_page(qtbot, state, kind, monkeypatch):
    """The kind's Model page, its weights lookup 'finding' ResNet50's (no file is hashed)."""

    def lookup(folder):
        where = {"resnet50": "/cache/resnet50_notop.h5"}
        return {
            arch: {"path": where.get(arch), "error": "", "skipped": [], "size_bytes": 9e7}
            for arch in ("resnet50", "inceptionv3")
        }

    monkeypatch.setattr(image_model_page, "lookup_weights", lookup)
    page = PAGES[kind].model(state)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.lookup_busy and page.weights_status is not None)
    yield page
    page.wait_idle()


def assert_tooltips(page) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit

    for cls in (QComboBox, QAbstractSpinBox, QLineEdit, QAbstractButton):
        for w in page.findChildren(cls):
            if isinstance(w.parent(), (QAbstractSpinBox, QComboBox)):
                continue  # the spin box's / combo's own line edit
            if w.objectName().startswith("qt_"):
                continue
            assert w.toolTip(), f"{type(w).__name__} {getattr(w, 'text', lambda: '')()}"


def test_augmentation_off_disables_strengths_and_reset_restores_only_it(qtbot, prep, state, kind):
    table = PAGES[kind]
    prep.augment_check.setChecked(False)
    assert not state.settings(kind).preprocess.augment.enabled
    assert not any(s.isEnabled() for s in prep.strength_spins.values())
    assert not any(getattr(prep, name).isEnabled() for name in table.augment_widgets)
    prep.augment_check.setChecked(True)
    strength, value = table.strength
    prep.strength_spins[strength].setValue(value)
    field, kept = table.kept
    setattr(state.settings(kind).preprocess, field, kept)
    with qtbot.waitSignal(state.preprocess_changed):
        prep.reset_button.click()
    assert state.settings(kind).preprocess.augment == table.augment()
    assert prep.strength_spins[strength].value() == getattr(table.augment(), strength)
    assert getattr(state.settings(kind).preprocess, field) == kept  # only augmentation is reset


def test_a_split_folder_disables_the_fractions(prep, state, kind, tmp_path):
    split, unsplit = PAGES[kind].split(tmp_path / "split")
    state.set_dataset(kind, split)
    assert state.loaded(kind).has_split
    box = prep.split_box
    assert not box.val_spin.isEnabled() and not box.test_spin.isEnabled()
    assert "already split" in box.split_note.text()
    state.set_dataset(kind, unsplit)
    assert box.val_spin.isEnabled()


def test_preprocess_controls_have_tooltips(prep):
    assert_tooltips(prep)


def test_model_controls_have_tooltips(model_page):
    assert_tooltips(model_page)
