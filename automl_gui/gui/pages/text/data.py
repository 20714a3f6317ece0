"""Text Data page: read a table of texts (CSV, TSV, JSON Lines, Parquet) or a folder of .txt
files off the UI thread, describe it, and read single texts.

Shows what :func:`automl_gui.core.data.text.load_text` found: a summary line, texts per
class (stacked by split), a histogram of text lengths in words with the sequence length
marked (what sequence models read), length and duplicate figures, the findings of
``core.data._text_stats`` (imbalance, duplicates across classes, leakage, truncation, empty
texts), the most distinctive words of each class, the unreadable files, and the texts per
class with a filter box (a virtual list: 50,000 texts scroll smoothly). Loading, the word
statistics and the distinctive words all run in the worker, with progress and Cancel.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.data.text import MAX_CHARS
from automl_gui.core.kinds.text import TEXT
from automl_gui.gui.format import plural, spread
from automl_gui.gui.pages._folder_data import FolderDataPage
from automl_gui.gui.pages._folder_parts import facts_form, heading, html
from automl_gui.gui.pages.text._settings_words import sequence_length_for
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.histogram import HistogramPlot
from automl_gui.gui.widgets.text_list import TextBrowser
from automl_gui.gui.workers import JobWorker

FILTER_DEBOUNCE_MS = 200
DISTINCTIVE_WORDS = 10  # per class


def load_job(path: str, on_event: Any = None, cancel: Any = None) -> tuple[Any, dict[str, Any]]:
    """Read ``path`` and work out the figures the page shows, off the UI thread."""
    from automl_gui.core.data.text import load_text

    ds = load_text(path, on_event=on_event, cancel=cancel)
    return ds, text_stats(ds)


def text_stats(ds: Any) -> dict[str, Any]:
    """The length histogram's figures, the distinctive words and the findings of ``ds``."""
    from automl_gui.core.data._text_stats import (
        distinctive_words,
        length_histogram,
        text_findings,
    )

    return {
        "lengths": length_histogram(ds),
        "distinctive": distinctive_words(ds, k=DISTINCTIVE_WORDS),
        "findings": text_findings(ds),
    }


def word_spread(counts: list[int], lengths: Any) -> str:
    """'2 – 180 words, median 24, 95% up to 61' (``lengths``: a ``LengthHistogram``)."""
    if not counts:
        return "–"
    return spread(
        f"{min(counts):,}",
        f"{lengths.maximum:,} words",
        f"{lengths.median:g}",
        f"95% up to {lengths.p95:,.0f}",
    )


class TextDataPage(FolderDataPage):
    """Step 1 for texts: the table or folder, its classes, text lengths, findings, the words
    that tell the classes apart, and the texts themselves."""

    kind = TEXT
    NOUN, NOUNS = "text", "texts"
    EXTENSION_WORD = "a .txt"
    BAD_TAB, BAD_WORD = "Unusable texts", "unusable"
    BAD_TAB_TIP = "Texts that cannot be used (not text, unreadable), and why: they are left out"
    NO_DATA = "No texts loaded."
    SCAN_TIP = "Every text is read and checked once, in the background"

    def __init__(self, state: Any, parent: QWidget | None = None) -> None:
        self._stats: dict[str, Any] = {}
        self._stats_of: Any = None  # the dataset ``_stats`` describe
        self._stats_for: Any = None  # the dataset whose figures a worker works out
        super().__init__(state, parent)
        state.preprocess_changed.connect(self._refresh_lengths)
        state.model_changed.connect(self._refresh_lengths)

    # -- hooks -------------------------------------------------------------------------------
    def _scan_job(self, path: str) -> Any:
        return lambda on_event, cancel: load_job(path, on_event=on_event, cancel=cancel)

    def _accept(self, result: tuple[Any, dict[str, Any]]) -> Any:
        dataset, stats = result
        self._stats, self._stats_of = stats, dataset
        self.state.set_dataset(TEXT, dataset)
        return dataset

    def accept_drop(self, path: str) -> bool:
        """Read a dropped folder or table of texts here; other drops go to the window."""
        if not TEXT.claims(path):
            return False
        self.load(path)
        return True

    def stats(self, ds: Any) -> dict[str, Any] | None:
        """The length figures, distinctive words and findings of ``ds``; None while they are
        worked out in the background (a dataset that did not come through this page: a
        reopened project)."""
        if self._stats_of is ds:
            return self._stats
        if self._stats_for is not ds:
            self._stats_for = ds
            worker = JobWorker(lambda _e, _c: text_stats(ds))
            self._workers.add(worker)
            worker.finished.connect(lambda result: self._on_stats(ds, result))
            worker.done.connect(lambda w=worker: self._workers.discard(w))
            worker.start()
        return None

    def _on_stats(self, ds: Any, stats: dict[str, Any]) -> None:
        self._stats, self._stats_of = stats, ds
        if self.dataset() is ds:
            self._show_figures(ds, stats)

    def _bad_words(self, n: int) -> str:
        if n:
            return (
                f"{plural(n, 'file')} could not be used (empty, blank or not text) and "
                f"{'is' if n == 1 else 'are'} left out of training."
            )
        return "Every text could be read."

    def _formats_words(self, ds: Any) -> str:
        """A folder's encodings ("all UTF-8", "encodings: UTF-8 300, Windows-1252 20"); none
        for a table (its name says CSV, its rows are the texts)."""
        if ds.text_column or not ds.formats:
            return ""
        if len(ds.formats) == 1:
            return f"all {next(iter(ds.formats))}"
        return "encodings: " + ", ".join(f"{f} {n:,}" for f, n in ds.formats.items())

    # -- layout ------------------------------------------------------------------------------
    def _build_empty(self) -> QWidget:
        panel = self._empty_panel(
            "Open texts",
            "Use a table (CSV, TSV, JSON Lines or Parquet) with a column of texts and a column "
            "of labels, or a folder with one subfolder of .txt files per class (or train/, "
            "val/ and test/ folders of them). Any encoding is read; empty texts are left out "
            f"and counted, very long ones cut at {MAX_CHARS:,} characters.",
            "Choose a table of texts or a folder of .txt files (or drop it on the window)",
        )
        for button in panel.findChildren(QPushButton):
            button.setText("Open texts…")
        return panel

    def _build_content(self) -> QWidget:
        self.lengths_plot = HistogramPlot("", "text length (words)", "texts")
        self.lengths_plot.setMinimumHeight(150)
        self.lengths_plot.setMaximumHeight(210)
        self.lengths_plot.setToolTip(
            "How long the texts are, in words. The dashed line is the sequence length: "
            "sequence models (sepCNN, Transformer) read the first that many words of each "
            "text; n-gram models read every word"
        )
        self.length_label = muted_label()
        stats_box, self.stat_labels = facts_form(
            (
                ("total", "Total", "Texts and words in all"),
                (
                    "length",
                    "Length",
                    "Shortest – longest text in words, the median, and the "
                    "length 95% of the texts do not exceed",
                ),
                (
                    "source",
                    "Source",
                    "Where the texts and their labels come from: a table's columns, or .txt "
                    "files and the folders they are in",
                ),
                ("left_out", "Left out", "Empty or unreadable texts, which are not used"),
            )
        )
        self.findings_label = QLabel()
        self.findings_label.setWordWrap(True)
        self.findings_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings_label.setToolTip(
            "What to check before training: class imbalance, the same text under two labels, "
            "label words inside the texts (leakage), cut or very short texts"
        )
        content = self._two_columns(
            "Texts per class; click a class to list its texts",
            [
                4,
                heading("Text lengths"),
                self.lengths_plot,
                self.length_label,
                4,
                stats_box,
                6,
                self.findings_label,
            ],
            (self._build_texts_tab(), "Texts", "The texts per class, with a filter"),
            left_width=340,
        )
        self.words_tab = self._build_words_tab()
        self.tabs.insertTab(1, self.words_tab, "Distinctive words")
        self.tabs.setTabToolTip(
            1,
            "The words most typical of each class compared with the others (weighted "
            "log-odds, Monroe et al. 2008)",
        )
        return content

    def _build_texts_tab(self) -> QWidget:
        self._build_class_picker()
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: texts containing…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setToolTip("Show only the texts that contain this (any case)")
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DEBOUNCE_MS)
        self._filter_timer.timeout.connect(self._fill_items)
        self.filter_edit.textChanged.connect(lambda _t: self._filter_timer.start())
        self.texts_label = QLabel()
        self.texts_label.setProperty("role", "muted")
        self.browser = TextBrowser()
        self.browser.list.setToolTip(
            "↑/↓ step through the texts; the selected one shows whole below"
        )
        top = QHBoxLayout()
        top.addWidget(self.texts_label, 1)
        top.addWidget(self.split_label)
        top.addWidget(self.split_combo)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(top)
        right.addWidget(self.filter_edit)
        right.addWidget(self.browser, 1)
        tab = QWidget()
        layout = QHBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.class_list)
        layout.addLayout(right, 1)
        return tab

    def _build_words_tab(self) -> QWidget:
        self.words_table = QTableWidget()
        self.words_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.words_table.verticalHeader().setDefaultSectionSize(22)
        self.words_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.words_table.setAlternatingRowColors(True)
        self.words_label = muted_label(
            "Each column: the words that most set a class apart from the others, most typical "
            "first (hover a word for its score). Words that name the class itself can mean "
            "the texts give their label away."
        )
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.words_label)
        layout.addWidget(self.words_table, 1)
        return tab

    # -- showing a dataset -------------------------------------------------------------------
    def _clear_dataset(self) -> None:
        self.browser.clear()
        self.lengths_plot.clear()
        self.words_table.clear()
        self.words_table.setRowCount(0)
        self.words_table.setColumnCount(0)
        self.findings_label.setText("")

    def _show_dataset(self, ds: Any) -> None:
        self.tabs.setCurrentIndex(0)
        self._refresh_lengths()
        self._show_figures(ds, self.stats(ds))

    def _show_figures(self, ds: Any, stats: dict[str, Any] | None) -> None:
        """Length figures, findings and distinctive words (placeholders while ``stats`` is
        None: they are being worked out)."""
        self._show_stats(ds, stats)
        if stats is None:
            self.findings_label.setText("<b>Findings</b><br>Looking at the texts…")
            self._show_words({})
            return
        self._show_findings(stats.get("findings") or [])
        self._show_words(stats.get("distinctive") or {})

    def _refresh_lengths(self) -> None:
        """The histogram, with the sequence length the settings give marked."""
        ds = self.dataset()
        if ds is None:
            return
        counts = ds.word_counts()
        length, words = sequence_length_for(self.state, ds)
        self.sequence_length = length
        self.lengths_plot.set_values(counts, marker=length, marker_label=f"{length:,} words")
        longer = sum(1 for n in counts if n > length)
        self.length_label.setText(
            f"Sequence length {length:,} words ({words}): sequence models read the first "
            f"{length:,} words, so {plural(longer, 'text')} are cut; n-gram models read every "
            "word."
        )

    def _show_stats(self, ds: Any, stats: dict[str, Any] | None) -> None:
        counts = ds.word_counts()
        self.stat_labels["total"].setText(f"{plural(len(ds), 'text')}, {sum(counts):,} words")
        lengths = stats["lengths"] if stats is not None else None
        self.stat_labels["length"].setText(word_spread(counts, lengths) if lengths else "…")
        if ds.text_column:
            self.stat_labels["source"].setText(
                f"text “{ds.text_column}”, label “{ds.label_column or '?'}”"
            )
        else:
            self.stat_labels["source"].setText(".txt files, labelled by their folder")
        found = ds.findings or {}
        left = [
            f"{found[k]:,} {word}"
            for k, word in (
                ("empty", "empty"),
                ("whitespace", "blank"),
                ("undecodable", "unreadable"),
            )
            if found.get(k)
        ]
        self.stat_labels["left_out"].setText(", ".join(left) or "none")

    def _show_findings(self, findings: list[str]) -> None:
        if not findings:
            self.findings_label.setText("<b>Findings</b><br>No problems found.")
            return
        lines = "<br>".join(f"⚠ {html(f)}" for f in findings)
        self.findings_label.setText(
            f"<b>Findings</b><br><span style='color:#8A4B00'>{lines}</span>"
        )

    def _show_words(self, distinctive: dict[str, list[tuple[str, float]]]) -> None:
        table = self.words_table
        names = list(distinctive)
        rows = max((len(v) for v in distinctive.values()), default=0)
        table.clear()
        table.setColumnCount(len(names))
        table.setRowCount(rows)
        table.setHorizontalHeaderLabels(names)
        table.setVerticalHeaderLabels([str(i + 1) for i in range(rows)])
        for col, name in enumerate(names):
            for row, (word, score) in enumerate(distinctive[name]):
                item = QTableWidgetItem(str(word))
                item.setToolTip(f"“{word}” in class {name}: score {float(score):.2f}")
                table.setItem(row, col, item)

    def _fill_items(self) -> None:
        ds = self.dataset()
        if ds is None:
            self.browser.clear()
            return
        from automl_gui.core.data._text_stats import examples

        label, split = self._class, self.split_combo.currentData()
        needle = self.filter_edit.text().strip()
        items = examples(ds, label, needle, limit=len(ds))
        if split is not None:
            items = [i for i in items if i.split == split]
        self.chart.set_highlighted(label)
        found = f" containing “{needle}”" if needle else ""
        self.texts_label.setText(f"{plural(len(items), 'text')} {self._picked_words()}{found}")
        self.browser.set_texts(
            [i.text for i in items],
            captions=[self._caption(i) for i in items],
            locators=[i.path for i in items],
        )

    @staticmethod
    def _caption(item: Any) -> str:
        parts = [item.label, item.split or "", plural(item.words, "word")]
        if item.truncated:
            parts.append(f"cut at {MAX_CHARS:,} characters")
        return " · ".join(p for p in parts if p)

    def wait_idle(self, msecs: int = 30000) -> bool:
        self._filter_timer.stop()
        return super().wait_idle(msecs)
