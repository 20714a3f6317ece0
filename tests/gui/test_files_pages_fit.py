"""The image and audio pages fit a 1024-pixel window (issue 15 follow-up): their Preprocess
pages held the settings and the preview side by side, ~870 pixels of the ~830 the page has
beside the step list, so they scrolled sideways and cut off the intro, the normalization
text, the preview's last column and the augmentation hints."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QBoxLayout, QScrollArea

from automl_gui.core.base.resources import resource_path
from automl_gui.gui import settings as app_settings
from automl_gui.gui.state import AppState

STACKED, SIDE = QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.LeftToRight


def fits(page) -> bool:
    scroll = page.findChild(QScrollArea)
    inner, bar = scroll.widget(), scroll.horizontalScrollBar()
    return inner.width() <= scroll.viewport().width() and not bar.isVisible()


def spectrograms():
    from automl_gui.gui.pages.audio._preview import PREVIEW_AUGMENTED, AudioPreview

    rng = np.random.default_rng(0)
    features = rng.uniform(-80, 0, size=(98, 64)).astype("float32")
    waves = np.zeros((PREVIEW_AUGMENTED, 16000), dtype="float32")
    return AudioPreview(
        "tick_10.flac", 16000, waves[0], features, waves, np.stack([features] * len(waves))
    )


@pytest.mark.parametrize("name", ["images", "audio"])
def test_the_preprocess_pages_fit_a_1024_pixel_window(qtbot, tmp_path, name):
    from automl_gui.gui.pages.audio.preprocess import AudioPreprocessPage
    from automl_gui.gui.pages.images.preprocess import ImagePreprocessPage

    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    cls = {"images": ImagePreprocessPage, "audio": AudioPreprocessPage}[name]
    page = cls(AppState())
    qtbot.addWidget(page)
    page.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))  # as the app
    if name == "audio":  # its notes and hints fill in with a dataset
        from automl_gui.core.data.audio import scan_audio
        from automl_gui.core.kinds.audio import AUDIO

        folder = resource_path("samples", "sounds")  # the sample the reviewer used
        page.state.set_dataset(AUDIO, scan_audio(str(folder)))
        page.preview_box.show_result(spectrograms(), page.config)  # as the preview draws them
    page.resize(830, 600)  # a 1024-pixel window less the step list
    page.show()
    qtbot.wait(100)  # the style sheet widens the widgets once they are shown
    qtbot.waitUntil(lambda: fits(page) and page.columns.direction() == STACKED, timeout=2000)
    page.resize(1210, 800)  # a 1400-pixel window: side by side, still no sideways scroll
    qtbot.waitUntil(lambda: fits(page) and page.columns.direction() == SIDE, timeout=2000)
    page.resize(830, 600)  # and back
    qtbot.waitUntil(lambda: fits(page) and page.columns.direction() == STACKED, timeout=2000)
    qtbot.wait(100)
    assert fits(page)
    page.wait_idle()
