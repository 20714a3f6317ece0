"""The units a text model's answers are explained by: words, as spans of the original text.

A unit is what one occlusion removes. Which units depend on the model's own tokenizer
(``_text_predict.tokenizer_layer``):

- a ``TextVectorization`` that splits on whitespace (the app's default): each
  whitespace-separated chunk, exactly one of the model's tokens (chunks its standardization
  empties, such as "--", are no token and not listed). Its key is the token as the model's
  own standardization leaves it ("hello" for "Hello,"), so the global importance adds up
  "Hello," and "hello";
- a ``TextVectorization`` that splits into characters, and a pretrained model's tokenizer
  (WordPiece and the like): still words, not characters or word pieces (what a person reads
  and what the highlights show; removing a word removes its characters and every character
  n-gram touching it), except in scripts written without spaces (Chinese, Japanese, Thai...),
  where each character is a unit of its own. Keys: the model's standardization for a
  vectorizer; for a pretrained model the word lowercased without its edge punctuation.

Long texts: at most :data:`MAX_UNITS` words per text are explained (the first ones); for a
sequence model that reads only its first ``output_sequence_length`` tokens, the words past
them cannot change its answer and are not occluded either.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: words of one text explained at most (the first ones): a 200-word text costs 201 strings
#: through the model, and a person reads the highlights of the first screenful
MAX_UNITS = 200
#: scripts written without spaces between words (as ``core.preprocess.text`` counts them)
_NO_SPACE = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0002fa1f"
)
#: ``tf.strings.split``'s whitespace (what ``TextVectorization`` splits on): ASCII only
_CHUNK = re.compile(r"[^ \t\n\r\v\f]+")
#: within a chunk: one character of a script without spaces, or a run of anything else
_PIECE = re.compile(f"[{_NO_SPACE}]|[^{_NO_SPACE}]+")
_SPACELESS = re.compile(f"[{_NO_SPACE}]")
_PUNCTUATION = string.punctuation
_WHITESPACE = " \t\n\r\v\f"
#: standardization-only layers, one per ``standardize`` setting
_STANDARDIZERS: dict[str, Any] = {}


@dataclass(frozen=True)
class Unit:
    """One word of a text.

    Attributes:
        key: the word as the model's standardization leaves it (what the global importance
            adds up).
        start, end: the word's span in the original text, its edge punctuation left out
            when the model's standardization drops punctuation (what is highlighted).
        cut_start, cut_end: what the occlusion removes (the whole chunk and, for a model
            that reads characters, one whitespace beside it).
    """

    key: str
    start: int
    end: int
    cut_start: int
    cut_end: int

    def erased(self, text: str) -> str:
        """``text`` without this word (Li et al. 2016's leave-one-out erasure)."""
        return text[: self.cut_start] + text[self.cut_end :]


@dataclass(frozen=True)
class Reading:
    """How a model reads words: ``per_character``: a script without spaces is split into
    characters; ``standardize``: the ``TextVectorization`` setting, or None for a pretrained
    model; ``strips``: its standardization removes punctuation; ``limit``: words explained
    at most per text; ``unit``: "words" or "words (characters in scripts without spaces)"."""

    per_character: bool
    standardize: str | None
    strips: bool
    limit: int
    unit: str


def reading_of(model: Any) -> Reading:
    """How ``model`` (a bundle or a Keras text model) reads its words."""
    from automl_gui.core.kinds._text_predict import is_vectorizer, tokenizer_layer

    layer = tokenizer_layer(model)
    if layer is None or not is_vectorizer(layer):  # a pretrained model's word pieces
        return Reading(True, None, True, MAX_UNITS, _unit_words(True))
    config = layer.get_config()
    standardize = str(config.get("standardize") or "none")
    per_character = config.get("split") != "whitespace"
    limit = MAX_UNITS
    length = config.get("output_sequence_length")
    if not per_character and config.get("output_mode") == "int" and length:
        limit = min(limit, int(length))  # words past the sequence length are never read
    strips = "strip_punctuation" in standardize
    return Reading(per_character, standardize, strips, limit, _unit_words(per_character))


def _unit_words(per_character: bool) -> str:
    return "words (characters in scripts written without spaces)" if per_character else "words"


def text_units(reading: Reading, texts: Sequence[str]) -> list[list[Unit]]:
    """The words of each text as ``reading`` says the model reads them, in order, at most
    ``reading.limit`` per text; words whose key is empty (punctuation only) left out."""
    spans: list[list[tuple[int, int, int, int]]] = []
    raw: list[str] = []
    for text in texts:
        found = []
        for chunk in _CHUNK.finditer(text):
            found.extend(_pieces(reading, text, chunk.start(), chunk.end()))
            if len(found) >= 4 * reading.limit:  # plenty, even if many turn out empty
                break
        spans.append(found)
        raw.extend(text[s:e] for _, _, s, e in found)
    keys = iter(_keys(reading, raw))
    units: list[list[Unit]] = []
    for text, found in zip(texts, spans, strict=True):
        kept: list[Unit] = []
        for start, end, cut_start, cut_end in found:
            key = next(keys)
            if key and len(kept) < reading.limit:
                shown = _trimmed(text, start, end) if reading.strips else (start, end)
                kept.append(Unit(key, *shown, cut_start, cut_end))
        units.append(kept)
    return units


def _pieces(reading: Reading, text: str, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(start, end, cut_start, cut_end) of the words in the chunk ``text[start:end]``."""
    if not reading.per_character:
        return [(start, end, start, end)]
    found = []
    for piece in _PIECE.finditer(text, start, end):
        s, e = piece.start(), piece.end()
        cut_start, cut_end = s, e
        if not _SPACELESS.fullmatch(piece.group()):
            # a word: take one blank beside it too, so the text does not get a double space
            if cut_end < len(text) and text[cut_end] in _WHITESPACE and e == end:
                cut_end += 1
            elif cut_start > 0 and text[cut_start - 1] in _WHITESPACE and s == start:
                cut_start -= 1
        found.append((s, e, cut_start, cut_end))
    return found


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` without its leading and trailing ASCII punctuation (when
    anything else is left)."""
    s, e = start, end
    while s < e and text[s] in _PUNCTUATION:
        s += 1
    while e > s and text[e - 1] in _PUNCTUATION:
        e -= 1
    return (s, e) if s < e else (start, end)


def _keys(reading: Reading, words: list[str]) -> list[str]:
    """Each word as the model standardizes it (one call of a standardization-only
    ``TextVectorization`` with the model's setting), or lowercased and stripped of its edge
    punctuation for a pretrained model."""
    if not words:
        return []
    if reading.standardize is None:
        return [w.lower().strip(_PUNCTUATION) for w in words]
    if reading.standardize == "none":
        return list(words)
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    layer = _STANDARDIZERS.get(reading.standardize)
    if layer is None:
        layer = lazy.keras().layers.TextVectorization(standardize=reading.standardize, split=None)
        _STANDARDIZERS[reading.standardize] = layer
    out = layer._preprocess(tf.constant(words, dtype=tf.string))
    values = out.numpy().reshape(-1).tolist()
    return [v.decode("utf-8", errors="replace").strip() for v in values]
