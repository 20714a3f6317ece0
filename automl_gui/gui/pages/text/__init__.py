"""Pages of the window for text datasets (kind "text"), and what the window says about
them: ``WINDOW``."""

from __future__ import annotations

from typing import Any

from automl_gui.core.data.detect import SUPPORTED_TABLE_SUFFIXES
from automl_gui.core.kinds.text import JSON_LINES_SUFFIXES
from automl_gui.gui.pages._kind_window import KindWindow, PredictWords, WaysIn
from automl_gui.gui.pages.text._words import NAMES, text_model_details


def _details(meta: dict[str, Any], details: list[str]) -> list[str]:
    """ "n-gram MLP on 1–2-grams of words, TF-IDF, 20,000 tokens"."""
    arch = str(meta.get("architecture") or "")
    name = NAMES.get(arch, details[0] if details else arch)
    text = text_model_details(meta)
    return [f"{name} {text}".strip()] if name or text else details


def _ask_path(parent: Any, start: str) -> str:
    """A table of texts or a folder of .txt files (the dialog is imported when asked)."""
    from automl_gui.gui.pages.text._open import ask_text_dataset

    return ask_text_dataset(parent, start)


def _input_parts(dataset: Any, preprocess: Any, model: str, auto: str | None = None) -> list[str]:
    """The Train page's lines on the model and how texts become its input (``auto``, the
    image pages' Auto choice, is not the text one's: unused)."""
    from automl_gui.gui.pages.text._settings_words import train_parts

    return train_parts(dataset, preprocess, model)


WINDOW = KindWindow(
    pages={
        "data": "automl_gui.gui.pages.text.data:TextDataPage",
        "preprocess": "automl_gui.gui.pages.text.preprocess:TextPreprocessPage",
        "model": "automl_gui.gui.pages.text.model:TextModelPage",
        "evaluate": "automl_gui.gui.pages.text.evaluate:TextEvaluatePage",
    },
    ways_in=WaysIn(
        "Open Text &Dataset…",
        "Open texts to classify: a CSV, TSV, JSON Lines or Parquet table with a text column "
        "and a label column, or a folder of .txt files with one subfolder per class",
        "Ctrl+Shift+T",
        "Open Te&xt Sample",
        "Open the bundled demo texts (short forum posts about four topics)",
        "Load the bundled demo texts (240 forum posts: cooking, sports, technology, travel)",
        "text",
        ask_path=_ask_path,
    ),
    predict=PredictWords(
        files_title="Texts",
        open_text="Open texts…",
        open_tip="Choose .txt files, or a table (CSV, TSV, JSON Lines, Parquet) with a text "
        "column, to classify in bulk",
        folder_tip="Classify every .txt file in a folder and its subfolders",
        type_box=True,
        also_opens=SUPPORTED_TABLE_SUFFIXES + JSON_LINES_SUFFIXES,  # a text column's rows
        details=_details,
    ),
    input_parts=_input_parts,
)
