"""Main window: starts without TensorFlow, menus/shortcuts, drops, recent files, closing."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from gui_helpers import drop
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence

from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs import about, messages
from automl_gui.gui.main_window import MainWindow


def write_csv(path, n: int = 60) -> str:
    rng = np.random.default_rng(1)
    x = rng.normal(size=n)
    pd.DataFrame(
        {"x": x, "color": rng.choice(["red", "blue"], size=n), "label": (x > 0).astype(int)}
    ).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, m, h="": shown.append((m, h)))
    return shown


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(name: str = "s.ini") -> MainWindow:
        settings = QSettings(str(tmp_path / name), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, load_engine=False)
        qtbot.addWidget(window)
        return window

    return make


def test_window_appears_before_tensorflow_is_imported_and_engine_loads_after():
    script = textwrap.dedent(
        """
        import os, sys, tempfile
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
        from PySide6.QtCore import QSettings, QTimer
        from automl_gui.gui.app import create_application
        app = create_application()
        from automl_gui.gui.main_window import MainWindow
        s = QSettings(os.path.join(tempfile.mkdtemp(), "s.ini"), QSettings.Format.IniFormat)
        w = MainWindow(settings=s, load_engine=True)
        seen = []
        start = w.engine.start
        def spy():
            exposed = w.windowHandle() is not None and w.windowHandle().isExposed()
            seen.append((exposed, "tensorflow" in sys.modules))
            start()
        w.engine.start = spy
        w.show()
        print("shown", w.isVisible(), "tf", "tensorflow" in sys.modules, w.device_label.text())
        app.processEvents()
        w.state.engine_ready_changed.connect(lambda ok: app.quit())
        QTimer.singleShot(120000, app.quit)
        app.exec()
        print("engine started after show", seen)
        print("ready", w.state.engine_ready, "label", w.device_label.text())
        print("tip", w.device_label.toolTip())
        w.close()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180
    )
    lines = out.stdout.splitlines()
    assert lines and lines[0] == "shown True tf False Engine loading…", out.stdout + out.stderr
    assert lines[1] == "engine started after show [(True, False)]", out.stdout + out.stderr
    assert "ready True" in out.stdout, out.stdout + out.stderr
    label = next(line for line in lines if line.startswith("ready"))
    assert "CPU" in label
    assert "tip " in out.stdout and len(next(x for x in lines if x.startswith("tip"))) > 5


def test_menus_and_shortcuts(make_window):
    w = make_window()
    menus = [a.text().replace("&", "") for a in w.menuBar().actions()]
    assert menus == ["File", "Train", "View", "Tools", "Help"]
    assert w.action_open.shortcut() == QKeySequence("Ctrl+O")
    assert w.action_export.shortcut() == QKeySequence("Ctrl+E")
    assert w.action_quit.shortcut() == QKeySequence("Ctrl+Q")
    assert w.action_start.shortcut() == QKeySequence("Ctrl+R")
    assert w.action_compare.shortcut() == QKeySequence("Ctrl+Shift+K")
    shortcuts = [a.shortcut() for a in w.findChildren(type(w.action_open)) if a.shortcut()]
    assert shortcuts.count(QKeySequence("Ctrl+Shift+K")) == 1
    assert QKeySequence("Ctrl+.") in w.action_stop.shortcuts()
    assert QKeySequence(Qt.Key.Key_Escape) in w.action_stop.shortcuts()
    for i, name in enumerate(["data", "preprocess", "model", "train", "evaluate", "predict"]):
        assert w.page_actions[name].shortcut() == QKeySequence(f"Ctrl+{i + 1}")
    # nothing loaded: only Data and Predict are reachable; training and export are off
    assert not w.action_export.isEnabled()
    assert not w.action_start.isEnabled() and not w.action_stop.isEnabled()
    assert not w.action_compare.isEnabled() and "Open a dataset" in w.action_compare.toolTip()
    assert not w.page_actions["preprocess"].isEnabled()
    item = w.nav.item(1)
    assert not item.flags() & Qt.ItemFlag.ItemIsEnabled
    assert "Open a dataset" in item.toolTip()
    assert not w.go_to("model")
    for action in (w.action_open, w.action_start, w.action_stop, w.action_about):
        assert action.toolTip()


def mnemonic(text: str) -> str:
    """The letter after a single "&" in a menu text ('' when it has none; "&&" is a "&")."""
    i = text.replace("&&", "").find("&")
    return text.replace("&&", "")[i + 1].lower() if i >= 0 else ""


def test_every_menu_has_unique_mnemonics(make_window):
    """Alt+F then a letter picks one entry: no two entries of a menu (the menu bar, each menu
    and submenu, with every kind's entries built) share their underlined letter. File once
    had S for Save Project and Open Sample, P for Open Project and Open Image Sample."""
    from PySide6.QtWidgets import QMenu

    w = make_window()
    w.projects.fill_recent_menu()
    w._fill_recent_menu()

    def check(name: str, actions: list) -> None:
        letters = [mnemonic(a.text()) for a in actions if not a.isSeparator() and a.text()]
        taken = [x for x in letters if x]
        assert len(taken) == len(set(taken)), (name, [a.text() for a in actions])

    check("menu bar", w.menuBar().actions())
    menus = [a.menu() for a in w.menuBar().actions()]
    seen = 0
    while menus:
        menu = menus.pop()
        seen += 1
        check(menu.title(), menu.actions())
        menus += [a.menu() for a in menu.actions() if isinstance(a.menu(), QMenu)]
    assert seen >= 8  # five menus, two recent lists and Export Model
    file_menu = w.menuBar().actions()[0].menu()
    letters = {mnemonic(a.text()): a for a in file_menu.actions() if a.text()}
    assert letters["s"] is w.projects.action_save
    assert letters["t"] is w.action_open_sample
    assert letters["o"] is w.action_open
    assert mnemonic("Save &&Load &As") == "a" and mnemonic("No letter") == ""


def test_first_launch_shows_the_welcome_panel_once(make_window):
    w = make_window()
    assert w.data_page.stack.currentIndex() == 0
    assert w.data_page.welcome_title.text() == "Welcome to automl-gui"
    w.close()
    w2 = make_window()  # same settings file
    assert w2.data_page.welcome_title.text() != "Welcome to automl-gui"
    assert w2.data_page.stack.currentIndex() == 0


def test_dropping_a_csv_loads_it_and_fills_the_pages(qtbot, make_window, tmp_path, errors):
    w = make_window()
    w.show()
    path = write_csv(tmp_path / "d.csv")
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        drop(w, path, target=w.data_page.table)  # over a child widget: still taken
    page = w.data_page
    assert page.model.rowCount() == 60 and page.model.columnCount() == 3
    assert page.profile_view.row_count() == 3
    assert w.state.target == "label"
    assert page.stack.currentIndex() == 1
    assert "d.csv" in page.info_label.text() and "60 rows" in page.info_label.text()
    assert w.page_actions["preprocess"].isEnabled() and w.go_to("model")
    assert not w.page_actions["evaluate"].isEnabled()
    assert errors == []
    assert w.recent_files() == [str((tmp_path / "d.csv").resolve())]


def test_unsupported_drop_says_why_and_the_app_stays_usable(qtbot, make_window, tmp_path, errors):
    w = make_window()
    bad = tmp_path / "notes.docx"
    bad.write_bytes(b"PK\x03\x04 not a table")
    drop(w, str(bad))
    assert errors and "notes.docx" in errors[0][0]
    assert w.banner.isVisible() or not w.isVisible()
    assert "notes.docx" in w.banner.text
    assert w.state.loaded(TABULAR) is None
    # still usable: a good file opens afterwards
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "ok.csv"))
    assert w.state.dataset_name == "ok.csv"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_called_x_csv_is_refused_at_once(qtbot, make_window, tmp_path, errors):
    """Dropped or opened, a pipe is never read (a read would wait for a writer for ever)."""

    w = make_window()
    w.show()
    pipe = tmp_path / "x.csv"
    os.mkfifo(pipe)
    start = time.perf_counter()
    drop(w, str(pipe))
    assert not w.open_path(str(pipe))
    assert time.perf_counter() - start < 5
    assert not w.data_page.is_busy and w.state.loaded(TABULAR) is None
    assert len(errors) == 2 and all("named pipe" in message for message, _ in errors)
    assert "x.csv" in w.banner.text and "named pipe" in w.banner.text


def test_a_2_mb_cell_is_refused_with_the_reason_on_the_data_page(qtbot, make_window, tmp_path):
    w = make_window()
    w.show()
    path = tmp_path / "big.csv"
    rows = ["x,y,label"] + [f"{i},{i % 3},{'yes' if i % 2 else 'no'}" for i in range(20)]
    rows[4] = f"3,{'z' * (2 * 1024 * 1024)},no"
    path.write_text("\n".join(rows) + "\n")
    with qtbot.waitSignal(w.data_page.load_failed, timeout=30_000):
        w.open_path(str(path))
    banner = w.data_page.banner
    assert banner.isVisible() and not w.data_page.is_busy and w.state.loaded(TABULAR) is None
    assert "Could not load big.csv" in banner.text and "2.1 MB" in banner.text
    assert "column 'y'" in banner.text and "Line 5" in banner.text


def test_image_folder_opens_on_the_image_pages(qtbot, make_window, tmp_path, errors):
    from image_factory import make_class_folders

    w = make_window()
    root = make_class_folders(tmp_path / "pics", per_class=4, size=(24, 24))
    with qtbot.waitSignal(w.media_pages["images"]["data"].loaded, timeout=30_000):
        assert w.open_path(str(root))
    assert w.state.kind.name == "images" and len(w.state.loaded(IMAGES)) == 12
    assert not errors
    for name in ("data", "preprocess", "model", "evaluate"):
        assert w.hosts[name].currentWidget() is w.media_pages["images"][name]
    assert w.step_blocker("train") == "" and w.step_blocker("evaluate")
    # a table afterwards switches every step back to the table pages
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "ok.csv"))
    assert w.state.kind.name == "tabular" and w.state.loaded(IMAGES) is None
    assert w.hosts["data"].currentWidget() is w.pages["data"]


def test_one_class_image_folder_says_why(qtbot, make_window, tmp_path, errors):
    from image_factory import make_class_folders

    w = make_window()
    root = make_class_folders(tmp_path / "one", classes=("cat",), per_class=3, size=(20, 20))
    with qtbot.waitSignal(w.media_pages["images"]["data"].load_failed, timeout=30_000):
        assert w.open_path(str(root))
    assert w.state.loaded(IMAGES) is None
    assert "cat" in w.media_pages["images"]["data"].banner.text


def test_current_page_may_take_the_drop_first(make_window, tmp_path, monkeypatch):
    w = make_window()
    w.go_to("predict")
    taken: list[str] = []
    page = w.pages["predict"]
    monkeypatch.setattr(page, "accept_drop", lambda p: taken.append(p) or True, raising=False)
    opened: list[str] = []
    monkeypatch.setattr(w, "open_path", lambda p: opened.append(p) or True)
    w.handle_drop([str(tmp_path / "new.csv")])
    assert taken == [str(tmp_path / "new.csv")] and opened == []


def test_recent_files_persist_and_prune(qtbot, make_window, tmp_path, errors):
    a, b = write_csv(tmp_path / "a.csv"), write_csv(tmp_path / "b.csv")
    w = make_window()
    for path in (a, b):
        with qtbot.waitSignal(w.data_page.loaded, timeout=30_000):
            w.open_path(path)
    w.close()
    w2 = make_window()
    names = [p.rsplit("/", 1)[-1] for p in w2.recent_files()]
    assert names == ["b.csv", "a.csv"]
    w2._fill_recent_menu()
    texts = [act.text() for act in w2.recent_menu.actions()]
    assert any("b.csv" in t for t in texts) and any("a.csv" in t for t in texts)
    (tmp_path / "b.csv").unlink()
    assert [p.rsplit("/", 1)[-1] for p in w2.recent_files()] == ["a.csv"]
    w2.clear_recent()
    assert w2.recent_files() == []
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert app_settings.recent_files(settings) == []


def test_recent_list_is_capped(tmp_path):
    settings = QSettings(str(tmp_path / "r.ini"), QSettings.Format.IniFormat)
    for i in range(12):
        (tmp_path / f"{i}.csv").write_text("a\n1\n")
        app_settings.add_recent_file(settings, str(tmp_path / f"{i}.csv"))
    recent = app_settings.recent_files(settings)
    assert len(recent) == app_settings.MAX_RECENT and recent[0].endswith("11.csv")


def test_geometry_and_last_folder_persist(qtbot, make_window, tmp_path, errors):
    w = make_window()
    w.resize(900, 640)
    w.show()
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        w.open_path(write_csv(tmp_path / "g.csv"))
    w.close()
    saved, _ = app_settings.window_geometry(w.settings)
    assert saved is not None and not saved.isEmpty()
    w2 = make_window()
    # the offscreen screen is 800 px wide, so restoreGeometry may clamp the width
    assert w2.height() == 640 and w2.width() != 1280  # not the first-launch default
    assert app_settings.last_folder(w2.settings) == str(tmp_path)


def test_about_lists_versions_and_plan(qtbot, make_window):
    w = make_window()
    text = about.about_html(w.state)
    assert "PySide6" in text and "still loading" in text

    class Plan:
        device_label = "CPU (2 threads)"
        reason = "No GPU found: training on the CPU."

    w.state.set_engine_ready(True, Plan())
    assert w.device_label.text().endswith("CPU (2 threads)")
    assert w.device_label.toolTip() == Plan.reason
    text = about.about_html(w.state, ["cpu0"])
    assert "tensorflow" in text.lower() and "still loading" not in text
    assert "cpu0" in text and Plan.reason in text
    w.show_about()
    assert w._about is not None and "automl-gui" in w._about.label.text()
    w._about.close()


def test_status_bar_shows_state_status(make_window):
    w = make_window()
    w.state.status.emit("Doing something…")
    assert w.statusBar().currentMessage() == "Doing something…"


def test_closing_while_training_asks_then_stops_cleanly(qtbot, make_window, monkeypatch):
    w = make_window()
    w.show()
    page = w.train_page
    stopped: list[bool] = []
    monkeypatch.setattr(page, "stop_training", lambda: stopped.append(True))
    page.training_active_changed.emit(True)
    assert w.action_stop.isEnabled()
    monkeypatch.setattr(messages, "confirm", lambda *a: False)
    w.close()
    assert w.isVisible() and stopped == []
    monkeypatch.setattr(messages, "confirm", lambda *a: True)
    w.close()
    assert w.isVisible() and stopped == [True]  # waits for the worker to end
    page.training_active_changed.emit(False)  # the worker ended
    qtbot.waitUntil(lambda: not w.isVisible())


def test_many_qt_calls_do_not_exhaust_none_or_bool_references():
    """PySide6 6.12.0 on Python 3.11 leaks references to None/True (see gui/_pyside_fix.py)."""
    script = textwrap.dedent(
        """
        import os
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        import automl_gui.gui
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        class S(QObject):
            flag = Signal(bool)
        s, label = S(), QLabel()
        s.flag.connect(lambda v: None)
        for _ in range(60000):
            label.setText("x")
            s.flag.emit(True)
            s.flag.emit(False)
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]


def test_train_on_cpu_only_replans_and_is_remembered(make_window):
    from automl_gui.core.hardware import Device

    w = make_window()
    gpu = Device("NVIDIA H100", "GPU", 80 * 2**30, (9, 0))
    w.engine.devices = [gpu, Device("CPU", "CPU")]
    w.state.set_engine_ready(True, None)
    assert not w.action_force_cpu.isChecked()
    w.action_force_cpu.trigger()
    plan = w.state.hardware_plan
    assert plan.strategy == "default" and "turned off" in plan.reason
    assert "CPU" in w.device_label.text()
    w.action_force_cpu.trigger()
    assert w.state.hardware_plan.uses_gpu and w.state.hardware_plan.mixed_precision
    w.action_force_cpu.trigger()
    again = make_window()  # same settings file
    assert again.action_force_cpu.isChecked() and again.engine.force_cpu


def test_image_sample_opens_and_is_not_a_recent_file(qtbot, make_window, errors):
    w = make_window()
    assert w.sample_actions["images"].isEnabled()
    with qtbot.waitSignal(w.media_pages["images"]["data"].loaded, timeout=60_000):
        w.sample_actions["images"].trigger()
    assert w.state.kind.name == "images" and w.state.loaded(IMAGES).class_names == [
        "circle",
        "square",
        "triangle",
    ]
    assert (
        len(w.state.loaded(IMAGES)) == 120 and not w.state.loaded(IMAGES).bad_files and not errors
    )
    assert w.recent_files() == []


def test_audio_menu_entries_and_welcome_button(qtbot, make_window, monkeypatch):
    w = make_window()
    assert w.open_actions["audio"].shortcut() == QKeySequence("Ctrl+Alt+O")
    shortcuts = [a.shortcut() for a in w.findChildren(type(w.action_open)) if a.shortcut()]
    assert shortcuts.count(QKeySequence("Ctrl+Alt+O")) == 1
    assert w.sample_actions["audio"].isEnabled()
    assert w.data_page.sample_buttons["audio"].isEnabled()
    assert w.data_page.sample_buttons["audio"].toolTip()
    opened: list[str] = []
    monkeypatch.setattr(w, "open_path", lambda p: opened.append(p) or True)
    w.data_page.sample_buttons["audio"].click()
    assert opened == [str(AUDIO.sample_path())]
    assert sorted(p.name for p in AUDIO.sample_path().iterdir()) == [
        "hiss",
        "siren",
        "tick",
        "whistle",
    ]
    chosen: list[tuple[str, str]] = []

    def fake_dialog(_parent, caption, folder):
        chosen.append((caption, folder))
        return str(AUDIO.sample_path())

    monkeypatch.setattr("automl_gui.gui._opening.QFileDialog.getExistingDirectory", fake_dialog)
    w.open_actions["audio"].trigger()
    assert chosen and chosen[0][0] == "Open audio folder"
    assert opened[-1] == str(AUDIO.sample_path())


def test_a_page_that_cannot_load_leaves_the_window_usable(
    qtbot, make_window, tmp_path, monkeypatch, errors
):
    from automl_gui.gui.pages import registry
    from automl_gui.gui.step_host import UnavailablePage

    pages = registry.kind_window(AUDIO).pages
    monkeypatch.setitem(pages, "data", "automl_gui.gui.pages.no_such:Page")
    w = make_window()
    page = w.media_pages["audio"]["data"]
    assert isinstance(page, UnavailablePage) and "no_such" in page.reason
    folder = tmp_path / "clips" / "a"
    folder.mkdir(parents=True)
    (folder / "x.wav").write_bytes(b"RIFF")
    assert not w.open_path(str(tmp_path / "clips"))
    assert errors and "audio" in errors[0][0] and "no_such" in errors[0][1]
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "ok.csv"))


def test_audio_folder_opens_on_the_audio_pages(qtbot, make_window, tmp_path, errors):
    from audio_factory import make_class_folders as make_clips

    w = make_window()
    w.show()
    root = make_clips(tmp_path / "clips", ("tone", "click"), per_class=3, formats=("wav",))
    with qtbot.waitSignal(w.media_pages["audio"]["data"].loaded, timeout=30_000):
        drop(w, str(root))
    assert w.state.kind.name == "audio" and len(w.state.loaded(AUDIO)) == 6 and not errors
    assert not w.banner.isVisible()
    for name in ("data", "preprocess", "model", "evaluate"):
        assert w.hosts[name].currentWidget() is w.media_pages["audio"][name]
    assert w.step_blocker("model") == "" and w.step_blocker("evaluate")
    assert app_settings.last_folder(w.settings) == str(root)
    assert w.recent_files() == [str(root.resolve())]
    # a folder that fails to scan keeps the audio dataset on screen
    one = make_clips(tmp_path / "one", ("tone",), per_class=2, formats=("wav",))
    with qtbot.waitSignal(w.media_pages["audio"]["data"].load_failed, timeout=30_000):
        assert w.open_path(str(one))
    assert w.state.kind.name == "audio" and len(w.state.loaded(AUDIO)) == 6
    # an image folder that fails to scan: back to the audio page, with the reason
    from image_factory import make_class_folders as make_pictures

    pics = make_pictures(tmp_path / "pics", classes=("cat",), per_class=2, size=(16, 16))
    with qtbot.waitSignal(w.media_pages["images"]["data"].load_failed, timeout=30_000):
        assert w.open_path(str(pics))
    assert w.hosts["data"].currentWidget() is w.media_pages["audio"]["data"]
    assert "cat" in w.banner.text
    # a table afterwards switches every step back to the table pages
    with qtbot.waitSignal(w.state.target_changed, timeout=30_000):
        assert w.open_path(write_csv(tmp_path / "ok.csv"))
    assert w.state.kind.name == "tabular" and w.state.loaded(AUDIO) is None
    assert w.hosts["model"].currentWidget() is w.pages["model"]


def test_audio_sample_opens_and_is_not_a_recent_file(qtbot, make_window, errors):
    w = make_window()
    with qtbot.waitSignal(w.media_pages["audio"]["data"].loaded, timeout=60_000):
        w.sample_actions["audio"].trigger()
    ds = w.state.loaded(AUDIO)
    assert w.state.kind.name == "audio" and ds.class_names == ["hiss", "siren", "tick", "whistle"]
    assert len(ds) == 80 and not ds.bad_files and not errors
    assert w.recent_files() == []
    assert "Open Audio Folder" not in w.step_blocker("train")
