"""Predict page with an audio model: folders and clips dropped or chosen, broken files listed
with their reason, the selected row's clip shown and played, Cancel, saved CSV.

The model is a tiny Keras network on raw waveforms built here (no training), wrapped in an
Run as the pipeline makes them; predictions go through the real ``predict_audio``.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest
from audio_factory import make_class_folders, write_empty, write_text_as_audio, write_truncated
from PySide6.QtCore import Qt

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import Progress
from automl_gui.core.jobs.run import Run
from automl_gui.core.train.result import TrainResult
from automl_gui.gui.pages.predict import PredictPage
from automl_gui.gui.state import AppState

CLASSES = ("tone", "chirp", "noise")
RATE = 8000
SECONDS = 0.5
BROKEN = ("empty.wav", "page.mp3", "cut.flac")


def tiny_model(n_classes: int = len(CLASSES), seed: int = 3):
    """Waveform (any length) → class probabilities: a strided convolution, pooling, softmax
    (also the export dialog's test model)."""
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((None,), name="waveform")
    x = keras.layers.Reshape((-1, 1))(inputs)
    x = keras.layers.Conv1D(4, 16, strides=8, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def run():
    return Run(
        model=tiny_model(),
        metadata={
            "kind": "audio",
            "task": "multiclass",
            "class_names": list(CLASSES),
            "architecture": "cnn",
            "features": "log-mel",
            "sample_rate": RATE,
            "clip_seconds": SECONDS,
            "n_samples": int(RATE * SECONDS),
        },
        report={},
        history={},
        result=TrainResult(),
        test_predictions=None,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """3 classes × 3 clips (one class in a nested folder), 3 broken files, a text file."""
    root = tmp_path_factory.mktemp("new") / "batch"
    kw = {"seconds": (0.3, 0.7), "rates": (8000, 16000), "formats": ("wav", "flac", "ogg")}
    make_class_folders(root, CLASSES[:2], 3, seed=5, **kw)
    make_class_folders(root / "more", CLASSES[2:], 3, seed=6, **kw)
    write_empty(root / BROKEN[0])
    write_text_as_audio(root / BROKEN[1])
    write_truncated(root / BROKEN[2], keep=0.3)
    (root / "notes.txt").write_text("not a clip")
    return root


def _page(qtbot, run) -> PredictPage:
    state = AppState()
    page = PredictPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.resize(1280, 800)
    page.show()
    state.set_run(run)
    return page


def _predict(qtbot, page, paths: list[str]):
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        assert page.accept_drops(paths) is True
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    return blocker.args[0]


def test_model_line_and_what_an_audio_model_accepts(qtbot, run, tmp_path):
    page = _page(qtbot, run)
    assert page.is_audio_model() and not page.is_image_model()
    assert page.open_button.text() == "Open clips…" and page.folder_button.isVisible()
    assert "every audio clip in a folder" in page.folder_button.toolTip()
    text = page.model_label.text()
    assert "classifies clips into 3 classes: <b>tone, chirp, noise</b>" in text
    assert "CNN on log-mel spectrograms of 0.5 s clips at 8 kHz" in text
    assert page.info.text() == "Drop clips or a folder here, or use Open clips… / Open folder…"
    assert page.accept_drop(str(tmp_path / "rows.csv")) is False
    assert page.accept_drop(str(tmp_path / "photo.png")) is False
    assert page.accept_drops([str(tmp_path / "a.wav"), str(tmp_path / "b.txt")]) is False
    assert page.worker is None


def test_dropped_folder_with_broken_clips_lists_them_and_plays_the_rest(
    qtbot, run, folder, tmp_path
):
    from automl_gui.core.preprocess.audio import load_clips

    page = _page(qtbot, run)
    frame = _predict(qtbot, page, [str(folder)])
    assert len(frame) == 9 + len(BROKEN) == page.model.rowCount()  # notes.txt ignored
    shown = page.model.frame
    assert list(shown.columns[:4]) == ["path", "prediction", "confidence", "error"]
    assert {f"probability_{c}" for c in CLASSES} <= set(shown.columns)

    errors = frame["error"].fillna("").astype(str)
    broken = frame[errors != ""]
    assert sorted(p.rsplit("/", 1)[-1] for p in broken["path"]) == sorted(BROKEN)
    assert (broken["prediction"].fillna("").astype(str) == "").all()
    good = frame[errors == ""]
    expected = run.model.predict(
        load_clips(list(good["path"]), RATE, int(RATE * SECONDS)), verbose=0
    )
    got = good[[f"probability_{c}" for c in CLASSES]].to_numpy(float)
    assert np.allclose(got, expected, atol=1e-4)  # each row's answer is its own clip's
    assert list(good["prediction"]) == [CLASSES[i] for i in expected.argmax(axis=1)]

    assert page.banner.level == "warning" and "3 of 12 files" in page.banner.text
    assert (
        page.info.text()
        == "9 clips classified in batch; 3 could not be read (see the error column)."
    )
    assert not page.gallery.isVisible()

    # the first readable clip is selected and drawn; a broken row says why
    panel = page.clip_panel
    assert panel.isVisible() and panel.sample_rate == RATE
    first_good = int(np.flatnonzero(errors.to_numpy() == "")[0])
    assert page.table.currentIndex().row() == first_good
    assert panel.path == shown["path"].iloc[first_good]
    qtbot.waitUntil(lambda: panel.drawn == panel.path, timeout=20_000)
    assert panel.spectrogram.shape[1] == 64 and panel.waveform.duration > 0
    row = shown.iloc[first_good]
    assert f"predicted {row['prediction']} ({round(100 * row['confidence'])}%)" in (
        panel.title.text()
    )
    bad_row = int(np.flatnonzero(errors.to_numpy() != "")[0])
    page.select_row(bad_row)
    assert "can't read:" in panel.title.text() and panel.path == ""
    assert not panel.player_bar.button.isEnabled()

    # play the selected clip with Space in the table: no sound device here says why
    page.select_row(first_good)
    player = panel.player_bar.player
    page.table.setFocus()
    if not player.available:
        with qtbot.waitSignal(player.error) as blocker:
            qtbot.keyClick(page.table, Qt.Key.Key_Space)
        assert blocker.args[0] == player.unavailable_reason
        assert panel.player_bar.status.text() == player.unavailable_reason

    out = tmp_path / "pred.csv"
    assert page.save_predictions(str(out))
    saved = pd.read_csv(out, keep_default_na=False)
    assert list(saved["path"]) == list(frame["path"])
    assert sorted(saved.loc[saved["error"] != "", "path"].str.rsplit("/", n=1).str[-1]) == sorted(
        BROKEN
    )


def test_several_clips_and_a_folder_without_clips(qtbot, run, folder, tmp_path):
    page = _page(qtbot, run)
    files = sorted(str(p) for p in (folder / "tone").iterdir())[:2]
    frame = _predict(qtbot, page, files)
    assert list(frame["path"]) == files
    assert list(page.model.frame.columns[:3]) == ["path", "prediction", "confidence"]
    assert page.info.text() == "2 clips classified in 2 items."

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no sounds here")
    with qtbot.waitSignal(page.prediction_failed, timeout=60_000) as failed:
        page.accept_drop(str(empty))
    assert failed.args[0] and failed.args[1]  # a message and a hint, no traceback
    assert page.banner.level == "error"
    assert page.predictions is None and page.model.rowCount() == 0
    assert page.clip_panel.path == ""
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=10_000)


def test_progress_and_cancel_with_escape(qtbot, run, folder, monkeypatch):
    import automl_gui.core.kinds._audio_media as pipeline

    started = threading.Event()

    def blocked_until_cancelled(bundle, paths, *, on_event=None, cancel=None, **_options):
        on_event(Progress("predict", 0.4, "Predicted 4/10"))
        started.set()
        deadline = time.monotonic() + 10
        while not cancel.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        raise CancelledError()

    monkeypatch.setattr(pipeline, "predict_audio", blocked_until_cancelled)
    page = _page(qtbot, run)
    page.accept_drop(str(folder))
    qtbot.waitUntil(lambda: page.busy.value() == 400, timeout=10_000)
    assert started.is_set() and page.busy.maximum() == 1000
    assert page.cancel_button.isVisible() and not page.open_button.isEnabled()
    assert page.info.text() == "batch: Predicted 4/10"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    assert page.info.text() == "Prediction cancelled."
    assert page.predictions is None and page.open_button.isEnabled()


def test_another_kind_of_model_hides_the_clip_panel(qtbot, run, folder):
    from automl_gui.core.export.bundle import Bundle

    page = _page(qtbot, run)
    _predict(qtbot, page, sorted(str(p) for p in (folder / "chirp").iterdir())[:1])
    assert page.clip_panel.isVisible()
    page._set_bundle(Bundle(model=None, metadata={"kind": "tabular"}), "a table model")
    page._refresh()
    assert page.predictions is None and page.model.rowCount() == 0
    assert not page.clip_panel.isVisible() and not page.folder_button.isVisible()
    assert page.open_button.text() == "Open file…"
    page._set_bundle(Bundle(model=None, metadata={"kind": "images", "class_names": ["a"]}), "x")
    page._refresh()
    assert page.open_button.text() == "Open images…" and not page.clip_panel.isVisible()


def test_an_exported_audio_model_loads_and_predicts_like_the_trained_one(
    qtbot, run, folder, tmp_path
):
    from automl_gui.core.export.bundle import save_bundle
    from automl_gui.core.preprocess.audio import load_clips

    save_bundle(run.model, dict(run.metadata), {}, tmp_path / "bundle")
    page = PredictPage(AppState())
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.show()
    assert page.accept_drop(str(folder)) is False  # no model yet
    with qtbot.waitSignal(page.model_loaded, timeout=60_000):
        page.load_model(str(tmp_path / "bundle"))
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=10_000)
    assert page.is_audio_model() and page.open_button.text() == "Open clips…"
    assert "Open clips" in page.info.text() and "loaded from" in page.model_label.text()

    clip = sorted(str(p) for p in (folder / "chirp").iterdir())[0]
    frame = _predict(qtbot, page, [clip])
    got = frame[[f"probability_{c}" for c in CLASSES]].to_numpy(float)
    expected = run.model.predict(load_clips([clip], RATE, int(RATE * SECONDS)), verbose=0)
    assert np.allclose(got, expected, atol=1e-5)
    assert page.source_path == clip and page.clip_panel.path == clip
