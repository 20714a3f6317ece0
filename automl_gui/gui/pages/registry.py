"""Which page shows each step for each kind of data: the one place a ``DataKind`` (its
``pages`` key) maps to its page package.

A kind lists the steps whose page is its own (Data, Preprocess, Model, Evaluate); the steps it
does not list use the shared page (Train trains every kind, Predict takes any model). Each kind's
page package declares them (``WINDOW``, a :class:`~automl_gui.gui.pages._kind_window.KindWindow`:
its pages, ways in, Predict words and Train summary parts); pages are named ``"module:Class"``
and imported when first built, so a window starts without the page modules of kinds nobody
opened. A new kind of data adds one line here (``KIND_PACKAGES``) and its page package.
"""

from __future__ import annotations

import importlib

from automl_gui.core.kinds import DataKind
from automl_gui.gui.pages._kind_window import KindWindow, WaysIn

#: the steps of the window, in order
STEPS = ("data", "preprocess", "model", "train", "evaluate", "predict")
#: what each step is for (the navigation's and the View menu's tooltips)
STEP_HELP = {
    "data": "Load a table, an image folder, a folder of sound clips or texts, look at it and "
    "choose what to predict.",
    "preprocess": "Choose how each column is cleaned and encoded, and how rows are split.",
    "model": "Pick the network and how it is trained.",
    "train": "Train the model and watch it learn live.",
    "evaluate": "See how the model does on held-out test rows.",
    "predict": "Predict on new files with the trained (or a saved) model.",
}

#: the steps one page serves for every kind
SHARED_PAGES: dict[str, str] = {
    "train": "automl_gui.gui.pages.train:TrainPage",
    "predict": "automl_gui.gui.pages.predict:PredictPage",
}

#: kind (``DataKind.pages``) → its page package, whose ``WINDOW`` (a :class:`KindWindow`)
#: declares its pages, ways in, Predict words and Train summary parts
KIND_PACKAGES: dict[str, str] = {
    "tabular": "automl_gui.gui.pages.tabular",
    "images": "automl_gui.gui.pages.images",
    "audio": "automl_gui.gui.pages.audio",
    "text": "automl_gui.gui.pages.text",
}


def kind_window(kind: DataKind) -> KindWindow:
    """What ``kind``'s page package declares (its ``__init__`` is imported, not its pages)."""
    return importlib.import_module(KIND_PACKAGES[kind.pages]).WINDOW


def ways_in() -> list[tuple[DataKind, WaysIn]]:
    """Every kind the window offers through its own menu entries, in the app's order."""
    from automl_gui.core.kinds import all_kinds

    windows = [(kind, kind_window(kind).ways_in) for kind in all_kinds()]
    return [(kind, ways) for kind, ways in windows if ways is not None]


def own_pages(kind: DataKind) -> dict[str, str]:
    """The steps ``kind`` has its own page for, step → ``"module:Class"``."""
    return kind_window(kind).pages


def page_spec(kind: DataKind, step: str) -> str:
    """The page that shows ``step`` while a dataset of ``kind`` is loaded."""
    return own_pages(kind).get(step) or SHARED_PAGES[step]
