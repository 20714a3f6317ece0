"""The Preprocess page's preview of texts: choose an example or type a text, and see its
tokens (with n-grams) as the model sees them, in-vocabulary ones apart from the unknown.

:func:`preview_job` runs in a worker: it decides the automatic settings as training would
(``_settings_words.auto_choice``), adapts ``TextVectorization`` on the training texts
(``core.preprocess.text.build_vectorizer``; kept while the settings stay, so typing only
re-tokenizes), and tokenizes (``core.preprocess.text.tokenize_preview``).
:class:`TokenPreviewBox` shows the result.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from automl_gui.gui.widgets.banner import muted_label

MAX_EXAMPLES = 20  # texts offered in the chooser
TOKEN_STYLE = "background:#E3F2FD; color:#0D47A1; border-radius:3px;"
NGRAM_STYLE = "background:#EDE7F6; color:#4527A0; border-radius:3px;"
UNKNOWN_STYLE = "background:#FFEBEE; color:#B71C1C; text-decoration:line-through;"


@dataclass
class TextPreview:
    """Tokens of one text as the model sees them."""

    text: str
    standardized: str
    tokens: list[tuple[str, bool]]  # (token or n-gram, in the vocabulary)
    architecture: str
    resolved: Any  # the settings with the automatic values decided
    vocabulary_size: int = 0
    with_vocabulary: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def unknown(self) -> int:
        return sum(1 for _t, known in self.tokens if not known)


class _VectorizerCache:
    """The last adapted vectorizer, by the dataset (held weakly: an id alone could be a new
    dataset's) and the settings it was adapted with."""

    def __init__(self) -> None:
        self.key: Any = None
        self.dataset: Any = lambda: None
        self.layer: Any = None
        self.lock = threading.Lock()

    def get(self, dataset: Any, key: Any, build: Any) -> Any:
        with self.lock:
            if self.key != key or self.dataset() is not dataset:
                self.layer, self.key = None, None
                self.layer, self.key = build(), key
                self.dataset = weakref.ref(dataset)
            return self.layer


VECTORIZERS = _VectorizerCache()


def preview_job(dataset: Any, preprocess: Any, model: Any, text: str) -> TextPreview:
    """The preview of ``text`` with the settings as training would resolve them (worker)."""
    from automl_gui.core.base.errors import ConfigError
    from automl_gui.core.preprocess.text import (
        ARCHITECTURE_MODES,
        build_vectorizer,
        standardized_text,
        tokenize_preview,
    )
    from automl_gui.gui.pages.text._settings_words import auto_choice

    choice = auto_choice(dataset, preprocess, model)
    if choice.problem:
        raise ConfigError(choice.problem)
    arch, resolved = choice.architecture, choice.resolved
    if not ARCHITECTURE_MODES[arch]:  # its own tokenizer: the settings' split shows what it reads
        tokens = tokenize_preview(preprocess, text, architecture=arch)
        return TextPreview(
            text,
            standardized_text(preprocess, text),
            tokens,
            arch,
            resolved,
            with_vocabulary=False,
            notes=choice.notes,
        )
    key = (repr(resolved.to_dict()), arch)

    layer = VECTORIZERS.get(
        dataset, key, lambda: build_vectorizer(resolved, arch, choice.train_texts)
    )
    tokens = tokenize_preview(resolved, text, layer, architecture=arch)
    size = int(layer.vocabulary_size())
    return TextPreview(
        text, standardized_text(resolved, text), tokens, arch, resolved, size, True, choice.notes
    )


def tokens_html(preview: TextPreview) -> str:
    """The tokens as chips: words blue, n-grams purple, unknown ones red and struck out."""
    chips = []
    for token, known in preview.tokens:
        style = NGRAM_STYLE if " " in token else TOKEN_STYLE
        if not known:
            style = UNKNOWN_STYLE
        shown = _escape(token).replace(" ", "&nbsp;")
        chips.append(f"<span style='{style}'>&nbsp;{shown}&nbsp;</span>")
    return " ".join(chips) or "<i>no tokens: the text is empty once standardized</i>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TokenPreviewBox(QGroupBox):
    """A text chooser and editor, and its tokens below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Preview: a text as the model sees it", parent)
        self.example_combo = QComboBox()
        self.example_combo.setToolTip("An example of the dataset (or type your own below)")
        self.example_combo.setMinimumWidth(160)
        self.new_button = QPushButton("Other examples")
        self.new_button.setToolTip("Offer other texts of the dataset, from every class")
        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("Type or paste a text to see its tokens…")
        self.editor.setToolTip("Edit freely: the tokens follow as you type")
        self.editor.setMaximumHeight(110)
        self.standardized = muted_label()
        self.standardized.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tokens = QTextBrowser()
        self.tokens.setMinimumHeight(160)
        self.tokens.setToolTip(
            "Blue: a word in the vocabulary; purple: an n-gram in it; red and struck out: not "
            "in the vocabulary (the model cannot tell it from any other unknown token)"
        )
        self.status = muted_label()
        row = QHBoxLayout()
        row.addWidget(QLabel("Example"))
        row.addWidget(self.example_combo, 1)
        row.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.editor)
        layout.addWidget(self.standardized)
        layout.addWidget(self.tokens, 1)
        layout.addWidget(self.status)

    def set_examples(self, examples: list[tuple[str, str]]) -> None:
        """``(label, text)`` pairs offered in the chooser (the first goes into the editor)."""
        self.example_combo.blockSignals(True)
        self.example_combo.clear()
        for label, text in examples:
            self.example_combo.addItem(f"{label}: {' '.join(text.split())[:80]}", text)
        self.example_combo.blockSignals(False)
        self.editor.blockSignals(True)
        self.editor.setPlainText(examples[0][1] if examples else "")
        self.editor.blockSignals(False)

    def show_result(self, preview: TextPreview) -> None:
        c = preview.resolved
        self.standardized.setText(f"Standardized: {_escape(preview.standardized[:400])}")
        self.tokens.setHtml(f"<div style='line-height:170%'>{tokens_html(preview)}</div>")
        n = len(preview.tokens)
        if not preview.with_vocabulary:
            self.status.setText(
                f"{n:,} tokens. A pretrained model tokenizes with its own vocabulary."
            )
            return
        what = "token ids in order" if c.output_mode == "int" else "a bag of n-grams"
        length = ""
        if c.output_mode == "int" and c.sequence_length:
            length = f"; the first {c.sequence_length:,} are read"
        self.status.setText(
            f"{n:,} tokens, {preview.unknown:,} not in the vocabulary of "
            f"{preview.vocabulary_size:,} (from the training texts only); the model gets "
            f"{what}{length}."
        )

    def clear(self, message: str) -> None:
        self.standardized.setText("")
        self.tokens.setHtml("")
        self.status.setText(message)
