"""From raw text to the network's input: the automatic choices and Keras' ``TextVectorization``.

A text model takes raw strings; inside it, a ``TextVectorization`` layer adapted on the
training texts only standardizes (lowercase, ASCII punctuation removed), splits (words or
characters), forms n-grams and looks them up: a TF-IDF / multi-hot / count vector per text
for the n-gram MLP, a fixed-length sequence of token ids for the sequence networks.

What "auto" means follows Google's *Text classification* guide
(https://developers.google.com/machine-learning/guides/text-classification/step-2-5):
the number of samples divided by the median words per sample decides the network (under
1,500: n-grams + MLP, else a sequence model), n-grams of 1-2 words. Measured departures from
the guide for the n-gram MLP (``benchmarks/text_quality.py``, five n-gram datasets, mean test
accuracy; figures in ``core.models._text_nets.ngram_mlp``): multi-hot vectors instead of TF-IDF and the
top 50,000 n-grams instead of 20,000. Texts mostly written without spaces, or of very few
words, are split into characters (n-grams up to 3), :func:`auto_split`.

TensorFlow is imported inside the functions that build layers only.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from collections.abc import Sequence
from typing import Any

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.preprocess._text_adapt import adapt_vectorizer, no_tokens_error
from automl_gui.core.preprocess.text_config import (
    AUTO_MAX_TOKENS,
    AUTO_MAX_TOKENS_BAG,
    AUTO_NGRAMS_BAG,
    AUTO_NGRAMS_CHARACTER,
    AUTO_NGRAMS_SEQUENCE,
    AUTO_OUTPUT_MODE_BAG,
    AUTO_SEQUENCE_PERCENTILE,
    AUTO_SEQUENCE_RANGE,
    BAG_MODES,
    SEQUENCE_MODES,
    TextPreprocessConfig,
)

#: the guide's threshold on samples / words-per-sample
SW_RATIO_THRESHOLD = 1500
#: output modes each network takes; "pretrained" tokenizes with its own preprocessor
ARCHITECTURE_MODES: dict[str, tuple[str, ...]] = {
    "ngram_mlp": BAG_MODES,
    "sepcnn": SEQUENCE_MODES,
    "transformer": SEQUENCE_MODES,
    "pretrained": (),
}
MODE_WORDS = {
    "tf_idf": "TF-IDF vectors",
    "multi_hot": "multi-hot vectors",
    "count": "token counts",
    "int": "token id sequences",
}
#: the layer's name inside every text model (the export finds it by type, this is for people)
VECTORIZER_NAME = "vectorize"
#: the most tokens the preview lists
PREVIEW_LIMIT = 500

__all__ = [
    "auto_sequence_length",
    "auto_split",
    "auto_text_architecture",
    "build_vectorizer",
    "resolve_text_config",
    "standardized_text",
    "tokenize_preview",
]


def auto_text_architecture(n_train: int, median_words: float) -> tuple[str, str]:
    """The network "auto" trains, and the sentence saying why.

    Google's *Text classification* guide, step 2.5 ("Choose a model"): with S the number of
    samples and W the median words per sample, S/W < 1500 → an n-gram model (TF-IDF of
    uni- and bigrams + MLP), otherwise a sequence model (word embeddings + sepCNN):
    https://developers.google.com/machine-learning/guides/text-classification/step-2-5
    """
    words = max(1.0, float(median_words))
    ratio = int(n_train) / words
    fact = f"{int(n_train):,} training texts / {words:g} median words per text = {ratio:,.0f}"
    if ratio < SW_RATIO_THRESHOLD:
        return "ngram_mlp", (
            f"Auto chose the n-gram MLP: {fact}, under {SW_RATIO_THRESHOLD:,} (Google's text "
            "classification guide: with few or long texts, a bag of words and word pairs "
            "beats a sequence model)."
        )
    return "sepcnn", (
        f"Auto chose the sepCNN: {fact}, {SW_RATIO_THRESHOLD:,} or more (Google's text "
        "classification guide: with many short texts, a sequence model learns word order)."
    )


#: characters per whitespace-separated "word" above which a text counts as written without
#: spaces (English averages about 5, German 6 to 7; a Chinese sentence is one "word" of 10-50)
CHARS_PER_WORD_WITHOUT_SPACES = 10
#: the share of texts written without spaces from which words fail the dataset: in the
#: 19-language chat set 19 % of the lines (Chinese, Japanese) were, and character n-grams
#: scored 0.93 against 0.56 on words
SHARE_WITHOUT_SPACES = 0.1
#: median words per text at or under which words are too few to learn from; characters
#: instead. Measured on the chat-by-topic set (median 6 words, the n-gram MLP): characters
#: 0.695 against words 0.665 (TF-IDF + logistic regression: 0.709 against 0.695); the short
#: reviews of ``negation`` (median 7) go to the sepCNN on words
FEW_WORDS = 6
#: scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, CJK
_NO_SPACE_RANGES = (
    (0x0E00, 0x0EFF),
    (0x1000, 0x109F),
    (0x1780, 0x17FF),
    (0x3040, 0x30FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2FA1F),
)
#: texts looked at by :func:`auto_split` (evenly spread)
SPLIT_SAMPLE = 2000


def _without_spaces(text: str) -> bool:
    """Whether ``text`` is written without spaces: more than half of its letters in a script
    that does not separate words, or (any script) more than
    :data:`CHARS_PER_WORD_WITHOUT_SPACES` characters per whitespace-separated word."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    spaceless = sum(any(lo <= ord(c) <= hi for lo, hi in _NO_SPACE_RANGES) for c in letters)
    words = max(1, len(text.split()))
    return 2 * spaceless > len(letters) or len(text) / words > CHARS_PER_WORD_WITHOUT_SPACES


def auto_split(texts: Sequence[str]) -> tuple[str, str]:
    """ "character" or "whitespace" for these (training) texts, and the sentence saying why.

    Characters when at least :data:`SHARE_WITHOUT_SPACES` of the texts (of up to 2,000
    evenly spread) are written without spaces (Chinese, Japanese, Thai: split on whitespace,
    a whole sentence is one token and the vocabulary learns nothing), or when the median
    text has at most :data:`FEW_WORDS` words; else words. Character n-grams are the classic
    way to tell languages apart (Cavnar & Trenkle 1994, *N-Gram-Based Text Categorization*).
    """
    import statistics

    step = max(1, len(texts) // SPLIT_SAMPLE)
    sample = [str(t) for t in texts[::step]]
    if not sample:
        return "whitespace", ""
    share = sum(_without_spaces(t) for t in sample) / len(sample)
    if share >= SHARE_WITHOUT_SPACES:
        return "character", (
            f"Auto chose character tokens: {share:.0%} of the texts are written without "
            "spaces between words (Chinese, Japanese, Thai…), where a word split makes a "
            "whole sentence one token."
        )
    words = statistics.median(len(t.split()) for t in sample)
    if words <= FEW_WORDS:
        return "character", (
            f"Auto chose character tokens: the median text has {words:g} words, too few to "
            "learn from words alone."
        )
    return "whitespace", ""


def _check_architecture(architecture: str) -> None:
    if architecture not in ARCHITECTURE_MODES:
        hint = (
            "Resolve 'auto' first (auto_text_architecture)."
            if architecture == "auto"
            else f"Use one of: {', '.join(ARCHITECTURE_MODES)}."
        )
        raise ConfigError(f"Unknown text model '{architecture}'.", hint)


def _network(architecture: str) -> str:
    """ "the N-gram MLP", "the sepCNN"…: the network's name (``models.registry``)."""
    from automl_gui.core.models.registry import MODEL_FAMILIES

    return f"the {MODEL_FAMILIES[architecture]['name']}"


def _token_count(text: str, split: str) -> int:
    return len(text) if split == "character" else len(text.split())


def auto_sequence_length(train_texts: Sequence[str], split: str = "whitespace") -> int:
    """The 95th percentile of the training texts' lengths in tokens (words, or characters
    for ``split == "character"``), rounded up, within [16, 500]."""
    low, high = AUTO_SEQUENCE_RANGE
    counts = sorted(_token_count(t, split) for t in train_texts)
    if not counts:
        return low
    # nearest-rank percentile: the smallest length at least 95 % of the texts fit in
    rank = max(1, math.ceil(AUTO_SEQUENCE_PERCENTILE / 100 * len(counts)))
    return int(min(high, max(low, counts[rank - 1])))


def resolve_text_config(
    config: TextPreprocessConfig, architecture: str, train_texts: Sequence[str]
) -> tuple[TextPreprocessConfig, list[str]]:
    """``config`` with every automatic value decided for ``architecture`` (not "auto") and
    the training texts, and one "Auto chose …" sentence per decision.

    Raises:
        ConfigError: a setting out of range, or an output mode the network cannot take
            (token ids for the n-gram MLP, a vector per text for a sequence network).
    """
    config.validate()
    _check_architecture(architecture)
    modes = ARCHITECTURE_MODES[architecture]
    changes: dict[str, Any] = {}
    said: list[str] = []
    if not modes:  # the pretrained model's own preprocessor tokenizes
        if config.sequence_length == 0:
            changes["sequence_length"] = n = auto_sequence_length(train_texts, config.split)
            said.append(_length_sentence(n, config.split))
        return dataclasses.replace(config, **changes), said
    sequence = modes == SEQUENCE_MODES
    if config.output_mode == "auto":
        changes["output_mode"] = mode = "int" if sequence else AUTO_OUTPUT_MODE_BAG
        said.append(f"Auto chose {MODE_WORDS[mode]} for {_network(architecture)}.")
    elif config.output_mode not in modes:
        raise ConfigError(
            f"T{_network(architecture)[1:]} cannot take "
            f"{MODE_WORDS[config.output_mode]} (output mode '{config.output_mode}').",
            f"Use output mode {' or '.join(repr(m) for m in modes)} or 'auto'.",
        )
    if config.max_tokens == 0:
        changes["max_tokens"] = n = AUTO_MAX_TOKENS if sequence else AUTO_MAX_TOKENS_BAG
        said.append(
            f"Auto chose a vocabulary of the {n:,} most frequent "
            f"{'tokens' if sequence else 'n-grams'} of the training texts."
        )
    if config.ngrams == 0:
        changes["ngrams"] = n = _auto_ngrams(sequence, config.split)
        said.append(_ngrams_sentence(n, config.split))
    if sequence and config.sequence_length == 0:
        changes["sequence_length"] = n = auto_sequence_length(train_texts, config.split)
        said.append(_length_sentence(n, config.split))
    return dataclasses.replace(config, **changes), said


def _auto_ngrams(sequence: bool, split: str) -> int:
    if sequence:
        return AUTO_NGRAMS_SEQUENCE
    return AUTO_NGRAMS_CHARACTER if split == "character" else AUTO_NGRAMS_BAG


def _ngrams_sentence(n: int, split: str) -> str:
    if n == 1:
        return "Auto chose single tokens (n-grams 1): the network reads word order itself."
    if split == "character":
        return f"Auto chose n-grams up to {n} characters (characters, pairs and triples)."
    return f"Auto chose n-grams up to {n} (words and word pairs)."


def _length_sentence(n: int, split: str) -> str:
    low, high = AUTO_SEQUENCE_RANGE
    unit = "characters" if split == "character" else "words"
    return (
        f"Auto chose a sequence length of {n:,} tokens: the {AUTO_SEQUENCE_PERCENTILE}th "
        f"percentile of the training texts' lengths in {unit} (kept within {low}–{high})."
    )


def _layer_options(config: TextPreprocessConfig) -> dict[str, Any]:
    """Standardize and split as ``TextVectorization`` takes them."""
    return {
        "standardize": None if config.standardize == "none" else config.standardize,
        "split": config.split,
    }


def build_vectorizer(
    config: TextPreprocessConfig, architecture: str, train_texts: Sequence[str]
) -> Any:
    """A ``keras.layers.TextVectorization`` for ``architecture``, adapted on ``train_texts``
    (the training split only: validation and test texts never shape the vocabulary or the
    IDF weights). ``config``'s automatic values are resolved here if they are not yet
    (:func:`resolve_text_config`). None for "pretrained", which tokenizes with its own
    preprocessor.

    Raises:
        ConfigError: as :func:`resolve_text_config`.
        DataError: no training texts, or no token left in them after standardization.
    """
    from automl_gui.core.base import lazy

    resolved, _ = resolve_text_config(config, architecture, train_texts)
    if not ARCHITECTURE_MODES[architecture]:
        return None
    texts = [str(t) for t in train_texts]
    if not texts:
        raise DataError(
            "There are no training texts to build the vocabulary from.",
            "Check the dataset: every class needs texts in the training split.",
        )
    keras = lazy.keras()
    sequence = resolved.output_mode == "int"
    layer = keras.layers.TextVectorization(
        max_tokens=resolved.max_tokens,
        ngrams=resolved.ngrams if resolved.ngrams > 1 else None,
        output_mode=resolved.output_mode,
        output_sequence_length=resolved.sequence_length if sequence else None,
        name=VECTORIZER_NAME,
        **_layer_options(resolved),
    )
    adapt_vectorizer(layer, texts)
    special = 2 if sequence else 1  # padding "" and [UNK], or [UNK] only
    if layer.vocabulary_size() <= special:
        raise no_tokens_error()
    return layer


# -- the Preprocess page's live preview ---------------------------------------------------------
_VOCABULARIES: weakref.WeakKeyDictionary[Any, tuple[int, frozenset[str]]] = (
    weakref.WeakKeyDictionary()
)


def _tokenizer(standardize: str, split: str | None, ngrams: int) -> Any:
    """An unadapted ``TextVectorization`` with these settings: its own standardize, split
    and n-gram steps serve the preview (one per settings, kept)."""
    key = (standardize, split, ngrams)
    layer = _TOKENIZERS.get(key)
    if layer is None:
        from automl_gui.core.base import lazy

        options = {"standardize": None if standardize == "none" else standardize}
        layer = lazy.keras().layers.TextVectorization(
            split=split, ngrams=ngrams if ngrams > 1 else None, **options
        )
        _TOKENIZERS[key] = layer
    return layer


_TOKENIZERS: dict[tuple[str, str | None, int], Any] = {}


def _preprocess(layer: Any, text: str) -> list[str]:
    """``layer``'s own standardize → split → n-grams on one text (``TextVectorization``'s
    ``_preprocess``, the steps before the vocabulary lookup), as Python strings."""
    from automl_gui.core.base import lazy

    out = layer._preprocess(lazy.tf().constant([str(text)]))
    values = out.to_list()[0] if hasattr(out, "to_list") else out.numpy().tolist()
    if isinstance(values, bytes):
        values = [values]
    return [v.decode("utf-8", errors="replace") for v in values]


def standardized_text(config: TextPreprocessConfig, text: str) -> str:
    """``text`` as the model's standardization leaves it (lowercased, punctuation removed,
    per ``config.standardize``), before splitting."""
    return _preprocess(_tokenizer(config.standardize, None, 1), text)[0]


def _vocabulary(vectorizer: Any) -> frozenset[str]:
    size = int(vectorizer.vocabulary_size())
    cached = _VOCABULARIES.get(vectorizer)
    if cached is None or cached[0] != size:
        cached = (size, frozenset(vectorizer.get_vocabulary(include_special_tokens=False)))
        _VOCABULARIES[vectorizer] = cached
    return cached[1]


def tokenize_preview(
    config: TextPreprocessConfig,
    text: str,
    vectorizer: Any = None,
    *,
    architecture: str = "ngram_mlp",
    limit: int = PREVIEW_LIMIT,
) -> list[tuple[str, bool]]:
    """The tokens (and n-grams) of ``text`` as the model sees them, each with whether it is
    in the vocabulary (True for all while there is no ``vectorizer`` yet), at most ``limit``.

    With ``vectorizer`` (an adapted layer) its own settings tokenize; without, ``config``'s
    (an automatic n-gram length taken as for ``architecture``). The tokens come from
    ``TextVectorization``'s own standardize/split/n-gram steps, so the preview is exactly what
    the layer looks up: all single tokens in order, then the pairs, then the triples.
    """
    if vectorizer is not None:
        tokens = _preprocess(vectorizer, text)
        vocabulary = _vocabulary(vectorizer)
        return [(t, t in vocabulary) for t in tokens[: max(0, int(limit))]]
    config.validate()
    ngrams = config.ngrams
    if ngrams == 0:
        _check_architecture(architecture)
        ngrams = _auto_ngrams(ARCHITECTURE_MODES[architecture] != BAG_MODES, config.split)
    tokens = _preprocess(_tokenizer(config.standardize, config.split, ngrams), text)
    return [(t, True) for t in tokens[: max(0, int(limit))]]
