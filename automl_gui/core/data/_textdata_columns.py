"""Which column of a table (or field of JSON Lines) holds the texts, which the labels, which
the split: the shape of each column, judged on a sample of its values.

Text: the column of strings with the most words per value (words are ``str.split()``, so any
script that separates words by spaces counts right; a text in a script without spaces counts
by its length). Label: a column with few distinct values, names like label/class/category/
target/sentiment/topic/rating preferred. Split: a column named ``split`` whose values are
train/val/validation/test. Identifier columns (named like ids, or unique one-word values)
are neither.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from automl_gui.core.data._common import looks_like_id_name
from automl_gui.core.data._media_scan import SPLIT_NAMES

#: values of a column looked at to judge its shape
SHAPE_SAMPLE = 2_000
#: a free-text column: a median of at least this many words, or this mean length
TEXT_MEDIAN_WORDS = 4
TEXT_MEAN_CHARS = 30
#: the fewest words per value (mean) or characters for a column chosen as the text at all
MIN_TEXT_WORDS = 1.5
MIN_TEXT_CHARS = 15
#: a label column chosen automatically has at most this many distinct values
AUTO_MAX_CLASSES = 100
#: a label with more distinct values than this is text, not a label ("thousands")
MAX_CLASSES = 1_000
LABEL_NAMES = (
    "label",
    "labels",
    "class",
    "category",
    "target",
    "sentiment",
    "topic",
    "rating",
    "y",
    "tag",
    "intent",
    "genre",
    "emotion",
    "stance",
    "polarity",
)
SPLIT_COLUMN = "split"


@dataclass(frozen=True)
class ColumnShape:
    """What a sample of one column looks like.

    Attributes:
        name: the column.
        position: its place in the table (0-based).
        values: non-missing values looked at.
        strings: how many of those are strings (not numbers, dates, ...).
        integers: how many of those are whole numbers (of an integer type).
        distinct: distinct non-missing values in the whole column.
        rows: rows in the table.
        mean_words, median_words, mean_chars: over the string values looked at.
    """

    name: str
    position: int
    values: int
    strings: int
    integers: int
    distinct: int
    rows: int
    mean_words: float
    median_words: float
    mean_chars: float

    @property
    def is_strings(self) -> bool:
        return self.values > 0 and self.strings >= 0.9 * self.values

    @property
    def free_text(self) -> bool:
        """Free text: strings of a median of 4+ words or 30+ characters on average, mostly
        distinct (a few long values repeated are categories: "two year contract")."""
        long_enough = self.median_words >= TEXT_MEDIAN_WORDS or self.mean_chars >= TEXT_MEAN_CHARS
        varied = self.distinct > AUTO_MAX_CLASSES or 2 * self.distinct > self.values
        return self.is_strings and long_enough and varied

    @property
    def textual(self) -> bool:
        """Strings long enough to be chosen as the text when nothing better is there."""
        return self.is_strings and (
            self.mean_words >= MIN_TEXT_WORDS or self.mean_chars >= MIN_TEXT_CHARS
        )

    @property
    def identifier(self) -> bool:
        """Named like an id, or unique one-word strings or whole numbers (codes, UUIDs, file
        names, row numbers); unique measurements (2.5, 3.7) are not."""
        if looks_like_id_name(self.name) and not self.free_text:
            return True
        if not (self.values > 0 and self.rows > 1 and self.distinct >= self.rows):
            return False
        if self.is_strings:
            return self.mean_words <= 1.0
        return self.integers == self.values

    @property
    def label_like(self) -> bool:
        """Few distinct values, not free text: a candidate label."""
        if self.values == 0 or self.identifier or self.free_text:
            return False
        limit = min(AUTO_MAX_CLASSES, max(2, math.ceil(self.rows / 2)))
        return 2 <= self.distinct <= limit

    @property
    def text_not_label(self) -> bool:
        """Too many distinct values for a label: thousands, or free text nearly unique."""
        if self.distinct > MAX_CLASSES:
            return True
        return self.free_text and self.distinct > 20 and self.distinct > 0.5 * self.rows


def column_shapes(df: pd.DataFrame, sample: int = SHAPE_SAMPLE) -> list[ColumnShape]:
    """The shape of every column of ``df`` (words judged on its first ``sample`` values)."""
    shapes = []
    for position, name in enumerate(df.columns):
        column = df[name]
        present = column.dropna()
        looked = present.iloc[:sample]
        texts = [v for v in looked if isinstance(v, str)]
        integers = sum(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in looked)
        words = [len(v.split()) for v in texts]
        try:
            distinct = int(present.nunique())
        except TypeError:  # unhashable values (lists from JSON)
            distinct = len({repr(v) for v in present})
        shapes.append(
            ColumnShape(
                name=str(name),
                position=position,
                values=len(looked),
                strings=len(texts),
                integers=int(integers),
                distinct=distinct,
                rows=len(df),
                mean_words=statistics.fmean(words) if words else 0.0,
                median_words=float(statistics.median(words)) if words else 0.0,
                mean_chars=statistics.fmean(len(v) for v in texts) if texts else 0.0,
            )
        )
    return shapes


def choose_text(shapes: Sequence[ColumnShape], exclude: set[str]) -> ColumnShape | None:
    """The column with the most words per value among textual string columns."""
    candidates = [s for s in shapes if s.name not in exclude and s.textual]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.mean_words, s.mean_chars, -s.position))


def choose_label(shapes: Sequence[ColumnShape], exclude: set[str]) -> ColumnShape | None:
    """A label-like column: a label name first, then the fewest classes, then the last."""
    candidates = [s for s in shapes if s.name not in exclude and s.label_like]
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda s: (
            _name_rank(s.name),
            s.distinct > 20,
            -s.position,
        ),
    )


def _name_rank(name: str) -> int:
    key = name.strip().lower()
    return LABEL_NAMES.index(key) if key in LABEL_NAMES else len(LABEL_NAMES)


def split_values(column: pd.Series) -> pd.Series | None:
    """The split of each row ("train"/"validation"/"test", None where empty) when every
    filled value of ``column`` names a split, "train" is among them, and at least two
    splits are; else None."""
    mapped = []
    for value in column:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            mapped.append(None)
            continue
        split = SPLIT_NAMES.get(str(value).strip().lower())
        if split is None:
            return None
        mapped.append(split)
    found = {m for m in mapped if m}
    if "train" not in found or len(found) < 2:
        return None
    return pd.Series(mapped, index=column.index, dtype=object)


def split_column(columns: Sequence[str]) -> str | None:
    """The column named ``split`` (any case), if there is one."""
    for name in columns:
        if str(name).strip().lower() == SPLIT_COLUMN:
            return str(name)
    return None


def label_text(value: object) -> str | None:
    """A label as text ('3' for 3.0, 'True' for True); None when missing or blank."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    text = str(value).strip()
    return text or None
