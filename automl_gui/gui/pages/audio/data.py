"""Audio Data page: scan a folder of clips (or a CSV of them) off the UI thread, describe it,
and look at and listen to single clips.

Shows what :func:`automl_gui.core.data.audio.scan_audio` found: a summary line, clips per
class (stacked by split), a histogram of clip durations with the automatic clip length (the
95th percentile) marked, sample rates / channels / formats, the broken files with their
reasons, and a clip list per class (virtual: 50,000 clips scroll smoothly). The selected
clip shows in a :class:`~automl_gui.gui.widgets.clip_list.ClipPanel` (waveform and log-mel
spectrogram at the file's own rate, decoded in a worker, latest selection wins) and plays
with Space, a double-click or the Play button.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl_gui.core.base.units import format_duration, format_rate
from automl_gui.core.data.audio import AudioDataset, AudioItem
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.preprocess.audio_config import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE
from automl_gui.gui.format import plural, spread
from automl_gui.gui.pages._folder_data import FolderDataPage
from automl_gui.gui.pages._folder_parts import (
    ALL_CLASSES,
    dataset_folder,
    facts_form,
    heading,
    relative,
)
from automl_gui.gui.widgets.banner import muted_label
from automl_gui.gui.widgets.clip_list import ClipPanel
from automl_gui.gui.widgets.histogram import HistogramPlot


def scan_job(path: str, on_event: Any = None, cancel: Any = None) -> AudioDataset:
    """Scan ``path`` (runs in a worker thread)."""
    from automl_gui.core.data.audio import scan_audio

    return scan_audio(path, on_event=on_event, cancel=cancel)


def load_job(
    path: str, on_event: Any = None, cancel: Any = None
) -> tuple[AudioDataset, dict[str, Any]]:
    """Scan ``path`` and compute the duration statistics too, off the UI thread."""
    ds = scan_job(path, on_event=on_event, cancel=cancel)
    return ds, ds.duration_stats()


class AudioDataPage(FolderDataPage):
    """Step 1 for audio: the folder, its classes, durations, broken files, and single clips
    to look at and listen to."""

    kind = AUDIO
    NOUN, NOUNS = "clip", "clips"
    EXTENSION_WORD = "an audio"
    NO_DATA = "No audio folder loaded."
    SCAN_TIP = "Every clip is opened and checked once, in the background"

    def __init__(self, state: Any, parent: QWidget | None = None) -> None:
        self._stats: dict[str, Any] = {}
        self._stats_of: AudioDataset | None = None
        super().__init__(state, parent)
        state.preprocess_changed.connect(self._refresh_durations)

    # -- hooks -------------------------------------------------------------------------------
    def _scan_job(self, path: str) -> Any:
        return lambda on_event, cancel: load_job(path, on_event=on_event, cancel=cancel)

    def _accept(self, result: tuple[AudioDataset, dict[str, Any]]) -> AudioDataset:
        dataset, stats = result
        self._stats, self._stats_of = stats, dataset
        self.state.set_dataset(AUDIO, dataset)
        return dataset

    # -- layout ------------------------------------------------------------------------------
    def _build_empty(self) -> QWidget:
        return self._empty_panel(
            "Open an audio folder",
            "Use a folder with one subfolder per class, a folder already split into "
            "train/, val/ and test/ class folders, or a CSV listing clips and their labels. "
            "WAV, FLAC, OGG and MP3 at any sample rate and channel count are read; broken "
            "files (empty, truncated, silent, too short) are listed and left out.",
            "Choose a folder of sound clips (or drop it anywhere on the window)",
        )

    def _build_content(self) -> QWidget:
        self.durations_plot = HistogramPlot("", "clip length (s)", "clips")
        self.durations_plot.setMinimumHeight(150)
        self.durations_plot.setMaximumHeight(210)
        self.durations_plot.setToolTip(
            "How long the clips are. The dashed line is the clip length every clip is cropped "
            "or padded to (automatic: the 95th percentile; change it on the Preprocess page)"
        )
        self.clip_length_label = muted_label()
        stats_box, self.stat_labels = facts_form(
            (
                ("total", "Total", "Clips and their summed duration"),
                (
                    "duration",
                    "Duration",
                    "Shortest – longest clip, the median, and the length 95% of the clips "
                    "do not exceed (the 95th percentile)",
                ),
                ("rates", "Sample rates", "As stored; every clip is resampled to one rate"),
                ("channels", "Channels", "As stored; every clip is mixed down to mono"),
                ("formats", "Formats", "File formats of the usable clips"),
                (
                    "ignored",
                    "Ignored",
                    "Skipped files: hidden ones (names starting with a dot, or in hidden "
                    "folders), files without an audio extension, and clips without a class",
                ),
            )
        )
        return self._two_columns(
            "Clips per class; click a class to list its clips",
            [
                4,
                heading("Clip durations"),
                self.durations_plot,
                self.clip_length_label,
                4,
                stats_box,
            ],
            (
                self._build_clips_tab(),
                "Clips",
                "The clips per class; select one to see and hear it",
            ),
            left_width=330,
        )

    def _build_clips_tab(self) -> QWidget:
        self._build_class_picker()
        self.class_list.setMaximumWidth(170)
        self.class_list.setMinimumWidth(120)
        self.clip_model = ClipTableModel()
        self.clip_table = QTableView()
        self.clip_table.setModel(self.clip_model)
        # scan order until a header is clicked (the model sorts itself, in Python)
        self.clip_table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.clip_table.setSortingEnabled(True)
        self.clip_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.clip_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.clip_table.setAlternatingRowColors(True)
        self.clip_table.setWordWrap(False)
        self.clip_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.clip_table.setToolTip(
            "Select a clip to see its waveform and spectrogram; ↑/↓ step through, Space plays, "
            "double-click plays"
        )
        vheader = self.clip_table.verticalHeader()
        vheader.setVisible(False)
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # uniform rows: virtual
        vheader.setDefaultSectionSize(22)
        header = self.clip_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((0, 100, 82, 80, 42, 68)):
            if width:
                header.resizeSection(col, width)
        self.clip_table.selectionModel().currentRowChanged.connect(self._on_clip_row)
        self.clip_table.doubleClicked.connect(lambda _i: self.play_selected())
        self.clips_label = QLabel()
        self.clips_label.setProperty("role", "muted")

        tab = QWidget()  # Space plays within the clips tab (buttons elsewhere keep it)
        self.clip_panel = ClipPanel(shortcut_scope=tab)
        self.player_bar = self.clip_panel.player_bar
        self.wave_view, self.spec_view = self.clip_panel.waveform, self.clip_panel.spectrogram

        top = QHBoxLayout()
        top.addWidget(self.clips_label, 1)
        top.addWidget(self.split_label)
        top.addWidget(self.split_combo)
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(top)
        table_layout.addWidget(self.clip_table, 1)
        vsplit = QSplitter(Qt.Orientation.Vertical)
        vsplit.addWidget(table_box)
        vsplit.addWidget(self.clip_panel)
        vsplit.setStretchFactor(0, 2)
        vsplit.setStretchFactor(1, 3)
        vsplit.setSizes([240, 400])
        vsplit.setChildrenCollapsible(False)
        layout = QHBoxLayout(tab)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.class_list)
        layout.addWidget(vsplit, 1)
        return tab

    # -- showing a dataset -------------------------------------------------------------------
    def duration_stats(self, ds: AudioDataset) -> dict[str, Any]:
        """``ds.duration_stats()``, computed once per dataset (0.1 s at 50,000 clips)."""
        if self._stats_of is not ds:
            self._stats, self._stats_of = ds.duration_stats(), ds
        return self._stats

    def _summary_html(self, ds: AudioDataset, extra: list[str] | None = None) -> str:
        stats = self.duration_stats(ds)
        return super()._summary_html(
            ds, [f"{format_duration(stats['total'], 'words', unknown='–')} in all"]
        )

    def _clear_dataset(self) -> None:
        self.clip_model.set_items([], "")
        self.durations_plot.clear()
        self._clear_clip()

    def _show_dataset(self, ds: AudioDataset) -> None:
        self.clip_model.root = dataset_folder(ds)
        self._refresh_durations()
        self._show_stats(ds)
        self.tabs.setCurrentIndex(0)
        self._clear_clip()

    def _refresh_durations(self) -> None:
        """The histogram, with the clip length the Preprocess settings give marked."""
        ds = self.dataset()
        if ds is None:
            return
        from automl_gui.core.preprocess.audio import auto_clip_seconds

        durations = ds.durations()
        configured = float(self.state.settings(AUDIO).preprocess.clip_seconds or 0)
        if configured > 0:
            length, words = configured, "set on the Preprocess page"
        else:
            length = auto_clip_seconds(durations)
            words = "automatic: 95th percentile"
        self.clip_seconds = length
        self.durations_plot.set_values(durations, marker=length, marker_label=f"{length:g} s")
        longer = sum(1 for d in durations if d > length + 1e-9)
        self.clip_length_label.setText(
            f"Clip length {length:g} s ({words}): {plural(longer, 'clip')} longer are cropped, "
            "shorter ones padded with silence."
        )

    def _show_stats(self, ds: AudioDataset) -> None:
        stats = self.duration_stats(ds)
        self.stat_labels["total"].setText(
            f"{plural(len(ds), 'clip')}, {format_duration(stats['total'], 'words', unknown='–')}"
        )
        if stats.get("min") is not None:
            low, median, p95, high = (
                format_duration(stats[k], "precise", unknown="–")
                for k in ("min", "median", "p95", "max")
            )
            self.stat_labels["duration"].setText(spread(low, high, median, f"95% up to {p95}"))
        else:
            self.stat_labels["duration"].setText("–")
        self.stat_labels["rates"].setText(
            ", ".join(f"{format_rate(r)} ({n:,})" for r, n in stats["sample_rates"].items()) or "–"
        )
        self.stat_labels["channels"].setText(
            ", ".join(f"{channel_words(c)} ({n:,})" for c, n in stats["channels"].items()) or "–"
        )
        self.stat_labels["formats"].setText(
            ", ".join(f"{f} {n:,}" for f, n in ds.formats.items()) or "–"
        )
        ignored = f"{ds.hidden_ignored:,} hidden, {ds.other_ignored:,} not audio"
        if ds.unlabeled_ignored:
            ignored += f", {ds.unlabeled_ignored:,} without a class"
        self.stat_labels["ignored"].setText(ignored)

    def _fill_items(self) -> None:
        ds = self.dataset()
        if ds is None:
            self.clip_model.set_items([], "")
            return
        label, split = self._class, self.split_combo.currentData()
        items = [
            i
            for i in ds.items
            if (label is ALL_CLASSES or i.label == label) and (split is None or i.split == split)
        ]
        self.clip_model.set_items(items, dataset_folder(ds))
        self.chart.set_highlighted(label)
        self.clips_label.setText(f"{plural(len(items), 'clip')} {self._picked_words()}")
        if items:
            self.clip_table.selectRow(0)
            self.clip_table.scrollToTop()
        else:
            self._clear_clip()

    # -- the selected clip -------------------------------------------------------------------
    def selected_item(self) -> AudioItem | None:
        """The clip selected in the list (None when none is)."""
        index = self.clip_table.currentIndex()
        return self.clip_model.item(index.row()) if index.isValid() else None

    def select_clip(self, row: int) -> None:
        """Select row ``row`` of the clip list (as a click does)."""
        self.clip_table.selectRow(row)

    def play_selected(self) -> None:
        """Play (or stop) the selected clip: Space and double-click."""
        self.player_bar.toggle()

    def _on_clip_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.clip_model.item(current.row()) if current.isValid() else None
        if item is None:
            self._clear_clip()
            return
        # drawn at the file's own rate (what is in the file, not yet what the model hears)
        self.clip_panel.set_sample_rate(
            min(max(item.sample_rate, MIN_SAMPLE_RATE), MAX_SAMPLE_RATE)
        )
        self.clip_panel.show_clip(item.path, self.clip_model.facts(item))
        self.clip_panel.title.setToolTip(self.clip_model.tooltip(item))

    def _clear_clip(self) -> None:
        if self.player_bar.button.is_playing():
            self.player_bar.player.stop()  # the clip playing leaves the list
        self.clip_panel.clear("Select a clip to see and hear it.")

    def wait_idle(self, msecs: int = 30000) -> bool:
        ok = super().wait_idle(msecs)
        return self.clip_panel.wait_idle(msecs) and ok


class ClipTableModel(QAbstractTableModel):
    """Clips as rows (file, class, duration, rate, channels, format); sorts in Python so
    50,000 rows sort in a blink, and only visible rows are ever asked for."""

    HEADERS = ("File", "Class", "Duration", "Rate", "Ch.", "Format")
    TIPS = (
        "File name (hover for the path)",
        "Class of the clip",
        "Length in seconds",
        "Sample rate as stored",
        "Channels as stored",
        "File format",
    )
    KEYS = (
        lambda i: i.path.rpartition(os.sep)[2].lower(),
        lambda i: i.label,
        lambda i: i.duration,
        lambda i: i.sample_rate,
        lambda i: i.channels,
        lambda i: i.format,
    )

    def __init__(self) -> None:
        super().__init__()
        self.items: list[AudioItem] = []
        self.root = ""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_items(self, items: list[AudioItem], root: str) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.root = root
        if self._sort is not None:
            self._sort_items(*self._sort)
        self.endResetModel()

    def item(self, row: int) -> AudioItem | None:
        return self.items[row] if 0 <= row < len(self.items) else None

    def facts(self, item: AudioItem) -> str:
        """'dog · train · 1.20 s · 16 kHz · stereo · WAV'."""
        parts = [item.label, item.split or "", format_duration(item.duration, "words", unknown="–")]
        parts += [format_rate(item.sample_rate), channel_words(item.channels), item.format]
        return " · ".join(p for p in parts if p)

    def tooltip(self, item: AudioItem) -> str:
        return f"{relative(item.path, self.root)}\n{self.facts(item)}"

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return item.path.rpartition(os.sep)[2]
            if col == 1:
                return item.label
            if col == 2:
                return f"{item.duration:.2f} s"
            if col == 3:
                return format_rate(item.sample_rate)
            if col == 4:
                return str(item.channels)
            return item.format
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (2, 3, 4):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(item)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.KEYS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._sort_items(column, order)
        self.layoutChanged.emit()

    def _sort_items(self, column: int, order: Qt.SortOrder) -> None:
        key = self.KEYS[column]
        self.items.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)


# -- text helpers ----------------------------------------------------------------------------


def channel_words(channels: int) -> str:
    return {1: "mono", 2: "stereo"}.get(int(channels), f"{channels} channels")
