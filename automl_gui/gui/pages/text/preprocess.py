"""Text Preprocess page: how texts become the network's input (Keras ``TextVectorization``
inside the model: standardize, split, n-grams, vocabulary, TF-IDF or token ids, sequence
length), word dropout, and the split, with a live preview of one text's tokens.

Edits change ``state.settings(TEXT).preprocess`` in place, are remembered in QSettings and call
``state.notify_preprocess_changed()``. Each automatic value shows what Auto chose for these
texts and the network (decided as training decides, ``_settings_words.auto_choice``). The
preview (``_preview.py``) runs in a :class:`JobWorker` ~300 ms after the last edit or
keystroke (the scheduling is :class:`PreviewPage`'s, shared with the image and audio pages).
"""

from __future__ import annotations

import copy
import random
from typing import Any

from PySide6.QtWidgets import QFormLayout, QGroupBox, QVBoxLayout, QWidget

from automl_gui.core.kinds.text import TEXT
from automl_gui.core.preprocess.text_config import (
    AUTO_MAX_TOKENS,
    AUTO_MAX_TOKENS_BAG,
    MAX_TOKENS_RANGE,
    NGRAMS_RANGE,
    SEQUENCE_LENGTH_RANGE,
    WORD_DROPOUT_RANGE,
    TextPreprocessConfig,
)
from automl_gui.gui.pages._files_preprocess import (
    PreviewPage,
    SplitBox,
    load_nested_config,
    strength_row,
)
from automl_gui.gui.pages.text._preview import (
    MAX_EXAMPLES,
    TextPreview,
    TokenPreviewBox,
    preview_job,
)
from automl_gui.gui.pages.text._settings_words import auto_choice
from automl_gui.gui.pages.text._words import NAMES, OUTPUT_MODES, SPLITS, STANDARDIZE
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.training_settings import combo, select, spin

KEY_TEXT_PREPROCESS = "text/preprocess"


def load_config(store: Any) -> TextPreprocessConfig | None:
    """The remembered settings (None when absent or unreadable: another version)."""
    return load_nested_config(store, KEY_TEXT_PREPROCESS, TextPreprocessConfig)


def pick_examples(dataset: Any, n: int, seed: int) -> list[tuple[str, str]]:
    """Up to ``n`` (label, text) pairs, taking the classes in turn (fast at 50,000)."""
    rng = random.Random(seed)
    items = dataset.items
    picked = rng.sample(range(len(items)), min(len(items), 20 * n))
    by_class: dict[str, list[Any]] = {}
    for i in picked:
        by_class.setdefault(items[i].label, []).append(items[i])
    out: list[tuple[str, str]] = []
    while len(out) < n and any(by_class.values()):
        for label in sorted(by_class):
            if by_class[label] and len(out) < n:
                out.append((label, by_class[label].pop().text))
    return out


class TextPreprocessPage(PreviewPage):
    """Step 2 for texts: vectorization, word dropout, the split, and a token preview."""

    name = "preprocess"
    title = "Preprocess"
    empty_text = "Open texts on the Data page to preview their tokens here."
    kind = TEXT
    settings_key = KEY_TEXT_PREPROCESS
    config_cls = TextPreprocessConfig
    config: TextPreprocessConfig
    intro = (
        "How texts are turned into numbers for the network. All of it happens inside the "
        "saved model (Keras TextVectorization), so it later takes raw text. The vocabulary "
        "is learned from the training texts only. Hover a setting for what it does."
    )

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self.preview: TextPreview | None = None
        self._start()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        left = QVBoxLayout()
        left.addWidget(self._build_tokens())
        left.addWidget(self._build_encoding())
        self.split_box = SplitBox(
            "texts",
            "Keep the batches in memory",
            "Keep the vectorized batches in memory after the first epoch: later epochs skip "
            "tokenizing again. Texts are small: leave it on unless memory is short.",
        )
        left.addWidget(self.split_box)
        left.addStretch(1)
        right = QVBoxLayout()
        box = self.preview_box = TokenPreviewBox()
        self.example_combo, self.editor = box.example_combo, box.editor
        self.preview_status = box.status
        self.example_combo.currentIndexChanged.connect(self._on_example_chosen)
        box.new_button.clicked.connect(self.new_examples)
        self.editor.textChanged.connect(self.schedule_preview)
        self.auto_label = muted_label()
        auto_box = QGroupBox("What Auto chose for these texts")
        QVBoxLayout(auto_box).addWidget(self.auto_label)
        right.addWidget(box, 1)
        right.addWidget(auto_box)
        right.addStretch(0)
        self._lay_out(left, right)

        for c in (self.standardize_combo, self.split_combo, self.mode_combo):
            c.currentIndexChanged.connect(self._on_edit)
        for s in (self.tokens_spin, self.ngrams_spin, self.length_spin, self.dropout_spin):
            s.valueChanged.connect(self._on_edit)
        self.split_box.connect_edits(self._on_edit)

    def _build_tokens(self) -> QGroupBox:
        self.standardize_combo = combo(
            STANDARDIZE,
            "What is done to a text before it is cut into tokens. Lower case with no "
            "punctuation is the usual choice; keep case or punctuation when they carry meaning "
            "(shouting, emoticons, code).",
        )
        self.split_combo = combo(
            SPLITS,
            "Tokens are words (split at spaces) or single characters: characters suit "
            "languages written without spaces (Chinese, Japanese, Thai) and very noisy text.",
        )
        self.ngrams_spin = spin(
            0,
            NGRAMS_RANGE[1],
            "Tokens also include runs of up to this many words (2: words and word pairs, such "
            "as “not good”). Auto: 2 for the n-gram MLP, 1 for sequence networks, which read "
            "word order themselves.",
        )
        self.tokens_spin = spin(
            0,
            MAX_TOKENS_RANGE[1],
            "Vocabulary size: the most frequent tokens (and n-grams) of the training texts are "
            f"kept, the others become “unknown”. Auto: {AUTO_MAX_TOKENS_BAG:,} for the n-gram "
            f"MLP, {AUTO_MAX_TOKENS:,} for the sequence networks.",
        )
        self.tokens_spin.setSingleStep(1000)
        for box in (self.ngrams_spin, self.tokens_spin):
            box.setMaximumWidth(190)
            box.setMinimumWidth(150)
        box = QGroupBox("Tokens")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Standardize", self.standardize_combo)
        form.addRow("Split into", self.split_combo)
        form.addRow("N-grams up to", self.ngrams_spin)
        form.addRow("Vocabulary size", self.tokens_spin)
        return box

    def _build_encoding(self) -> QGroupBox:
        self.mode_combo = combo(
            OUTPUT_MODES,
            "What the network gets. TF-IDF, multi-hot and counts: one vector per text (the "
            "n-gram MLP). Token ids in order: a sequence (sepCNN, Transformer). Auto: the one "
            "the network takes.",
        )
        self.length_spin = spin(
            0,
            SEQUENCE_LENGTH_RANGE[1],
            "Sequence networks read this many tokens of each text: longer texts are cut, "
            "shorter ones padded. Auto: the 95th percentile of the training texts' lengths "
            "(16–500).",
        )
        self.length_spin.setMaximumWidth(190)
        self.length_spin.setMinimumWidth(150)
        low, high = WORD_DROPOUT_RANGE
        self.dropout_spin, self.dropout_label, dropout_row = strength_row(
            low,
            high,
            0.05,
            "Augmentation, training only: this share of the words (or n-gram features) of each "
            "training text is dropped at random each epoch, so the model cannot lean on a few "
            "words. 0.1 is a gentle start.",
        )
        self.mode_note = muted_label()
        box = QGroupBox("Encoding")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow("Output", self.mode_combo)
        form.addRow("Sequence length", self.length_spin)
        form.addRow("Word dropout", dropout_row)
        form.addRow(self.mode_note)
        return box

    # -- config -> widgets -------------------------------------------------------------------
    def _show_fields(self, config: TextPreprocessConfig) -> None:
        select(self.standardize_combo, config.standardize)
        select(self.split_combo, config.split)
        self.ngrams_spin.setValue(config.ngrams)
        self.tokens_spin.setValue(config.max_tokens)
        select(self.mode_combo, config.output_mode)
        self.length_spin.setValue(config.sequence_length)
        self.dropout_spin.setValue(config.word_dropout)

    def _update_texts(self) -> None:
        """Auto values with what Auto chose, and the notes that follow the values."""
        data = self.state.loaded(TEXT)
        settings = self.state.settings(TEXT)
        choice = auto_choice(data, self.config, settings.model) if data is not None else None
        resolved = choice.resolved if choice is not None and not choice.problem else None
        arch = choice.architecture if resolved is not None else ""

        def auto(value: Any) -> str:
            return f"Auto ({value})" if value not in (None, "", 0) else "Auto"

        self.ngrams_spin.setSpecialValueText(auto(resolved and resolved.ngrams))
        self.tokens_spin.setSpecialValueText(
            auto(f"{resolved.max_tokens:,}" if resolved is not None else "")
        )
        length = choice.sequence_length if resolved is not None else 0
        self.length_spin.setSpecialValueText(auto(f"{length:,}" if length else ""))
        mode = dict(OUTPUT_MODES).get(resolved.output_mode, "") if resolved is not None else ""
        self.mode_combo.setItemText(0, auto(mode.split(" (")[0]))
        from automl_gui.core.preprocess.text import ARCHITECTURE_MODES
        from automl_gui.core.preprocess.text_config import SEQUENCE_MODES

        modes = ARCHITECTURE_MODES.get(arch)  # what the network takes; () tokenizes itself
        sequence = modes == SEQUENCE_MODES
        self.length_spin.setEnabled(sequence or not arch)
        self.ngrams_spin.setEnabled(modes != ())
        self.dropout_label.setText(
            f"{self.config.word_dropout:.0%} of the words dropped in training"
            if self.config.word_dropout
            else "no augmentation"
        )
        if choice is None:
            self.auto_label.setText("Open texts to see what Auto chooses for them.")
            self.mode_note.setText("")
        elif choice.problem:
            self.auto_label.setText(f"⚠ {choice.problem}")
            self.mode_note.setText("")
        else:
            lines = [
                choice.reason or f"The network: {NAMES.get(arch, arch)} (chosen on the Model page)."
            ]
            lines += choice.notes
            self.auto_label.setText("\n".join(f"• {line}" for line in lines if line))
            self.mode_note.setText(
                f"{NAMES.get(arch, arch)} reads "
                + (
                    "the tokens in order (sequence length applies)."
                    if sequence
                    else "a bag of n-grams: word order beyond the n-grams is not used, every word "
                    "is read (sequence length does not apply)."
                )
            )
        self.split_box.update_split(data is not None and data.has_split)
        self.split_box.cache_note.setText("")

    # -- widgets -> config -------------------------------------------------------------------
    def _read_fields(self, c: TextPreprocessConfig, sender: object) -> None:
        c.standardize = self.standardize_combo.currentData()
        c.split = self.split_combo.currentData()
        c.ngrams = self.ngrams_spin.value()
        c.max_tokens = self._tokens_value()
        c.output_mode = self.mode_combo.currentData()
        c.sequence_length = self._length_value()
        c.word_dropout = round(self.dropout_spin.value(), 2)

    def _tokens_value(self) -> int:
        """0 (Auto) or at least the smallest vocabulary allowed (the spin box steps from 0)."""
        value = self.tokens_spin.value()
        return 0 if value == 0 else max(MAX_TOKENS_RANGE[0], value)

    def _length_value(self) -> int:
        value = self.length_spin.value()
        return 0 if value == 0 else max(SEQUENCE_LENGTH_RANGE[0], value)

    # -- state signals -----------------------------------------------------------------------
    def _on_dataset_changed(self) -> None:
        self.preview = None
        data = self.state.loaded(TEXT)
        self.preview_box.set_examples(
            pick_examples(data, MAX_EXAMPLES, self._sample_seed) if data is not None else []
        )
        self._update_texts()
        self.schedule_preview()

    def _on_model_changed(self) -> None:
        self._update_texts()  # Auto's values follow the network
        self.schedule_preview()

    # -- preview -----------------------------------------------------------------------------
    def _on_example_chosen(self, index: int) -> None:
        text = self.example_combo.itemData(index)
        if isinstance(text, str):
            self.editor.setPlainText(text)  # textChanged schedules the preview

    def new_examples(self) -> None:
        """Offer other texts of the dataset."""
        self._sample_seed += 1
        data = self.state.loaded(TEXT)
        if data is not None:
            self.preview_box.set_examples(pick_examples(data, MAX_EXAMPLES, self._sample_seed))
        self.refresh_preview()

    def preview_data(self) -> Any:
        return self.state.loaded(TEXT)

    def preview_job(self, data: Any) -> Any:
        config = copy.deepcopy(self.config)
        model = copy.deepcopy(self.state.settings(TEXT).model)
        text = self.editor.toPlainText()
        return lambda: preview_job(data, config, model, text)

    def show_preview(self, result: TextPreview) -> None:
        self.preview = result
        self.preview_box.show_result(result)

    def clear_preview(self, message: str) -> None:
        self.preview = None
        self.preview_box.clear(message)
