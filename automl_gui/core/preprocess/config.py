"""Preprocessing settings: JSON-serializable dataclasses, versioned.

The fitted statistics (means, vocabularies) are not stored here: they are learned from the
training split when the model is built and live inside the model's preprocessing layers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from automl_gui.core.preprocess.text_config import AUTO_MAX_TOKENS, AUTO_NGRAMS_BAG

CONFIG_VERSION = 1

MISSING_STRATEGIES = ("mean", "median", "most_frequent", "constant", "drop_rows")
SCALINGS = ("standardize", "minmax", "none")
ENCODINGS = ("onehot", "embedding")
#: "text": free text, a TF-IDF vector inside the model (``_text_column``); "datetime": dates
#: and times, calendar features inside the model (``_dates``)
FEATURE_TYPES = ("numeric", "categorical", "text", "datetime")
#: the missing-value strategies that mean something for free text (the model reads a missing
#: text as "") and for dates (the model fills the training median); others take any
MISSING_BY_TYPE = {"text": ("constant", "drop_rows"), "datetime": ("median", "drop_rows")}
#: ColumnConfig fields of text columns alone (left out of other columns' saved settings)
TEXT_FIELDS = ("max_tokens", "ngrams")


@dataclass
class ColumnConfig:
    """How one input column is used.

    Args:
        name: column name in the data.
        use: False excludes the column from the features.
        type: "numeric" (float input), "categorical" (string input), "text" (free text:
            TF-IDF of words and word pairs) or "datetime" (dates/times: calendar features).
        missing: how missing values are filled (see MISSING_STRATEGIES).
        fill_value: the value for missing="constant" (number or string).
        missing_indicator: add a 0/1 feature saying the value was missing.
        scaling: numeric only, see SCALINGS (date features are always standardized).
        encoding: categorical only, "onehot" or "embedding" (index + learned embedding).
        reason: why the automatic default chose this (shown as a tooltip).
        max_tokens: text only: vocabulary size, the most frequent words and n-grams of the
            training rows; 0 = automatic (20,000, as the text kind).
        ngrams: text only: n-grams up to this length (1 = words, 2 = words and word pairs,
            3 = up to three-word phrases); 0 = automatic (2, as the text kind's n-gram model).
    """

    name: str
    use: bool = True
    type: str = "numeric"
    missing: str = "mean"
    fill_value: float | str | None = None
    missing_indicator: bool = False
    scaling: str = "standardize"
    encoding: str = "onehot"
    reason: str = ""
    max_tokens: int = 0
    ngrams: int = 0

    def text_max_tokens(self) -> int:
        """A text column's vocabulary size: as set, or the text kind's automatic 20,000."""
        return int(self.max_tokens) or AUTO_MAX_TOKENS

    def text_ngrams(self) -> int:
        """A text column's longest n-gram: as set, or the text kind's automatic 2 for a bag
        of n-grams (words and word pairs)."""
        return int(self.ngrams) or AUTO_NGRAMS_BAG


@dataclass
class SplitConfig:
    """Train/validation/test split; fractions must sum to 1."""

    train: float = 0.7
    validation: float = 0.15
    test: float = 0.15
    stratify: bool = True
    seed: int = 42


@dataclass
class PreprocessConfig:
    """All preprocessing of a tabular dataset, from raw table to model-ready split."""

    target: str
    task: str  # Task value: "binary" | "multiclass" | "regression"
    columns: list[ColumnConfig] = field(default_factory=list)
    drop_duplicates: bool = True
    embedding_threshold: int = 30  # categorical cardinality above which "embedding" is default
    split: SplitConfig = field(default_factory=SplitConfig)
    version: int = CONFIG_VERSION

    def feature_columns(self) -> list[ColumnConfig]:
        return [c for c in self.columns if c.use and c.name != self.target]

    def column(self, name: str) -> ColumnConfig:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for column in data["columns"]:  # text settings only where they mean something: the
            if column["type"] != "text":  # settings of other columns read as they always did
                for key in TEXT_FIELDS:
                    column.pop(key, None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PreprocessConfig:
        data = dict(data)
        data.setdefault("version", CONFIG_VERSION)
        data["columns"] = [ColumnConfig(**c) for c in data.get("columns", [])]
        data["split"] = SplitConfig(**data.get("split", {}))
        return cls(**data)
