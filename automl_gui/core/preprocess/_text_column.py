"""Free-text columns of a table: a TF-IDF branch inside the table model.

A text column reaches the model as a (n, 1) string input, the raw value of each row ("" when
missing; :func:`text_values`). Inside the model a Keras ``TextVectorization`` (lowercased,
punctuation stripped, split on whitespace, TF-IDF weights) adapted on the training split's
column turns it into a vector; the vocabulary size and n-gram length are the column's
``max_tokens`` / ``ngrams``, automatically the text kind's n-gram settings (20,000 terms,
words and word pairs; ``core.preprocess.text_config``), adapted in batches by the text kind's
``_text_adapt.adapt_vectorizer`` (Keras' TF-IDF adapt deduplicates text by text). ``keras.ops`` scale the vector to
length 1 (as scikit-learn's ``TfidfVectorizer`` does by default, so long and short texts weigh
alike next to the other features); that vector is joined with the numeric and categorical
features. N-gram TF-IDF is the representation Google's text-classification guide recommends
for few samples per word ("Text classification guide", developers.google.com/machine-learning/
guides/text-classification, step 3).

Both are built-in Keras layers: a saved ``.keras`` loads in safe mode with plain Keras. For
TFLite/ONNX the export starts after the vectorizer (``text_<input>``) and writes its settings,
vocabulary and IDF weights to ``preprocessing.json`` (``core.export._serving``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.preprocess.config import ColumnConfig
from automl_gui.core.preprocess.text_config import MAX_TOKENS_RANGE, NGRAMS_RANGE

TEXT = "text"  # InputColumn.parse of a text column
VECTORIZER_PREFIX = "text_"  # the TextVectorization layer: text_<input>
FLAT_PREFIX = "textflat_"
NORM_PREFIX = "textnorm_"
STANDARDIZE = "lower_and_strip_punctuation"
SPLIT = "whitespace"
OUTPUT_MODE = "tf_idf"
#: at most this many free-text columns feed one model (each is a vector as wide as its
#: vocabulary); the automatic settings use the first ones in the table
MAX_TEXT_COLUMNS = 5
_NGRAM_WORDS = {1: "words", 2: "words and word pairs", 3: "words and phrases of up to 3 words"}


def describe(col: ColumnConfig) -> str:
    """The text settings in words: "TF-IDF of words and word pairs, 20,000-word vocabulary"."""
    return (
        f"TF-IDF of {_NGRAM_WORDS.get(col.text_ngrams(), f'{col.text_ngrams()}-grams')}, "
        f"{col.text_max_tokens():,}-word vocabulary"
    )


def reason(col: ColumnConfig) -> str:
    """The automatic settings' words for a text column."""
    return f"free text: {describe(col)} (the text kind's n-gram settings)"


def check_settings(col: ColumnConfig) -> None:
    """Refuse a text column's vocabulary size or n-gram length out of range.

    Raises:
        ConfigError: ``max_tokens`` or ``ngrams`` is neither 0 (automatic) nor in range.
    """
    for what, value, (low, high) in (
        ("vocabulary size", col.max_tokens, MAX_TOKENS_RANGE),
        ("n-gram length", col.ngrams, NGRAMS_RANGE),
    ):
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok or not (value == 0 or low <= value <= high):
            raise ConfigError(
                f"Column '{col.name}': {what} {value!r} is out of range.",
                f"Use 0 (automatic) or a whole number from {low:,} to {high:,}.",
            )


def text_values(series: pd.Series) -> np.ndarray:
    """A text column as an object array of ``str``: the value as written, "" when missing."""
    out = np.empty(len(series), dtype=object)
    for i, v in enumerate(series.tolist()):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            out[i] = ""
        else:
            out[i] = str(v)
    return out


def text_branch(
    keras: Any, col: ColumnConfig, inp: Any, values: np.ndarray
) -> tuple[list[Any], dict]:
    """The TF-IDF branch of one text input ``inp`` ((n, 1) string), adapted on the training
    ``values`` ((n, 1) object array of str). Returns ([vector], fitted facts).

    Raises:
        DataError: no word is left in the column's training values after standardization.
    """
    from automl_gui.core.preprocess._text_adapt import adapt_vectorizer

    name = inp.name
    texts = [str(t) for t in values.reshape(-1)]
    max_tokens, ngrams = col.text_max_tokens(), col.text_ngrams()
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=STANDARDIZE,
        split=SPLIT,
        ngrams=ngrams if ngrams > 1 else None,
        output_mode=OUTPUT_MODE,
        name=f"{VECTORIZER_PREFIX}{name}",
    )
    try:  # the text kind's batched adapt: Keras' own TF-IDF adapt goes text by text
        adapt_vectorizer(vectorizer, texts)
    except DataError:
        raise DataError(
            f"Column '{col.name}' is set to free text, but its training rows hold no words.",
            "Exclude the column, or set it to categorical.",
        ) from None
    vector = vectorizer(inp)  # (n, 1, V): one document per row
    vector = keras.layers.Flatten(name=f"{FLAT_PREFIX}{name}")(vector)
    # length 1 (an empty text stays 0): ops, not UnitNormalization, which TFLite turns into
    # an L2_NORMALIZATION that answers NaN for an all-zero row
    ops = keras.ops
    norm = ops.sqrt(ops.sum(ops.square(vector), axis=-1, keepdims=True))
    vector = ops.divide(vector, ops.maximum(norm, 1e-12))
    vector = keras.layers.Identity(dtype="float32", name=f"{NORM_PREFIX}{name}")(vector)
    vocabulary = vectorizer.get_vocabulary()
    words = [len(t.split()) for t in texts]
    facts: dict[str, Any] = {
        "type": "text",
        "output_mode": OUTPUT_MODE,
        "standardize": STANDARDIZE,
        "split": SPLIT,
        "ngrams": ngrams,
        "max_tokens": max_tokens,
        "vocabulary_size": len(vocabulary),
        "top_terms": [str(v) for v in vocabulary[1:21]],
        "median_words": float(np.median(words)) if words else 0.0,
        "missing_in_train": int(sum(not t.strip() for t in texts)),
    }
    return [vector], facts


__all__ = [
    "MAX_TEXT_COLUMNS",
    "TEXT",
    "VECTORIZER_PREFIX",
    "check_settings",
    "describe",
    "reason",
    "text_branch",
    "text_values",
]
