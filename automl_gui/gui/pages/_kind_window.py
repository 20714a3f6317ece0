"""What a kind's page package tells the window: :class:`KindWindow`.

Each page package (``gui/pages/tabular``, ``images``, ``audio``) declares one ``WINDOW`` in
its ``__init__``: the steps it has its own page for, how the File menu and the welcome panel
offer its datasets (:class:`WaysIn`), what the Predict page says for its models
(:class:`PredictWords`) and what the Train summary says about its model's input. The window
imports a package's ``__init__`` at start (menus), so it holds strings and small functions
only; its pages are ``"module:Class"`` names imported when first built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WaysIn:
    """How the window offers a kind of files besides a drop: its File menu entries (open a
    folder, open the bundled sample) and its button on the welcome panel."""

    open_text: str  # "Open &Image Folder…"
    open_tip: str
    shortcut: str
    sample_text: str  # "Open Image Sam&ple"
    sample_tip: str
    welcome_tip: str
    sample_word: str  # "No sample image folder is installed."
    # (parent, start folder) → the path chosen ("" when cancelled); None: a folder dialog.
    # Kinds whose dataset may be a file or a folder (texts: a CSV or a folder) ask their way.
    ask_path: Callable[[Any, str], str] | None = None


def no_details(_meta: dict[str, Any], details: list[str]) -> list[str]:
    """The model line's details as the architecture gives them."""
    return details


@dataclass(frozen=True)
class PredictWords:
    """What the Predict page says and shows for a model of a kind of files (the kind's own
    ``item``, ``extensions`` and ``predict`` do the rest)."""

    files_title: str  # the file dialog's filter name: "Images"
    open_text: str  # the Open button's text
    open_tip: str
    folder_tip: str
    gallery: bool = False  # thumbnails captioned with the predictions beside the table
    clips: bool = False  # the selected row's clip (play, waveform, spectrogram) beside it
    type_box: bool = False  # a box to type or paste one example, classified as it is typed
    also_opens: tuple[str, ...] = ()  # suffixes it takes besides the kind's own (tables)
    # (bundle metadata, the architecture's words or []) → the model line's details
    details: Callable[[dict[str, Any], list[str]], list[str]] = no_details


@dataclass(frozen=True)
class KindWindow:
    """A kind's window side, declared by its page package.

    Attributes:
        pages: step → ``"module:Class"`` of the steps this kind has its own page for (Train
            and Predict are shared when absent).
        ways_in: its File menu entries and welcome button (None: the table, the home kind,
            has the Data page's own Open Dataset… and Open Sample).
        predict: the Predict page's words for its models (None: the page's table view).
        input_parts: ``(dataset, preprocess, model words, auto=name) → [html parts]``: what
            the Train summary says about the model and its input (kinds of files); ``auto``
            names the network the image Model page found Auto picks here (None until then).
    """

    pages: dict[str, str]
    ways_in: WaysIn | None = None
    predict: PredictWords | None = None
    input_parts: Callable[..., list[str]] | None = None
