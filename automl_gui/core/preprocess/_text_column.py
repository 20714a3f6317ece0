"""Free-text columns of a table: a TF-IDF branch inside the table model.

A text column reaches the model as a (n, 1) string input, the raw value of each row ("" when
missing; :func:`text_values`). Inside the model a Keras ``TextVectorization`` (lowercased,
punctuation stripped, split on whitespace, words and word pairs, TF-IDF weights) adapted on
the training split's column turns it into a vector, which ``keras.ops`` scale to length 1 (as scikit-learn's ``TfidfVectorizer`` does by default, so long and short texts weigh
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

TEXT = "text"  # InputColumn.parse of a text column
VECTORIZER_PREFIX = "text_"  # the TextVectorization layer: text_<input>
FLAT_PREFIX = "textflat_"
NORM_PREFIX = "textnorm_"
STANDARDIZE = "lower_and_strip_punctuation"
SPLIT = "whitespace"
NGRAMS = 2
OUTPUT_MODE = "tf_idf"
MIN_TOKENS = 1_000
MAX_TOKENS = 20_000
TOKENS_PER_ROW = 10
#: at most this many free-text columns feed one model (each is a vector of up to
#: MAX_TOKENS values); the automatic settings use the first ones in the table
MAX_TEXT_COLUMNS = 5


def auto_max_tokens(n_train: int) -> int:
    """Vocabulary size for ``n_train`` training rows: ten terms per row, within
    [:data:`MIN_TOKENS`, :data:`MAX_TOKENS`], rounded to a thousand."""
    wanted = TOKENS_PER_ROW * max(int(n_train), 0)
    return int(min(MAX_TOKENS, max(MIN_TOKENS, round(wanted / 1000) * 1000)))


def reason(n_train: int) -> str:
    """The automatic settings' words for a text column."""
    return (
        f"free text: TF-IDF of words and word pairs, {auto_max_tokens(n_train):,}-word vocabulary"
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


def text_branch(keras: Any, col: Any, inp: Any, values: np.ndarray) -> tuple[list[Any], dict]:
    """The TF-IDF branch of one text input ``inp`` ((n, 1) string), adapted on the training
    ``values`` ((n, 1) object array of str). Returns ([vector], fitted facts)."""
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    name = inp.name
    texts = values.reshape(-1).astype(str)
    max_tokens = auto_max_tokens(len(texts))
    vectorizer = keras.layers.TextVectorization(
        max_tokens=max_tokens,
        standardize=STANDARDIZE,
        split=SPLIT,
        ngrams=NGRAMS,
        output_mode=OUTPUT_MODE,
        name=f"{VECTORIZER_PREFIX}{name}",
    )
    vectorizer.adapt(tf.constant(texts if texts.size else np.array([""]), dtype=tf.string))
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
        "ngrams": NGRAMS,
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
    "auto_max_tokens",
    "reason",
    "text_branch",
    "text_values",
]
