"""Play clips in the window: a file as it is, or a waveform array (e.g. an augmented or
resampled clip) through a temporary WAV file. QtMultimedia (full PySide6); where it or an
audio device is missing, ``available`` is False and the controls say why instead of failing.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, Signal


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

    @property
    def available(self) -> bool:
        """True when QtMultimedia and an audio output are there."""
        raise NotImplementedError

    @property
    def unavailable_reason(self) -> str:
        """Why playback is not possible ("" when it is)."""
        raise NotImplementedError

    def play_file(self, path: str) -> None:
        raise NotImplementedError

    def play_wave(self, wave: np.ndarray, sample_rate: int, name: str = "clip") -> None:
        """Play a mono float waveform in [-1, 1] (written to a temporary 16-bit WAV)."""
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    @property
    def playing(self) -> bool:
        raise NotImplementedError


def shared_player() -> ClipPlayer:
    """The application's one player (created on first use, parented to the QApplication)."""
    raise NotImplementedError
