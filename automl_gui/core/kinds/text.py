"""Text: a table (CSV/TSV/Parquet) or JSON Lines file of texts and labels, or a folder of
class folders (or split folders) of ``.txt`` files.

A files-like kind (``FilesKind``): each text is an item whose ``path`` locates it (a ``.txt``
file, or ``"<table>#<row>"``), held in memory by the dataset; it trains through the shared
files job with :class:`~automl_gui.core.kinds._text_media.TextMedia`, searches through the
files search with ``tune.search._text_space.TextSpace``, and predicts on raw strings,
``.txt`` files and folders, or a table's text column (``kinds._text_predict``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from automl_gui.core.kinds.images import FilesKind

if TYPE_CHECKING:
    from automl_gui.core.base.events import CancelToken, EventCallback
    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.jobs._files_media import Media
    from automl_gui.core.models.text_config import TextModelConfig
    from automl_gui.core.preprocess.text_config import TextPreprocessConfig

#: single files that hold a whole text dataset: tables (when their only feature is one free
#: text column) and JSON Lines (always text)
JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")


class TextKind(FilesKind):
    """Short or long texts in any language; the model takes raw strings and vectorizes them
    itself (Keras ``TextVectorization`` inside the model)."""

    name = "text"
    title = "Text"
    item = "text"
    items = "texts"
    dataset_noun = "text dataset"
    opens = (
        "a text dataset (a CSV or JSON Lines file with a text and a label column, or a folder "
        "of .txt files per class)"
    )
    trained_on = "texts"
    model_noun = "a text model"
    input_hint = (
        "Give it texts: .txt files or folders, or a table (CSV, JSON Lines) with a text column"
    )
    card_input_word = "texts"
    extensions = (".txt",)
    sample = "forum_posts.csv"
    one_file = "a text file"
    folder_example = "reviews/positive/*.txt and reviews/negative/*.txt"
    sample_words = "sample texts"
    serving_input = ((None,), "text")
    model_families = ("ngram_mlp", "sepcnn", "transformer", "pretrained")
    #: ``load``'s keyword choices: which column holds the text and which the label
    load_options: ClassVar[tuple[str, ...]] = ("text_column", "label_column")
    search_note = (
        "The search chooses the vectorization (vocabulary size, n-grams, TF-IDF, multi-hot or "
        "counts), the network (n-gram MLP, sepCNN or Transformer) with its width, dropout, "
        "word dropout and learning rate. The other settings on this page apply to every trial."
    )

    # -- datasets ---------------------------------------------------------------------------
    def claims_file(self, path: Path) -> bool:
        """JSON Lines always; a CSV listing ``.txt`` files with labels; a table when its only
        feature is one free-text column (``core.data.text.looks_like_text_table``: a mixed
        table stays a table)."""
        if path.suffix.lower() in JSON_LINES_SUFFIXES or super().claims_file(path):
            return True
        from automl_gui.core.data.detect import SUPPORTED_TABLE_SUFFIXES

        if path.suffix.lower() not in SUPPORTED_TABLE_SUFFIXES:
            return False
        from automl_gui.core.data.text import looks_like_text_table

        return looks_like_text_table(path)

    def lists_files(self, path: str) -> bool:
        """A CSV whose path column names ``.txt`` files that exist (beside the CSV or
        absolute): a table may well mention "notes.txt" in a column of its own."""
        from automl_gui.core.data.text import lists_text_files

        return lists_text_files(path)

    def load(
        self,
        path: str | os.PathLike[str],
        *,
        on_event: EventCallback | None = None,
        cancel: CancelToken | None = None,
        text_column: str | None = None,
        label_column: str | None = None,
    ) -> Any:
        """A ``TextDataset`` (``core.data.text.load_text``); ``text_column`` and
        ``label_column`` choose a table's columns (default: the best guesses)."""
        from automl_gui.core.data.text import load_text

        return load_text(
            str(path),
            text_column=text_column,
            label_column=label_column,
            on_event=on_event,
            cancel=cancel,
        )

    def identity(self, dataset: Any) -> str:
        """A hash of the texts, labels and fixed splits (an edited text changes it; where
        the texts came from does not)."""
        import hashlib

        digest = hashlib.sha256()
        for item in dataset.items:
            for part in (item.label, item.split or "", item.text):
                digest.update(part.encode("utf-8", "surrogatepass"))
                digest.update(b"\x1f")
            digest.update(b"\x1e")
        return digest.hexdigest()[:24]

    # -- settings ---------------------------------------------------------------------------
    def preprocess_from_dict(self, data: dict[str, Any]) -> TextPreprocessConfig:
        from automl_gui.core.preprocess.text_config import TextPreprocessConfig

        return TextPreprocessConfig.from_dict(data)

    def default_preprocess(self, dataset: Any = None) -> TextPreprocessConfig:
        """Automatic vectorization (decided at training from the network and the training
        texts); tokens are characters when many texts are written without spaces (Chinese,
        Japanese, Thai) or have very few words (``core.preprocess.text.auto_split``)."""
        from automl_gui.core.preprocess.text import auto_split
        from automl_gui.core.preprocess.text_config import TextPreprocessConfig

        config = TextPreprocessConfig()
        if dataset is not None:
            config.split = auto_split(dataset.texts())[0]
        return config

    def model_from_dict(self, data: dict[str, Any]) -> TextModelConfig:
        from automl_gui.core.models.text_config import TextModelConfig

        return TextModelConfig.from_dict(data)

    def default_model(self) -> TextModelConfig:
        from automl_gui.core.models.text_config import TextModelConfig

        return TextModelConfig()

    def set_augment(self, preprocess: Any, enabled: bool) -> Any:
        """Word dropout is the text kind's augmentation: on at :data:`WORD_DROPOUT` unless
        already set, off at 0."""
        preprocess.word_dropout = (preprocess.word_dropout or WORD_DROPOUT) if enabled else 0.0
        return preprocess

    def auto_architecture_note(self) -> str:
        return (
            "Google's rule: fewer than 1,500 texts per word of a typical text → an n-gram "
            "TF-IDF MLP, else a sepCNN on word sequences."
        )

    def media(self, dataset: Any, preprocess: Any) -> Media:
        from automl_gui.core.kinds._text_media import TextMedia

        return TextMedia(dataset, preprocess)

    def search_space(self, dataset: Any, preprocess: Any, model: Any, **options: Any) -> Any:
        """The AutoML search's default space for ``dataset`` (``tune.search._text_space``)."""
        from automl_gui.core.tune.search._text_space import text_space

        return text_space(dataset, preprocess, model, **options)

    # -- predicting -------------------------------------------------------------------------
    def typed(self, texts: list[str]) -> Any:
        """Raw strings to predict on: ``TEXT.predict(bundle, TEXT.typed(["a review"]))``
        (``predict`` reads a plain list as paths)."""
        from automl_gui.core.kinds._text_predict import Texts

        return Texts(str(t) for t in texts)

    def item_inputs(self, items: list[Any]) -> Any:
        """The items' texts as :meth:`typed` texts that keep each item's locator (its file,
        or ``"<table>#<row>"``), so explanations and predictions name where a text came from."""
        from automl_gui.core.kinds._text_predict import LocatedTexts

        return LocatedTexts([str(item.text) for item in items], [item.path for item in items])

    def _answer(
        self,
        bundle: Bundle,
        data: Any,
        *,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: :meth:`typed` texts (raw strings), or paths: ``.txt`` files, folders
        (recursed) and tables (CSV/TSV/Parquet/JSON Lines) with a text column."""
        from automl_gui.core.kinds._text_predict import predict_text_data

        return predict_text_data(bundle, data, on_event=on_event, cancel=cancel)

    def _explain(
        self,
        bundle: Bundle,
        data: Any,
        *,
        rows: int | None,
        out_dir: Any,
        on_event: EventCallback | None,
        cancel: CancelToken | None,
    ) -> Any:
        """``data``: what :meth:`predict` takes; the words that pushed each answer and the
        words that matter most overall (``core.trust.words``)."""
        from automl_gui.core.trust.words import explain_texts

        return explain_texts(
            bundle, data, rows=rows, out_dir=out_dir, on_event=on_event, cancel=cancel
        )

    # -- bundles and exports ----------------------------------------------------------------
    @property
    def exports_whole(self) -> bool:
        """TFLite and ONNX take the model from the vectorized input on: string ops fit
        neither runtime (``preprocessing.json`` holds the vectorizer)."""
        return False

    def empty_samples(self, metadata: dict[str, Any]) -> Any:
        import numpy as np

        return np.zeros((0,), dtype="<U1")

    def model_card_input(self, metadata: dict[str, Any]) -> str:
        return (
            'raw texts: a 1-D string tensor (n,) named "text", unstandardized (the model '
            "standardizes, splits and vectorizes by itself)"
        )

    def model_card_serving(self, metadata: dict[str, Any]) -> str:
        return (
            "Call loaded.serve(texts): a 1-D tf.string tensor (n,) of raw texts, e.g. "
            'tf.constant(["first text", "second text"]); returns class probabilities in '
            "class_names order."
        )

    def export_input(self, metadata: dict[str, Any]) -> tuple[str, str]:
        return (
            "raw texts (a 1-D string tensor; standardizing, splitting and the vocabulary "
            "are inside it)",
            "texts",
        )

    def model_card_architecture(self, metadata: dict[str, Any]) -> list[str]:
        text = metadata.get("text") or {}
        if not text:
            return []
        line = (
            f"- Text: {text.get('standardize')} standardization, {text.get('split')} split, "
            f"{text.get('output_mode')} output, vocabulary {text.get('vocabulary_size', 0):,}"
        )
        if text.get("output_mode") == "int":
            line += f", sequences of {text.get('sequence_length')} tokens"
        else:
            line += f", n-grams up to {text.get('ngrams')}"
        return [line + "."]

    def model_card_data(self, metadata: dict[str, Any]) -> list[str]:
        lines = []
        if metadata.get("text_column"):
            lines.append(f"- Text column: {metadata['text_column']}.")
        if metadata.get("label_column"):
            lines.append(f"- Label column: {metadata['label_column']}.")
        return lines


#: word dropout when augmentation is turned on without a rate (``--augment``)
WORD_DROPOUT = 0.1

TEXT = TextKind()
