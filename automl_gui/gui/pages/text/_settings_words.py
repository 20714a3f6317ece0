"""What the automatic text settings come to for the loaded texts, in words, for the pages.

The decisions are the engine's, made exactly as training makes them
(``TEXT.media(...)``: the split, then ``resolve_architecture`` with Google's samples /
words-per-sample rule, then ``core.preprocess.text.resolve_text_config``); this module runs
them on the loaded dataset with the current settings and keeps the last answer, so the Data,
Preprocess, Model and Train pages say the same thing and a settings change recomputes it once.
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass, field
from typing import Any

from automl_gui.core.kinds.text import TEXT


@dataclass
class AutoChoice:
    """What training would decide now.

    Attributes:
        architecture: the network ("ngram_mlp", "sepcnn", ...; Auto resolved).
        reason: why Auto picked it ("" when it was chosen by hand).
        resolved: the preprocessing settings with every automatic value decided.
        notes: one "Auto chose …" sentence per automatic preprocessing value.
        sequence_length: the tokens per text sequence models read (decided even for the
            n-gram MLP, which reads every word: the Data page marks it).
        n_train: training texts.
        problem: why nothing could be decided (a class without training texts...), else "".
        train_texts: the training texts (the vocabulary is adapted on these only).
    """

    architecture: str = "auto"
    reason: str = ""
    resolved: Any = None
    notes: list[str] = field(default_factory=list)
    sequence_length: int = 0
    n_train: int = 0
    problem: str = ""
    train_texts: list[str] = field(default_factory=list)


_cache: dict[str, Any] = {"key": None, "dataset": lambda: None, "choice": None}


def auto_choice(dataset: Any, preprocess: Any, model: Any) -> AutoChoice:
    """What training ``dataset`` with these settings would decide (the last answer is kept:
    the pages ask after each edit, and a split of 50,000 texts takes a moment)."""
    key = (
        id(dataset),
        len(dataset),
        repr(preprocess.to_dict()),
        getattr(model, "architecture", "auto"),
    )
    if _cache["key"] == key and _cache["dataset"]() is dataset:
        return _cache["choice"]
    choice = _decide(dataset, copy.deepcopy(preprocess), model)
    # the dataset is not kept alive by this, nor its training texts after it
    gone = weakref.ref(dataset, lambda _ref: _cache.update(key=None, choice=None))
    _cache.update(key=key, dataset=gone, choice=choice)
    return choice


def _decide(dataset: Any, preprocess: Any, model: Any) -> AutoChoice:
    from automl_gui.core.base.errors import describe
    from automl_gui.core.preprocess.text import auto_sequence_length, resolve_text_config

    media = TEXT.media(dataset, preprocess)
    try:
        split = media.split()
        paths = [item.path for item in split.train]
        arch, _ = media.resolve_architecture(model, paths)
        texts = media.texts(paths)
        resolved, notes = resolve_text_config(preprocess, arch, texts)
    except Exception as exc:  # noqa: BLE001 - shown on the pages, never a crash
        message, hint = describe(exc)
        return AutoChoice(problem=f"{message} {hint}".strip())
    length = int(resolved.sequence_length or 0) or auto_sequence_length(texts, resolved.split)
    reason = media.auto_notes[0] if media.auto_notes else ""
    return AutoChoice(arch, reason, resolved, notes, length, len(paths), train_texts=texts)


def auto_architecture_for(state: Any) -> tuple[str, str] | None:
    """(network, why) Auto picks for the loaded texts; None when none are loaded."""
    dataset = state.loaded(TEXT)
    if dataset is None or not len(dataset):
        return None
    settings = state.settings(TEXT)
    model = copy.copy(settings.model)
    model.architecture = "auto"
    choice = auto_choice(dataset, settings.preprocess, model)
    if choice.problem:
        return None
    return choice.architecture, choice.reason


def sequence_length_for(state: Any, dataset: Any) -> tuple[int, str]:
    """(sequence length, "set on the Preprocess page" / "automatic: …") for ``dataset``."""
    settings = state.settings(TEXT)
    configured = int(settings.preprocess.sequence_length or 0)
    if configured > 0:
        return configured, "set on the Preprocess page"
    choice = auto_choice(dataset, settings.preprocess, settings.model)
    if choice.problem or not choice.sequence_length:
        from automl_gui.core.preprocess.text import auto_sequence_length

        texts = [item.text for item in dataset.items]
        return auto_sequence_length(texts, settings.preprocess.split), "automatic"
    return choice.sequence_length, "automatic: the 95th percentile of the training texts"


def train_parts(dataset: Any, preprocess: Any, model: str) -> list[str]:
    """The Train page's lines: the network ("Auto → n-gram MLP" once Auto has decided for
    these texts) and how texts become its input, with Auto's values resolved."""
    from automl_gui.gui.pages.text._words import NAMES

    resolved = None
    if dataset is not None and len(dataset):
        default = TEXT.default_model()  # "Auto" is the architecture; nothing else decides it
        choice = auto_choice(dataset, preprocess, default) if model == "Auto" else None
        if choice is not None and not choice.problem:
            model = f"Auto → {NAMES.get(choice.architecture, choice.architecture)}"
            resolved = choice.resolved
    return [f"<b>Model</b> {model}", f"<b>Texts</b> {vectorizer_line(resolved or preprocess)}"]


def vectorizer_line(preprocess: Any) -> str:
    """How texts become the model's input: "words, lower case without punctuation, 1–2-grams,
    TF-IDF, vocabulary of 20,000 at most" (a setting still automatic reads "auto")."""
    from automl_gui.core.preprocess.text_config import BAG_MODES
    from automl_gui.gui.pages.text._words import MODE_NAMES, STANDARDIZE_WORDS, ngram_words

    c = preprocess
    unit = "characters" if c.split == "character" else "words"
    parts = [unit, STANDARDIZE_WORDS.get(c.standardize, c.standardize)]
    parts.append(ngram_words(c.ngrams, c.split) if c.ngrams else "n-grams auto")
    parts.append(
        MODE_NAMES.get(c.output_mode, c.output_mode) if c.output_mode != "auto" else "encoding auto"
    )
    if c.output_mode not in BAG_MODES:  # token ids (or not decided yet): a sequence length
        length = c.sequence_length
        parts.append(f"sequences of {length:,} tokens" if length else "sequence length auto")
    parts.append(f"vocabulary of {c.max_tokens:,} at most" if c.max_tokens else "vocabulary auto")
    if c.word_dropout:
        parts.append(f"word dropout {c.word_dropout:.0%}")
    return ", ".join(parts)
