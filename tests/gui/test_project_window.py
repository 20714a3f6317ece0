"""Projects in the window: File → New / Open / Save / Save As / Open Recent, the unsaved prompt,
and a reopened project showing every page as it was saved."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.project import PROJECT_FILE, load_project
from automl_gui.gui import _project_questions as questions
from automl_gui.gui import settings as app_settings
from automl_gui.gui._project_state import comparable
from automl_gui.gui.dialogs import messages
from automl_gui.gui.main_window import MainWindow
from automl_gui.gui.pages.tabular.preprocess import COL_SCALING


def write_flowers(path: Path, n: int = 150) -> str:
    rng = np.random.default_rng(7)
    species = rng.choice(["setosa", "versicolor", "virginica"], size=n)
    centre = pd.Series(species).map({"setosa": 0.0, "versicolor": 2.0, "virginica": 4.0})
    pd.DataFrame(
        {
            "petal": centre + rng.normal(0, 0.5, n),
            "sepal": centre * 0.5 + rng.normal(0, 0.7, n),
            "garden": rng.choice(["north", "south", "east"], size=n),
            "species": species,
        }
    ).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def errors(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(messages, "show_error", lambda _p, _t, m, h="": shown.append((m, h)))
    return shown


@pytest.fixture
def make_window(qtbot, tmp_path):
    def make(name: str = "s.ini", engine: bool = False) -> MainWindow:
        settings = QSettings(str(tmp_path / name), QSettings.Format.IniFormat)
        window = MainWindow(settings=settings, load_engine=engine)
        qtbot.addWidget(window)
        return window

    return make


def load_table(qtbot, window: MainWindow, csv: str, target: str = "species") -> None:
    with qtbot.waitSignal(window.data_page.loaded, timeout=60_000):
        window.open_path(csv)
    if window.state.target != target:
        with qtbot.waitSignal(window.state.target_changed, timeout=60_000):
            window.data_page.set_target(target)


def save_to(qtbot, window: MainWindow, folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(questions, "choose_project_folder", lambda *_a: str(folder))
    with qtbot.waitSignal(window.projects.saved, timeout=120_000):
        assert window.projects.action_save.isEnabled()
        window.projects.action_save.trigger()


def reopen(qtbot, window: MainWindow, folder: Path) -> None:
    with qtbot.waitSignal(window.projects.opened, timeout=120_000):
        assert window.open_project(folder)


def same(a, b) -> dict:
    """The two captures' differences (empty when equal)."""
    da, db = comparable(a), comparable(b)
    return {k: (da.get(k), db.get(k)) for k in set(da) | set(db) if da.get(k) != db.get(k)}


# -- the table project round trip (one trained run) --------------------------------------------
def test_table_project_reopens_settings_pages_run_and_predictions(
    qtbot, tmp_path, monkeypatch, make_window
):
    csv = write_flowers(tmp_path / "flowers.csv")
    window = make_window("a.ini", engine=True)
    window.show()
    qtbot.waitUntil(lambda: window.state.engine_ready, timeout=120_000)
    load_table(qtbot, window, csv)
    st = window.state
    # a preprocessing choice and model settings changed through the pages' widgets
    prep = window.pages["preprocess"]
    row = prep.columns.row_of("sepal")
    assert prep.columns.setData(prep.columns.index(row, COL_SCALING), "minmax")
    prep.seed_spin.setValue(11)
    model = window.pages["model"]
    model.family_combo.setCurrentIndex(model.family_combo.findData("mlp"))
    model.layers_edit.setText("8")
    model.layers_edit.textEdited.emit("8")
    model.dropout_spin.setValue(0.25)
    model.epochs_spin.setValue(3)
    model.batch_spin.setValue(32)
    assert (
        st.settings(TABULAR).preprocess.column("sepal").scaling == "minmax"
        and st.settings(TABULAR).preprocess.split.seed == 11
    )
    assert st.settings(TABULAR).model.hidden_units == [8] and st.training.epochs == 3
    assert st.dirty and window.windowTitle() == "Untitled* — automl-gui"

    with qtbot.waitSignal(st.run_finished, timeout=300_000):
        window.action_start.trigger()
    run = st.run
    assert run is not None and len(st.runs) == 1
    qtbot.waitUntil(lambda: not window.training_running, timeout=30_000)
    window.go_to("evaluate")

    folder = tmp_path / "Flowers project"
    save_to(qtbot, window, folder, monkeypatch)
    assert (folder / PROJECT_FILE).is_file() and (folder / "runs" / "run-001").is_dir()
    assert not st.dirty and window.windowTitle() == "Flowers project — automl-gui"
    assert st.project_path == str(folder.absolute())
    before = window.projects.capture()

    # a new window, with its own settings, reopens it
    other = make_window("b.ini")  # reopening needs no engine: no second TensorFlow start
    other.show()
    reopen(qtbot, other, folder)
    ost = other.state
    after = other.projects.capture()
    assert same(before, after) == {}
    assert not ost.dirty and other.windowTitle() == "Flowers project — automl-gui"
    assert other.current_page_name() == "evaluate"
    # the pages show the saved values
    oprep = other.pages["preprocess"]
    orow = oprep.columns.row_of("sepal")
    assert oprep.columns.data(oprep.columns.index(orow, COL_SCALING)) == "Min-max"
    assert oprep.seed_spin.value() == 11
    omodel = other.pages["model"]
    assert omodel.family_combo.currentData() == "mlp"
    assert omodel.layers_edit.text() == "8"
    assert omodel.dropout_spin.value() == pytest.approx(0.25)
    assert omodel.epochs_spin.value() == 3 and omodel.batch_spin.value() == 32
    assert other.data_page.target_combo.currentText() == "species"
    # the run: Evaluate's metrics, the Train page's curves, the same predictions
    orun = ost.run
    assert orun is not None and ost.current_run_id == "run-001"
    assert orun.report["metrics"] == pytest.approx(run.report["metrics"])
    plots = other.train_page.plots
    assert len(plots.epoch_points("loss")) == len(run.history["loss"])
    from automl_gui.core.export.bundle import predict_frame

    rows = pd.read_csv(csv).drop(columns=["species"]).head(40)
    a = predict_frame(run.bundle, rows)
    b = predict_frame(orun.bundle, rows)
    cols = [c for c in a.columns if c.startswith("probability_")]
    np.testing.assert_allclose(a[cols].to_numpy(), b[cols].to_numpy(), atol=1e-6)
    oprep.reset_to_automatic()  # back to the automatic setup, not to the saved one
    assert ost.settings(TABULAR).preprocess.column("sepal").scaling == "standardize"
    shot = Path("/tmp/h6/project_reopened.png")
    if shot.parent.is_dir():
        other.resize(1280, 820)
        other.grab().save(str(shot))
        other.go_to("preprocess")
        other.pages["preprocess"].seed_spin.setValue(11)  # (after the reset above)
        other.grab().save(str(shot.with_name("project_reopened_preprocess.png")))
        other.go_to("train")
        other.grab().save(str(shot.with_name("project_reopened_train.png")))


# -- no training: settings, prompt, recent, missing data ---------------------------------------
def saved_table_project(qtbot, window, tmp_path, monkeypatch) -> tuple[Path, str]:
    csv = write_flowers(tmp_path / "flowers.csv", n=60)
    load_table(qtbot, window, csv)
    window.pages["preprocess"].seed_spin.setValue(5)
    folder = tmp_path / "proj"
    save_to(qtbot, window, folder, monkeypatch)
    return folder, csv


def test_changing_a_setting_marks_unsaved_and_closing_asks(
    qtbot, tmp_path, monkeypatch, make_window, errors
):
    window = make_window()
    assert window.windowTitle() == "automl-gui" and not window.state.dirty
    folder, _csv = saved_table_project(qtbot, window, tmp_path, monkeypatch)
    assert window.windowTitle() == "proj — automl-gui"
    window.pages["model"].dropout_spin.setValue(0.4)
    assert window.state.dirty and window.windowTitle() == "proj* — automl-gui"

    asked: list[str] = []
    answers = iter(["cancel", "save"])
    monkeypatch.setattr(
        questions, "ask_save_changes", lambda _p, name: asked.append(name) or next(answers)
    )
    window.show()
    assert not window.close()  # Cancel keeps the window open
    assert window.isVisible() and asked == ["proj"]
    with qtbot.waitSignal(window.projects.saved, timeout=60_000):
        window.close()  # Save: saves, then closes
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)
    assert load_project(folder).settings["tabular"]["model"]["dropout"] == pytest.approx(0.4)


def test_discard_closes_and_new_project_asks_then_clears(
    qtbot, tmp_path, monkeypatch, make_window, errors
):
    window = make_window()
    folder, _csv = saved_table_project(qtbot, window, tmp_path, monkeypatch)
    window.pages["preprocess"].seed_spin.setValue(9)
    assert window.state.dirty
    monkeypatch.setattr(questions, "ask_save_changes", lambda *_a: "cancel")
    assert not window.projects.new_project()
    assert window.state.loaded(TABULAR) is not None and window.state.project_path
    monkeypatch.setattr(questions, "ask_save_changes", lambda *_a: "discard")
    assert window.projects.new_project()
    st = window.state
    assert st.loaded(TABULAR) is None and st.project_path is None and st.runs == []
    assert not st.dirty and window.windowTitle() == "automl-gui"
    assert load_project(folder).preprocess["split"]["seed"] == 5  # discarded, not saved

    window.pages["model"].dropout_spin.setValue(0.3)  # settings alone: nothing to lose
    window.show()
    assert window.close()


def test_open_recent_lists_the_project_and_reopens_it(
    qtbot, tmp_path, monkeypatch, make_window, errors
):
    window = make_window()
    folder, csv = saved_table_project(qtbot, window, tmp_path, monkeypatch)
    assert window.projects.recent_projects() == [str(folder.resolve())]
    other = make_window("b.ini")
    other.settings.setValue(
        app_settings.KEY_RECENT_PROJECTS, window.settings.value(app_settings.KEY_RECENT_PROJECTS)
    )
    other.projects.fill_recent_menu()
    actions = [
        a for a in other.projects.recent_menu.actions() if a.toolTip() == str(folder.resolve())
    ]
    assert len(actions) == 1 and "proj" in actions[0].text()
    with qtbot.waitSignal(other.projects.opened, timeout=60_000):
        actions[0].trigger()
    assert other.state.loaded(TABULAR) is not None and other.state.target == "species"
    assert other.pages["preprocess"].seed_spin.value() == 5
    assert other.windowTitle() == "proj — automl-gui"
    other.projects.clear_recent()
    assert other.projects.recent_projects() == []


def test_missing_dataset_offers_to_locate_or_open_without_data(
    qtbot, tmp_path, monkeypatch, make_window, errors
):
    window = make_window()
    folder, csv = saved_table_project(qtbot, window, tmp_path, monkeypatch)
    moved = tmp_path / "moved" / "flowers.csv"
    moved.parent.mkdir()
    shutil.move(csv, moved)

    # without data: the settings are kept, and saving keeps the dataset reference
    other = make_window("b.ini")
    seen: list[str] = []
    monkeypatch.setattr(
        questions, "ask_missing_dataset", lambda _p, path: seen.append(path) or "without"
    )
    reopen(qtbot, other, folder)
    assert seen == [csv]
    assert other.state.loaded(TABULAR) is None and other.state.project_path
    assert "without its dataset" in other.banner.text and other.projects.detached is not None
    data = other.projects.capture()
    assert data.dataset["path"] == csv and data.preprocess["split"]["seed"] == 5
    if Path("/tmp/h6").is_dir():
        other.resize(1100, 700)
        other.grab().save("/tmp/h6/project_without_data.png")

    # the dataset opened afterwards gets the project's target and preprocessing
    other.open_path(str(moved))
    qtbot.waitUntil(lambda: "were applied" in other.banner.text, timeout=60_000)
    assert other.state.target == "species" and other.pages["preprocess"].seed_spin.value() == 5
    assert other.state.dirty and other.projects.capture().dataset["path"] == str(moved)

    # locate: the moved file loads, and the project is unsaved until saved
    third = make_window("c.ini")
    monkeypatch.setattr(questions, "ask_missing_dataset", lambda *_a: "locate")
    monkeypatch.setattr(questions, "choose_dataset", lambda *_a: str(moved))
    reopen(qtbot, third, folder)
    assert third.state.loaded(TABULAR) is not None and third.state.target == "species"
    assert third.pages["preprocess"].seed_spin.value() == 5
    assert third.state.dirty and "moved" in third.banner.text

    # cancel: nothing changes
    fourth = make_window("d.ini")
    monkeypatch.setattr(questions, "ask_missing_dataset", lambda *_a: "cancel")
    assert not fourth.open_project(folder)
    assert fourth.state.project_path is None


def test_save_as_refuses_a_folder_with_other_files(
    qtbot, tmp_path, monkeypatch, make_window, errors
):
    window = make_window()
    csv = write_flowers(tmp_path / "flowers.csv", n=60)
    load_table(qtbot, window, csv)
    busy = tmp_path / "documents"
    busy.mkdir()
    (busy / "letter.txt").write_text("hello")
    monkeypatch.setattr(questions, "choose_project_folder", lambda *_a: str(busy))
    assert not window.projects.save_as()
    assert errors and "already holds other files" in errors[-1][0]
    assert not (busy / PROJECT_FILE).exists()


def test_a_dropped_project_folder_opens_and_a_damaged_one_says_why(
    qtbot, tmp_path, monkeypatch, make_window, errors
):
    from gui_helpers import drop

    window = make_window()
    folder, _csv = saved_table_project(qtbot, window, tmp_path, monkeypatch)
    other = make_window("b.ini")
    other.hosts["data"].show_kind("images")  # a page that takes any folder dropped on it
    with qtbot.waitSignal(other.projects.opened, timeout=60_000):
        drop(other, str(folder))
    assert other.state.project_path == str(folder.resolve())

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / PROJECT_FILE).write_text("{ not json")
    third = make_window("c.ini")
    assert not third.open_project(bad)
    assert errors and "Cannot open the project" in errors[-1][0]
    json.loads((folder / PROJECT_FILE).read_text())  # the good one untouched


# -- image and audio folders --------------------------------------------------------------------
def test_image_folder_project_reopens_settings_and_its_run(
    qtbot, tmp_path, monkeypatch, make_window
):
    from gui_helpers import drop
    from image_factory import make_class_folders

    root = make_class_folders(tmp_path / "shapes", per_class=8, size=(24, 24))
    window = make_window("a.ini", engine=True)
    window.show()
    qtbot.waitUntil(lambda: window.state.engine_ready, timeout=120_000)
    with qtbot.waitSignal(window.state.dataset_changed, timeout=60_000):
        drop(window, str(root))
    st = window.state
    st.settings(IMAGES).model.architecture = "cnn"
    st.settings(IMAGES).preprocess.image_size = 24
    st.settings(IMAGES).preprocess.augment.enabled = False
    st.training.epochs = 1
    st.training.batch_size = 8
    st.notify_model_changed()
    st.notify_preprocess_changed()
    window.media_pages["images"]["model"].dropout_spin.setValue(0.35)  # through the page's widget
    assert st.settings(IMAGES).model.dropout == pytest.approx(0.35)
    with qtbot.waitSignal(st.run_finished, timeout=300_000):
        window.action_start.trigger()
    run = st.run
    qtbot.waitUntil(lambda: not window.training_running, timeout=30_000)
    folder = tmp_path / "shapes project"
    save_to(qtbot, window, folder, monkeypatch)
    before = window.projects.capture()

    other = make_window("b.ini")  # reopening needs no engine: no second TensorFlow start
    reopen(qtbot, other, folder)
    ost = other.state
    assert same(before, other.projects.capture()) == {}
    assert ost.kind.name == "images" and len(ost.loaded(IMAGES)) == 24 and not ost.dirty
    prep, model = other.media_pages["images"]["preprocess"], other.media_pages["images"]["model"]
    assert prep.size_spin.value() == 24 and not prep.augment_check.isChecked()
    assert model.arch_combo.currentData() == "cnn"
    assert model.dropout_spin.value() == pytest.approx(0.35)
    assert model.training_form.epochs_spin.value() == 1
    orun = ost.run
    assert orun is not None and orun.report["metrics"] == pytest.approx(run.report["metrics"])
    samples = run.samples if run.samples is not None else orun.samples
    np.testing.assert_allclose(
        orun.model.predict(samples, verbose=0), run.model.predict(samples, verbose=0), atol=1e-6
    )


def test_audio_folder_project_reopens_its_settings(qtbot, tmp_path, monkeypatch, make_window):
    from audio_factory import make_class_folders

    root = make_class_folders(tmp_path / "sounds", per_class=4, formats=("wav",), stereo=False)
    window = make_window("a.ini")
    with qtbot.waitSignal(window.state.dataset_changed, timeout=60_000):
        window.open_path(str(root))
    st = window.state
    assert st.kind.name == "audio"
    prep, model = window.media_pages["audio"]["preprocess"], window.media_pages["audio"]["model"]
    prep.mels_spin.setValue(48)
    model.dropout_spin.setValue(0.45)
    model.search_box.set_search(True)
    assert st.settings(AUDIO).preprocess.n_mels == 48 and st.settings(
        AUDIO
    ).model.dropout == pytest.approx(0.45)
    assert st.search is not None and st.dirty
    folder = tmp_path / "sounds project"
    save_to(qtbot, window, folder, monkeypatch)
    before = window.projects.capture()

    other = make_window("b.ini")
    reopen(qtbot, other, folder)
    assert same(before, other.projects.capture()) == {}
    oprep, omodel = other.media_pages["audio"]["preprocess"], other.media_pages["audio"]["model"]
    assert oprep.mels_spin.value() == 48
    assert omodel.dropout_spin.value() == pytest.approx(0.45)
    assert omodel.search_box.search_radio.isChecked() and other.state.search is not None
    assert not other.state.dirty
    # the project's search lives in its folder
    from automl_gui.gui.pages._search_run import search_key

    assert other.state.work_folder("search", search_key(other.state)) == folder.resolve() / "search"


def test_project_entries_come_first_in_the_file_menu_with_their_own_shortcuts(make_window):
    from PySide6.QtGui import QAction

    window = make_window()
    p = window.projects
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert texts[:5] == [
        "&New Project",
        "Open Pro&ject…",
        "Open Rec&ent Project",
        "&Save Project",
        "Sa&ve Project As…",
    ]
    keys = {
        a: a.shortcut().toString()
        for a in (p.action_new, p.action_open, p.action_save, p.action_save_as)
    }
    assert list(keys.values()) == ["Ctrl+N", "Ctrl+Shift+P", "Ctrl+S", "Ctrl+Shift+S"]
    assert all(a.toolTip() for a in keys)
    every = [
        s.toString() for a in window.findChildren(QAction) for s in a.shortcuts() if not s.isEmpty()
    ]
    assert len(every) == len(set(every)), sorted(every)


def test_a_failed_save_says_why_and_keeps_the_window_open(
    qtbot, tmp_path, monkeypatch, make_window, errors
):
    import automl_gui.core.project as core_project
    from automl_gui.core.project import ProjectError

    window = make_window()
    csv = write_flowers(tmp_path / "flowers.csv", n=60)
    load_table(qtbot, window, csv)

    def refuse(*_a, **_k):
        raise ProjectError("Could not write the project file: disk full.", "Free some space.")

    monkeypatch.setattr(core_project, "save_project", refuse)
    monkeypatch.setattr(questions, "choose_project_folder", lambda *_a: str(tmp_path / "p"))
    monkeypatch.setattr(questions, "ask_save_changes", lambda *_a: "save")
    window.show()
    with qtbot.waitSignal(window.projects.failed, timeout=30_000):
        assert not window.close()
    assert window.isVisible() and window.state.dirty
    assert errors and "not saved" in errors[-1][0] and errors[-1][1] == "Free some space."
    assert window.windowTitle() == "Untitled* — automl-gui"


def test_a_search_moves_into_the_saved_project_and_reopening_offers_to_continue_it(
    qtbot, tmp_path, monkeypatch, make_window
):
    from automl_gui.core.tune.search.space import TrialRecord

    window = make_window()
    csv = write_flowers(tmp_path / "flowers.csv", n=60)
    load_table(qtbot, window, csv)
    window.pages["model"].search_box.set_search(True)
    # a search interrupted before the project was first saved: it moves into the project
    from automl_gui.gui.pages._search_run import search_key

    outside = window.state.work_folder("search", search_key(window.state))
    assert not str(outside).startswith(str(tmp_path / "searching"))
    board = [
        TrialRecord("0000", {"units": 8}, value=0.5, status="completed").to_dict(),
        TrialRecord("0001", {"units": 16}, status="running").to_dict(),  # interrupted
    ]
    outside.mkdir(parents=True)
    (outside / "leaderboard.json").write_text(json.dumps(board))
    folder = tmp_path / "searching"
    save_to(qtbot, window, folder, monkeypatch)
    assert (folder / "search" / "leaderboard.json").is_file()

    other = make_window("b.ini")
    reopen(qtbot, other, folder)
    banner = other.train_page.search.resume_banner
    assert other.state.search is not None
    assert banner.isVisibleTo(other.train_page) and banner.trials == 1
