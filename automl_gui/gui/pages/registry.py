"""Which page shows each step for each kind of data: the one place a ``DataKind`` (its
``pages`` key) maps to its page package.

A kind lists the steps whose page is its own (Data, Preprocess, Model, Evaluate); the steps it
does not list use the shared page (Train trains every kind, Predict takes any model). Pages
are named ``"module:Class"`` and imported when first built, so a window starts without the
modules of kinds nobody opened. A new kind of data adds one entry here and its page package.
"""

from __future__ import annotations

from dataclasses import dataclass

from automl_gui.core.kinds import DataKind

#: the steps of the window, in order
STEPS = ("data", "preprocess", "model", "train", "evaluate", "predict")
#: what each step is for (the navigation's and the View menu's tooltips)
STEP_HELP = {
    "data": "Load a table, an image folder or a folder of sound clips, look at it and choose "
    "what to predict.",
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

#: kind (``DataKind.pages``) → step → its own page
KIND_PAGES: dict[str, dict[str, str]] = {
    "tabular": {
        "data": "automl_gui.gui.pages.data:DataPage",
        "preprocess": "automl_gui.gui.pages.preprocess:PreprocessPage",
        "model": "automl_gui.gui.pages.model:ModelPage",
        "evaluate": "automl_gui.gui.pages.evaluate:EvaluatePage",
    },
    "images": {
        "data": "automl_gui.gui.pages.images.data:ImageDataPage",
        "preprocess": "automl_gui.gui.pages.images.preprocess:ImagePreprocessPage",
        "model": "automl_gui.gui.pages.images.model:ImageModelPage",
        "evaluate": "automl_gui.gui.pages.images.evaluate:ImageEvaluatePage",
    },
    "audio": {
        "data": "automl_gui.gui.pages.audio.data:AudioDataPage",
        "preprocess": "automl_gui.gui.pages.audio.preprocess:AudioPreprocessPage",
        "model": "automl_gui.gui.pages.audio.model:AudioModelPage",
        "evaluate": "automl_gui.gui.pages.audio.evaluate:AudioEvaluatePage",
    },
}


@dataclass(frozen=True)
class WaysIn:
    """How the window offers a kind of files besides a drop: its File menu entries (open a
    folder, open the bundled sample) and its button on the welcome panel."""

    open_text: str  # "Open &Image Folder…"
    open_tip: str
    shortcut: str
    sample_text: str  # "Open Image Sam&ple"
    sample_tip: str
    welcome_text: str  # the welcome panel's button
    welcome_tip: str
    sample_word: str  # "No sample image folder is installed."


#: kind (``DataKind.pages``) → how the window offers it; the table, the home kind, has the
#: Data page's own Open Dataset… and Open Sample
WAYS_IN: dict[str, WaysIn] = {
    "images": WaysIn(
        "Open &Image Folder…",
        "Open a folder of images: one subfolder per class, or train/ val/ test/ folders",
        "Ctrl+Shift+O",
        "Open Image Sam&ple",
        "Open the bundled demo image folder (circles, squares and triangles)",
        "Open sample images",
        "Load the bundled demo image folder (circles, squares, triangles: 120 images)",
        "image",
    ),
    "audio": WaysIn(
        "Open &Audio Folder…",
        "Open a folder of sound clips (WAV, FLAC, OGG, MP3): one subfolder per class, or "
        "train/ val/ test/ folders",
        "Ctrl+Alt+O",
        "Open Audio Sa&mple",
        "Open the bundled demo sound folder (whistle, siren, hiss and tick clips)",
        "Open sample sounds",
        "Load the bundled demo sound folder (whistle, siren, hiss, tick: 80 one-second clips)",
        "sound",
    ),
}


def ways_in() -> list[tuple[DataKind, WaysIn]]:
    """Every kind the window offers through its own menu entries, in the app's order."""
    from automl_gui.core.kinds import all_kinds

    return [(kind, WAYS_IN[kind.pages]) for kind in all_kinds() if kind.pages in WAYS_IN]


def own_pages(kind: DataKind) -> dict[str, str]:
    """The steps ``kind`` has its own page for, step → ``"module:Class"``."""
    return KIND_PAGES[kind.pages]


def page_spec(kind: DataKind, step: str) -> str:
    """The page that shows ``step`` while a dataset of ``kind`` is loaded."""
    return own_pages(kind).get(step) or SHARED_PAGES[step]
