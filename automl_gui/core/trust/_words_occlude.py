"""Leave-one-out erasure, batched: each text and each of its variants without one word
through the model, many texts' variants in one call.

Li, Monroe & Jurafsky 2016, *Understanding Neural Networks through Representation Erasure*
(arXiv:1612.08220): a word's importance is how much the model's score for a class drops when
the word is erased. Here the word is removed from the raw string, so the model's own
tokenizer sees the text without it (no n-gram, position or word piece of it is left), and
the model is the saved one, raw strings in: the same for every text network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.trust._words_units import Unit

#: strings per model call: 512 strings of the forum sample's n-gram MLP ran 3,532 variants
#: in 0.05 s (256: 0.2 s; ``model(...)`` eagerly: 0.13 s) on 2 CPU threads
BATCH = 512


@dataclass
class Occluded:
    """One text's erasures: ``proba`` (k,) of the whole text, ``without`` (words, k) with
    each word removed in turn."""

    text: str
    units: list[Unit]
    proba: np.ndarray
    without: np.ndarray

    @property
    def drops(self) -> np.ndarray:
        """(words, k): how much each class's probability falls without each word."""
        return self.proba[None, :] - self.without


def occlude(
    model: Any,
    texts: Sequence[str],
    units: Sequence[Sequence[Unit]],
    *,
    batch: int = BATCH,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[Occluded]:
    """Each text's probabilities whole and without each of its ``units`` (one list per text)."""
    strings: list[str] = []
    for text, words in zip(texts, units, strict=True):
        strings.append(text)
        strings.extend(u.erased(text) for u in words)
    proba = predict_strings(model, strings, batch=batch, on_event=on_event, cancel=cancel)
    out: list[Occluded] = []
    at = 0
    for text, words in zip(texts, units, strict=True):
        n = len(words)
        out.append(Occluded(text, list(words), proba[at], proba[at + 1 : at + 1 + n]))
        at += n + 1
    return out


def predict_strings(
    model: Any,
    strings: Sequence[str],
    *,
    batch: int = BATCH,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> np.ndarray:
    """The model's probabilities for raw strings, ``batch`` at a time, (n, k) float64."""
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    parts = []
    total = len(strings)
    for start in range(0, total, batch):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = [str(s) for s in strings[start : start + batch]]
        values = tf.constant(chunk, dtype=tf.string, shape=(len(chunk),))
        parts.append(np.asarray(model.predict_on_batch(values), dtype="float64"))
        done = min(total, start + batch)
        emit(
            on_event,
            Progress("explain", done / total, f"Removing each word in turn: {done:,} of {total:,}"),
        )
    if not parts:
        return np.zeros((0, 0))
    return np.concatenate(parts)
