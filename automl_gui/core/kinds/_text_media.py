"""The text kind's part of the shared files job (``jobs.files``): :class:`TextMedia`.

load (``core.data.text.load_text``: a table, JSON Lines, class folders or split folders of
``.txt``) → split (``preprocess._files.split_items``, the same stratified split as images
and audio) → "auto" resolved (``preprocess.text.auto_text_architecture``: Google's
samples / words-per-sample rule) → the vectorizer adapted on the training texts only
(``preprocess.text.build_vectorizer``) → build (``models.text.build_text_model``: raw strings
in, softmax out) → train → evaluate on the test split → metadata (``kind: "text"``, the
vectorizer as built, what Auto chose) and a few sample texts (a NumPy unicode array) for the
export check.

Texts live in memory in the dataset (``TextItem.text``); an item's ``path`` is its locator (a
``.txt`` file, or ``"<table>#<row>"``), and :meth:`TextMedia.make_dataset` looks the texts up
by it. Prediction on new texts is ``_text_predict``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from automl_gui.core.base.events import Log, emit
from automl_gui.core.jobs._files_media import Media

__all__ = ["TextMedia", "input_description", "text_batches"]

#: the preprocessing settings that shape the model's input (metadata ``text``, resolved)
VECTORIZER_SETTINGS = (
    "standardize",
    "split",
    "max_tokens",
    "ngrams",
    "output_mode",
    "sequence_length",
    "word_dropout",
)
#: the architecture whose weights come from a local preset folder (a "backbone" to the job)
PRETRAINED = "pretrained"


def input_description() -> str:
    """The input contract of a text model, in one sentence (metadata ``input``)."""
    return (
        'raw texts: a 1-D string tensor (n,) named "text", unstandardized; the model '
        "standardizes, splits and vectorizes by itself"
    )


class TextMedia(Media):
    """Texts for the shared job: strings from the dataset in memory, vectorized inside the
    model (``TextVectorization`` adapted here on the training split only).

    Attributes (decided on the way, recorded in the metadata):
        resolved: the preprocessing settings with every automatic value resolved.
        auto_notes: "Auto chose …" sentences (architecture, n-grams, sequence length...).
        vectorizer: the adapted ``TextVectorization`` layer (None for a pretrained model,
            whose own preprocessor tokenizes).
    """

    kind_name = "text"

    def __init__(self, dataset: Any, preprocess: Any) -> None:
        super().__init__(dataset, preprocess)
        self.resolved: Any = preprocess
        self.auto_notes: list[str] = []
        self.vectorizer: Any = None

    # -- split and "auto" -----------------------------------------------------------------
    def split(self) -> Any:
        from automl_gui.core.preprocess._files import split_items

        return split_items(self.dataset, self.preprocess, noun=self.noun)

    def texts(self, paths: list[str]) -> list[str]:
        """The texts of the items at ``paths`` (the dataset's in-memory texts)."""
        text_of = self.dataset.text_of
        return [text_of(p) for p in paths]

    def resolve_architecture(
        self, model_config: Any, train: list[str], *, on_event: Any = None, plan: Any = None
    ) -> tuple[str, str | None]:
        """ "auto": Google's rule on the training texts (``auto_text_architecture``: samples /
        median words per sample < 1500 → n-gram MLP, else sepCNN); the log says why."""
        from automl_gui.core.preprocess.text import auto_text_architecture

        arch = model_config.architecture
        if arch != "auto":
            return arch, None
        words = [len(t.split()) for t in self.texts(train)]
        median = float(np.median(words)) if words else 0.0
        arch, reason = auto_text_architecture(len(train), median)
        self.auto_notes = [reason]  # (a copy of this media made for a study row keeps it)
        emit(on_event, Log(reason))
        return arch, None

    def backbone(self, architecture: str) -> bool:
        """Only the pretrained KerasHub model has weights of its own to look up, a head to
        train first and layers to fine-tune; the other networks train whole, in one phase."""
        return architecture == PRETRAINED

    def auto_fine_tune_layers(self, architecture: str, n_train: int, built: Any) -> int:
        """The pretrained model's "auto" (``_text_pretrained.auto_fine_tune_layers``)."""
        from automl_gui.core.models._text_pretrained import auto_fine_tune_layers

        return auto_fine_tune_layers(n_train, built.max_fine_tune_layers)

    def prepare(self, architecture: str, job: Any) -> None:
        """Resolve the automatic vectorization settings for ``architecture`` and adapt the
        vectorizer on the training texts (never on validation or test texts)."""
        from automl_gui.core.base.events import Progress
        from automl_gui.core.preprocess.text import build_vectorizer, resolve_text_config

        train = self.texts(list(job.paths["train"]))
        self.resolved, notes = resolve_text_config(self.preprocess, architecture, train)
        self.auto_notes = [*self.auto_notes, *notes]
        for note in notes:
            emit(job.on_event, Log(note))
        if self.backbone(architecture):
            return  # the preset's own preprocessor tokenizes
        message = f"Building the vocabulary from {len(train):,} training texts…"
        emit(job.on_event, Progress("prepare", None, message))
        self.vectorizer = build_vectorizer(self.resolved, architecture, train)

    # -- batches ---------------------------------------------------------------------------
    def restore(self, metadata: dict[str, Any]) -> None:
        """The run's vectorization settings as built (``Media.restore``); its vocabulary is
        in its model."""
        import dataclasses

        built = metadata.get("text") or {}
        names = {f.name for f in dataclasses.fields(self.preprocess)}
        known = {k: v for k, v in built.items() if k in VECTORIZER_SETTINGS and k in names}
        self.resolved = dataclasses.replace(self.preprocess, **known)

    def make_dataset(
        self, paths: list[str], labels: np.ndarray | None, batch_size: int, **options: Any
    ) -> Any:
        """Batches of ``(strings, labels)`` (or strings) from the in-memory texts, shuffled
        each epoch with ``shuffle``; ``training``, ``cache`` and ``track`` change nothing (word
        dropout is inside the model; texts are in memory; nothing can fail to load)."""
        return text_batches(
            self.texts(paths),
            labels,
            batch_size,
            shuffle=bool(options.get("shuffle", False)),
            seed=int(options.get("seed", 42)),
        )

    def load_samples(self, paths: list[str]) -> np.ndarray:
        """The sample texts, as a NumPy unicode array (``np.load`` reads it without pickle)."""
        return np.array(self.texts(paths), dtype=str)

    # -- the model -------------------------------------------------------------------------
    def build(self, architecture: str, n_classes: int, model_config: Any, **options: Any) -> Any:
        from automl_gui.core.models.text import build_text_model

        pre = self.resolved
        options.setdefault("sequence_length", int(pre.sequence_length))  # a pretrained model's
        return build_text_model(
            architecture,
            n_classes,
            self.vectorizer,
            model_config,
            word_dropout=float(pre.word_dropout),
            **options,
        )

    def describe(self, architecture: str) -> str:
        pre = self.resolved
        if self.backbone(architecture):
            return self.network_name(architecture)
        vocabulary = self.vocabulary_size()
        if getattr(pre, "output_mode", "") == "int":
            return (
                f"{self.network_name(architecture)} on sequences of {pre.sequence_length:,} tokens "
                f"(vocabulary {vocabulary:,})"
            )
        from automl_gui.core.preprocess.text import MODE_WORDS

        grams = "words" if int(pre.ngrams or 1) == 1 else f"1- to {int(pre.ngrams)}-grams"
        mode = MODE_WORDS.get(pre.output_mode, pre.output_mode)
        return f"{self.network_name(architecture)} on {mode} of {grams} (vocabulary {vocabulary:,})"

    def vocabulary_size(self) -> int:
        if self.vectorizer is None:
            return 0
        return int(self.vectorizer.vocabulary_size())

    @property
    def augment_active(self) -> bool:
        """Word dropout (training only) is the text kind's augmentation."""
        return float(getattr(self.resolved, "word_dropout", 0.0) or 0.0) > 0

    def metadata(self, architecture: str, built: Any) -> dict[str, Any]:
        """The vectorizer as built (``text``), what Auto chose, the dataset's columns."""
        resolved = self.resolved.to_dict()
        vectorizer = {k: resolved[k] for k in VECTORIZER_SETTINGS}
        meta: dict[str, Any] = {
            "text": {**vectorizer, "vocabulary_size": self.vocabulary_size()},
            "auto_notes": list(self.auto_notes),
            "input": input_description(),
        }
        columns = {
            "text_column": getattr(self.dataset, "text_column", None),
            "label_column": getattr(self.dataset, "label_column", None),
        }
        meta.update({k: v for k, v in columns.items() if v})
        return meta


def text_batches(
    texts: list[str],
    labels: np.ndarray | None,
    batch_size: int,
    *,
    shuffle: bool = False,
    seed: int = 42,
) -> Any:
    """A ``tf.data`` of ``(strings, labels)`` batches (strings only when ``labels`` is None),
    reshuffled every epoch with ``shuffle``; prefetched."""
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    strings = tf.constant(list(texts), dtype=tf.string, shape=(len(texts),))
    parts = strings if labels is None else (strings, np.asarray(labels))
    ds = tf.data.Dataset.from_tensor_slices(parts)
    if shuffle and len(texts) > 1:
        ds = ds.shuffle(len(texts), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(max(1, int(batch_size))).prefetch(tf.data.AUTOTUNE)
