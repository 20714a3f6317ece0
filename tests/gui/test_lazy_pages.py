"""The window builds a step's image and audio pages on first need, not with the window.

Start-up stays fast (no audio plots, clip panels or image previews are built for a table);
a page built after its dataset was loaded still shows that dataset; the window's lazy
``media_pages`` / ``image_pages`` / ``image_data_page`` keep working; Tools → Compare
Settings… opens the comparison study dialog, or says why it cannot.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QLabel

from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.gui.dialogs import messages
from automl_gui.gui.main_window import MainWindow
from automl_gui.gui.pages._files_preprocess import NOT_READY
from automl_gui.gui.state import AppState
from automl_gui.gui.step_host import StepHost, UnavailablePage

MEDIA_STEPS = ("data", "preprocess", "model", "evaluate")


def write_csv(path, n: int = 40) -> str:
    rng = np.random.default_rng(2)
    x = rng.normal(size=n)
    pd.DataFrame({"x": x, "label": (x > 0).astype(int)}).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, m, h="": shown.append((m, h)))
    return shown


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(state: AppState | None = None) -> MainWindow:
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(state=state, settings=settings, load_engine=False)
        qtbot.addWidget(window)
        return window

    return make


def built(window: MainWindow, kind: str) -> list[str]:
    return [name for name, host in window.hosts.items() if host.is_built(kind)]


def test_step_host_builds_a_kind_once_on_first_need(qtbot):
    calls: list[str] = []

    def factory(name: str) -> QLabel:
        calls.append(name)
        return QLabel(name)

    table = QLabel("table")
    table.name, table.title = "data", "Data"
    host = StepHost({"tabular": table}, {"images": lambda: factory("images")})
    qtbot.addWidget(host)
    assert host.kinds == ["tabular", "images"] and calls == []
    assert host.page("audio") is table  # a kind this step does not distinguish
    host.show_kind("images")
    page = host.currentWidget()
    assert calls == ["images"] and page.text() == "images"
    host.show_kind("tabular")
    host.show_kind("images")
    assert host.page("images") is page and calls == ["images"]
    host.wait_idle()  # pages without wait_idle are fine


def test_window_opens_without_building_image_or_audio_pages():
    """In a fresh interpreter: no media page module is even imported until needed (only the
    page packages' light declarations)."""
    script = textwrap.dedent(
        """
        import os, sys, tempfile
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from automl_gui.gui.main_window import MainWindow
        s = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
        w = MainWindow(settings=s, load_engine=False)
        w.show()
        app.processEvents()
        # the packages' __init__ (their WINDOW: menu words) load with the window, no page
        pages = sorted(m for m in sys.modules if m.startswith(("automl_gui.gui.pages.images.",
                                                               "automl_gui.gui.pages.audio.")))
        print("modules", pages)
        print("built", sorted({k for h in w.hosts.values() for k in h.kind_pages}))
        page = w.media_pages["images"]["data"]
        print("after", type(page).__name__, "automl_gui.gui.pages.audio.data" in sys.modules)
        w.close()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    lines = out.stdout.splitlines()
    assert "modules []" in lines, out.stdout + out.stderr
    assert "built ['tabular']" in lines, out.stdout + out.stderr
    assert "after ImageDataPage False" in lines, out.stdout + out.stderr


def test_image_pages_built_after_loading_show_the_folder(qtbot, make_window, tmp_path, errors):
    from image_factory import make_class_folders

    w = make_window()
    w.show()
    assert built(w, "images") == [] and built(w, "audio") == []
    assert (
        sorted(w.media_pages["images"]) == sorted(MEDIA_STEPS) and len(w.media_pages["audio"]) == 4
    )
    root = make_class_folders(tmp_path / "pics", per_class=4, size=(24, 24))
    with qtbot.waitSignal(w.media_pages["images"]["data"].loaded, timeout=30_000):
        assert w.open_path(str(root))
    assert built(w, "images") == list(MEDIA_STEPS) and built(w, "audio") == []
    assert not errors
    for name in MEDIA_STEPS:
        assert w.hosts[name].currentWidget() is w.media_pages["images"][name]
    prep, model = w.media_pages["images"]["preprocess"], w.media_pages["images"]["model"]
    # built while the folder loaded: they show it, not the empty "open a folder" state
    qtbot.waitUntil(lambda: prep.preview_status.text() == NOT_READY)  # after the debounce
    assert "Caching 12 images" in prep.cache_note.text()
    assert w.state.training is model.training  # Train uses the image Model page's settings
    evaluate = w.media_pages["images"]["evaluate"]
    assert evaluate.cards.values() == {} and not evaluate.save_button.isEnabled()
    # window.close joins the built pages' jobs; the audio pages are still never built
    w.close()
    assert built(w, "audio") == []


def test_audio_pages_built_after_loading_show_the_clips(qtbot, make_window, tmp_path, errors):
    from audio_factory import make_class_folders as make_clips

    w = make_window()
    root = make_clips(tmp_path / "clips", ("tone", "click"), per_class=3, formats=("wav",))
    with qtbot.waitSignal(w.media_pages["audio"]["data"].loaded, timeout=30_000):
        assert w.open_path(str(root))
    assert built(w, "audio") == list(MEDIA_STEPS) and built(w, "images") == []
    assert w.state.kind.name == "audio" and not errors
    prep = w.media_pages["audio"]["preprocess"]
    combo = prep.clip_combo
    listed = [combo.itemData(i) for i in range(1, combo.count())]
    assert listed and all(str(root) in p for p in listed)  # the loaded folder's clips
    qtbot.waitUntil(lambda: prep.preview_status.text() == NOT_READY)
    assert w.state.training is w.media_pages["audio"]["model"].training
    assert w.hosts["evaluate"].currentWidget() is w.media_pages["audio"]["evaluate"]


def test_switching_table_images_table_audio(qtbot, make_window, tmp_path, errors):
    from audio_factory import make_class_folders as make_clips
    from image_factory import make_class_folders

    w = make_window()
    w.show()
    table_pages = {name: host.page("tabular") for name, host in w.hosts.items()}
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "a.csv"))
    assert built(w, "images") == [] and w.go_to("model")
    assert w.hosts["model"].currentWidget() is table_pages["model"]
    pics = make_class_folders(tmp_path / "pics", per_class=3, size=(20, 20))
    with qtbot.waitSignal(w.media_pages["images"]["data"].loaded, timeout=30_000):
        assert w.open_path(str(pics))
    image_model = w.media_pages["images"]["model"]
    assert w.hosts["model"].currentWidget() is image_model
    assert w.state.training is image_model.training
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "b.csv"))
    for name, host in w.hosts.items():
        assert host.currentWidget() is table_pages[name]
    assert w.state.training is not image_model.training  # the table's settings again
    clips = make_clips(tmp_path / "clips", ("tone", "click"), per_class=2, formats=("wav",))
    with qtbot.waitSignal(w.media_pages["audio"]["data"].loaded, timeout=30_000):
        assert w.open_path(str(clips))
    for name in MEDIA_STEPS:
        assert w.hosts[name].currentWidget() is w.media_pages["audio"][name]
    assert w.hosts["train"].currentWidget() is table_pages["train"]  # one Train page for all
    assert w.media_pages["images"]["model"] is image_model  # built once, kept
    assert w.go_to("preprocess") and w.go_to("model") and not errors


def test_a_window_given_a_state_with_a_run_shows_it(qtbot, make_window, tmp_path):
    from test_image_evaluate_page import fake_run

    from automl_gui.core.data.images import scan_images

    run = fake_run(tmp_path / "run", ("cat", "dog"), 4)
    state = AppState()
    state.set_dataset(IMAGES, scan_images(str(tmp_path / "run")))
    state.set_run(run)
    w = make_window(state)
    evaluate = w.media_pages["images"]["evaluate"]
    assert w.hosts["evaluate"].currentWidget() is evaluate
    assert evaluate.cards.values()["Accuracy"] == f"{run.report['metrics']['accuracy']:.4f}"
    assert w.go_to("evaluate") and w.current_page_name() == "evaluate"


def test_a_step_page_that_cannot_load_stands_in_when_built(
    qtbot, make_window, tmp_path, monkeypatch, errors
):
    from audio_factory import make_class_folders as make_clips

    from automl_gui.gui.pages import registry

    pages = registry.kind_window(AUDIO).pages
    monkeypatch.setitem(pages, "model", "automl_gui.gui.pages.no_such:Page")
    w = make_window()
    root = make_clips(tmp_path / "clips", ("tone", "click"), per_class=2, formats=("wav",))
    with qtbot.waitSignal(w.media_pages["audio"]["data"].loaded, timeout=30_000):
        assert w.open_path(str(root))
    page = w.hosts["model"].currentWidget()
    assert isinstance(page, UnavailablePage) and "no_such" in page.reason
    assert page is w.media_pages["audio"]["model"] and not errors
    assert w.go_to("preprocess")
    w.close()  # wait_idle skips the stand-in


def test_compare_settings_opens_the_study_dialog(qtbot, make_window, tmp_path, monkeypatch):
    w = make_window()
    assert not w.action_compare.isEnabled()
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "a.csv"))
    assert w.action_compare.isEnabled() and "optimizers" in w.action_compare.toolTip()
    opened: list[tuple[object, object]] = []
    fake = types.ModuleType("automl_gui.gui.dialogs.study")
    fake.open_study_dialog = lambda state, parent: opened.append((state, parent))
    monkeypatch.setitem(sys.modules, "automl_gui.gui.dialogs.study", fake)
    w.action_compare.trigger()
    assert opened == [(w.state, w)]


def test_compare_settings_says_why_when_studies_are_missing(
    qtbot, make_window, tmp_path, monkeypatch, errors
):
    w = make_window()
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "a.csv"))
    monkeypatch.setitem(sys.modules, "automl_gui.gui.dialogs.study", None)  # import fails
    w.open_study()
    assert errors and "Comparison studies are not available" in errors[0][0]
    assert "Reinstall" in errors[0][1] and "not available" in w.banner.text
