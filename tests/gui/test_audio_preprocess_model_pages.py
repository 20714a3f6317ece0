"""Audio Preprocess and Model pages: edits reach ``state.settings(AUDIO).preprocess`` /
``state.settings(AUDIO).model`` (never the image settings), are remembered, the texts follow the
loaded clips, and the augmentation preview runs off the UI thread and plays without a sound
device (what the image and audio pages share: test_files_preprocess_model_pages.py)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from audio_factory import make_class_folders
from PySide6.QtCore import QSettings

from automl_gui.core.base.units import format_bytes, format_rate
from automl_gui.core.data.audio import AudioDataset, AudioItem, scan_audio
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models import audio as audio_models
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess import audio as core_audio
from automl_gui.core.preprocess import audio_config
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.pages._files_preprocess import NOT_READY, PREVIEW_DEBOUNCE_MS
from automl_gui.gui.pages.audio import _preview
from automl_gui.gui.pages.audio import preprocess as app
from automl_gui.gui.pages.audio.model import KEY_AUDIO_MODEL, KEY_AUDIO_TRAINING, AudioModelPage
from automl_gui.gui.pages.audio.preprocess import AudioPreprocessPage
from automl_gui.gui.pages.images import model as image_model_page
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.audio_player import shared_player


@pytest.fixture
def state(qtbot, tmp_path):
    """A new window's state, with its settings in a fresh file (as a first launch)."""
    app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    return AppState()


@pytest.fixture
def settings(state):
    return app_settings.current()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("sounds")
    return make_class_folders(
        root,
        ("tone", "chirp", "noise"),
        per_class=3,
        seconds=(0.4, 0.9),
        rates=(8000, 16000),
        formats=("wav", "flac"),
    )


@pytest.fixture(scope="module")
def dataset(folder):
    return scan_audio(str(folder))


@pytest.fixture
def prep(qtbot, state):
    page = AudioPreprocessPage(state)
    qtbot.addWidget(page)
    yield page
    page.wait_idle()


def preview_done(page) -> bool:
    return not page.preview_busy and "Updating" not in page.preview_status.text()


# -- Preprocess page: settings ---------------------------------------------------------------
def test_edits_change_the_audio_config_and_are_remembered(qtbot, prep, state, settings):
    image_before = json.dumps(state.settings(IMAGES).preprocess.to_dict())
    with qtbot.waitSignal(state.preprocess_changed):
        prep.rate_combo.setCurrentIndex(prep.rate_combo.findData(22050))
    prep.clip_spin.setValue(1.5)
    prep.mels_spin.setValue(40)
    prep.window_spin.setValue(30.0)
    prep.hop_spin.setValue(15.0)
    prep.noise_check.setChecked(False)
    prep.strength_spins["gain_db"].setValue(3.0)
    prep.strength_spins["shift"].setValue(20)
    prep.strength_spins["time_mask"].setValue(0)
    prep.strength_spins["freq_mask"].setValue(25)
    prep.masks_spin.setValue(2)
    prep.split_box.val_spin.setValue(20)
    prep.split_box.cache_check.setChecked(True)
    c = state.settings(AUDIO).preprocess
    assert (c.sample_rate, c.clip_seconds, c.n_mels, c.window_ms, c.hop_ms) == (
        22050,
        1.5,
        40,
        30.0,
        15.0,
    )
    a = c.augment
    assert (a.noise, a.gain_db, a.shift, a.time_mask, a.freq_mask, a.masks) == (
        False,
        3.0,
        0.2,
        0.0,
        0.25,
        2,
    )
    assert (c.validation_fraction, c.cache) == (0.2, True)
    assert not prep.snr_min_spin.isEnabled()  # no noise: its SNR does not apply
    assert prep.strength_labels["time_mask"].text() == "off"
    assert prep.strength_spins["time_mask"].text() == "Off"
    assert "±3 dB" in prep.strength_labels["gain_db"].text()
    assert "±0.30 s" in prep.strength_labels["shift"].text()  # 20 % of 1.5 s
    assert json.dumps(state.settings(IMAGES).preprocess.to_dict()) == image_before
    saved = json.loads(settings.value(app.KEY_AUDIO_PREPROCESS))
    assert saved["sample_rate"] == 22050 and saved["augment"]["shift"] == 0.2
    other = AppState()  # the next launch starts from the remembered settings
    page2 = AudioPreprocessPage(other)
    qtbot.addWidget(page2)
    assert other.settings(AUDIO).preprocess == c
    assert page2.rate_combo.currentData() == 22050 and page2.clip_spin.value() == 1.5


def test_unreadable_or_newer_remembered_settings(qtbot, settings):
    settings.setValue(app.KEY_AUDIO_PREPROCESS, json.dumps({"sample_rate": 8000, "augment": 3}))
    assert app.load_config(settings) is None
    settings.setValue(
        app.KEY_AUDIO_PREPROCESS,
        json.dumps({"sample_rate": 11025, "future": 1, "augment": {"gain_db": 2.0, "new": 1}}),
    )
    loaded = app.load_config(settings)
    assert loaded.sample_rate == 11025 and loaded.augment.gain_db == 2.0
    state = AppState()
    page = AudioPreprocessPage(state)
    qtbot.addWidget(page)
    # a rate the list lacks (e.g. set on the command line) is shown, not replaced
    assert page.rate_combo.currentData() == 11025 and page.rate_combo.currentText() == "11.025 kHz"


def test_auto_clip_length_follows_the_dataset(qtbot, prep, state, dataset, tmp_path):
    assert prep.clip_spin.value() == 0 and prep.clip_spin.text() == "Auto"
    assert prep.clip_note.text() == ""
    state.set_dataset(AUDIO, dataset)
    expected = core_audio.auto_clip_seconds(dataset.durations())
    assert prep.clip_spin.text() == f"Auto ({expected:g} s)"
    assert f"{expected:g} s for these clips" in prep.clip_spin.toolTip()
    # Auto sample rate: the clips' most common own rate (never above 16 kHz)
    resolved = audio_config.resolve_rate(dataset, state.settings(AUDIO).preprocess)
    rate = resolved.sample_rate
    assert rate == audio_config.auto_sample_rate([i.sample_rate for i in dataset.items])
    n = round(expected * rate)
    words = format_rate(rate)
    assert prep.clip_note.text().startswith(f"{expected:g} s = {n:,} samples at {words}.")
    assert "8 kHz (" in prep.rates_note.text() and "16 kHz (" in prep.rates_note.text()
    assert f"Auto chose {words}" in prep.rates_note.text()
    frames, bands = audio_models.feature_shape(resolved, n)
    assert prep.shape_note.text() == f"Each clip becomes {frames:,} frames × {bands} mel bands."
    total = sum(dataset.durations())
    assert f"about {format_bytes(total * rate * 4, base=1000)}" in prep.split_box.cache_note.text()
    longer = make_class_folders(
        tmp_path / "long", ("a", "b"), per_class=2, seconds=(2.2, 2.6), formats=("wav",)
    )
    state.set_dataset(AUDIO, scan_audio(str(longer)))
    second = core_audio.auto_clip_seconds(state.loaded(AUDIO).durations())
    assert second > expected and prep.clip_spin.text() == f"Auto ({second:g} s)"
    prep.clip_spin.setValue(1.0)  # a set length: every clip of 2.2-2.6 s is cropped
    assert "100 % of the clips are longer (windows averaged)" in prep.clip_note.text()
    assert prep.clip_spin.text() == "1.00 s"


def test_mfcc_toggles_its_coefficients(qtbot, prep, state, dataset):
    state.set_dataset(AUDIO, dataset)
    assert state.settings(AUDIO).preprocess.features == "log-mel" and not prep.mfcc_spin.isEnabled()
    prep.features_combo.setCurrentIndex(prep.features_combo.findData("mfcc"))
    assert state.settings(AUDIO).preprocess.features == "mfcc" and prep.mfcc_spin.isEnabled()
    prep.mfcc_spin.setValue(13)
    assert state.settings(AUDIO).preprocess.n_mfcc == 13
    assert "× 13 MFCC coefficients" in prep.shape_note.text()
    prep.mels_spin.setValue(10)  # fewer bands than coefficients: the coefficients follow
    assert state.settings(AUDIO).preprocess.n_mfcc == 10 and prep.mfcc_spin.maximum() == 10
    prep.features_combo.setCurrentIndex(prep.features_combo.findData("log-mel"))
    assert not prep.mfcc_spin.isEnabled() and "× 10 mel bands" in prep.shape_note.text()


def test_settings_that_give_no_frames_say_so(prep, state):
    prep.clip_spin.setValue(0.01)  # 10 ms: shorter than a 25 ms window
    assert prep.shape_note.text().startswith("⚠")
    prep.clip_spin.setValue(1.0)
    prep.hop_spin.setValue(40.0)
    assert "hop is longer than the window" in prep.shape_note.text()


def test_snr_range_and_split_keep_their_order(prep, state):
    prep.snr_max_spin.setValue(20)
    prep.snr_min_spin.setValue(30)  # above the maximum: the maximum gives way
    a = state.settings(AUDIO).preprocess.augment
    assert (a.snr_min_db, a.snr_max_db) == (30, 30) and prep.snr_max_spin.value() == 30
    prep.snr_max_spin.setValue(15)
    assert (a.snr_min_db, a.snr_max_db) == (15, 15)
    prep.split_box.test_spin.setValue(30)
    prep.split_box.val_spin.setValue(40)  # 70 % held out: the test share gives way
    c = state.settings(AUDIO).preprocess
    assert (c.validation_fraction, c.test_fraction) == (0.4, 0.2)


def test_changes_made_elsewhere_are_shown(prep, state):
    state.settings(AUDIO).preprocess = AudioPreprocessConfig(
        features="mfcc", n_mels=32, sample_rate=8000
    )
    state.notify_preprocess_changed()
    assert prep.features_combo.currentData() == "mfcc" and prep.mels_spin.value() == 32
    assert prep.rate_combo.currentData() == 8000 and prep.mfcc_spin.isEnabled()


# -- Preprocess page: preview ----------------------------------------------------------------
class FakeCore:
    """Stands in for core's load_clips / augment_preview: records calls, can hold one."""

    frames, bands = 12, 8

    def __init__(self) -> None:
        self.calls: list[tuple[AudioPreprocessConfig, int, int]] = []
        self.gate: threading.Event | None = None
        self.started = threading.Event()

    def load_clips(self, paths, sample_rate, n_samples):
        return np.full((len(paths), n_samples), 0.25, dtype="float32")

    def augment_preview(self, waves, preprocess, n_samples, *, count=3, seed=0):
        if preprocess.augment.enabled:
            self.calls.append((preprocess, n_samples, count))
            self.started.set()
            if self.gate is not None:
                self.gate.wait(10)
        value = -10.0 * len(self.calls)  # each augmented call draws its own level
        n = len(waves)
        features = np.full((n, count, self.frames, self.bands), value, dtype="float32")
        features[..., 0, 0] = 0.0  # the loudest cell
        return np.repeat(np.asarray(waves)[:, None], count, axis=1), features


@pytest.fixture
def fake(monkeypatch):
    f = FakeCore()
    monkeypatch.setattr(core_audio, "load_clips", f.load_clips)
    monkeypatch.setattr(audio_models, "augment_preview", f.augment_preview)
    yield f
    if f.gate is not None:
        f.gate.set()  # never leave a preview thread waiting


def test_preview_shows_the_clip_and_three_augmented_versions(qtbot, prep, state, dataset, fake):
    prep.show()
    state.set_dataset(AUDIO, dataset)
    qtbot.waitUntil(lambda: prep.preview_status.text() == NOT_READY)
    assert fake.calls == []
    state.set_engine_ready(True)
    qtbot.waitUntil(lambda: len(fake.calls) == 1 and preview_done(prep), timeout=5000)
    config, n_samples, count = fake.calls[0]
    assert count == _preview.PREVIEW_AUGMENTED
    resolved = audio_config.resolve_rate(dataset, state.settings(AUDIO).preprocess)
    assert config.sample_rate == resolved.sample_rate > 0  # Auto: the clips' own rate
    assert n_samples == resolved.n_samples(prep.clip_seconds())
    assert config.augment == state.settings(AUDIO).preprocess.augment
    assert [v.shape for v in prep.views] == [(FakeCore.frames, FakeCore.bands)] * 4
    name = Path(prep.preview_path).name
    assert Path(prep.preview_path).parent.name in dataset.class_names
    assert prep.views[2].levels[1] == 0.0 and prep.preview.augmented_features[0].min() == -10
    assert all(b.isEnabled() for b in prep.play_buttons)
    assert prep.play_buttons[3].clip_name == f"{name} (Augmented 3)"
    assert "augmented as in training" in prep.preview_status.text()
    prep.augment_check.setChecked(False)  # augmented rows would only repeat the clip
    qtbot.waitUntil(lambda: preview_done(prep) and "augmentation off" in prep.preview_status.text())
    assert prep.views[0].shape == (FakeCore.frames, FakeCore.bands)
    assert prep.views[1].shape == (0, 0) and not prep.play_buttons[1].isEnabled()
    assert len(fake.calls) == 1  # augmentation off: only the clip's own features


def test_choosing_a_clip_and_another_random_one(qtbot, prep, state, dataset, fake):
    state.set_engine_ready(True)
    prep.show()
    state.set_dataset(AUDIO, dataset)
    assert prep.clip_combo.count() == 1 + len(dataset)  # "Random clip" + a few per class
    qtbot.waitUntil(lambda: len(fake.calls) == 1 and preview_done(prep), timeout=5000)
    k = prep.clip_combo.findText("noise / noise_001.flac")
    assert k > 0
    prep.clip_combo.setCurrentIndex(k)
    qtbot.waitUntil(lambda: len(fake.calls) == 2 and preview_done(prep), timeout=5000)
    assert prep.preview.path.endswith("noise_001.flac")
    assert "noise_001.flac" in prep.preview_status.text()
    first = prep.preview_path
    for _ in range(6):
        prep.new_clip_button.click()
        qtbot.waitUntil(lambda: preview_done(prep), timeout=5000)
        if prep.preview_path != first:
            break
    assert prep.clip_combo.currentIndex() == 0 and prep.preview_path != first


def test_edits_are_debounced_and_stale_previews_dropped(qtbot, prep, state, dataset, fake):
    state.set_engine_ready(True)
    prep.show()
    fake.gate = threading.Event()
    state.set_dataset(AUDIO, dataset)
    qtbot.waitUntil(fake.started.is_set, timeout=5000)  # the first preview is held running
    for value in (2.0, 4.0, 8.0):  # a burst of edits while it runs
        prep.strength_spins["gain_db"].setValue(value)
    fake.gate.set()
    qtbot.waitUntil(lambda: len(fake.calls) == 2 and preview_done(prep), timeout=5000)
    qtbot.wait(PREVIEW_DEBOUNCE_MS + 100)
    assert len(fake.calls) == 2  # one preview for the whole burst
    assert fake.calls[1][0].augment.gain_db == 8.0
    assert prep.preview.augmented_features.min() == -20  # the stale first result never shown


def test_a_clip_gone_since_the_scan_is_reported_not_raised(qtbot, prep, state, tmp_path):
    root = make_class_folders(tmp_path / "gone", ("a", "b"), per_class=1, formats=("wav",))
    data = scan_audio(str(root))
    for clip in root.rglob("*.wav"):
        clip.write_text("deleted and replaced by a note")  # not audio any more
    state.set_engine_ready(True)
    prep.show()
    state.set_dataset(AUDIO, data)
    qtbot.waitUntil(lambda: "No preview" in prep.preview_status.text(), timeout=20000)
    assert ".wav" in prep.preview_status.text() and prep.views[0].shape == (0, 0)
    assert not any(b.isEnabled() for b in prep.play_buttons)


def test_play_without_a_sound_device_says_why(qtbot, prep, state, dataset, fake):
    state.set_engine_ready(True)
    prep.show()
    state.set_dataset(AUDIO, dataset)
    qtbot.waitUntil(lambda: len(fake.calls) == 1 and preview_done(prep), timeout=5000)
    player = shared_player()
    if player.available:
        pytest.skip("this machine has an audio output")
    prep.play_buttons[2].click()
    assert prep.play_note.text() == player.unavailable_reason
    assert not player.playing and prep.play_buttons[2].text() == "Play"


@pytest.mark.slow  # imports TensorFlow (~10 s on a busy machine)
def test_real_preview_with_tensorflow(qtbot, prep, state, dataset):
    """The preview through core's real decoding, resampling and augmentation layers."""
    state.set_engine_ready(True)
    c = state.settings(AUDIO).preprocess
    c.sample_rate, c.clip_seconds, c.n_mels, c.features, c.n_mfcc = 8000, 0.5, 32, "mfcc", 12
    prep.show()
    state.set_dataset(AUDIO, dataset)
    qtbot.waitUntil(lambda: "Press Play" in prep.preview_status.text(), timeout=60000)
    frames, bands = audio_models.feature_shape(c, 4000)
    assert [v.shape for v in prep.views] == [(frames, bands)] * 4 and bands == 12
    assert prep.preview.wave.shape == (4000,) and prep.preview.augmented_waves.shape == (3, 4000)
    assert not np.allclose(prep.preview.augmented_waves[0], prep.preview.wave)  # augmented
    assert "0.5 s at 8 kHz" in prep.preview_status.text()


def test_listed_clips_are_few_per_class_and_stop_when_every_class_has_them():
    class Untouchable:
        @property
        def label(self):
            raise AssertionError("read past the point where every class was full")

    items = [AudioItem(f"/x/c{i % 9}/{i:05d}.wav", f"c{i % 9}", None, 1.0) for i in range(200)]
    items += [Untouchable()] * 50_000  # a big dataset's rest is never looked at
    data = AudioDataset("/x", "class_folders", items, [f"c{k}" for k in range(9)])
    listed = _preview.listed_clips(data)
    assert len(listed) == 9 * _preview.CLIPS_PER_CLASS
    assert listed[0] == ("/x/c0/00000.wav", "c0 / 00000.wav")
    assert sum(text.startswith("c8 / ") for _, text in listed) == _preview.CLIPS_PER_CLASS


def test_mfcc_display_spreads_each_coefficient_over_the_colour_range():
    loud = np.array([[-300.0, 1.0], [-100.0, 3.0], [-200.0, 2.0]])  # c0 dwarfs c1
    out = _preview.mfcc_display(loud, loud)
    assert np.allclose(out[:, 0], out[:, 1])  # both span the same colours
    assert -_preview.MFCC_SPAN <= out.min() and out.max() <= 0.0 and np.ptp(out) > 30
    flat = _preview.mfcc_display(np.ones((3, 2)), np.ones((3, 2)))
    assert np.allclose(flat, -_preview.MFCC_SPAN / 2)  # no spread: the middle colour


# -- Model page --------------------------------------------------------------------------------
class Plan:
    def __init__(self, gpu: bool) -> None:
        self.uses_gpu = gpu


@pytest.fixture
def found(monkeypatch):
    """Which backbones' weights the lookup 'finds' (no file is hashed)."""
    where: dict[str, str] = {"resnet50": "/cache/resnet50_notop.h5"}

    def lookup(folder):
        return {
            arch: {"path": where.get(arch), "error": "", "skipped": [], "size_bytes": 9e7}
            for arch in ("resnet50", "inceptionv3")
        }

    monkeypatch.setattr(image_model_page, "lookup_weights", lookup)
    return where


@pytest.fixture
def model_page(qtbot, state, found):
    page = AudioModelPage(state)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: not page.lookup_busy and page.weights_status is not None)
    yield page
    page.wait_idle()


def test_model_page_edits_the_audio_model_not_the_image_model(qtbot, model_page, state, settings):
    assert state.settings(AUDIO).model.fine_tune_epochs == 5
    with qtbot.waitSignal(state.model_changed):
        model_page.arch_combo.setCurrentIndex(model_page.arch_combo.findData("inceptionv3"))
    model_page.ft_epochs_spin.setValue(3)
    model_page.dropout_spin.setValue(0.35)
    assert state.settings(AUDIO).model.architecture == "inceptionv3"
    assert (state.settings(AUDIO).model.fine_tune_epochs, state.settings(AUDIO).model.dropout) == (
        3,
        0.35,
    )
    assert state.settings(IMAGES).model == ImageModelConfig()
    assert "299 × 299 px" in model_page.arch_explain.text()
    saved = json.loads(settings.value(KEY_AUDIO_MODEL))
    assert saved["architecture"] == "inceptionv3"
    assert not settings.value(image_model_page.KEY_IMAGE_MODEL)
    assert model_page.training_form.batch_spin.toolTip().startswith("Clips per update")
    other = AppState()
    page2 = AudioModelPage(other)
    qtbot.addWidget(page2)
    assert (
        other.settings(AUDIO).model.architecture == "inceptionv3"
        and other.settings(IMAGES).model.dropout == 0.2
    )
    page2.wait_idle()


def test_auto_needs_weights_and_a_gpu(qtbot, model_page, state, found):
    assert state.settings(AUDIO).model.architecture == "auto"
    assert "engine is still looking for a GPU" in model_page.auto_choice.text()
    state.set_engine_ready(True, Plan(gpu=False))
    assert "Compact CNN" in model_page.auto_choice.text()
    assert "ResNet50's weights are here" in model_page.auto_choice.text()
    state.set_engine_ready(True, Plan(gpu=True))
    assert model_page.auto_choice.text().startswith("Auto will use: ResNet50")
    found.clear()
    model_page.recheck_button.click()
    qtbot.waitUntil(lambda: model_page.weights_status is not None and not model_page.lookup_busy)
    assert "no pretrained weights" in model_page.auto_choice.text()
    assert state.auto_architecture is None  # the image pages' Auto is left alone


def test_audio_training_settings_are_their_own(qtbot, model_page, state, dataset, settings):
    table_training = state.training
    state.set_dataset(AUDIO, dataset)
    assert state.training is model_page.training and state.training is not table_training
    model_page.training_form.epochs_spin.setValue(7)
    assert state.training.epochs == 7 and table_training.epochs == TrainConfig().epochs
    assert json.loads(settings.value(KEY_AUDIO_TRAINING))["epochs"] == 7
    assert not settings.value(image_model_page.KEY_IMAGE_TRAINING)
    model_page.arch_combo.setCurrentIndex(model_page.arch_combo.findData("cnn"))
    state.settings(AUDIO).model.weights_folder = "/shared/weights"
    with qtbot.waitSignal(state.model_changed):
        model_page.defaults_button.click()
    assert state.settings(AUDIO).model == ImageModelConfig(
        fine_tune_epochs=5, weights_folder="/shared/weights"
    )
    assert state.training == AUDIO.default_training() and state.training is model_page.training


def test_both_model_pages_side_by_side_keep_their_own_auto(qtbot, model_page, state, found):
    """The window holds both pages: the image page publishes its Auto, the audio one not,
    and neither ping-pongs model_changed."""
    from automl_gui.gui.pages.images.model import ImageModelPage

    image_page = ImageModelPage(state)
    qtbot.addWidget(image_page)
    qtbot.waitUntil(lambda: image_page.weights_status is not None and not image_page.lookup_busy)
    assert state.auto_architecture == "resnet50"
    state.set_engine_ready(True, Plan(gpu=False))
    assert "Compact CNN" in model_page.auto_choice.text()
    assert "ResNet50" in image_page.auto_choice.text() and state.auto_architecture == "resnet50"
    image_page.wait_idle()
