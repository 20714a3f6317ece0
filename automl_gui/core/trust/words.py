"""The words that pushed a text model's answers, and the words that matter most overall.

Leave-one-out erasure (Li, Monroe & Jurafsky 2016, *Understanding Neural Networks through
Representation Erasure*, arXiv:1612.08220): a word's weight in a text is how much the
probability of the class the model predicts for that text falls when the word is removed
(positive: the word pushed towards the answer; negative: against it). Each text and each of
its variants without one word go through the saved model, raw strings in, many texts at once
(``_words_occlude``), so it works alike for the n-gram MLP, the sepCNN, the Transformer and
a pretrained KerasHub model. What a "word" is follows the model's tokenizer
(``_words_units``: whitespace words; in scripts written without spaces, characters); at
most ``MAX_UNITS`` words of a text are explained.

Global importance: each word's mean absolute weight over its uses in the texts explained
(words used at least ``min_count`` times), with the spread over those uses, and the class it
pushes towards on average.

Pure engine: NumPy and pandas; TensorFlow through the model, imported lazily.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit
from automl_gui.core.trust._words_occlude import Occluded, occlude
from automl_gui.core.trust._words_units import MAX_UNITS, reading_of, text_units
from automl_gui.core.trust.explanation import Explanation

__all__ = [
    "DEFAULT_ROWS",
    "ERASURE_BUDGET",
    "MAX_UNITS",
    "MIN_COUNT",
    "explain_texts",
    "importance_table",
    "word_attributions",
    "word_importance",
    "words_words",
]

#: uses a word needs in the texts explained to be in the global importance (fewer with
#: fewer than 30 texts: :func:`min_count_for`)
MIN_COUNT = 3
#: texts :func:`explain_texts` explains when not told (evenly spread over the data), fewer
#: for long texts: at most about :data:`ERASURE_BUDGET` strings through the model
DEFAULT_ROWS = 500
#: 200 texts of 200 words (40,200 strings) took 18 s with the forum sample's n-gram MLP on 2
#: busy CPU threads, 200 texts of 17 words 0.07 s: 20,000 keeps the default to seconds
ERASURE_BUDGET = 20_000
#: words listed per text in ``explanations.csv`` (pushing for / against the answer)
TOP_FOR = 5
TOP_AGAINST = 3
#: weights smaller than this (in probability) are listed as pushing neither way
NEGLIGIBLE = 0.005

#: (word as written, start, end, weight): the span ``text[start:end]`` and how much the
#: predicted class's probability falls without it
Attribution = tuple[str, int, int, float]


def word_attributions(
    bundle: Any,
    texts: Sequence[str],
    *,
    classes: Sequence[int | str] | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[list[Attribution]]:
    """Per text, its words in order as ``(word, start, end, weight)``: ``text[start:end]``
    is the word as written (edge punctuation left out when the model drops it), ``weight``
    how much the probability of the text's class falls when the word is removed.

    ``bundle``: a bundle (or run's bundle) of a text model, or the Keras model itself.
    ``classes``: per text, the class explained (index or name; default: the likeliest).
    """
    occluded = _occluded(bundle, texts, on_event, cancel)
    chosen = _classes(bundle, occluded, classes)
    return [attributions_of(o, c) for o, c in zip(occluded, chosen, strict=True)]


def word_importance(
    bundle: Any,
    texts: Sequence[str],
    *,
    min_count: int | None = None,
    classes: Sequence[int | str] | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """The words that matter most over ``texts``: a DataFrame ``feature, importance, std,
    count, pushes_towards`` (:func:`importance_table`), most important first."""
    occluded = _occluded(bundle, texts, on_event, cancel)
    chosen = _classes(bundle, occluded, classes)
    names = _class_names(bundle, occluded)
    return importance_table(occluded, chosen, names, min_count_for(len(texts), min_count))


def min_count_for(n_texts: int, min_count: int | None = None) -> int:
    """``min_count``, or :data:`MIN_COUNT` uses (one per ten texts under 30 texts)."""
    if min_count is not None:
        if int(min_count) < 1:
            raise ConfigError(f"min_count must be at least 1, got {min_count}.", "Use 1 or more.")
        return int(min_count)
    return max(1, min(MIN_COUNT, int(n_texts) // 10))


def attributions_of(occluded: Occluded, cls: int) -> list[Attribution]:
    """``occluded``'s words with their weights for class index ``cls``."""
    drops = occluded.drops
    text = occluded.text
    return [
        (text[u.start : u.end], u.start, u.end, float(drops[i, cls]))
        for i, u in enumerate(occluded.units)
    ]


def importance_table(
    occluded: Sequence[Occluded], classes: Sequence[int], class_names: Sequence[str], min_count: int
) -> Any:
    """Per word key used at least ``min_count`` times: ``importance`` (the mean absolute fall
    of the explained class's probability when it is removed), ``std`` (over its uses),
    ``count`` (its uses), ``pushes_towards`` (the class whose probability it raises most on
    average; "" when it raises none), most important first."""
    import pandas as pd

    keys: list[str] = []
    weights: list[np.ndarray] = []
    vectors: list[np.ndarray] = []
    for item, cls in zip(occluded, classes, strict=True):
        if not item.units:
            continue
        drops = item.drops
        keys.extend(u.key for u in item.units)
        weights.append(np.abs(drops[:, cls]))
        vectors.append(drops)
    columns = ["feature", "importance", "std", "count", "pushes_towards"]
    if not keys:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame({"feature": keys, "weight": np.concatenate(weights)})
    grouped = frame.groupby("feature", sort=False)
    table = grouped["weight"].agg(importance="mean", std="std", count="size").reset_index()
    table["std"] = table["std"].fillna(0.0)
    means = pd.DataFrame(np.concatenate(vectors)).groupby(np.asarray(keys), sort=False).mean()
    means = means.reindex(table["feature"]).to_numpy()
    best = means.argmax(axis=1)
    names = [str(n) for n in class_names] or [str(i) for i in range(means.shape[1])]
    table["pushes_towards"] = [
        names[j] if means[i, j] > 0 else "" for i, j in enumerate(best.tolist())
    ]
    table = table[table["count"] >= int(min_count)]
    table = table.sort_values(["importance", "count", "feature"], ascending=[False, False, True])
    return table.reset_index(drop=True)[columns]


def words_words(attributions: Sequence[Attribution], *, pushing: bool) -> str:
    """ "goal (+0.41); match (+0.12)": the words pushing for (``pushing``) or against the
    answer, strongest first (:data:`TOP_FOR` / :data:`TOP_AGAINST` of them)."""
    sign = 1.0 if pushing else -1.0
    strong = [a for a in attributions if sign * a[3] >= NEGLIGIBLE]
    strong.sort(key=lambda a: -sign * a[3])
    top = strong[: TOP_FOR if pushing else TOP_AGAINST]
    return "; ".join(f"{a[0]} ({a[3]:+.2f})" for a in top)


def explain_texts(
    bundle: Any,
    data: Any,
    *,
    rows: int | None = None,
    out_dir: str | os.PathLike[str] | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Explanation:
    """Why a text model answers as it does on ``data`` (what ``TEXT.predict`` takes: typed
    texts, ``.txt`` files, folders, tables of texts).

    At most ``rows`` texts (default :data:`DEFAULT_ROWS`, fewer for long texts: about
    :data:`ERASURE_BUDGET` erasures), evenly spread over the texts that can be classified,
    are explained: ``importance`` (:func:`importance_table` over them) and
    ``items`` (``path, text, prediction, confidence, words, against``: the words that pushed
    the answer most, and against it), the answers as ``predict`` gives them (a chosen
    threshold included). ``out_dir`` (an existing folder) gets ``importance.csv`` and
    ``explanations.csv``.

    Raises:
        ConfigError: ``rows`` below 1.
        DataError: ``data`` holds no text that can be classified.
    """
    from automl_gui.core.kinds._text_predict import text_inputs

    if rows is not None and int(rows) < 1:
        raise ConfigError(f"--rows must be at least 1, got {rows}.", "Give 1 or more texts.")
    inputs = text_inputs(bundle, data, on_event=on_event, cancel=cancel)
    good = [i for i, entry in enumerate(inputs) if not entry.error]
    if not good:
        raise DataError(
            f"None of the {len(inputs):,} texts given can be classified ({inputs[0].error}).",
            "Give texts with some words in them.",
        )
    limit = _default_rows([inputs[i].text for i in good]) if rows is None else int(rows)
    chosen = _spread(good, limit)
    texts = [inputs[i].text for i in chosen]
    emit(on_event, Progress("explain", 0.0, f"Explaining {len(texts):,} texts…"))
    answers = bundle.kind.predict(bundle, bundle.kind.typed(texts), cancel=cancel)
    names = [str(n) for n in bundle.class_names or []]
    index = {n: i for i, n in enumerate(names)}
    classes = [index[str(p)] for p in answers["prediction"].tolist()]
    occluded = _occluded(bundle, texts, on_event, cancel)
    count = min_count_for(len(texts))
    importance = importance_table(occluded, classes, names, count)
    attributions = [attributions_of(o, c) for o, c in zip(occluded, classes, strict=True)]
    items = _items(inputs, chosen, answers, attributions)
    reading = reading_of(getattr(bundle, "model", bundle))
    explanation = Explanation(
        method=(
            f"Leave-one-out word erasure (Li, Monroe & Jurafsky 2016) on {len(texts):,} texts: "
            f"a word's weight is how much the predicted class's probability falls when the "
            f"word is removed; importance is its mean absolute weight over its uses (words "
            f"used at least {count} times), std the spread over those uses. One bar per "
            f"{reading.unit.replace('words', 'word', 1)}."
        ),
        importance=importance,
        items=items,
        notes=_notes(inputs, good, chosen, occluded, reading.limit),
        extra={"attributions": attributions},
    )
    if out_dir is not None:
        explanation.files = _write(Path(out_dir), importance, items)
    emit(on_event, Progress("explain", 1.0, "Done."))
    return explanation


def _occluded(
    bundle: Any, texts: Sequence[str], on_event: EventCallback | None, cancel: CancelToken | None
) -> list[Occluded]:
    model = getattr(bundle, "model", bundle)
    texts = [str(t) for t in texts]
    units = text_units(reading_of(model), texts)
    return occlude(model, texts, units, on_event=on_event, cancel=cancel)


def _class_names(bundle: Any, occluded: Sequence[Occluded]) -> list[str]:
    names = getattr(bundle, "class_names", None)
    if names:
        return [str(n) for n in names]
    k = occluded[0].proba.shape[0] if occluded else 0
    return [str(i) for i in range(k)]


def _classes(
    bundle: Any, occluded: Sequence[Occluded], classes: Sequence[int | str] | None
) -> list[int]:
    """Class indices per text: ``classes`` (indices or names), else each text's likeliest."""
    if classes is None:
        return [int(np.argmax(o.proba)) for o in occluded]
    if len(classes) != len(occluded):
        raise ConfigError(
            f"One class per text expected ({len(occluded)}), got {len(classes)}.",
            "Give a class (index or name) for each text, or none.",
        )
    names = _class_names(bundle, occluded)
    out = []
    for c in classes:
        if isinstance(c, (int, np.integer)) and 0 <= int(c) < len(names):
            out.append(int(c))
        elif str(c) in names:
            out.append(names.index(str(c)))
        else:
            raise ConfigError(f"Unknown class {c!r}.", f"Use one of: {', '.join(names)}.")
    return out


def _default_rows(texts: Sequence[str]) -> int:
    """:data:`DEFAULT_ROWS`, or as many as :data:`ERASURE_BUDGET` allows for texts this long
    (whitespace words, at most ``MAX_UNITS`` each, plus the text itself)."""
    sizes = [min(len(t.split()), MAX_UNITS) + 1 for t in texts]
    mean = float(np.mean(sizes)) if sizes else 1.0
    return max(1, min(DEFAULT_ROWS, int(ERASURE_BUDGET // mean)))


def _spread(positions: list[int], limit: int) -> list[int]:
    """At most ``limit`` of ``positions``, evenly spread, in order."""
    if len(positions) <= limit:
        return positions
    picks = np.unique(np.linspace(0, len(positions) - 1, limit).round().astype(int))
    return [positions[i] for i in picks.tolist()]


def _items(
    inputs: Sequence[Any],
    chosen: Sequence[int],
    answers: Any,
    attributions: Sequence[Sequence[Attribution]],
) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "path": [inputs[i].path for i in chosen],
            "text": [inputs[i].text for i in chosen],
            "prediction": answers["prediction"].astype(str).tolist(),
            "confidence": answers["confidence"].to_numpy(dtype="float64"),
            "words": [words_words(a, pushing=True) for a in attributions],
            "against": [words_words(a, pushing=False) for a in attributions],
        }
    )


def _notes(
    inputs: Sequence[Any],
    good: Sequence[int],
    chosen: Sequence[int],
    occluded: Sequence[Occluded],
    limit: int,
) -> list[str]:
    notes = []
    if len(good) < len(inputs):
        notes.append(
            f"{len(inputs) - len(good):,} texts that cannot be classified (empty or "
            "unreadable) were left out."
        )
    if len(chosen) < len(good):
        notes.append(f"{len(chosen):,} of {len(good):,} texts explained, evenly spread.")
    cut = sum(
        len(o.units) >= limit and o.text[o.units[-1].cut_end :].strip() != "" for o in occluded
    )
    if cut:
        notes.append(f"{cut:,} long texts: only their first {limit:,} words are explained.")
    return notes


def _write(folder: Path, importance: Any, items: Any) -> list[Path]:
    from automl_gui.core.base.files import atomic_write

    if not folder.is_dir():
        raise DataError(f"The output folder {folder} does not exist.", "Create it first.")
    written = []
    for name, frame in (("importance.csv", importance), ("explanations.csv", items)):
        target = folder / name
        atomic_write(target, lambda tmp, f=frame: f.to_csv(tmp, index=False))
        written.append(target)
    return written
