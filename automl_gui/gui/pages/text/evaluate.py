"""Text Evaluate page: how the trained text classifier did on the held-out test texts.

The shared Evaluate page of file classifiers (``pages/_files_evaluate.py``: metric cards,
per-class table, clickable confusion matrix, most confidently wrong, summary, Save report)
with the texts of a cell and the confident mistakes as text lists
(:class:`~automl_gui.gui.widgets.text_list.TextBrowser`: the label and confidence above the
first lines of each text; the selected one whole below).

A test item's ``path`` locates its text (a ``.txt`` file or ``"<table>#<row>"``): the text is
the loaded dataset's (``TextDataset.text_of``), else read again from its ``.txt`` file.
Reads ``state.run`` when it is a ``core.jobs.run.Run`` of the text kind; any other run
clears the page.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from automl_gui.core.kinds.text import TEXT
from automl_gui.gui.pages._files_evaluate import FilesEvaluatePage, prediction_columns
from automl_gui.gui.pages.text._words import NAMES, text_model_details
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
    """The :meth:`TextBrowser.set_texts` arguments for test-prediction ``rows``."""
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
    return {
        "texts": [text_of(dataset, p) or "(text not available)" for p in paths],
        "captions": captions,
        "locators": paths,
        "tips": tips,
        "wrong": [a != p for a, p in zip(actual, predicted, strict=True)],
    }


class TextEvaluatePage(FilesEvaluatePage):
    """Shows how the trained text model did on the held-out test texts."""

    kind = TEXT
    noun = "text"
    items_tab = "Texts"
    cell_hint = "surest first"
    wrong_hint = "surest first: true → predicted, confidence"
    architecture_names = NAMES

    def _make_view(self, *, wrong: bool) -> QWidget:
        browser = TextBrowser()
        browser.list.setToolTip(LIST_TIP)
        return browser

    def _show_rows(self, view: QWidget, rows: Any, *, arrow: bool) -> list[Any]:
        assert isinstance(view, TextBrowser)
        if rows is None or len(rows) == 0:
            view.clear()
            return []
        data = self.state.loaded(TEXT)
        parts = text_rows(rows, self.class_names(), data, arrow=arrow)
        texts = parts.pop("texts")
        view.set_texts(texts, **parts)
        return parts["locators"]

    def _model_details(self, meta: dict[str, Any]) -> str:
        return text_model_details(meta)

    # the text lists of the selected cell and of the confident mistakes
    cell_texts = property(lambda self: self.cell_view)
    wrong_texts = property(lambda self: self.wrong_view)
