"""Lists of audio clips and the selected clip's panel (Evaluate and Predict pages).

:class:`ClipList` is a ``QTableView`` over :class:`ClipListModel`: one row per clip, the first
column its file name (the full path and any details in the tooltip), further columns given by
the caller (actual class, prediction, confidence...). The model keeps plain lists of strings,
so 50,000 clips cost a few lists, and the view paints only what is visible. Moving the current
row emits ``clip_changed(path)``; Enter or a double-click emits ``play_requested(path)``.

:class:`ClipPanel` shows one clip: its name and a caption, Play/Stop (``PlayerBar``), and its
waveform and log-mel spectrogram as the model hears it (mono, at the model's sample rate),
decoded off the UI thread; when the selection moves faster than clips decode, only the latest
is drawn. :class:`ClipBrowser` is a list beside a panel, wired together.
"""

from __future__ import annotations

from collections.abc import Sequence
from os.path import basename
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from automl_gui.gui.format import format_rate

_Index = QModelIndex | QPersistentModelIndex


class ClipListModel(QAbstractTableModel):
    """Read-only rows of strings, one per clip; column 0 is the clip's file name."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers: list[str] = []
        self.paths: list[str] = []
        self.columns: list[list[str]] = []  # column-major: columns[c][row]
        self.tips: list[str] = []
        self.align_right: set[int] = set()

    def set_clips(
        self,
        headers: Sequence[str],
        paths: Sequence[str],
        columns: Sequence[Sequence[str]] = (),
        tips: Sequence[str] | None = None,
        *,
        align_right: Sequence[int] = (),
    ) -> None:
        """Show ``paths`` with ``headers`` (the first names the file column) and ``columns``
        (one sequence of display strings per further header, each as long as ``paths``).

        ``tips`` (one per clip; default: the path) are the rows' tooltips; ``align_right`` are
        column numbers (counting the file column as 0) shown right-aligned (numbers).
        """
        if len(columns) != len(headers) - 1:
            raise ValueError(f"{len(headers) - 1} columns expected, got {len(columns)}")
        if any(len(col) != len(paths) for col in columns):
            raise ValueError("every column needs one value per clip")
        self.beginResetModel()
        self.headers = [str(h) for h in headers]
        self.paths = [str(p) for p in paths]
        self.columns = [[basename(p) for p in self.paths], *[list(col) for col in columns]]
        self.tips = list(tips) if tips is not None else list(self.paths)
        self.align_right = set(align_right)
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.headers, self.paths, self.columns, self.tips = [], [], [], []
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.paths)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[col][row]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tips[row]
        if role == Qt.ItemDataRole.TextAlignmentRole and col in self.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return str(section + 1)


class ClipList(QTableView):
    """Clips in rows; the current row is the selected clip (see module docstring)."""

    clip_changed = Signal(str)  # path of the current clip ("" when the list is empty)
    play_requested = Signal(str)  # Enter / double-click on a clip

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clip_model = ClipListModel(self)
        self.setModel(self.clip_model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setStretchLastSection(False)
        self.selectionModel().currentRowChanged.connect(self._on_current)
        self.doubleClicked.connect(lambda index: self._request_play(index.row()))
        self._last = ""

    # -- content --------------------------------------------------------------------------
    def set_clips(self, *args: Any, select_first: bool = True, **kwargs: Any) -> None:
        """Replace the clips (the arguments of :meth:`ClipListModel.set_clips`); the first
        becomes current unless ``select_first`` is False."""
        self.clip_model.set_clips(*args, **kwargs)
        self._last = ""  # the first clip is announced even when it was current before
        self._fit_columns()
        if select_first and self.count():
            self.select_row(0)
        else:
            self._emit_current("")

    def clear(self) -> None:
        self.clip_model.clear()
        self._emit_current("")

    def count(self) -> int:
        return self.clip_model.rowCount()

    def paths(self) -> list[str]:
        return list(self.clip_model.paths)

    def current_path(self) -> str:
        row = self.currentIndex().row()
        return self.clip_model.paths[row] if 0 <= row < self.count() else ""

    def select_row(self, row: int) -> None:
        """Make ``row`` the current, selected and visible clip."""
        if not 0 <= row < self.count():
            return
        index = self.clip_model.index(row, 0)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.selectionModel().setCurrentIndex(index, flags)
        self.scrollTo(index)

    def select_path(self, path: str) -> bool:
        """Make the clip ``path`` current; False when it is not listed."""
        try:
            row = self.clip_model.paths.index(str(path))
        except ValueError:
            return False
        self.select_row(row)
        return True

    # -- internals ------------------------------------------------------------------------
    def _fit_columns(self) -> None:
        """Columns sized to their header and the first rows (never to 50,000 rows)."""
        header = self.horizontalHeader()
        fm = self.fontMetrics()
        model = self.clip_model
        for col in range(model.columnCount()):
            texts = [model.headers[col], *model.columns[col][:200]]
            width = max(fm.horizontalAdvance(t) for t in texts) + 24
            header.resizeSection(col, min(width, 320 if col == 0 else 220))
        if model.columnCount():  # the file name takes what is left (elided in the middle)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = current.row()
        self._emit_current(self.clip_model.paths[row] if 0 <= row < self.count() else "")

    def _emit_current(self, path: str) -> None:
        if path != self._last:
            self._last = path
            self.clip_changed.emit(path)

    def _request_play(self, row: int) -> None:
        if 0 <= row < self.count():
            self.play_requested.emit(self.clip_model.paths[row])

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._request_play(self.currentIndex().row())
            event.accept()
            return
        super().keyPressEvent(event)


# -- the selected clip ----------------------------------------------------------------------------
DISPLAY_RATE = 16_000  # Hz when the caller names none
MAX_DISPLAY_SECONDS = 120.0  # longer clips are drawn up to here (the whole clip still plays)
N_MELS = 64
HOP_MS = 10.0


def load_clip_view(path: str, sample_rate: int) -> tuple[Any, Any, float]:
    """(wave, log-mel dB (frames, bands), seconds) of a clip as the model hears it: mono at
    ``sample_rate``, cut at ``MAX_DISPLAY_SECONDS``. Raises DataError for a broken file."""
    import soundfile as sf

    from automl_gui.core.preprocess.audio import load_audio, log_mel_display

    wave = load_audio(path, sample_rate, max_seconds=MAX_DISPLAY_SECONDS)
    try:
        seconds = float(sf.info(path).duration)
    except (RuntimeError, OSError, ValueError):  # decoded above, so this is rare
        seconds = len(wave) / float(sample_rate)
    db = log_mel_display(wave, sample_rate, n_mels=N_MELS, hop_ms=HOP_MS)
    return wave, db, seconds


class ClipPanel(QWidget):
    """One clip: title, caption, Play/Stop, waveform and spectrogram (see module docstring),
    the plots stacked or ``side_by_side``.

    ``loaded(path)`` is emitted once a clip's plots are drawn (or its problem shown).
    """

    loaded = Signal(str)

    def __init__(
        self,
        player: Any = None,
        shortcut_scope: QWidget | None = None,
        parent: QWidget | None = None,
        *,
        side_by_side: bool = False,
    ) -> None:
        from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout

        from automl_gui.gui.widgets.audio_player import PlayerBar
        from automl_gui.gui.widgets.audio_view import SpectrogramView, WaveformView

        super().__init__(parent)
        self.sample_rate = DISPLAY_RATE
        self.clip_seconds = 0.0  # the model's clip length (its centred window is shaded)
        self.window_region: Any = None  # pyqtgraph LinearRegionItem over the waveform
        self.path = ""  # the clip shown (or being loaded)
        self.drawn = ""  # the clip whose plots are on screen
        self._worker: Any = None
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.player_bar = PlayerBar(player, shortcut_scope=shortcut_scope or self)
        self.note = QLabel()  # length, rate, what the model hears
        self.note.setProperty("role", "muted")
        self.note.setWordWrap(True)
        self.waveform = WaveformView()
        self.spectrogram = SpectrogramView()
        direction = (
            QBoxLayout.Direction.LeftToRight if side_by_side else QBoxLayout.Direction.TopToBottom
        )
        plots = QBoxLayout(direction)
        plots.addWidget(self.waveform, 1)
        plots.addWidget(self.spectrogram, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.player_bar)
        layout.addWidget(self.note)
        layout.addLayout(plots, 1)
        self.clear()

    def set_sample_rate(self, rate: int) -> None:
        """Decode clips at ``rate`` Hz (the model's), not at each file's own rate."""
        rate = int(rate) if rate and int(rate) > 0 else DISPLAY_RATE
        if rate != self.sample_rate:
            self.sample_rate = rate
            self.drawn = ""

    def set_clip_seconds(self, seconds: float) -> None:
        """Shade the centred ``seconds`` of longer clips: what the model hears (0: none)."""
        seconds = float(seconds) if seconds and float(seconds) > 0 else 0.0
        if seconds != self.clip_seconds:
            self.clip_seconds = seconds
            self.drawn = ""

    def clear(self, message: str = "Select a clip to see and play it.") -> None:
        self.path = self.drawn = ""
        self.title.setText(message)
        self.player_bar.clear()
        self._clear_plots()

    def _clear_plots(self, message: str = "") -> None:
        if self.window_region is not None:
            self.waveform.plot.removeItem(self.window_region)
            self.window_region = None
        self.waveform.clear(message)
        self.spectrogram.clear(message)
        self.note.setText("")

    def show_clip(self, path: str, caption: str = "") -> None:
        """Show ``path`` with ``caption`` (e.g. "actual dog, predicted cat (97%)"); its plots
        are decoded in the background."""
        path = str(path)
        if not path:
            self.clear()
            return
        self.path = path
        self._set_title(path, caption)
        self.player_bar.set_file(path)
        if path == self.drawn:
            return
        self._clear_plots("Loading…")
        self._load_next()

    def show_problem(self, path: str, reason: str) -> None:
        """A clip that cannot be read: its name and the reason, nothing to play."""
        self.path = self.drawn = ""
        self._set_title(str(path), f"can't read: {reason}")
        self.player_bar.clear()
        self._clear_plots()
        self.waveform.clear("Cannot read this file")
        self.loaded.emit(str(path))

    def play(self, path: str = "") -> None:
        """Play ``path`` (default: the clip shown); stop when it is the one playing."""
        if path and path != self.path:
            self.show_clip(path)
        self.player_bar.toggle()

    def wait_idle(self, msecs: int = 10000) -> bool:
        return self._worker is None or self._worker.wait(msecs)

    def enable_saliency(self, source: Any) -> None:
        """Add "Show where the model looked": the Grad-CAM map of ``source()``'s model over
        the spectrogram of each clip shown (``widgets/saliency.ClipSaliency``)."""
        from automl_gui.gui.widgets.saliency import ClipSaliency

        self.saliency = ClipSaliency(self, source, MAX_DISPLAY_SECONDS)
        self.layout().insertWidget(2, self.saliency.bar)

    def _set_title(self, path: str, caption: str) -> None:
        from html import escape

        name = f"<b>{escape(Path(path).name, quote=False)}</b>"
        self.title.setText(f"{name} — {escape(caption, quote=False)}" if caption else name)
        self.title.setToolTip(path)

    def _load_next(self) -> None:
        """Decode the clip shown unless a decode is running (it calls back when done)."""
        if self._worker is not None or not self.path or self.path == self.drawn:
            return
        from automl_gui.gui.workers import JobWorker

        path, rate = self.path, self.sample_rate
        worker = JobWorker(lambda on_event, cancel: load_clip_view(path, rate), self)
        worker.finished.connect(lambda result: self._on_loaded(path, rate, result))
        worker.failed.connect(lambda message, hint: self._on_failed(path, message))
        worker.done.connect(self._on_done)
        self._worker = worker
        worker.start()

    def _on_loaded(self, path: str, rate: int, result: Any) -> None:
        if path != self.path or rate != self.sample_rate:
            return  # the selection moved on while this one decoded
        wave, db, seconds = result
        shown = len(wave) / float(rate)
        note = [f"{seconds:.2f} s, mono at {format_rate(rate)}"]
        if seconds > shown + 1e-6:
            note.append(f"the first {shown:g} s drawn")
        self._clear_plots()
        window = self._window(seconds, shown)
        if window is not None:
            import pyqtgraph as pg

            self.window_region = pg.LinearRegionItem(
                values=window, movable=False, brush=pg.mkBrush(255, 170, 0, 50)
            )
            self.window_region.setToolTip("The centred part of the clip the model hears")
            note.append(f"shaded: the centred {self.clip_seconds:g} s the model hears")
        elif self.clip_seconds and seconds < self.clip_seconds:
            note.append(f"padded to {self.clip_seconds:g} s for the model")
        self.note.setText("; ".join(note))
        self.waveform.set_wave(wave, rate)
        if self.window_region is not None:
            self.waveform.plot.addItem(self.window_region)
        self.spectrogram.set_spectrogram(db, HOP_MS / 1000.0, max_hz=rate / 2.0)
        self.drawn = path
        self.loaded.emit(path)

    def _window(self, seconds: float, shown: float) -> tuple[float, float] | None:
        """(start, end) in seconds of the centred crop the model takes from a clip of
        ``seconds``, when the clip is longer and the crop lies in the ``shown`` part."""
        rate = self.sample_rate
        n_clip = int(round(self.clip_seconds * rate))
        n_full = int(round(seconds * rate))
        if not n_clip or n_full <= n_clip:
            return None
        start = (n_full - n_clip) // 2 / rate  # as crop_or_pad centres it
        end = start + n_clip / rate
        return (start, end) if end <= shown + 1e-9 else None

    def _on_failed(self, path: str, message: str) -> None:
        if path != self.path:
            return
        self._clear_plots()
        self.waveform.clear(message)
        self.drawn = path
        self.loaded.emit(path)

    def _on_done(self) -> None:
        self._worker = None  # it deletes itself
        self._load_next()  # the selection may have moved while decoding


class ClipBrowser(QWidget):
    """A :class:`ClipList` above a :class:`ClipPanel` (plots side by side): the current clip shows in the panel;
    Enter, a double-click or Space plays it."""

    def __init__(self, player: Any = None, parent: QWidget | None = None) -> None:
        from PySide6.QtWidgets import QSplitter, QVBoxLayout

        super().__init__(parent)
        self.captions: list[str] = []
        self.list = ClipList()
        self.panel = ClipPanel(player, shortcut_scope=self, side_by_side=True)
        self.list.clip_changed.connect(self._on_clip_changed)
        self.list.play_requested.connect(self.panel.play)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.list)
        split.addWidget(self.panel)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def set_clips(self, *args: Any, captions: Sequence[str] = (), **kwargs: Any) -> None:
        """Replace the clips (the arguments of :meth:`ClipListModel.set_clips`); ``captions``
        (one per clip) go beside the name in the panel. The first clip is shown."""
        self.captions = list(captions)
        self.list.set_clips(*args, **kwargs)
        if not self.count():
            self.panel.clear()

    def clear(self) -> None:
        self.captions = []
        self.list.clear()
        self.panel.clear()

    def count(self) -> int:
        return self.list.count()

    def set_model_input(self, rate: int, clip_seconds: float = 0.0) -> None:
        """Show clips as the model hears them: at ``rate`` Hz, its centred ``clip_seconds``."""
        self.panel.set_sample_rate(rate)
        self.panel.set_clip_seconds(clip_seconds)

    def wait_idle(self, msecs: int = 10000) -> bool:
        return self.panel.wait_idle(msecs)

    def enable_saliency(self, source: Any) -> None:
        """ "Show where the model looked" on the panel's spectrogram (:meth:`ClipPanel.enable_saliency`)."""
        self.panel.enable_saliency(source)

    def _on_clip_changed(self, path: str) -> None:
        if not path:
            self.panel.clear()
            return
        row = self.list.currentIndex().row()
        caption = self.captions[row] if 0 <= row < len(self.captions) else ""
        self.panel.show_clip(path, caption)
