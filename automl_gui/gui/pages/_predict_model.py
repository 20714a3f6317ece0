"""The Predict page's table model: the answers beside the input, with every probability (a
class's ``probability_<class>``, a file's ``confidence``) in one format
(:func:`~automl_gui.gui.format.probability`, "90.4%") and its exact value in the tooltip."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from automl_gui.gui.format import probability
from automl_gui.gui.widgets.dataframe_model import MISSING_TEXT, DataFrameModel

PROBABILITY_PREFIX = "probability_"


class PredictionsModel(DataFrameModel):
    """A :class:`DataFrameModel` that shows the named probability columns as percentages."""

    _probability_columns: frozenset[int] = frozenset()

    def set_frame(self, df: Any, probabilities: Iterable[str] = ()) -> None:
        """Show ``df``; its columns named in ``probabilities`` hold probabilities."""
        names = {str(c) for c in probabilities}
        columns = [] if df is None else [str(c) for c in df.columns]
        self._probability_columns = frozenset(i for i, c in enumerate(columns) if c in names)
        super().set_frame(df)

    def cell_text(self, row: int, col: int) -> str:
        text = super().cell_text(row, col)
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
