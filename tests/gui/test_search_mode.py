"""Search mode on the Model pages (issue 15, item 8): a newly opened dataset starts with one
model and the page says why the search is off; in search mode the page says what Start does
and greys out, with a tooltip saying why, the fields the search sets itself, for every kind."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.tune.search.space import SearchConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.audio.model import AudioModelPage
from automl_gui.gui.pages.images.model import ImageModelPage
from automl_gui.gui.pages.tabular.model import ModelPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.search_settings import OVERRIDDEN_TIP, RESET_TEXT, SEARCH_MODE_TEXT

PAGES = {"tabular": (ModelPage, TABULAR), "images": (ImageModelPage, IMAGES)}
PAGES["audio"] = (AudioModelPage, AUDIO)


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Settings in a temporary file; no weights files looked up (none are found)."""
    from automl_gui.core.models import weights

    monkeypatch.setattr(weights, "find_weights", lambda *_a, **_k: None)
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield
    app_settings.use(QSettings(str(tmp_path / "after.ini"), QSettings.Format.IniFormat))


def make_page(qtbot, name: str, state: AppState | None = None):
    cls, kind = PAGES[name]
    state = state or AppState()
    page = cls(state)
    qtbot.addWidget(page)
    if hasattr(page, "lookup_busy"):
        qtbot.waitUntil(lambda: not page.lookup_busy and page.weights_status is not None)
    return page, kind


def shown(widget) -> bool:
    return widget.isVisibleTo(widget.window())


@pytest.mark.parametrize("name", list(PAGES))
def test_a_new_dataset_starts_with_one_model_and_the_page_says_why(qtbot, name):
    page, kind = make_page(qtbot, name)
    state, box = page.state, page.search_box
    state.set_dataset(kind, object())
    box.search_radio.setChecked(True)
    box.trials_spin.setValue(7)
    assert state.search is not None and state.search.max_trials == 7
    assert shown(box.mode_line) and box.mode_line.text() == SEARCH_MODE_TEXT

    modes = []
    box.mode_changed.connect(modes.append)
    state.set_dataset(kind, object())  # another dataset opened
    assert state.search is None and box.single_radio.isChecked() and not box.on
    assert modes == [False]
    assert shown(box.mode_line) and box.mode_line.text() == RESET_TEXT
    assert box.trials_spin.value() == 7  # the search's settings are kept for next time

    box.set_search(False)  # a reopened project's own mode: no reset to explain
    assert not shown(box.mode_line)
    box.search_radio.setChecked(True)  # one click back, and the line says search mode again
    assert state.search is not None and state.search.max_trials == 7
    assert box.mode_line.text() == SEARCH_MODE_TEXT
    box.single_radio.setChecked(True)
    assert not shown(box.mode_line)
    state.set_dataset(kind, object())  # nothing was turned off: nothing to explain
    assert not shown(box.mode_line) and state.search is None


def test_a_new_window_remembers_the_search_settings_but_not_the_mode(qtbot):
    page, _ = make_page(qtbot, "tabular")
    page.search_box.set_search(True, SearchConfig(algorithm="random", max_trials=4))
    again, _ = make_page(qtbot, "tabular")
    assert not again.search_box.on and again.state.search is None
    assert again.search_box.trials_spin.value() == 4
    assert again.search_box.algorithm_combo.currentData() == "random"


def test_a_page_built_after_a_project_set_the_search_shows_it(qtbot):
    """A reopened project sets ``state.search`` before the image pages are built (they are
    built on first need): the page shows search mode instead of turning it off."""
    state = AppState()
    state.set_dataset(IMAGES, object())
    state.search = SearchConfig(max_trials=9)
    page, _ = make_page(qtbot, "images", state)
    assert page.search_box.search_radio.isChecked() and state.search.max_trials == 9
    assert page.search_box.trials_spin.value() == 9 and not page.arch_combo.isEnabled()


def test_search_mode_greys_what_the_table_search_sets_and_no_more(qtbot):
    page, kind = make_page(qtbot, "tabular")
    page.state.set_dataset(kind, object())
    mlp = page.family_combo.findData("mlp")
    page.family_combo.setCurrentIndex(mlp)
    assert page.layers_edit.isEnabled() and page.optimizer_combo.isEnabled()
    own_tip = page.lr_spin.toolTip()

    page.search_box.set_search(True)
    overridden = (
        page.family_combo,
        page.layers_edit,
        page.activation_combo,
        page.dropout_spin,
        page.l1_spin,
        page.l2_spin,
        page.batchnorm_check,
        page.optimizer_combo,
        page.lr_spin,
        page.batch_spin,
        page.epochs_spin,
        page.budget_spin,
    )
    for w in overridden:
        assert not w.isEnabled(), w
        assert w.toolTip().startswith(OVERRIDDEN_TIP), w
    assert page.lr_spin.toolTip() == f"{OVERRIDDEN_TIP}\n\n{own_tip}"
    for w in (page.schedule_combo, page.early_check, page.seed_spin, page.class_weight_combo):
        assert w.isEnabled(), w  # these apply to every trial
    page.family_combo.setCurrentIndex(page.family_combo.findData("auto"))  # by a project
    assert not page.family_combo.isEnabled() and not shown(page.auto_note)

    page.search_box.set_search(False)  # back to one model: the page's own rules again
    assert page.family_combo.isEnabled() and page.optimizer_combo.isEnabled()
    assert page.lr_spin.toolTip() == own_tip
    assert not page.layers_edit.isEnabled()  # Auto sizes the layers
    assert shown(page.auto_note)
    page.family_combo.setCurrentIndex(mlp)
    assert page.layers_edit.isEnabled() and page.dropout_spin.isEnabled()


@pytest.mark.parametrize("name", ["images", "audio"])
def test_search_mode_greys_what_the_files_search_sets(qtbot, name):
    page, kind = make_page(qtbot, name)
    page.state.set_dataset(kind, object())
    page.arch_combo.setCurrentIndex(page.arch_combo.findData("resnet50"))
    f = page.training_form
    page.search_box.set_search(True)
    overridden = [page.arch_combo, page.dropout_spin, page.layers_spin, page.ft_epochs_spin]
    overridden += [f.lr_spin, f.epochs_spin, f.budget_spin]
    for w in overridden:
        assert not w.isEnabled() and w.toolTip().startswith(OVERRIDDEN_TIP), w
    for w in (f.optimizer_combo, f.batch_spin, f.schedule_combo, page.download_check):
        assert w.isEnabled(), w  # every trial uses these
    # images: a trial may fine-tune a backbone with this factor; audio trains the CNN only
    assert page.lr_factor_spin.isEnabled() == (name == "images")

    page.search_box.set_search(False)
    for w in overridden:
        assert w.isEnabled() and not w.toolTip().startswith(OVERRIDDEN_TIP), w
    page.arch_combo.setCurrentIndex(page.arch_combo.findData("cnn"))
    assert not page.layers_spin.isEnabled()  # the Compact CNN: nothing to fine-tune
    assert not page.lr_factor_spin.isEnabled()


def test_a_search_trial_trains_as_long_as_one_training_by_default(tmp_path):
    """The Model page showed 'Epochs per trial 60' beside 'Epochs 30' for files and texts;
    the command line's trials take the kind's epochs."""
    from automl_gui.core.kinds import all_kinds

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    for kind in all_kinds():
        config = app_settings.load_search(store, kind.name)
        expected = kind.search_epochs() or SearchConfig().max_epochs
        assert config.max_epochs == expected, kind
        if kind.file_based:  # a trial as long as one training (Auto: the trials' own cap)
            assert kind.default_training().epochs in (0, config.max_epochs)
    assert TABULAR.search_epochs() is None
