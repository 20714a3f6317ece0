"""Text Evaluate page: how the trained text classifier did on the held-out test texts.

The shared Evaluate page of file classifiers (``pages/_files_evaluate.py``: metric cards,
per-class table, clickable confusion matrix, most confidently wrong, summary, Save report)
with the texts of a cell and the confident mistakes as text lists
(:class:`~automl_gui.gui.widgets.text_list.TextBrowser`: the label and confidence above the
first lines of each text; the selected one whole below).

Trust (issue 18): the words that pushed each listed answer are highlighted, green for and red
against (``core.trust.words.word_attributions`` for the row's predicted class, worked out in
the background a chunk at a time by ``_highlights.ListWords``; a "Highlight words" box turns
them off), and an "Important words" tab beside the results ranks the words the model relies
on over the test texts (``_words_tab.WordsTab``).

A test item's ``path`` locates its text (a ``.txt`` file or ``"<table>#<row>"``): the text is
the loaded dataset's (``TextDataset.text_of``), else read again from its ``.txt`` file.
Reads ``state.run`` when it is a ``core.jobs.run.Run`` of the text kind; any other run
clears the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QWidget

from automl_gui.core.kinds.text import TEXT
from automl_gui.gui.pages._files_evaluate import FilesEvaluatePage, prediction_columns
from automl_gui.gui.pages.text._highlights import ListWords
from automl_gui.gui.pages.text._words import NAMES, text_model_details
from automl_gui.gui.pages.text._words_tab import TIP, TITLE, WordsTab
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.text_list import TextBrowser

LIST_TIP = "↑/↓ step through the texts; the selected one shows whole below."


def text_of(dataset: Any, path: str) -> str:
    """The text at ``path``: the dataset's when loaded, else its ``.txt`` file's ("" when it
    cannot be found: a table row of a dataset no longer loaded)."""
    if dataset is not None:
        try:
            return dataset.text_of(path)
        except (KeyError, LookupError):
            pass
    if path.lower().endswith(".txt"):
        from automl_gui.core.data.text import read_text_file

        try:
            return read_text_file(path)
        except Exception:  # noqa: BLE001 - moved or unreadable: the caption still shows
            return ""
    return ""


def text_rows(rows: Any, class_names: list[str], dataset: Any, *, arrow: bool) -> dict[str, Any]:
    """The :meth:`TextBrowser.set_texts` arguments for test-prediction ``rows`` (``texts``:
    "" where a text cannot be found)."""
    import numpy as np

    paths, actual, predicted, confidence, likely = prediction_columns(rows, class_names)
    if arrow:
        captions = [
            f"{a} → {p} · {c}" for a, p, c in zip(actual, predicted, confidence, strict=True)
        ]
    else:
        captions = [f"{p} · {c}" for p, c in zip(predicted, confidence, strict=True)]
    tips = [
        f"actual {a}, predicted {p} ({c})" + (f"\n{m}" if m else "")
        for a, p, c, m in zip(actual, predicted, confidence, likely, strict=True)
    ]
    sure = rows["confidence"].to_numpy(dtype="float64", na_value=np.nan).tolist()
    return {
        "texts": [text_of(dataset, p) for p in paths],
        "captions": captions,
        "locators": paths,
        "tips": tips,
        "wrong": [a != p for a, p in zip(actual, predicted, strict=True)],
        "answers": predicted,
        "probabilities": [None if c != c else float(c) for c in sure],  # NaN: unknown
    }


class TextEvaluatePage(FilesEvaluatePage):
    """Shows how the trained text model did on the held-out test texts."""

    kind = TEXT
    noun = "text"
    items_tab = "Texts"
    cell_hint = "surest first"
    wrong_hint = "surest first: true → predicted, confidence"
    architecture_names = NAMES

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        self._list_words: dict[int, ListWords] = {}  # id(browser) → its highlights' worker
        super().__init__(state, parent)
        self.words_tab = WordsTab(self.trust.jobs, self.test_texts)
        self.trust.add_tab(self.words_tab, TITLE, TIP)
        if self.run is not None:
            self.trust.show_run(self.run)

    def _make_view(self, *, wrong: bool) -> QWidget:
        browser = TextBrowser(words=True)
        browser.list.setToolTip(LIST_TIP)
        self._list_words[id(browser)] = ListWords(browser)
        return browser

    def _show_rows(self, view: QWidget, rows: Any, *, arrow: bool) -> list[Any]:
        assert isinstance(view, TextBrowser)
        words = self._list_words[id(view)]
        if rows is None or len(rows) == 0:
            words.stop()
            view.clear()
            return []
        data = self.state.loaded(TEXT)
        parts = text_rows(rows, self.class_names(), data, arrow=arrow)
        texts = parts.pop("texts")
        view.set_texts([t or "(text not available)" for t in texts], **parts)
        words.start(self.run.bundle if self.run is not None else None, texts, parts["answers"])
        return parts["locators"]

    def test_texts(self, run: Any) -> Callable[[], list[str]]:
        """A reader of the run's test texts that can be read (the loaded dataset's, or their
        ``.txt`` files), called in the worker: reading files never blocks the window."""
        data = self.state.loaded(TEXT)
        paths = run.test_predictions["path"].astype(str).tolist()
        return lambda: [t for t in (text_of(data, p) for p in paths) if t.strip()]

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Stop the highlights' and the trust tabs' workers (the window calls this on close)."""
        idle = [words.wait_idle(msecs) for words in self._list_words.values()]
        return super().wait_idle(msecs) and all(idle)

    def _model_details(self, meta: dict[str, Any]) -> str:
        return text_model_details(meta)

    # the text lists of the selected cell and of the confident mistakes
    cell_texts = property(lambda self: self.cell_view)
    wrong_texts = property(lambda self: self.wrong_view)
