"""ClipPlayer and its buttons: no sound device needed (none here nor in CI)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from audio_factory import synth, write

from automl_gui.gui.widgets import audio_player
from automl_gui.gui.widgets.audio_player import (
    NO_MULTIMEDIA,
    NO_OUTPUT,
    ClipPlayer,
    PlayButton,
    PlayerBar,
    shared_player,
    write_wav,
)


class FakeMedia:
    """Stands in for QMediaPlayer: records the source and reports playing/stopped."""

    def __init__(self, player: ClipPlayer) -> None:
        self.player = player
        self.source = ""
        self.played: list[str] = []

    def setSource(self, url) -> None:  # noqa: N802 - Qt's name
        self.source = url.toLocalFile()

    def play(self) -> None:
        self.played.append(self.source)
        self.player._set_playing(True)

    def stop(self) -> None:
        self.player._set_playing(False)


@pytest.fixture
def fake_player(qtbot) -> ClipPlayer:
    """A player that believes it has an output device, with QMediaPlayer faked."""
    player = ClipPlayer()
    player._reason = ""
    player._probe = lambda: None
    player._media = FakeMedia(player)
    yield player
    player.cleanup()


def test_without_output_device_play_says_why_and_does_not_raise(qtbot, tmp_path):
    player = ClipPlayer()
    if player.available:
        pytest.skip("this machine has an audio output")
    assert player.unavailable_reason in (NO_OUTPUT, NO_MULTIMEDIA)
    clip = write(tmp_path / "a.wav", synth("tone", 0.5, 8000), 8000)
    with qtbot.waitSignal(player.error, timeout=1000) as blocker:
        player.play_file(str(clip))
    assert blocker.args == [player.unavailable_reason]
    with qtbot.waitSignal(player.error, timeout=1000):
        player.play_wave(np.zeros(100, np.float32), 8000)
    assert not player.playing
    player.stop()  # harmless


def test_missing_multimedia_is_reported(qtbot, monkeypatch):
    monkeypatch.setattr(audio_player, "_load_multimedia", lambda: None)
    player = ClipPlayer()
    assert not player.available
    assert "QtMultimedia" in player.unavailable_reason


def test_write_wav_round_trips_as_16_bit(tmp_path):
    wave = synth("chirp", 0.5, 16000)
    path = write_wav(wave, 16000, tmp_path / "x.wav")
    info = sf.info(str(path))
    assert (info.format, info.subtype, info.samplerate, info.channels) == (
        "WAV",
        "PCM_16",
        16000,
        1,
    )
    back, rate = sf.read(str(path), dtype="float32")
    assert rate == 16000
    np.testing.assert_allclose(back, wave, atol=1.0 / 32767 + 1e-6)


def test_write_wav_clips_and_silences_bad_values(tmp_path):
    wave = np.array([2.0, -3.0, np.nan, np.inf, 0.5], np.float32)
    back, _ = sf.read(str(write_wav(wave, 8000, tmp_path / "y.wav")), dtype="float32")
    np.testing.assert_allclose(back, [1.0, -1.0, 0.0, 1.0, 0.5], atol=1e-4)
    with pytest.raises(ValueError):
        write_wav(np.zeros(0), 8000, tmp_path / "z.wav")
    with pytest.raises(ValueError):
        write_wav(np.zeros(10), 0, tmp_path / "z.wav")


def test_play_wave_plays_a_temporary_wav_equal_to_the_wave(qtbot, fake_player):
    wave = synth("tone", 0.5, 8000)
    with qtbot.waitSignal(fake_player.playing_changed, timeout=1000) as blocker:
        fake_player.play_wave(wave, 8000, name="aug/tone 1.wav")
    assert blocker.args == [True, "aug/tone 1.wav"]
    played = Path(fake_player._media.played[-1])
    assert played.suffix == ".wav" and played.is_file()
    back, rate = sf.read(str(played), dtype="float32")
    assert rate == 8000 and sf.info(str(played)).subtype == "PCM_16"
    np.testing.assert_allclose(back, wave, atol=1.0 / 32767 + 1e-6)
    # a second clip stops the first and replaces its temporary file
    fake_player.play_wave(wave * 0.5, 8000, name="second")
    assert not played.exists()
    second = Path(fake_player._media.played[-1])
    folder = second.parent
    fake_player.cleanup()
    assert not folder.exists()


def test_play_file_missing_file_is_an_error_not_a_crash(qtbot, fake_player, tmp_path):
    with qtbot.waitSignal(fake_player.error, timeout=1000) as blocker:
        fake_player.play_file(str(tmp_path / "gone.wav"))
    assert "gone.wav" in blocker.args[0]
    assert not fake_player.playing


def test_play_button_toggles_and_follows_the_player(qtbot, fake_player, tmp_path):
    clip = str(write(tmp_path / "a.wav", synth("tone", 0.5, 8000), 8000))
    button = PlayButton(fake_player)
    qtbot.addWidget(button)
    assert not button.isEnabled()
    button.set_file(clip)
    assert button.isEnabled() and button.text() == "Play"
    button.click()
    assert fake_player.playing and fake_player.current == clip
    assert button.text() == "Stop" and "Stop" in button.toolTip()
    button.click()
    assert not fake_player.playing and button.text() == "Play"
    # another clip playing is not "this" clip: the button offers Play
    fake_player.play_wave(np.zeros(80, np.float32), 8000, "other")
    assert button.text() == "Play"


def test_player_bar_space_and_reason_without_device(qtbot, tmp_path):
    player = ClipPlayer()
    if player.available:
        pytest.skip("this machine has an audio output")
    host = PlayerBar(player)
    qtbot.addWidget(host)
    assert host.status.text() == player.unavailable_reason
    assert "Cannot play here" in host.button.toolTip()
    host.set_file(str(write(tmp_path / "a.wav", synth("click", 0.5, 8000), 8000)))
    host.status.setText("")
    with qtbot.waitSignal(player.error, timeout=1000):
        host.toggle()
    assert host.status.text() == player.unavailable_reason


def test_space_shortcut_toggles_in_scope(qtbot, fake_player, tmp_path):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    scope = QWidget()
    bar = PlayerBar(fake_player, shortcut_scope=scope)
    QVBoxLayout(scope).addWidget(bar)
    qtbot.addWidget(scope)
    with qtbot.waitActive(scope):
        scope.show()
        scope.activateWindow()
    bar.set_wave(synth("tone", 0.5, 8000), 8000, "w")
    scope.setFocus()
    qtbot.keyClick(scope, Qt.Key.Key_Space)
    assert fake_player.playing and bar.status.text() == "Playing w"
    qtbot.keyClick(scope, Qt.Key.Key_Space)
    assert not fake_player.playing


def test_shared_player_is_one_object(qtbot):
    assert shared_player() is shared_player()
