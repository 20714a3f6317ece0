"""Word highlights in the window (issue 18): the text Evaluate page's lists and the Predict
page's type box tint the words that pushed each answer (green for, red against) with the
figure in tooltips, worked out off the UI thread; the Evaluate page ranks the important
words over the test texts."""

from __future__ import annotations

import pytest
from kind_jobs import train_kind
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QPlainTextEdit, QStyleOptionViewItem, QToolTip
from test_text_pages import make_csv

from automl_gui.core.data.text import load_text
from automl_gui.core.kinds.text import TEXT
from automl_gui.core.models.text_config import TextModelConfig
from automl_gui.core.preprocess.text_config import TextPreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.pages._predict_text import TypeBox
from automl_gui.gui.pages.text.evaluate import TextEvaluatePage
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets._text_rows import collapsed
from automl_gui.gui.widgets.text_list import WORDS_ROLE, TextList
from automl_gui.gui.widgets.word_highlights import EditorWords, word_colour, word_tip


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    return load_text(str(make_csv(tmp_path_factory.mktemp("texts") / "posts.csv")))


@pytest.fixture(scope="module")
def run(dataset):
    """The n-gram MLP trained here: 6 epochs on the 60 texts."""
    return train_kind(
        TEXT,
        dataset,
        TextPreprocessConfig(),
        TextModelConfig(architecture="ngram_mlp"),
        TrainConfig(epochs=6, batch_size=8),
    )


def test_colours_and_tips_say_which_way_and_how_much():
    green, red = word_colour(0.3, 0.3), word_colour(-0.1, 0.3)
    assert green.green() > green.red() and red.red() > red.green()
    assert green.alpha() > red.alpha()  # deeper for a bigger effect
    assert word_colour(0.001, 0.3) is None  # too small to show
    tip = word_tip("goal", 0.412, "sport", 0.93)
    assert "towards sport" in tip and "41.2 points" in tip and "93.0% → 51.8%" in tip
    assert "against sport" in word_tip("soup", -0.05, "sport")


def test_the_editor_highlights_words_and_explains_them(qtbot):
    editor = QPlainTextEdit()
    qtbot.addWidget(editor)
    editor.setPlainText("great goal, soup!")
    words = EditorWords(editor)
    words.set_words([("great", 0, 5, 0.0), ("goal", 6, 10, 0.4), ("soup", 12, 16, -0.1)], "sport")
    shown = words.highlighted()
    assert [w for w, _ in shown] == ["goal", "soup"]  # 0.0 moves nothing: not tinted
    assert shown[0][1].green() > shown[0][1].red() and shown[1][1].red() > shown[1][1].green()
    assert "towards sport" in words.tip_at(7) and words.tip_at(5) == ""
    editor.textCursor().insertText("A ")  # the highlights follow an edit of the text
    assert [w for w, _ in words.highlighted()] == ["goal", "soup"]
    words.clear()
    assert words.highlighted() == []


def test_a_row_maps_word_spans_through_folded_blanks(qtbot):
    text = "the  goal\n\tthen soup"
    flat, where = collapsed(text)
    assert flat == "the goal then soup"
    assert flat[where[5] : where[8] + 1] == "goal" and where[3] == -1
    view = TextList()
    qtbot.addWidget(view)
    view.resize(500, 300)
    view.show()
    view.set_texts([text], captions=["sport · 90.0%"], answers=["sport"], probabilities=[0.9])
    view.text_model.set_words({0: [("goal", 5, 9, 0.4), ("soup", 16, 20, -0.2)]})
    index = view.text_model.index(0)
    delegate = view.itemDelegate()
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = view.visualRect(index)
    boxes = delegate._layout(option, index).word_boxes(view.text_model.words[0], option.font)
    assert [w[0] for _, w in boxes] == ["goal", "soup"]
    assert boxes[0][0].right() < boxes[1][0].left()  # in the order they are read
    centre = boxes[0][0].center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, view.viewport().mapToGlobal(centre))
    assert delegate.helpEvent(event, view, option, index)
    assert "towards sport" in QToolTip.text()
    view.text_model.set_show_words(False)  # the toggle: nothing painted, nothing told
    assert index.data(WORDS_ROLE) is None


def test_evaluate_lists_highlight_words_in_the_background(qtbot, dataset, run):
    state = AppState()
    state.set_dataset(TEXT, dataset)
    page = TextEvaluatePage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.resize(1400, 900)
    state.set_run(run)
    page.show_cell(0, 0)
    browser = page.cell_texts
    words = page._list_words[id(browser)]
    n = browser.list.count()
    assert n > 0
    assert words.pending or browser.list.text_model.words  # started, not waited for
    qtbot.waitUntil(lambda: not words.pending and not words.busy, timeout=60_000)
    model = browser.list.text_model
    assert sorted(model.words) == list(range(n))
    first = model.words[0]
    text = model.texts[0]
    assert all(text[s:e] == w for w, s, e, _ in first)
    best = max(first, key=lambda w: w[3])
    assert best[3] > 0  # some word pushed the (correct) answer
    assert page.cell_texts.full_words.words == first  # the whole text below, too
    assert browser.words_status.text() == ""
    browser.words_box.setChecked(False)  # off: the list and the panel lose their tints
    assert model.words_of(0) is None and page.cell_texts.full_words.highlighted() == []
    browser.words_box.setChecked(True)
    assert model.words_of(0) == first

    titles = page.trust.visible_titles()
    assert "Important words" in titles
    tab = page.words_tab
    qtbot.waitUntil(lambda: tab.explanation is not None, timeout=60_000)
    assert tab.chart.labels and "→" in tab.chart.labels[0]
    assert "Li, Monroe & Jurafsky 2016" in tab.words.text()


def test_the_type_box_highlights_the_words_of_its_answer(qtbot, run):
    box = TypeBox()
    qtbot.addWidget(box, before_close_func=lambda w: w.wait_idle())
    box.set_bundle(run.bundle)
    text = run.bundle.samples[0] if run.bundle.samples is not None else "goal match team"
    box.editor.setPlainText(str(text))
    with qtbot.waitSignal(box.answered, timeout=60_000):
        pass
    qtbot.waitUntil(lambda: not box.busy, timeout=60_000)
    shown = box.editor_words.words
    assert shown and all(str(text)[s:e] == w for w, s, e, _ in shown)
    assert box.editor_words.highlighted()
    assert box.status.text().startswith(f"Predicted: {box.editor_words.answer} (")
    box.words_box.setChecked(False)
    assert box.editor_words.highlighted() == []
    qtbot.waitUntil(lambda: not box.busy, timeout=60_000)


def test_without_the_texts_the_words_tab_says_what_to_open(qtbot, run):
    state = AppState()  # the run's table of texts is not loaded: its rows cannot be read
    page = TextEvaluatePage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    state.set_run(run)
    qtbot.waitUntil(lambda: "not available" in page.words_tab.words.text(), timeout=30_000)
    assert "Open the dataset" in page.words_tab.words.text()
    assert page.words_tab.compute_button.isEnabled()
