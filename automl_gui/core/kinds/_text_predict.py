"""Predicting with a text model: raw strings, ``.txt`` files and folders, or a table's text
column → ``path, text, prediction, confidence, probability_<class>..., error``.

Texts are read as the dataset's loader reads them (``core.data.text.read_text_file``: the
encoding fallback, truncated to ``MAX_CHARS``), so a file gets the answer its text got in
training. A file that cannot be read, a table row without text and an empty text get an
empty prediction and the reason in ``error``; nothing is left out silently. A text the
model sees nothing of (none of its tokens in the vocabulary) is answered, with
:func:`unknown_words_note`'s sentence in ``warning``: the answer is the same whatever such a
text says (every unknown word is the same out-of-vocabulary token to the model).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EventCallback, Progress, emit

__all__ = [
    "Texts",
    "collect_texts",
    "is_vectorizer",
    "known_token_counts",
    "predict_text_data",
    "predict_texts",
    "text_inputs",
    "tokenizer_layer",
    "unknown_words_note",
]

#: table files whose rows are texts to predict on (one text column)
TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".parquet", ".pq")
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
EMPTY = "empty text (nothing to classify)"
#: ``warning`` for a text the model sees nothing of ({unit}: words, characters)
UNKNOWN = (
    "none of its {unit} is in the model's vocabulary: the answer does not depend on what it says"
)
NO_WORDS = "it has no {unit}: the answer does not depend on what it says"
#: texts vectorized at once when counting known tokens
COUNT_BATCH = 256
#: texts per prediction batch: strings cost little memory, and 128 predicted 10,080 texts
#: 3x faster than 32 (6.5 s vs 20 s, n-gram MLP on 2 CPU threads)
PREDICT_BATCH = 128


class Texts(tuple):
    """Raw texts to predict on (``TEXT.typed([...])``), told apart from a list of paths,
    which :func:`predict_text_data` reads as ``.txt`` files, folders or tables."""

    __slots__ = ()


class LocatedTexts(Texts):
    """:class:`Texts` that know where each came from (``paths``: a file, or
    ``"<table>#<row>"``): a dataset's items judged or explained keep their locators."""

    def __new__(cls, texts: Any, paths: Any = ()) -> LocatedTexts:
        made = super().__new__(cls, texts)
        made.paths = tuple(str(p) for p in paths)
        return made


@dataclass
class TextInput:
    """One text to predict on: where it came from (a file, ``"<table>#<row>"``, or "" for
    a text given directly), the text, and why it cannot be predicted ("" when it can)."""

    path: str
    text: str
    error: str = ""


def predict_text_data(
    bundle: Any,
    data: Any,
    *,
    text_column: str | None = None,
    batch_size: int = PREDICT_BATCH,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """Answers for ``data``: :class:`Texts` (or a pandas Series) of raw strings, or
    paths (``.txt`` files, folders searched recursively, tables with a text column:
    ``text_column``, else the model's training column when the table has it, else its
    wordiest string column).

    Raises:
        DataError: a path does not exist, or nothing to predict was given.
    """
    inputs = text_inputs(bundle, data, text_column=text_column, on_event=on_event, cancel=cancel)
    return predict_texts(bundle, inputs, batch_size=batch_size, on_event=on_event, cancel=cancel)


def text_inputs(
    bundle: Any,
    data: Any,
    *,
    text_column: str | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TextInput]:
    """The texts in ``data`` (what :func:`predict_text_data` takes), in order, each with why
    it cannot be classified ("" when it can).

    Raises:
        DataError: a path does not exist, or nothing to predict was given.
    """
    if isinstance(data, Texts) or _is_series(data):
        texts = list(data)
        located = list(getattr(data, "paths", ()) or ())
        where = located if len(located) == len(texts) else [""] * len(texts)
        inputs = [
            TextInput(w, _clean(t), "" if _clean(t) else EMPTY)
            for w, t in zip(where, texts, strict=True)
        ]
        if not inputs:
            raise DataError("No texts were given.", "Type or paste a text to classify.")
        return inputs
    paths = [data] if isinstance(data, (str, os.PathLike)) else list(data)
    return collect_texts(
        paths,
        text_column=text_column or None,
        trained_column=bundle.metadata.get("text_column"),
        on_event=on_event,
        cancel=cancel,
    )


def predict_texts(
    bundle: Any,
    inputs: Sequence[TextInput],
    *,
    batch_size: int = PREDICT_BATCH,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Any:
    """The prediction table for ``inputs``, in their order: ``path, text, prediction,
    confidence, probability_<class>..., error, warning`` (probabilities NaN where
    ``error``; ``warning``: :func:`unknown_words_note` for the answered texts)."""
    import pandas as pd

    from automl_gui.core.jobs._files_predict import predict_dataset, prediction_frame
    from automl_gui.core.kinds._text_media import text_batches

    names = list(bundle.class_names or [])
    good = [i for i, entry in enumerate(inputs) if not entry.error]
    texts = [inputs[i].text for i in good]
    emit(on_event, Progress("predict", 0.0, f"Predicting {len(texts):,} texts…"))

    def make(_paths: list[str], labels: np.ndarray, batch: int) -> Any:
        return text_batches(texts, labels, batch)

    proba, _kept = predict_dataset(
        bundle.model, make, [str(i) for i in good], batch_size, cancel, on_event
    )
    answered = prediction_frame([inputs[i].path for i in good], proba, names)
    answered.insert(1, "text", texts)
    answered["error"] = ""
    answered["warning"] = unknown_words_note(bundle, texts) if texts else []
    answered.index = good
    failed = [i for i, entry in enumerate(inputs) if entry.error]
    rows = pd.DataFrame(
        {
            "path": [inputs[i].path for i in failed],
            "text": [inputs[i].text for i in failed],
            "prediction": "",
            "error": [inputs[i].error for i in failed],
            "warning": "",
        },
        index=failed,
    )
    frame = pd.concat([answered, rows]) if failed else answered
    frame = frame.sort_index().reset_index(drop=True)[list(answered.columns)]
    emit(on_event, Progress("predict", 1.0, "Done."))
    return frame


def unknown_words_note(model: Any, texts: Sequence[str]) -> list[str]:
    """Per text, "" when the model sees some of it, else why its answer means nothing: every
    word it does not know is the same out-of-vocabulary token to the model (nothing at all
    in a TF-IDF vector), so the answer is the same whatever the text says (:data:`UNKNOWN`,
    or :data:`NO_WORDS` when it has no words at all). ``model``: a bundle or a text model.

    Counted by the model's own tokenizer (:func:`known_token_counts`), as the model sees
    the text (standardized, split, n-grams, cut to its sequence length).
    """
    counts = known_token_counts(model, texts)
    if counts is None:
        return ["" for _ in texts]
    unit = "characters" if _splits_characters(tokenizer_layer(model)) else "words"
    unknown, nothing = UNKNOWN.format(unit=unit), NO_WORDS.format(unit=unit)
    notes = []
    for text, count in zip(texts, counts.tolist(), strict=True):
        notes.append("" if count else (unknown if str(text).strip() else nothing))
    return notes


def known_token_counts(model: Any, texts: Sequence[str]) -> np.ndarray | None:
    """How many of each text's tokens (n-grams included) are in the model's vocabulary, by
    the model's own tokenizer: its ``TextVectorization`` (ids past the padding and the OOV
    id; nonzero entries past the OOV slot for TF-IDF, multi-hot and count vectors), or a
    pretrained model's KerasHub tokenizer (pieces that are neither padding nor its unknown
    token). None for a model without either."""
    layer = tokenizer_layer(model)
    if layer is None:
        return None
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    counted = _vectorizer_counter(layer) if is_vectorizer(layer) else _piece_counter(layer)
    counts = [np.zeros(0, dtype="int64")]
    for start in range(0, len(texts), COUNT_BATCH):
        batch = [str(t) for t in texts[start : start + COUNT_BATCH]]
        out = layer(tf.constant(batch, dtype=tf.string, shape=(len(batch),)))
        if hasattr(out, "to_tensor"):  # a ragged tokenizer output
            out = out.to_tensor()
        counts.append(counted(np.asarray(out)).astype("int64"))
    return np.concatenate(counts)


def _vectorizer_counter(layer: Any) -> Any:
    """Counts known tokens in a ``TextVectorization``'s output: its first entries are the
    padding ("", int output only) and the OOV token ("[UNK]")."""
    special = 0
    for token in layer.get_vocabulary()[:2]:
        if token not in ("", "[UNK]"):
            break
        special += 1
    if layer.get_config().get("output_mode") == "int":
        return lambda out: (out >= special).sum(axis=1)
    return lambda out: (out[:, special:] != 0).sum(axis=1)


def _piece_counter(tokenizer: Any) -> Any:
    """Counts a KerasHub tokenizer's pieces that are neither padding (0) nor unknown."""
    unknown = -1
    for attribute in ("oov_token", "unk_token", "unknown_token"):
        token = getattr(tokenizer, attribute, None)
        if isinstance(token, str):
            try:
                unknown = int(tokenizer.token_to_id(token))
            except (KeyError, ValueError, TypeError):
                continue
            break
    return lambda out: ((out != 0) & (out != unknown)).sum(axis=1)


def tokenizer_layer(model: Any) -> Any:
    """The first ``TextVectorization`` or KerasHub tokenizer inside ``model`` (a bundle or
    a Keras model, searched through nested models), or None."""
    model = getattr(model, "model", model)
    stack = list(getattr(model, "layers", []))
    while stack:
        layer = stack.pop(0)
        if is_vectorizer(layer) or _is_hub_tokenizer(layer):
            return layer
        stack[:0] = list(getattr(layer, "layers", []))
    return None


def is_vectorizer(layer: Any) -> bool:
    return type(layer).__name__ == "TextVectorization"


def _is_hub_tokenizer(layer: Any) -> bool:
    return callable(getattr(layer, "token_to_id", None)) and hasattr(layer, "special_token_ids")


def _splits_characters(layer: Any) -> bool:
    return is_vectorizer(layer) and layer.get_config().get("split") == "character"


def collect_texts(
    paths: list[Any],
    *,
    text_column: str | None = None,
    trained_column: str | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> list[TextInput]:
    """The texts in ``paths``, in order: a ``.txt`` file is one text, a folder its ``.txt``
    files (recursed, hidden skipped, sorted), a table or JSON Lines file one text per row.

    Raises:
        DataError: a path does not exist, a table has no such column, or no text was found.
    """
    from automl_gui.core.data._file_guard import shown

    found: list[TextInput] = []
    for raw in paths:
        path = os.path.abspath(os.path.expanduser(os.fspath(raw)))
        if not os.path.lexists(path):
            raise DataError(f"'{shown(str(raw))}' does not exist.", "Check the path.")
        suffix = os.path.splitext(path)[1].lower()
        if os.path.isdir(path):
            found.extend(_read_file(p) for p in _txt_files(path, on_event, cancel))
        elif suffix in TABLE_SUFFIXES or suffix in JSON_LINES_SUFFIXES:
            found.extend(_table_texts(path, text_column, trained_column, on_event, cancel))
        else:
            found.append(_read_file(path))
        if cancel is not None:
            cancel.raise_if_cancelled()
    if not found:
        raise DataError(
            "No texts found in what was given.",
            "Give .txt files, folders holding them, or a CSV/JSON Lines file with a text column.",
        )
    return found


def _txt_files(folder: str, on_event: EventCallback | None, cancel: CancelToken | None) -> list:
    from automl_gui.core.data._media_files import Walker

    walker = Walker(on_event, cancel, extensions=(".txt",), plural="texts")
    walker.set_root(folder)
    return sorted(dict.fromkeys(walker.files_under(folder)))


def _read_file(path: str) -> TextInput:
    """One ``.txt`` file as the loader reads it; the reason when it cannot be read."""
    from automl_gui.core.data.text import read_text_file

    try:
        text = _clean(read_text_file(path))
    except DataError as exc:
        return TextInput(path, "", exc.message)
    except OSError as exc:
        from automl_gui.core.base.errors import describe

        return TextInput(path, "", describe(exc)[0])
    return TextInput(path, text, "" if text else EMPTY)


def _table_texts(
    path: str,
    text_column: str | None,
    trained_column: str | None,
    on_event: EventCallback | None,
    cancel: CancelToken | None,
) -> list[TextInput]:
    """One input per row of the table at ``path`` (located as ``"<path>#<row>"``, rows
    counted from 1 as in the training data)."""
    frame = _read_rows(path, on_event, cancel)
    column = _text_column(frame, path, text_column, trained_column)
    inputs = []
    for row, value in enumerate(frame[column].tolist(), start=1):
        text = _clean(value) if isinstance(value, str) else ""
        inputs.append(TextInput(f"{path}#{row}", text, "" if text else EMPTY))
    return inputs


def _read_rows(path: str, on_event: EventCallback | None, cancel: CancelToken | None) -> Any:
    """The rows of a table (``data.tabular.read_table``) or JSON Lines file (a line that is
    not a JSON object is a row without text)."""
    import pandas as pd

    if os.path.splitext(path)[1].lower() not in JSON_LINES_SUFFIXES:
        from automl_gui.core.data.tabular import read_table

        return read_table(path, on_event=on_event, cancel=cancel).df
    import json

    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            rows.append(value if isinstance(value, dict) else {})
    return pd.DataFrame(rows)


def _text_column(frame: Any, path: str, chosen: str | None, trained: str | None) -> str:
    """The column holding the texts: ``chosen``, else the training column when present,
    else the string column with the most words per value."""
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if chosen:
        if chosen not in columns:
            raise DataError(
                f"{os.path.basename(path)} has no column '{chosen}'.",
                f"Choose one of: {', '.join(columns[:20])}.",
            )
        return chosen
    if trained and trained in columns:
        return trained
    wordy = {}
    for column in columns:
        values = [v for v in frame[column].tolist()[:2000] if isinstance(v, str)]
        if values:
            wordy[column] = float(np.mean([len(v.split()) for v in values]))
    if not wordy:
        raise DataError(
            f"{os.path.basename(path)} has no column of texts.",
            "Give a table with a text column (and choose it with --text-column).",
        )
    return max(wordy, key=lambda c: wordy[c])


def _clean(text: Any) -> str:
    """The text as the model gets it: truncated to the loader's ``MAX_CHARS``, and "" for
    text that is only whitespace."""
    from automl_gui.core.data.text import MAX_CHARS

    text = str(text)
    return text[:MAX_CHARS] if text.strip() else ""


def _is_series(data: Any) -> bool:
    return type(data).__name__ == "Series" and type(data).__module__.startswith("pandas")
