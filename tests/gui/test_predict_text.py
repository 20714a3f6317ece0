"""Predict page with a text model: the box classifies what is typed (debounced, off the UI
thread, stale answers dropped), and texts in bulk (a table of texts, .txt files) go through
the shared files path with the text beside the answers."""

from __future__ import annotations

import pytest
from kind_jobs import train_kind
from test_text_pages import make_csv

from automl_gui.core.data.text import load_text
from automl_gui.core.kinds.text import TEXT
from automl_gui.core.models.text_config import TextModelConfig
from automl_gui.core.preprocess.text_config import TextPreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.pages import _predict_text
from automl_gui.gui.pages._predict_text import TypeBox
from automl_gui.gui.pages.predict import PredictPage
from automl_gui.gui.state import AppState


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    return make_csv(tmp_path_factory.mktemp("texts") / "posts.csv")


@pytest.fixture(scope="module")
def run(csv_path):
    """A text model trained here: 2 epochs of the n-gram MLP on 60 texts."""
    return train_kind(
        TEXT,
        load_text(str(csv_path)),
        TextPreprocessConfig(),
        TextModelConfig(architecture="ngram_mlp"),
        TrainConfig(epochs=2, batch_size=16),
    )


def answered(box: TypeBox) -> bool:
    return not box.busy and box.bars.shown()[0] != "–"


def test_typing_classifies_in_the_background(qtbot, run):
    box = TypeBox()
    qtbot.addWidget(box, before_close_func=lambda w: w.wait_idle())
    box.set_bundle(run.bundle)
    assert [n.text() for n in box.bars.names] == ["food", "sport", "tech"]
    assert box.bars.shown() == ["–", "–", "–"]
    calls: list[str] = []
    real = _predict_text.classify_typed

    def counting(bundle, text):
        calls.append(text)
        return real(bundle, text)

    _predict_text.classify_typed = counting
    try:
        for part in ("go", "goal ", "goal match ", "goal match team"):
            box.editor.setPlainText(part)  # a burst of keystrokes: one run, the last text
        with qtbot.waitSignal(box.answered, timeout=60_000) as got:
            pass
    finally:
        _predict_text.classify_typed = real
    assert calls == ["goal match team"]
    probabilities = got.args[0]
    assert len(probabilities) == 3 and abs(sum(probabilities) - 1) < 1e-4
    shown = box.bars.shown()
    assert all(s.endswith("%") for s in shown)
    assert box.status.text().startswith("Predicted: ")
    # an empty box clears the bars without running the model
    box.editor.setPlainText("   ")
    qtbot.waitUntil(lambda: not box.busy, timeout=5000)
    assert box.bars.shown() == ["–", "–", "–"]


def test_a_stale_answer_is_dropped(qtbot, run):
    box = TypeBox()
    qtbot.addWidget(box, before_close_func=lambda w: w.wait_idle())
    box.set_bundle(run.bundle)
    box.editor.setPlainText("soup bread")
    box.classify_now()
    box.editor.setPlainText("laptop screen battery")  # typed while the first one ran
    qtbot.waitUntil(lambda: answered(box), timeout=60_000)
    qtbot.waitUntil(lambda: not box.busy, timeout=60_000)
    top = max(range(3), key=lambda i: box.bars.bars[i].value())
    assert box.status.text() == (
        f"Predicted: {['food', 'sport', 'tech'][top]} ({box.bars.shown()[top]})."
    )


def test_predict_page_shows_the_box_and_predicts_a_table_of_texts(qtbot, run, csv_path):
    state = AppState()
    page = PredictPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    assert page._type_box is None  # nothing made for a table model
    state.set_run(run)
    assert page.type_box.isVisibleTo(page)
    assert "n-gram MLP" in page.model_label.text()
    assert page.open_button.text() == "Open texts…"
    assert "Type a text above" in page.info.text()

    assert page.accept_drop(str(csv_path))  # a table of texts, in bulk
    qtbot.waitUntil(lambda: page.worker is None, timeout=60_000)
    frame = page.predictions
    assert len(frame) == 60
    shown = list(page.model.frame.columns)
    assert shown[:4] == ["path", "prediction", "confidence", "text"]
    assert page.table.columnWidth(3) <= 380

    state.set_run(None)  # the trained model goes away: so does the box
    assert not page.type_box.isVisibleTo(page)


def test_a_text_with_no_known_word_is_answered_with_the_engines_warning(qtbot, run, tmp_path):
    """The model's answer to a text none of whose words it knows is its answer to an empty
    vector: the box says so under the bars, and the bulk table shows the warning column."""
    box = TypeBox()
    qtbot.addWidget(box, before_close_func=lambda w: w.wait_idle())
    box.set_bundle(run.bundle)
    box.editor.setPlainText("xyzzy plugh")
    qtbot.waitUntil(lambda: answered(box), timeout=60_000)
    assert box.warning.isVisibleTo(box)
    assert "vocabulary" in box.warning.text() and box.warning.text().startswith("⚠ None")
    box.editor.setPlainText("goal match team")  # known words: no warning
    qtbot.waitUntil(lambda: not box.busy and not box.warning.isVisibleTo(box), timeout=60_000)

    table = tmp_path / "new.csv"
    table.write_text("text\ngoal match team\nxyzzy plugh\n", encoding="utf-8")
    state = AppState()
    page = PredictPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    state.set_run(run)
    assert page.accept_drop(str(table))
    qtbot.waitUntil(lambda: page.worker is None, timeout=60_000)
    shown = list(page.model.frame.columns)
    assert "warning" in shown[: shown.index("probability_food")]
    assert "1 of them with a warning" in page.info.text()
