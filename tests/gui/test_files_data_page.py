"""Image and audio Data pages alike: a slow scan shows its progress and Cancel returns to the
dataset loaded before, and a table dataset clears the page. What only one kind's page shows
stays in test_image_data_page.py and test_audio_data_page.py."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import audio_factory
import image_factory
import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import Progress
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.audio import data as audio_data
from automl_gui.gui.pages.audio.data import AudioDataPage
from automl_gui.gui.pages.images import data as image_data
from automl_gui.gui.pages.images.data import ImageDataPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.image_gallery import loader


def image_folder(root: Path) -> Path:
    """3 classes × 8 images of varied small sizes, and 3 broken files."""
    root = image_factory.make_class_folders(root, per_class=8, size=(32, 32), vary_size=True)
    image_factory.write_zero_bytes(root / "circle" / "zero.png")
    image_factory.write_truncated(root / "square" / "cut.jpg")
    image_factory.write_not_an_image(root / "triangle" / "text.jpg")
    return root


def audio_folder(root: Path) -> Path:
    """3 classes × 4 short clips, and 3 broken files."""
    root = audio_factory.make_class_folders(
        root,
        ("chirp", "noise", "tone"),
        4,
        seconds=(0.3, 0.9),
        rates=(8000, 16000),
        formats=("wav", "flac", "ogg"),
    )
    audio_factory.write_empty(root / "chirp" / "empty.wav")
    audio_factory.write_text_as_audio(root / "noise" / "page.mp3")
    audio_factory.write_too_short(root / "tone" / "blip.wav")
    return root


@dataclass(frozen=True)
class DataPages:
    """What differs between the kinds' Data pages."""

    page: type
    module: object  # the page's module, whose scan_job a slow scan replaces
    folder: Callable[[Path], Path]
    progress: tuple[float, str]  # what the slow scan reports
    shown: Callable[[object], int]  # the files the page lists (gallery or clip table)
    cleared: Callable[[object], bool]  # more that a cleared page has let go of


DATA_PAGES = {
    IMAGES: DataPages(
        page=ImageDataPage,
        module=image_data,
        folder=image_folder,
        progress=(0.25, "Checking images… 1,234 / 5,000"),
        shown=lambda page: page.gallery.count(),
        cleared=lambda page: True,
    ),
    AUDIO: DataPages(
        page=AudioDataPage,
        module=audio_data,
        folder=audio_folder,
        progress=(0.4, "Checking clips… 40 / 100"),
        shown=lambda page: page.clip_model.rowCount(),
        cleared=lambda page: page.player_bar.button.clip_name == "",
    ),
}


@pytest.fixture(params=list(DATA_PAGES), ids=str)
def kind(request):
    return request.param


@pytest.fixture
def state(qtbot, tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return AppState()


@pytest.fixture
def page(qtbot, state, kind):
    p = DATA_PAGES[kind].page(state)
    qtbot.addWidget(p)
    p.resize(1100, 720)
    p.show()
    yield p
    p.wait_idle()  # joins the scan and decoding workers
    loader().wait(10_000)


@pytest.fixture
def folder(kind, tmp_path):
    return DATA_PAGES[kind].folder(tmp_path / "data")


def load(qtbot, page, path) -> None:
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.load(str(path))
        assert page.is_busy and page.busy_box.isVisibleTo(page)
    assert not page.is_busy and not page.busy_box.isVisibleTo(page)


def test_progress_is_shown_and_cancel_returns_to_the_previous_state(
    qtbot, page, state, kind, folder, monkeypatch
):
    load(qtbot, page, folder)
    previous = state.loaded(kind)
    pause = threading.Event()  # never set: a sleep that is not time.sleep
    fraction, message = DATA_PAGES[kind].progress

    def slow_scan(path, on_event=None, cancel=None):
        on_event(Progress("scan", fraction, message))
        while not cancel.cancelled:
            pause.wait(0.01)
        raise CancelledError()

    monkeypatch.setattr(DATA_PAGES[kind].module, "scan_job", slow_scan)  # load_job calls it
    page.load(str(folder))
    qtbot.waitUntil(lambda: page.busy_label.text() == message)
    assert page.progress.value() == round(1000 * fraction) and page.progress.maximum() == 1000
    assert page.cancel_button.isVisibleTo(page)
    with qtbot.waitSignal(page.busy_changed, timeout=10_000) as blocker:
        page.cancel_button.click()
    assert blocker.args == [False]
    assert state.loaded(kind) is previous and page.stack.currentIndex() == 1
    assert page.banner.level == "info" and "cancelled" in page.banner.text
    assert "still loaded" in page.banner.text


def test_a_table_dataset_clears_the_page(qtbot, page, state, kind, folder):
    load(qtbot, page, folder)
    assert DATA_PAGES[kind].shown(page) > 0 and page.bad_model.rowCount() == 3
    state.set_dataset(TABULAR, None, None)
    assert page.stack.currentIndex() == 0
    assert DATA_PAGES[kind].shown(page) == 0 and page.bad_model.rowCount() == 0
    assert DATA_PAGES[kind].cleared(page)
