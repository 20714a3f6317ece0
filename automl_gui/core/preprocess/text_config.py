"""Text preprocessing settings: how raw text becomes the network's input (Keras
``TextVectorization`` inside the model), word dropout, and the split (JSON-friendly, like
``audio_config``). TensorFlow-free: the window imports it at start.

A setting at 0 (or "auto") is decided from the data and the network by
``core.preprocess.text.resolve_text_config``, which also says what it chose.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from automl_gui.core.base.errors import ConfigError

#: ``TextVectorization``'s standardize choices ("none" = keep the text as it is)
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", "none")
#: ``TextVectorization``'s split choices
SPLITS = ("whitespace", "character")
#: "auto": multi-hot for bag-of-n-grams networks, "int" (token ids) for sequence networks
OUTPUT_MODES = ("auto", "tf_idf", "multi_hot", "count", "int")
#: the bag-of-n-grams output modes (a vector per text) and the sequence one
BAG_MODES = ("tf_idf", "multi_hot", "count")
SEQUENCE_MODES = ("int",)

#: automatic values. Google's text classification guide keeps the top 20,000 n-grams and
#: TF-IDF; on the five n-gram datasets of ``benchmarks/text_quality.py`` multi-hot vectors of
#: the top 50,000 scored higher (see ``core.preprocess.text``). Sequence networks and tables'
#: text columns keep 20,000.
AUTO_MAX_TOKENS = 20_000
AUTO_MAX_TOKENS_BAG = 50_000
AUTO_OUTPUT_MODE_BAG = "multi_hot"
AUTO_NGRAMS_BAG = 2
#: n-grams of characters (split "character"): characters, pairs and triples
AUTO_NGRAMS_CHARACTER = 3
AUTO_NGRAMS_SEQUENCE = 1
AUTO_SEQUENCE_PERCENTILE = 95
AUTO_SEQUENCE_RANGE = (16, 500)

#: what a user may set (0 = automatic where allowed)
MAX_TOKENS_RANGE = (100, 1_000_000)
NGRAMS_RANGE = (1, 3)
SEQUENCE_LENGTH_RANGE = (8, 2_000)
WORD_DROPOUT_RANGE = (0.0, 0.5)


@dataclass
class TextPreprocessConfig:
    """How texts become model inputs, and how the dataset is split.

    Args:
        standardize: "lower_and_strip_punctuation" (lowercase, ASCII punctuation removed),
            "lower", "strip_punctuation" or "none". Keras lowercases the ASCII letters A-Z
            only ("WÖRLD" → "wÖrld").
        split: "whitespace" (words) or "character" (Unicode characters: for languages
            written without spaces).
        max_tokens: vocabulary size, the most frequent tokens/n-grams of the training texts;
            0 = automatic (50,000 for the n-gram MLP, 20,000 for the sequence networks).
        ngrams: n-grams up to this length (2 = words and word pairs); 0 = automatic (2 for
            the n-gram MLP, 3 for it on characters, 1 for the sequence networks).
        output_mode: "tf_idf", "multi_hot", "count" (one vector per text, for the n-gram
            MLP), "int" (token ids, for the sepCNN and the Transformer) or "auto" (multi-hot
            for the n-gram MLP, token ids for the others).
        sequence_length: tokens per text for "int" (longer texts are cut, shorter padded);
            0 = automatic: the 95th percentile of the training texts' lengths, within
            [16, 500].
        word_dropout: augmentation, training only: the fraction of words (sequence networks)
            or n-gram features (the n-gram MLP) dropped at random; 0 = off.
        validation_fraction, test_fraction: used when the data has no split of its own
            (stratified by class).
        seed: split and augmentation seed.
        cache: keep the batches in memory after the first epoch.
    """

    standardize: str = "lower_and_strip_punctuation"
    split: str = "whitespace"
    max_tokens: int = 0
    ngrams: int = 0
    output_mode: str = "auto"
    sequence_length: int = 0
    word_dropout: float = 0.0
    validation_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 42
    cache: bool = False

    @property
    def augment_active(self) -> bool:
        """True when word dropout changes the training texts."""
        return float(self.word_dropout) > 0

    def validate(self) -> TextPreprocessConfig:
        """Raise ConfigError naming the allowed values for any setting out of range; return
        self (so ``config.validate()`` chains)."""
        _choice("Text standardization", self.standardize, STANDARDIZE)
        _choice("Token split", self.split, SPLITS)
        _choice("Output mode", self.output_mode, OUTPUT_MODES)
        _count("Vocabulary size (max tokens)", self.max_tokens, MAX_TOKENS_RANGE)
        _count("N-gram length", self.ngrams, NGRAMS_RANGE)
        _count("Sequence length", self.sequence_length, SEQUENCE_LENGTH_RANGE)
        low, high = WORD_DROPOUT_RANGE
        if not low <= float(self.word_dropout) <= high:
            raise ConfigError(
                f"Word dropout {self.word_dropout:g} is out of range.",
                f"Use a fraction from {low:g} (off) to {high:g}.",
            )
        from automl_gui.core.preprocess._files import _check_fractions

        _check_fractions(self, "texts")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextPreprocessConfig:
        """Settings stored by ``to_dict`` (a project, a bundle's metadata), validated.

        Raises:
            ConfigError: an unknown setting, or a value out of range.
        """
        return known_settings(cls, data, "text preprocessing").validate()


def known_settings(cls: type, data: dict[str, Any], noun: str) -> Any:
    """``cls(**data)`` for a settings dataclass, refusing keys it does not have (the text
    settings' ``from_dict``: preprocessing here, the network in ``models.text_config``).

    Raises:
        ConfigError: an unknown setting (the message lists the known ones).
    """
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"Unknown {noun} setting(s): {', '.join(unknown)}.",
            f"Known settings: {', '.join(sorted(known))}.",
        )
    return cls(**data)


def _choice(what: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{what} '{value}' is not known.", f"Use one of: {', '.join(allowed)}.")


def _count(what: str, value: Any, allowed: tuple[int, int]) -> None:
    """0 (automatic) or an integer within ``allowed``."""
    low, high = allowed
    ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok or not (value == 0 or low <= value <= high):
        raise ConfigError(
            f"{what} {value!r} is out of range.",
            f"Use 0 (automatic) or a whole number from {low:,} to {high:,}.",
        )


__all__ = ["OUTPUT_MODES", "SPLITS", "STANDARDIZE", "TextPreprocessConfig"]
