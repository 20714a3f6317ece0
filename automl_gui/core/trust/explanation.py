"""What every kind's ``DataKind.explain`` returns: :class:`Explanation`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass
class Explanation:
    """Why a model answers as it does, in the user's terms.

    Attributes:
        method: the method in words, with its source ("Permutation importance (Breiman
            2001) on 1,200 test rows, 5 repeats"), shown above every view and printed.
        importance: columns ``feature, importance, std``, most important first (tables:
            the user's columns; text: words); None for images and audio.
        items: one row per explained item (a table row's index, or ``path``) with
            ``prediction`` and ``confidence`` and the kind's own columns (tables: one
            ``contribution_<column>`` per column; images/audio: ``overlay``, the PNG's file
            name; text: ``words``, the words that pushed the answer); None when none.
        maps: item key (``path``) → a 2-D saliency map with values in [0, 1] (images: over
            the image as the model saw it; audio: frames × mel bands of the log-mel).
        files: what was written into ``out_dir`` (empty without one).
        notes: sentences for the user (rows left out, a model too old to explain, ...).
    """

    method: str
    importance: pd.DataFrame | None = None
    items: pd.DataFrame | None = None
    maps: dict[str, np.ndarray] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
