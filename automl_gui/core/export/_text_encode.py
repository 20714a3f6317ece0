"""Keras' ``TextVectorization`` in NumPy and plain Python: what a TFLite or ONNX export of a
text model (or of a table model's text column) needs outside TensorFlow.

:func:`vectorizer_spec` reads an adapted layer into a JSON-able dict (the ``preprocessing.json``
of those exports); :func:`encode_texts` turns raw texts into the layer's output from that dict
alone. It follows Keras 3.15's layer (``keras/src/layers/preprocessing/text_vectorization.py``,
``index_lookup.py``) step by step, and ``tests/core/test_text_encode.py`` compares the two on
English, accented, CJK, Arabic, Turkish, German and emoji texts for every output mode and
n-grams 1-3 (integers equal, floats bit for bit):

1. **standardize**: TensorFlow's ``tf.strings.lower`` without an encoding lowercases ASCII
   ``A-Z`` only ("École", "İ", "ẞ", "Σ" stay as they are); stripping punctuation removes the
   32 ASCII punctuation characters of the layer's regex (``«»¿“”`` stay).
2. **split**: "whitespace" splits on the six ASCII whitespace characters (``" \\t\\n\\v\\f\\r"``;
   a no-break or ideographic space joins words, unlike Python's ``str.split``) and drops
   empty pieces; "character" yields each Unicode code point (spaces too).
3. **ngrams**: for each width in order, every run of that many tokens joined by one space
   (all 1-grams, then all 2-grams, ...; a text shorter than a width gives none of it).
4. **lookup**: a token's index is its position in ``vocabulary`` (which starts with the
   special tokens); any other token is ``oov_index``. Mode "int": 0 is padding ("" the mask
   token), 1 "[UNK]"; other modes: 0 "[UNK]".
5. **output**: "int" – the indices, cut or padded with 0 to ``output_sequence_length`` (or,
   without one, padded to the batch's longest text), int64; "multi_hot" – 1.0 where an index
   occurs; "count" – how often; "tf_idf" – the count times ``idf_weights[index]``
   (``log(1 + documents / (1 + documents holding the token))``, the unknown slot the mean);
   these three are float32 vectors of ``depth`` values (the vocabulary size, or
   ``max_tokens`` with ``pad_to_max_tokens``).

No Unicode case has been found where the two differ: every step above is ASCII- or
code-point-level in TensorFlow too. (One trap is on Keras' side: ``get_vocabulary()`` reads a
token ending in NUL, as character splitting makes of "\\x00", as ""; :func:`vectorizer_spec`
reads the lookup table instead.) A text that is not a string is taken as its ``str()``;
bytes are decoded as UTF-8 (undecodable bytes become U+FFFD), ``None`` and NaN as "". The
export check still compares this encoder with the model's own layer on the samples, so a
difference in a later Keras would be found at export.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError

#: what Keras' "strip_punctuation" removes (its regex's character class, ASCII only)
PUNCTUATION = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~'"
#: what TensorFlow's whitespace split splits on (ASCII only)
WHITESPACE = " \t\n\v\f\r"
NGRAM_SEPARATOR = " "
OOV_TOKEN = "[UNK]"
MASK_TOKEN = ""
STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation", None)
SPLIT = ("whitespace", "character")
OUTPUT_MODES = ("int", "multi_hot", "count", "tf_idf")

_WORD = re.compile(f"[^{re.escape(WHITESPACE)}]+")
_LOWER = {ord(c): ord(c) + 32 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_STRIP = dict.fromkeys(map(ord, PUNCTUATION))
_TABLES = {
    "lower_and_strip_punctuation": {**_LOWER, **_STRIP},
    "lower": _LOWER,
    "strip_punctuation": _STRIP,
}
_HOW = (
    "Per text: standardize ('lower': ASCII A-Z to a-z only; 'strip_punctuation': remove each "
    "character of 'punctuation'), split ('whitespace': on the characters of 'whitespace' only, "
    "empty pieces dropped; 'character': each Unicode code point), add n-grams (for each width "
    "in 'ngrams' in order, every run of that many tokens joined by one space), look each "
    "token up in 'vocabulary' (its position; any other token is 'oov_index'), then output "
    "mode 'int': the indices as int64, cut or padded with 'mask_index' to "
    "'output_sequence_length'; 'multi_hot' / 'count' / 'tf_idf': a float32 vector of "
    "'depth' values, 1.0 where an index occurs / how often it occurs / how often times "
    "idf_weights[index]."
)


def vectorizer_spec(layer: Any) -> dict[str, Any]:
    """An adapted ``keras.layers.TextVectorization``'s settings, vocabulary and idf weights
    as a JSON-able dict that :func:`encode_texts` follows (``preprocessing.json``).

    Raises:
        ConfigError: the layer standardizes or splits with its own function, or splits not
            at all, which no file can describe.
    """
    config = layer.get_config()
    standardize, split = config.get("standardize"), config.get("split")
    if standardize not in STANDARDIZE or split not in SPLIT:
        raise ConfigError(
            f"The text layer '{layer.name}' standardizes with {standardize!r} and splits with "
            f"{split!r}; only Keras' named ways can be written out for other runtimes.",
            "Use the .keras or SavedModel export, which holds the layer itself.",
        )
    mode = str(config["output_mode"])
    if mode not in OUTPUT_MODES:
        raise ConfigError(
            f"The text layer '{layer.name}' outputs '{mode}', which cannot be written out.",
            "Use the .keras or SavedModel export, which holds the layer itself.",
        )
    vocabulary = _vocabulary(layer)
    store: dict[str, Any] = {}
    layer.save_own_variables(store)  # tf_idf: the idf weights, as the .keras file keeps them
    idf = store.get("idf_weights")
    max_tokens = config.get("max_tokens")
    pad = bool(config.get("pad_to_max_tokens"))
    return {
        "layer": "keras.layers.TextVectorization",
        "how": _HOW,
        "standardize": standardize,
        "split": split,
        "ngrams": _widths(config.get("ngrams")),
        "output_mode": mode,
        "output_sequence_length": config.get("output_sequence_length"),
        "max_tokens": max_tokens,
        "pad_to_max_tokens": pad,
        "depth": None
        if mode == "int"
        else int(max_tokens if pad and max_tokens else len(vocabulary)),
        "oov_index": vocabulary.index(OOV_TOKEN),
        "mask_index": 0 if mode == "int" else None,
        "punctuation": PUNCTUATION,
        "whitespace": WHITESPACE,
        "ngram_separator": NGRAM_SEPARATOR,
        "vocabulary": vocabulary,
        "idf_weights": None if idf is None else [float(v) for v in np.asarray(idf).reshape(-1)],
    }


def _vocabulary(layer: Any) -> list[str]:
    """The layer's vocabulary, index by index, special tokens first. ``get_vocabulary`` goes
    through a NumPy bytes array, which drops a token's trailing NUL characters ("\\x00" read
    as ""), so the tokens are read from the lookup table itself where it can be."""
    vocabulary = [str(token) for token in layer.get_vocabulary()]
    table = getattr(getattr(layer, "_lookup_layer", None), "lookup_table", None)
    if table is None or not hasattr(table, "export"):
        return vocabulary
    keys, values = table.export()
    for key, index in zip(keys.numpy().tolist(), values.numpy().tolist(), strict=True):
        if 0 <= int(index) < len(vocabulary) and isinstance(key, bytes):
            vocabulary[int(index)] = key.decode("utf-8", "replace")
    return vocabulary


def _widths(ngrams: Any) -> list[int] | None:
    """Keras' ``ngrams`` argument (None, n for 1..n, or the widths) as a list of widths."""
    if ngrams is None:
        return None
    if isinstance(ngrams, int):
        return list(range(1, ngrams + 1))
    return [int(n) for n in ngrams]


def as_text(value: Any) -> str:
    """One input as the layer sees it: bytes as UTF-8, None and NaN as "", else ``str``."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, np.bytes_)):
        return bytes(value).decode("utf-8", "replace")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def standardize(text: str, how: str | None) -> str:
    """``text`` standardized the layer's way (``how``: a :data:`STANDARDIZE` value)."""
    if how is None or how == "none":
        return text
    return text.translate(_TABLES[how])


def tokens(text: str, spec: dict[str, Any]) -> list[str]:
    """The tokens (with n-grams) the layer looks up for one ``text``."""
    text = standardize(as_text(text), spec.get("standardize"))
    pieces = list(text) if spec["split"] == "character" else _WORD.findall(text)
    widths = spec.get("ngrams")
    if not widths:
        return pieces
    sep = spec.get("ngram_separator", NGRAM_SEPARATOR)
    out: list[str] = []
    for n in widths:
        out += [sep.join(pieces[i : i + n]) for i in range(len(pieces) - n + 1)]
    return out


def encode_texts(texts: Iterable[Any] | np.ndarray, spec: dict[str, Any]) -> np.ndarray:
    """Raw ``texts`` as the ``TextVectorization`` layer ``spec`` describes outputs them:
    int64 ``(n, length)`` for "int", float32 ``(n, depth)`` for the other modes.

    Raises:
        ConfigError: ``spec`` is not a vectorizer description (missing or odd fields).
    """
    mode = _check(spec)
    items = [as_text(t) for t in np.asarray(texts, dtype=object).reshape(-1)]
    index = {token: i for i, token in enumerate(spec["vocabulary"])}
    oov = int(spec["oov_index"])
    mask = spec.get("mask_index")
    if mask is not None:
        index[MASK_TOKEN] = int(mask)
    ids = [[index.get(t, oov) for t in tokens(text, spec)] for text in items]
    if mode == "int":
        return _sequences(ids, spec.get("output_sequence_length"), 0 if mask is None else mask)
    depth = int(spec["depth"])
    out = np.zeros((len(ids), depth), dtype=np.float32)
    for row, found in enumerate(ids):
        # the mask token (split "" never yields one) maps beyond depth: bincount drops it
        counts = np.bincount([i for i in found if 0 <= i < depth], minlength=depth)
        out[row] = counts[:depth]
    if mode == "multi_hot":
        return (out > 0).astype(np.float32)
    if mode == "tf_idf":
        return out * np.asarray(spec["idf_weights"], dtype=np.float32)[:depth]
    return out


def _sequences(ids: Sequence[list[int]], length: Any, pad: int) -> np.ndarray:
    width = int(length) if length is not None else max((len(r) for r in ids), default=0)
    out = np.full((len(ids), width), pad, dtype=np.int64)
    for row, found in enumerate(ids):
        kept = found[:width]
        out[row, : len(kept)] = kept
    return out


def _check(spec: Any) -> str:
    """The spec's output mode, once its fields are known to be usable."""
    problem = ""
    if not isinstance(spec, dict):
        problem = "it is not an object"
    elif spec.get("output_mode") not in OUTPUT_MODES:
        problem = f"output_mode is {spec.get('output_mode')!r}"
    elif spec.get("standardize") not in (*STANDARDIZE, "none"):
        problem = f"standardize is {spec.get('standardize')!r}"
    elif spec.get("split") not in SPLIT:
        problem = f"split is {spec.get('split')!r}"
    elif not isinstance(spec.get("vocabulary"), list) or not spec["vocabulary"]:
        problem = "it has no vocabulary"
    elif not isinstance(spec.get("oov_index"), int):
        problem = "it has no oov_index"
    elif spec["output_mode"] != "int" and not isinstance(spec.get("depth"), int):
        problem = "it has no depth"
    elif spec["output_mode"] == "tf_idf" and len(spec.get("idf_weights") or []) < spec["depth"]:
        problem = "its idf_weights are fewer than depth"
    if problem:
        raise ConfigError(
            f"The text preprocessing description cannot be used: {problem}.",
            "Use the preprocessing.json written with the model file, unchanged.",
        )
    return str(spec["output_mode"])


__all__ = ["as_text", "encode_texts", "standardize", "tokens", "vectorizer_spec"]
