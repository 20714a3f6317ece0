"""The Predict page's table model: the answers beside the input, with every probability (a
class's ``probability_<class>``, a file's ``confidence``) in one format
(:func:`~automl_gui.gui.format.probability`, "90.4%") and its exact value in the tooltip, and
files' paths relative to the folder they were chosen from ("circle/c_01.jpg"; the whole path
in the tooltip and in the saved CSV)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from automl_gui.gui.format import probability
from automl_gui.gui.widgets.dataframe_model import MISSING_TEXT, DataFrameModel

PROBABILITY_PREFIX = "probability_"


class PredictionsModel(DataFrameModel):
    """A :class:`DataFrameModel` that shows the named probability columns as percentages."""

    _probability_columns: frozenset[int] = frozenset()
    _path_column = -1
    _path_prefix = ""

    def set_frame(self, df: Any, probabilities: Iterable[str] = (), path_root: str = "") -> None:
        """Show ``df``; its columns named in ``probabilities`` hold probabilities. With a
        ``path_root`` folder, its ``path`` column shows the paths under it relative to it:
        absolute paths wrapped onto two lines and pushed the answers out of sight."""
        names = {str(c) for c in probabilities}
        columns = [] if df is None else [str(c) for c in df.columns]
        self._probability_columns = frozenset(i for i, c in enumerate(columns) if c in names)
        self._path_column = columns.index("path") if path_root and "path" in columns else -1
        self._path_prefix = os.path.join(path_root, "") if path_root else ""
        super().set_frame(df)

    def cell_text(self, row: int, col: int) -> str:
        text = super().cell_text(row, col)
        if col == self._path_column and text.startswith(self._path_prefix):
            return text[len(self._path_prefix) :] or text
        if col not in self._probability_columns or text == MISSING_TEXT:
            return text
        try:
            return probability(float(self.frame.iat[row, col]))
        except (TypeError, ValueError):  # not a number after all: as the base shows it
            return text


def probability_columns(frame: Any) -> list[str]:
    """The columns of a prediction ``frame`` that hold probabilities: the model's
    ``probability_<class>`` answers (named as ``attrs["answer_columns"]`` says, so an input
    column of that name is left alone) and a file's ``confidence``."""
    named = frame.attrs.get("answer_columns")
    if named:
        return [c for k, c in named.items() if k.startswith(PROBABILITY_PREFIX)]
    columns = [str(c) for c in frame.columns]
    return [c for c in columns if c.startswith(PROBABILITY_PREFIX) or c == "confidence"]


def common_folder(paths: Iterable[str]) -> str:
    """The folder the chosen files and folders have in common ("" for none: other drives)."""
    absolute = [os.path.abspath(p) for p in map(str, paths)]  # as the answers name the files
    folders = [p if os.path.isdir(p) else os.path.dirname(p) for p in absolute]
    try:
        return os.path.commonpath(folders) if folders else ""
    except ValueError:  # different drives
        return ""
