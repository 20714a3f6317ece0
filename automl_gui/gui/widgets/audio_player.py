"""Play clips in the window: a file as it is, or a waveform array (e.g. an augmented or
resampled clip) through a temporary WAV file. QtMultimedia (full PySide6); where it or an
audio device is missing, ``available`` is False and the controls say why instead of failing.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QWidget,
)

NO_MULTIMEDIA = (
    "Playback needs QtMultimedia, which this PySide6 installation lacks "
    "(install the full 'PySide6' package)."
)
NO_OUTPUT = "No audio output device was found, so clips cannot be played on this computer."


def _load_multimedia():
    """The QtMultimedia module, or None where this PySide6 has none."""
    try:
        from PySide6 import QtMultimedia
    except ImportError:
        return None
    return QtMultimedia


def write_wav(wave: np.ndarray, sample_rate: int, path: str | Path) -> Path:
    """Write a float waveform in [-1, 1] as a 16-bit PCM WAV file.

    ``wave`` is (samples,) or (samples, channels); values outside [-1, 1] are clipped and
    NaN/inf become silence, so an augmented clip never fails to play.
    """
    import soundfile

    data = np.asarray(wave, dtype=np.float32)
    if data.ndim not in (1, 2) or data.shape[0] == 0:
        raise ValueError(
            f"expected a non-empty (samples,) or (samples, channels) array, got {data.shape}"
        )
    if int(sample_rate) <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    data = np.clip(np.nan_to_num(data, nan=0.0, posinf=1.0, neginf=-1.0), -1.0, 1.0)
    soundfile.write(str(path), data, int(sample_rate), subtype="PCM_16", format="WAV")
    return Path(path)


class ClipPlayer(QObject):
    """One shared player: starting a clip stops the one playing.

    Signals:
        playing_changed(bool, str): playing or not, and the path/name of the clip.
        error(str): a sentence for the user (file cannot be played, no audio output).
    """

    playing_changed = Signal(bool, str)
    error = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._media = None  # QMediaPlayer, made on first play
        self._output = None  # QAudioOutput
        # QtMultimedia is imported and the devices listed on first need (a Play button shown
        # or clicked), not when the window is built: it costs start-up time and talks to the
        # sound server
        self._multimedia: Any = None
        self._probed = False
        self._reason = ""
        self._current = ""  # name of the clip playing (path for files)
        self._playing = False
        self._temp: tempfile.TemporaryDirectory | None = None
        self._temp_file: Path | None = None
        self._counter = 0

    # -- availability -------------------------------------------------------------------

    def _probe(self) -> None:
        self._probed = True
        if self._multimedia is None:
            self._multimedia = _load_multimedia()
        if self._multimedia is None:
            self._reason = NO_MULTIMEDIA
        elif not self._multimedia.QMediaDevices.audioOutputs():
            self._reason = NO_OUTPUT
        else:
            self._reason = ""

    @property
    def probed(self) -> bool:
        """True once QtMultimedia and the devices were looked at (``available`` is cheap)."""
        return self._probed

    @property
    def available(self) -> bool:
        """True when QtMultimedia and an audio output are there."""
        if not self._probed or self._reason == NO_OUTPUT:
            self._probe()  # first use, or a device may have been plugged in since
        return not self._reason

    @property
    def unavailable_reason(self) -> str:
        """Why playback is not possible ("" when it is)."""
        return "" if self.available else self._reason

    # -- playing ------------------------------------------------------------------------

    def play_file(self, path: str) -> None:
        """Play an audio file as it is (any format the system's decoder reads)."""
        name = str(path)
        if not self.available:
            self.error.emit(self._reason)
            return
        if not Path(name).is_file():
            self.error.emit(f"Cannot play {Path(name).name}: the file no longer exists.")
            return
        self._start(Path(name), name)

    def play_wave(self, wave: np.ndarray, sample_rate: int, name: str = "clip") -> None:
        """Play a mono float waveform in [-1, 1] (written to a temporary 16-bit WAV)."""
        if not self.available:
            self.error.emit(self._reason)
            return
        self.stop()
        if self._temp is None:
            self._temp = tempfile.TemporaryDirectory(prefix="automl-gui-play-")
        self._counter += 1
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(str(name)).stem)[:60] or "clip"
        target = Path(self._temp.name) / f"{self._counter:04d}-{stem}.wav"
        try:
            write_wav(wave, sample_rate, target)
        except (ValueError, OSError, RuntimeError) as exc:
            self.error.emit(f"Cannot play {name}: {exc}")
            return
        self._forget_temp_file()
        self._temp_file = target
        self._start(target, str(name))

    def stop(self) -> None:
        """Stop the clip playing (nothing happens when none is)."""
        if self._media is not None:
            self._media.stop()
        self._set_playing(False)

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def current(self) -> str:
        """Path or name of the clip playing or last played ("" before the first)."""
        return self._current

    def cleanup(self) -> None:
        """Stop and remove the temporary WAV files (called when the application quits)."""
        self.stop()
        if self._media is not None:
            self._media.setSource(QUrl())
        self._temp_file = None
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None

    # -- internals ----------------------------------------------------------------------

    def _ensure_media(self):
        if self._media is None:
            mm = self._multimedia
            self._output = mm.QAudioOutput(self)
            self._media = mm.QMediaPlayer(self)
            self._media.setAudioOutput(self._output)
            self._media.playbackStateChanged.connect(self._on_state)
            self._media.errorOccurred.connect(self._on_error)
        return self._media

    def _start(self, path: Path, name: str) -> None:
        media = self._ensure_media()
        if self._playing:
            media.stop()
            self._set_playing(False)
        self._current = name
        media.setSource(QUrl.fromLocalFile(str(path)))
        media.play()

    def _on_state(self, state) -> None:
        playing = state == self._multimedia.QMediaPlayer.PlaybackState.PlayingState
        self._set_playing(playing)

    def _on_error(self, _error, message: str = "") -> None:
        self._set_playing(False)
        detail = message or "the system's decoder could not read it"
        self.error.emit(f"Cannot play {Path(self._current).name or 'the clip'}: {detail}.")

    def _set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            self.playing_changed.emit(playing, self._current)

    def _forget_temp_file(self) -> None:
        if self._temp_file is not None:
            if self._media is not None:
                self._media.setSource(QUrl())
            self._temp_file.unlink(missing_ok=True)
            self._temp_file = None


_shared: ClipPlayer | None = None


def shared_player() -> ClipPlayer:
    """The application's one player (created on first use, parented to the QApplication)."""
    global _shared
    app = QApplication.instance()
    if _shared is None or _shared.parent() is not app:
        _shared = ClipPlayer(app)
        if app is not None:
            app.aboutToQuit.connect(_shared.cleanup)
    return _shared


class PlayButton(QToolButton):
    """A play/stop toggle for one clip: a file path or a waveform.

    It follows the player: the icon shows Stop while its clip plays, Play otherwise. Where
    playback is impossible the button stays clickable and the player's ``error`` says why.
    """

    def __init__(self, player: ClipPlayer | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player or shared_player()
        self._path = ""
        self._wave: np.ndarray | None = None
        self._rate = 0
        self._name = ""
        self.setAutoRaise(False)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.clicked.connect(self.toggle_playing)
        self.player.playing_changed.connect(self._refresh)
        self.setEnabled(False)
        self._refresh()

    @property
    def clip_name(self) -> str:
        return self._path or self._name

    def set_file(self, path: str) -> None:
        """Play this file on the next click ("" to clear)."""
        self._path, self._wave, self._name = str(path or ""), None, ""
        self.setEnabled(bool(self._path))
        self._refresh()

    def set_wave(self, wave: np.ndarray | None, sample_rate: int, name: str = "clip") -> None:
        """Play this waveform on the next click (None to clear)."""
        self._path = ""
        self._wave, self._rate, self._name = wave, int(sample_rate), str(name)
        self.setEnabled(wave is not None)
        self._refresh()

    def clear(self) -> None:
        self.set_file("")

    def is_playing(self) -> bool:
        """True while this button's clip is the one playing."""
        return (
            self.player.playing and bool(self.clip_name) and self.player.current == self.clip_name
        )

    def toggle_playing(self) -> None:
        """Play the clip, or stop it when it is the one playing."""
        if self.is_playing():
            self.player.stop()
        elif self._path:
            self.player.play_file(self._path)
        elif self._wave is not None:
            self.player.play_wave(self._wave, self._rate, self._name)

    def _refresh(self, *_args) -> None:
        playing = self.is_playing()
        pixmap = (
            QStyle.StandardPixmap.SP_MediaStop if playing else QStyle.StandardPixmap.SP_MediaPlay
        )
        self.setIcon(self.style().standardIcon(pixmap))
        self.setText("Stop" if playing else "Play")
        # asked once there is a clip (or the player has looked already), not at start-up
        if (self.isEnabled() or self.player.probed) and not self.player.available:
            tip = f"Cannot play here: {self.player.unavailable_reason}"
        elif playing:
            tip = "Stop playing this clip (Space)"
        else:
            tip = "Play this clip (Space)"
        self.setToolTip(tip)


class PlayerBar(QWidget):
    """A PlayButton and a line saying what plays or why nothing can.

    ``shortcut_scope``: a widget in which Space toggles playing (None: no shortcut).
    """

    def __init__(
        self,
        player: ClipPlayer | None = None,
        shortcut_scope: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.player = player or shared_player()
        self.button = PlayButton(self.player)
        self.status = QLabel()
        self.status.setProperty("role", "muted")
        self.status.setWordWrap(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.status, 1)
        self.player.playing_changed.connect(self._on_playing)
        self.player.error.connect(self._on_error)
        self.shortcut = None
        if shortcut_scope is not None:
            self.shortcut = QShortcut(QKeySequence(Qt.Key.Key_Space), shortcut_scope)
            self.shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.shortcut.activated.connect(self.toggle)
        if self.player.probed and not self.player.available:
            self.status.setText(self.player.unavailable_reason)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt API
        """Say why nothing can play once the bar is on screen (not while the window is built)."""
        super().showEvent(event)
        if not self.status.text() and not self.player.available:
            self.status.setText(self.player.unavailable_reason)

    def set_file(self, path: str) -> None:
        self.button.set_file(path)

    def set_wave(self, wave: np.ndarray | None, sample_rate: int, name: str = "clip") -> None:
        self.button.set_wave(wave, sample_rate, name)

    def clear(self) -> None:
        self.button.clear()

    def toggle(self) -> None:
        """Play or stop the current clip (what Space does)."""
        if self.button.isEnabled():
            self.button.toggle_playing()

    def _on_playing(self, playing: bool, name: str) -> None:
        if playing and name == self.button.clip_name:
            self.status.setText(f"Playing {Path(name).name}")
        elif not playing and self.status.text().startswith("Playing"):
            self.status.setText("")

    def _on_error(self, message: str) -> None:
        self.status.setText(message)
