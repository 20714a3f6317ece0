"""Text pages: the Data page reads a table of texts off the UI thread and describes it
(lengths with the sequence length marked, findings, distinctive words, texts with a filter),
the Preprocess page's edits reach ``state.settings(TEXT).preprocess`` with Auto's choices shown
and a token preview computed in a worker, the Model page shows Auto's rule with the dataset's
numbers, and the Evaluate page lists texts (not thumbnails) for a model trained here."""

from __future__ import annotations

import json

import pytest
from kind_jobs import train_kind
from PySide6.QtCore import QSettings

from automl_gui.core.data.text import load_text
from automl_gui.core.kinds.text import TEXT
from automl_gui.core.models.text_config import TextModelConfig
from automl_gui.core.preprocess.text_config import TextPreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages.registry import kind_window
from automl_gui.gui.pages.text._settings_words import vectorizer_line
from automl_gui.gui.pages.text.data import TextDataPage
from automl_gui.gui.pages.text.evaluate import TextEvaluatePage, text_of
from automl_gui.gui.pages.text.model import KEY_TEXT_MODEL, TextModelPage
from automl_gui.gui.pages.text.preprocess import KEY_TEXT_PREPROCESS, TextPreprocessPage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.text_list import locator_words

WORDS = {
    "food": "soup bread salt oven recipe pasta garlic onion",
    "sport": "goal match team coach league score race ball",
    "tech": "laptop screen battery update code server phone chip",
}


def make_csv(path, per_class: int = 20):
    """``per_class`` short texts of each class, from its own words (learnable in 2 epochs)."""
    lines = ["text,label"]
    for label, words in WORDS.items():
        vocab = words.split()
        for i in range(per_class):
            picked = [vocab[(i + k * 3) % len(vocab)] for k in range(4 + i % 5)]
            lines.append(f'"the {" ".join(picked)} again {i}",{label}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    return make_csv(tmp_path_factory.mktemp("texts") / "posts.csv")


@pytest.fixture(scope="module")
def dataset(csv_path):
    return load_text(str(csv_path))


@pytest.fixture(scope="module")
def run(dataset):
    """A text model trained here: 2 epochs of the n-gram MLP on the 60 texts."""
    return train_kind(
        TEXT,
        dataset,
        TextPreprocessConfig(),
        TextModelConfig(architecture="ngram_mlp"),
        TrainConfig(epochs=2, batch_size=16),
    )


@pytest.fixture
def state(qtbot, tmp_path):
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return AppState()


def test_the_window_offers_texts_from_a_file_or_a_folder():
    window = kind_window(TEXT)
    assert set(window.pages) == {"data", "preprocess", "model", "evaluate"}
    assert window.ways_in is not None and window.ways_in.ask_path is not None
    assert window.predict is not None and window.predict.type_box
    assert ".csv" in window.predict.also_opens and ".jsonl" in window.predict.also_opens
    assert locator_words("/data/posts.csv#12") == "posts.csv, row 12"
    assert locator_words("/data/a/b.txt") == "/data/a/b.txt"


def test_data_page_loads_off_the_ui_thread_and_describes_the_texts(qtbot, state, csv_path):
    page = TextDataPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        page.load(csv_path)
    ds = state.loaded(TEXT)
    assert ds is not None and len(ds) == 60
    assert "60 texts" in page.info_label.text() and "3 classes" in page.info_label.text()
    # a table's rows are its texts: no unexplained "CSV 60" in the summary
    assert "CSV" not in page.info_label.text()
    assert page.stat_labels["source"].text() == "text “text”, label “label”"
    assert page.tabs.tabText(page.tabs.indexOf(page.bad_tab)) == "Unusable texts (0)"
    assert "words" in page.stat_labels["length"].text()
    # the histogram of words per text, with the sequence length marked
    assert page.lengths_plot.counts.sum() == 60 and page.lengths_plot.marker is not None
    assert "Sequence length" in page.length_label.text()
    # the distinctive words: one column per class, the class's own words on top
    table = page.words_table
    assert [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())] == list(WORDS)
    food = {table.item(r, 0).text() for r in range(3) if table.item(r, 0)}
    assert food & set(WORDS["food"].split())
    assert "Findings" in page.findings_label.text()

    # the texts, with the class picker and the filter box
    assert page.browser.list.count() == 60
    page.show_class("sport")
    assert page.browser.list.count() == 20
    page.filter_edit.setText("goal")
    qtbot.waitUntil(lambda: page.browser.list.count() < 20, timeout=3000)
    model = page.browser.list.text_model
    assert all("goal" in t for t in model.texts)
    assert "containing “goal”" in page.texts_label.text()
    assert model.captions[0].startswith("sport · ")
    assert "posts.csv, row" in page.browser.title.text()
    assert page.browser.full.toPlainText() == model.texts[0]


def test_a_bad_file_keeps_the_page_and_says_why(qtbot, state, tmp_path):
    page = TextDataPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    bad = tmp_path / "one.csv"
    bad.write_text("text,label\nonly one,a\n", encoding="utf-8")
    with qtbot.waitSignal(page.load_failed, timeout=30_000) as failed:
        page.load(bad)
    assert failed.args[0] and page.banner.isVisibleTo(page)
    assert state.loaded(TEXT) is None


def test_preprocess_edits_are_remembered_and_auto_says_what_it_chose(qtbot, state, dataset):
    state.set_dataset(TEXT, dataset)
    state.set_engine_ready(True)
    page = TextPreprocessPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.resize(1200, 800)
    page.show()
    # Auto's values read as chosen for these texts and the n-gram MLP Auto picks for them
    assert page.ngrams_spin.specialValueText() == "Auto (2)"
    assert page.tokens_spin.specialValueText() == "Auto (50,000)"
    assert "n-gram MLP" in page.auto_label.text()
    assert not page.length_spin.isEnabled()  # the n-gram MLP reads every word

    page.ngrams_spin.setValue(1)
    page.dropout_spin.setValue(0.1)
    config = state.settings(TEXT).preprocess
    assert config.ngrams == 1 and config.word_dropout == 0.1
    saved = json.loads(app_settings.current().value(KEY_TEXT_PREPROCESS))
    assert saved["ngrams"] == 1 and saved["word_dropout"] == 0.1
    assert "10% of the words" in page.dropout_label.text()
    assert "single words" in vectorizer_line(config)
    parts = kind_window(TEXT).input_parts(dataset, config, "Auto")
    assert parts[0] == "<b>Model</b> Auto → n-gram MLP"
    assert "single words, Multi-hot" in parts[1] and "vocabulary of 50,000 at most" in parts[1]

    # the preview: a typed text's tokens, unknown words marked, computed in a worker
    page.editor.setPlainText("goal match zzzunknownzzz")
    qtbot.waitUntil(lambda: page.preview is not None and "zzz" in page.preview.text, timeout=60_000)
    tokens = dict(page.preview.tokens)
    assert tokens["goal"] and tokens["match"] and not tokens["zzzunknownzzz"]
    assert "1 not in the vocabulary" in page.preview_status.text()


def test_model_page_shows_auto_rule_and_remembers_text_settings(
    qtbot, state, dataset, monkeypatch, tmp_path
):
    state.set_dataset(TEXT, dataset)
    page = TextModelPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    text = page.auto_choice.text()
    assert "Auto will use the n-gram MLP" in text and "1,500" in text
    assert page.resolved_architecture() == "ngram_mlp"
    assert state.training is page.training  # text keeps its own training settings

    page.arch_combo.setCurrentIndex(page.arch_combo.findData("sepcnn"))
    page.embedding_spin.setValue(32)
    model = state.settings(TEXT).model
    assert model.architecture == "sepcnn" and model.embedding_dim == 32
    assert not page.auto_choice.isVisible()
    saved = json.loads(app_settings.current().value(KEY_TEXT_MODEL))
    assert saved["architecture"] == "sepcnn" and saved["embedding_dim"] == 32
    assert not page.choose_folder_button.isEnabled()  # only for a pretrained model
    page.arch_combo.setCurrentIndex(page.arch_combo.findData("pretrained"))
    assert page.choose_folder_button.isEnabled()
    assert "none chosen" in page.folder_label.text()
    ask = "automl_gui.gui.pages.images.model.ask_weights_folder"  # the file Model pages'
    monkeypatch.setattr(ask, lambda _p, _s: str(tmp_path))
    page.choose_folder()  # not a preset: said so, in red
    assert model.weights_path == str(tmp_path) and page.folder_label.text().startswith("✗")
    assert "config.json" in page.folder_label.text() or "missing" in page.folder_label.text()
    page.clear_folder()
    assert model.weights_path == "" and not page.clear_folder_button.isEnabled()


def test_evaluate_page_lists_the_test_texts(qtbot, state, dataset, run):
    state.set_dataset(TEXT, dataset)
    page = TextEvaluatePage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())  # its highlights' workers
    page.resize(1280, 800)
    state.set_run(run)
    assert "Test split:" in page.summary.text() and "n-gram MLP" in page.summary.text()
    page.show_cell(0, 0)
    browser = page.cell_texts
    df = run.test_predictions
    expected = df[
        (df["actual"] == run.report["class_names"][0]) & (df["prediction"] == df["actual"])
    ]
    assert browser.list.count() == len(expected)
    if len(expected):
        path = browser.list.text_model.locators[0]
        assert browser.list.text_model.texts[0] == dataset.text_of(path)
        assert "#" in path and text_of(dataset, path) == dataset.text_of(path)


def test_a_dataset_loaded_elsewhere_gets_its_figures_in_the_background(qtbot, state, dataset):
    """A reopened project sets the dataset on the state: the page works its figures out in a
    worker and shows placeholders meanwhile."""
    page = TextDataPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    state.set_dataset(TEXT, dataset)
    assert page.browser.list.count() == 60  # the texts themselves right away
    qtbot.waitUntil(lambda: page.words_table.columnCount() == 3, timeout=30_000)
    assert "Findings" in page.findings_label.text() and "Looking" not in page.findings_label.text()
    assert "median" in page.stat_labels["length"].text()


def test_a_folder_of_txt_files_is_dropped_and_read(qtbot, state, tmp_path):
    for label, words in WORDS.items():
        folder = tmp_path / "texts" / label
        folder.mkdir(parents=True)
        for i in range(3):
            (folder / f"{i}.txt").write_text(f"{words} {i}", encoding="utf-8")
    (tmp_path / "texts" / "food" / "blank.txt").write_text("  \n", encoding="utf-8")
    page = TextDataPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    with qtbot.waitSignal(page.loaded, timeout=30_000):
        assert page.accept_drop(str(tmp_path / "texts"))
    assert len(state.loaded(TEXT)) == 9
    assert page.stat_labels["source"].text() == ".txt files, labelled by their folder"
    # the summary says what its formats are (the encodings), the left-out file is unusable
    info = page.info_label.text()
    assert "all UTF-8" in info and "1 unusable left out" in info, info
    assert page.tabs.tabText(page.tabs.indexOf(page.bad_tab)) == "Unusable texts (1)"
    assert "1 file could not be used" in page.bad_label.text()
    path = page.browser.list.text_model.locators[0]
    assert path.endswith(".txt") and text_of(None, path) == page.browser.full.toPlainText()


def test_open_text_dataset_asks_for_a_file_or_a_folder(monkeypatch, tmp_path):
    """File → Open Text Dataset… asks through the text pages' own dialog (a table or a
    folder), not the folder dialog of images and audio; the choice is opened."""
    from types import SimpleNamespace

    from automl_gui.gui._opening import DatasetOpening
    from automl_gui.gui.pages.text import _open

    asked: list[str] = []
    monkeypatch.setattr(
        _open, "ask_text_dataset", lambda parent, start: asked.append(start) or "/x/posts.csv"
    )
    opened: list[str] = []
    window = SimpleNamespace(
        settings=QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat),
        open_path=opened.append,
    )
    DatasetOpening.open_folder_dialog(window, kind=TEXT)
    assert len(asked) == 1 and opened == ["/x/posts.csv"]


@pytest.mark.parametrize("cls", [TextPreprocessPage, TextModelPage])
def test_the_settings_pages_fit_a_1024_pixel_window(qtbot, state, dataset, cls):
    """Side by side at 1400 pixels, never sideways scrolling at 1024 (the columns stack
    where they do not fit side by side)."""
    from PySide6.QtWidgets import QBoxLayout, QScrollArea

    from automl_gui.core.base.resources import resource_path

    def fits(page) -> bool:
        scroll = page.findChild(QScrollArea)
        inner, bar = scroll.widget(), scroll.horizontalScrollBar()
        return inner.width() <= scroll.viewport().width() and not bar.isVisible()

    state.set_dataset(TEXT, dataset)
    page = cls(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))
    page.resize(830, 600)  # a 1024-pixel window less the step list
    page.show()
    qtbot.wait(100)
    qtbot.waitUntil(lambda: fits(page), timeout=2000)
    page.resize(1210, 800)
    side = QBoxLayout.Direction.LeftToRight
    qtbot.waitUntil(lambda: fits(page) and page.columns.direction() == side, timeout=2000)
