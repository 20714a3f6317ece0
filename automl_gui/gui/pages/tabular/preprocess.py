"""Preprocess page: review and change how each column is fed to the model, and the split."""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig, SplitConfig
from automl_gui.core.preprocess.text_config import AUTO_MAX_TOKENS, MAX_TOKENS_RANGE
from automl_gui.gui.pages.tabular._preprocess_columns import (
    COL_ENCODING,
    COL_FILL,
    COL_INDICATOR,
    COL_MISSING,
    COL_NAME,
    COL_SCALING,
    COL_TYPE,
    HEADER_TIPS,
    HEADERS,
    LABELS,
    NGRAM_LABELS,
    NOT_APPLICABLE,
    OPTIONS_ROLE,
    SPECIAL_TYPES,
    ChoiceDelegate,
    ColumnConfigModel,
    missing_options,
)
from automl_gui.gui.state import AppState

__all__ = [
    "COL_ENCODING",
    "COL_FILL",
    "COL_INDICATOR",
    "COL_MISSING",
    "COL_NAME",
    "COL_SCALING",
    "COL_TYPE",
    "HEADERS",
    "HEADER_TIPS",
    "LABELS",
    "NOT_APPLICABLE",
    "OPTIONS_ROLE",
    "ChoiceDelegate",
    "ColumnConfigModel",
    "PreprocessPage",
    "QComboBox",
    "missing_options",
]


class PreprocessPage(QWidget):
    """Step 2: per-column preprocessing, duplicates and the train/validation/test split."""

    name = "preprocess"
    title = "Preprocess"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._auto: _Automatic | None = None
        self._numeric_ok: tuple[Any, dict[str, bool]] = (None, {})
        self._updating = False
        self._build()
        state.dataset_changed.connect(self.show_state)
        state.target_changed.connect(self._on_target_changed)
        self.show_state()

    def _build(self) -> None:
        title = QLabel("Preprocess")
        title.setProperty("role", "title")
        self.info_label = QLabel()
        self.info_label.setProperty("role", "muted")
        self.info_label.setWordWrap(True)

        self.columns = ColumnConfigModel(self)
        self.columns.on_edit = self._changed
        self.table = QTableView()
        self.table.setModel(self.columns)
        self.table.setItemDelegate(ChoiceDelegate(self.table))
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.CurrentChanged
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setToolTip("How each column is fed to the model. Click a cell to change it.")
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((160, 100, 120, 80, 90, 100, 100)):
            self.table.setColumnWidth(col, width)

        self.dedup_check = QCheckBox("Drop duplicate rows")
        self.dedup_check.setToolTip(
            "Remove rows that repeat exactly, so the same row cannot land in both training and "
            "test data (which would flatter the scores)."
        )
        self.dedup_check.toggled.connect(self._on_options)

        self.train_spin = _percent_spin(10, 90, "Share of rows the model learns from.")
        self.val_spin = _percent_spin(
            0, 85, "Share of rows used to watch training (early stopping, plots)."
        )
        self.test_spin = _percent_spin(
            5, 90, "Share of rows kept aside for the final evaluation: whatever remains."
        )
        self.test_spin.setReadOnly(True)
        self.test_spin.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.train_spin.valueChanged.connect(self._on_split)
        self.val_spin.valueChanged.connect(self._on_split)
        self.stratify_check = QCheckBox("Stratify by class")
        self.stratify_check.setToolTip(
            "Keep the class proportions the same in every split (classification only)."
        )
        self.stratify_check.toggled.connect(self._on_options)
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, 2**31 - 1)
        self.seed_spin.setToolTip("Random seed of the split: the same seed gives the same split.")
        self.seed_spin.valueChanged.connect(self._on_options)
        self._build_text_box()
        self.reset_button = QPushButton("Reset to automatic")
        self.reset_button.setToolTip(
            "Undo every change on this page (back to the automatic setup)."
        )
        self.reset_button.clicked.connect(self.reset_to_automatic)

        split_box = QGroupBox("Split")
        form = QFormLayout(split_box)
        form.addRow("Training %", self.train_spin)
        form.addRow("Validation %", self.val_spin)
        form.addRow("Test %", self.test_spin)
        form.addRow(self.stratify_check)
        form.addRow("Seed", self.seed_spin)
        rows_box = QGroupBox("Rows")
        rows_layout = QVBoxLayout(rows_box)
        rows_layout.addWidget(self.dedup_check)
        self.used_label = QLabel()
        self.used_label.setProperty("role", "muted")
        self.used_label.setWordWrap(True)
        rows_layout.addWidget(self.used_label)

        side = QVBoxLayout()
        side.addWidget(rows_box)
        side.addWidget(split_box)
        side.addWidget(self.text_box)
        side.addStretch(1)
        side.addWidget(self.reset_button)
        self.side_box = QWidget()
        self.side_box.setLayout(side)
        self.side_box.setFixedWidth(260)
        side.setContentsMargins(0, 0, 0, 0)

        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addWidget(self.side_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(title)
        layout.addWidget(self.info_label)
        layout.addLayout(body, 1)

    def _build_text_box(self) -> None:
        """'Free-text column': the vocabulary size and n-grams of the selected text column
        (or the first one), shown only when the table has text columns."""
        self.text_box = QGroupBox("Free-text column")
        form = QFormLayout(self.text_box)
        self.text_column_label = QLabel()
        self.text_column_label.setWordWrap(True)
        self.vocab_spin = QSpinBox()
        self.vocab_spin.setRange(0, MAX_TOKENS_RANGE[1])
        self.vocab_spin.setSingleStep(1000)
        self.vocab_spin.setGroupSeparatorShown(True)
        self.vocab_spin.setSpecialValueText(f"Auto ({AUTO_MAX_TOKENS:,})")
        self.vocab_spin.setKeyboardTracking(False)
        self.vocab_spin.setToolTip(
            "How many of the most frequent words and n-grams of the training rows the model "
            f"knows (others are ignored). Auto: {AUTO_MAX_TOKENS:,}, as the text kind. "
            "Smaller helps only with very many rows."
        )
        self.ngram_combo = QComboBox()
        for n, label in NGRAM_LABELS.items():
            self.ngram_combo.addItem(label, n)
        self.ngram_combo.setToolTip(
            "Which word runs the model reads: single words, words and word pairs ('not good'), "
            "or phrases of up to three words."
        )
        self.vocab_spin.valueChanged.connect(self._on_text_settings)
        self.ngram_combo.currentIndexChanged.connect(self._on_text_settings)
        form.addRow(self.text_column_label)
        form.addRow("Vocabulary", self.vocab_spin)
        form.addRow("N-grams", self.ngram_combo)
        self.table.selectionModel().currentRowChanged.connect(self._show_text_settings)

    # -- state -> widgets --------------------------------------------------------------------
    def _text_column(self) -> ColumnConfig | None:
        """The text column the side box edits: the current row's, else the first one."""
        rows = self.columns.rows
        current = self.table.currentIndex()
        if current.isValid() and rows[current.row()].type == "text":
            return rows[current.row()]
        return next((c for c in rows if c.type == "text"), None)

    def _show_text_settings(self, *_args: Any) -> None:
        col = self._text_column()
        self.text_box.setVisible(col is not None)
        if col is None:
            return
        updating, self._updating = self._updating, True
        self.text_column_label.setText(f"<b>{col.name}</b>")
        self.vocab_spin.setValue(int(col.max_tokens))
        self.ngram_combo.setCurrentIndex(max(self.ngram_combo.findData(int(col.ngrams)), 0))
        self._updating = updating

    def _on_target_changed(self) -> None:
        cfg = self.state.settings(TABULAR).preprocess
        self._auto = _Automatic.of(cfg) if cfg is not None else None
        self.show_state()

    def show_state(self) -> None:
        cfg = self.state.settings(TABULAR).preprocess
        enabled = cfg is not None and self.state.loaded(TABULAR) is not None
        self.table.setEnabled(enabled)
        self.side_box.setEnabled(enabled)
        if not enabled:
            self._numeric_ok = (None, {})  # let a replaced table go
            self.columns.set_rows([], {})
            self._show_text_settings()
            self.info_label.setText("Load a dataset and pick a target on the Data page first.")
            return
        df = self.state.loaded(TABULAR).df
        if self._numeric_ok[0] is not df:  # once per table, not per target
            self._numeric_ok = (df, _numeric_columns(df))
        numeric_ok = self._numeric_ok[1]
        self.columns.set_rows(
            [c for c in cfg.columns if c.name != cfg.target],
            numeric_ok,
            _special_columns(self.state.profile),
        )
        self._updating = True
        dups = self.state.profile.duplicate_rows if self.state.profile is not None else 0
        self.dedup_check.setText(f"Drop duplicate rows ({dups:,} found)")
        self.dedup_check.setChecked(cfg.drop_duplicates)
        self.train_spin.setValue(round(cfg.split.train * 100))
        self.val_spin.setMaximum(95 - self.train_spin.value())
        self.val_spin.setValue(round(cfg.split.validation * 100))
        self.test_spin.setValue(100 - self.train_spin.value() - self.val_spin.value())
        classification = cfg.task != "regression"
        self.stratify_check.setEnabled(classification)
        self.stratify_check.setChecked(cfg.split.stratify and classification)
        self.seed_spin.setValue(cfg.split.seed)
        self._updating = False
        self._show_text_settings()
        self._update_info()

    def _update_info(self) -> None:
        cfg = self.state.settings(TABULAR).preprocess
        if cfg is None:
            return
        used = len(cfg.feature_columns())
        total = len(self.columns.rows)
        self.info_label.setText(
            f"Target: <b>{cfg.target}</b> ({cfg.task}) — change it on the Data page. "
            f"{used:,} of {total:,} columns are used as inputs. Hover a column name for why."
        )
        n = self.state.profile.n_rows if self.state.profile is not None else 0
        s = cfg.split
        self.used_label.setText(
            f"About {round(n * s.train):,} training, {round(n * s.validation):,} validation and "
            f"{round(n * s.test):,} test rows."
        )

    # -- widgets -> state --------------------------------------------------------------------
    def _changed(self) -> None:
        self._update_info()
        self.state.notify_preprocess_changed()

    def _on_split(self) -> None:
        if self._updating:
            return
        self._updating = True
        self.val_spin.setMaximum(95 - self.train_spin.value())
        self.test_spin.setValue(100 - self.train_spin.value() - self.val_spin.value())
        self._updating = False
        self._on_options()

    def _on_text_settings(self) -> None:
        col = self._text_column()
        if self._updating or col is None:
            return
        tokens = self.vocab_spin.value()
        if 0 < tokens < MAX_TOKENS_RANGE[0]:  # 0 is Auto; below the range, its least
            tokens = MAX_TOKENS_RANGE[0]
            self._updating = True
            self.vocab_spin.setValue(tokens)
            self._updating = False
        col.max_tokens = tokens
        col.ngrams = int(self.ngram_combo.currentData())
        row = self.columns.row_of(col.name)
        self.columns.dataChanged.emit(
            self.columns.index(row, 0), self.columns.index(row, len(HEADERS) - 1)
        )
        self._changed()

    def _on_options(self) -> None:
        cfg = self.state.settings(TABULAR).preprocess
        if self._updating or cfg is None:
            return
        cfg.drop_duplicates = self.dedup_check.isChecked()
        train, val = self.train_spin.value(), self.val_spin.value()
        cfg.split.train = round(train / 100, 4)
        cfg.split.validation = round(val / 100, 4)
        cfg.split.test = round((100 - train - val) / 100, 4)
        cfg.split.stratify = self.stratify_check.isChecked()
        cfg.split.seed = self.seed_spin.value()
        self._changed()

    def reset_to_automatic(self) -> None:
        """Restore the automatic configuration made when the target was chosen."""
        cfg = self.state.settings(TABULAR).preprocess
        if cfg is None or self._auto is None:
            return
        self._auto.apply_to(cfg)
        self.show_state()
        self.state.notify_preprocess_changed()


@dataclass
class _Automatic:
    """The automatic setup, kept to go back to: each column's fields as a tuple (taking
    20,000 of them costs ~5 ms; ``copy.deepcopy`` of the config took ~1 s on the UI thread)."""

    columns: list[tuple[Any, ...]]
    drop_duplicates: bool
    embedding_threshold: int
    split: SplitConfig

    @classmethod
    def of(cls, cfg: PreprocessConfig) -> _Automatic:
        return cls(
            [_column_values(c) for c in cfg.columns],
            cfg.drop_duplicates,
            cfg.embedding_threshold,
            copy.copy(cfg.split),
        )

    def apply_to(self, cfg: PreprocessConfig) -> None:
        """Put the automatic setup back into ``cfg`` (new column objects)."""
        cfg.columns = [ColumnConfig(*values) for values in self.columns]
        cfg.drop_duplicates = self.drop_duplicates
        cfg.embedding_threshold = self.embedding_threshold
        cfg.split = copy.copy(self.split)


_column_values = attrgetter(*(f.name for f in fields(ColumnConfig)))


def _special_columns(profile: Any) -> dict[str, str]:
    """Columns the profile found to be free text or dates: the type they may be used as."""
    if profile is None:
        return {}
    return {c.name: SPECIAL_TYPES[c.kind] for c in profile.columns if c.kind in SPECIAL_TYPES}


def _numeric_columns(df: Any) -> dict[str, bool]:
    """Which columns may be fed as numbers (numeric or boolean dtype), by name. The dtypes
    are read once and judged once per distinct dtype (``df[c]`` per column: 1.5 s at 20,000)."""
    import pandas as pd  # imported on first use: the window must not wait for it

    judged: dict[Any, bool] = {}
    out: dict[str, bool] = {}
    for name, dtype in zip(df.columns, df.dtypes.tolist(), strict=True):
        ok = judged.get(dtype)
        if ok is None:
            api = pd.api.types
            ok = judged[dtype] = bool(api.is_numeric_dtype(dtype) or api.is_bool_dtype(dtype))
        out[str(name)] = ok
    return out


def _percent_spin(low: int, high: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setSuffix(" %")
    spin.setToolTip(tip)
    return spin
