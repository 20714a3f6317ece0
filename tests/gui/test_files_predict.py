"""Predict page with an image or an audio model: folders and files dropped or chosen, broken
files listed with their reason, an image gallery or the selected clip shown and played, Cancel,
saved CSV, and a model loaded from an exported bundle. What both kinds do alike is one test
over both; what only one kind shows is its own test. Models, runs and folders: predict_kinds.py.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import predict_kinds as pk
import pytest
from PySide6.QtCore import Qt

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import Progress
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.gui.pages.predict import PredictPage, image_items
from automl_gui.gui.state import AppState


@pytest.fixture(scope="module")
def image_run():
    return pk.image_run()


@pytest.fixture(scope="module")
def audio_run():
    return pk.audio_run()


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory):
    return pk.image_folder(tmp_path_factory.mktemp("new"))


@pytest.fixture(scope="module")
def audio_folder(tmp_path_factory):
    return pk.audio_folder(tmp_path_factory.mktemp("new"))


@dataclass(frozen=True)
class Predicting:
    """What differs between the kinds on the Predict page."""

    run: str  # fixture names
    folder: str
    classes: tuple[str, ...]
    pipeline: str  # the module whose predict function the page calls, and its name
    predict: str
    noun: str  # "2 <noun> classified", "Open <noun>…"
    no_files: str  # what a folder without any is called: "No <no_files> files found"
    class_dirs: tuple[str, str]  # the class folders files are taken from
    progress: tuple[float, str]  # the progress a slow prediction reports
    expected: Callable[[Any, list[str]], np.ndarray]
    is_model: Callable[[PredictPage], bool]
    view: Callable[[PredictPage], Any]  # the image gallery or the clip panel
    view_empty: Callable[[PredictPage], bool]
    shown_path: Callable[[PredictPage], str] | None  # the file the view shows, where it has one


PREDICTING = {
    IMAGES: Predicting(
        run="image_run",
        folder="image_folder",
        classes=pk.IMAGE_CLASSES,
        pipeline="automl_gui.core.kinds._image_media",
        predict="predict_images",
        noun="images",
        no_files="image",
        class_dirs=("circle", "square"),
        progress=(0.25, "Predicted 3/12"),
        expected=pk.expected_images,
        is_model=PredictPage.is_image_model,
        view=lambda page: page.gallery,
        view_empty=lambda page: page.gallery.count() == 0,
        shown_path=None,
    ),
    AUDIO: Predicting(
        run="audio_run",
        folder="audio_folder",
        classes=pk.AUDIO_CLASSES,
        pipeline="automl_gui.core.kinds._audio_media",
        predict="predict_audio",
        noun="clips",
        no_files="audio",
        class_dirs=("tone", "chirp"),
        progress=(0.4, "Predicted 4/10"),
        expected=pk.expected_clips,
        is_model=PredictPage.is_audio_model,
        view=lambda page: page.clip_panel,
        view_empty=lambda page: page.clip_panel.path == "",
        shown_path=lambda page: page.clip_panel.path,
    ),
}
KINDS = pytest.mark.parametrize("kind", list(PREDICTING), ids=str)


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


# -- both kinds ---------------------------------------------------------------------------------
@KINDS
def test_several_dropped_files_and_a_folder_without_any(qtbot, kind, request, tmp_path):
    table = PREDICTING[kind]
    page = _page(qtbot, request.getfixturevalue(table.run))
    folder = request.getfixturevalue(table.folder)
    files = sorted(str(p) for p in (folder / table.class_dirs[0]).iterdir())[:2]
    frame = _predict(qtbot, page, files)
    assert list(frame["path"]) == files
    assert list(page.model.frame.columns[:3]) == ["path", "prediction", "confidence"]
    assert page.info.text() == f"2 {table.noun} classified in 2 items."
    # the path column names the files in the folder they were chosen from (absolute paths
    # wrapped onto two lines and pushed the confidence out of sight); whole in the tooltip
    first = page.model.index(0, 0)
    assert page.model.data(first) == Path(files[0]).name
    assert page.model.data(first, Qt.ItemDataRole.ToolTipRole) == files[0]
    assert not page.accept_drops([files[0], str(tmp_path / "notes.txt")])  # mixed: not ours

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("nothing to classify here")
    with qtbot.waitSignal(page.prediction_failed, timeout=60_000) as failed:
        page.accept_drop(str(empty))
    assert f"No {table.no_files} files" in failed.args[0] and failed.args[1]  # and a hint
    assert page.banner.level == "error"
    assert page.predictions is None and page.model.rowCount() == 0
    assert table.view_empty(page)
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=10_000)


@KINDS
def test_progress_and_cancel_with_escape(qtbot, kind, request, monkeypatch):
    import importlib

    table = PREDICTING[kind]
    started = threading.Event()
    fraction, message = table.progress

    def blocked_until_cancelled(bundle, paths, *, on_event=None, cancel=None, **_options):
        on_event(Progress("predict", fraction, message))
        started.set()
        deadline = time.monotonic() + 10
        while not cancel.cancelled:
            if time.monotonic() > deadline:
                raise AssertionError("never cancelled")
            time.sleep(0.01)
        raise CancelledError()

    monkeypatch.setattr(
        importlib.import_module(table.pipeline), table.predict, blocked_until_cancelled
    )
    page = _page(qtbot, request.getfixturevalue(table.run))
    page.accept_drop(str(request.getfixturevalue(table.folder)))
    qtbot.waitUntil(
        lambda: page.busy.maximum() == 1000 and page.busy.value() == round(1000 * fraction),
        timeout=10_000,
    )
    assert started.is_set()
    assert page.cancel_button.isVisible() and not page.open_button.isEnabled()
    assert page.info.text() == f"batch: {message}"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    assert page.info.text() == "Prediction cancelled."
    assert page.predictions is None and not page.cancel_button.isVisible()
    assert page.open_button.isEnabled() and not page.save_button.isEnabled()


@KINDS
def test_an_exported_model_loads_and_predicts_like_the_trained_one(qtbot, kind, request, tmp_path):
    from automl_gui.core.export.bundle import Bundle, save_bundle

    table = PREDICTING[kind]
    run = request.getfixturevalue(table.run)
    folder = request.getfixturevalue(table.folder)
    save_bundle(run.model, dict(run.metadata), {}, tmp_path / "bundle")
    page = PredictPage(AppState())
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.show()
    assert not page.folder_button.isVisible() and page.open_button.text() == "Open file…"
    assert page.accept_drop(str(folder)) is False  # no model yet
    with qtbot.waitSignal(page.model_loaded, timeout=60_000):
        page.load_model(str(tmp_path / "bundle"))
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=10_000)
    assert table.is_model(page) and page.folder_button.isVisible()
    assert page.open_button.text() == f"Open {table.noun}…"
    assert f"Open {table.noun}" in page.info.text() and "loaded from" in page.model_label.text()

    one = sorted(str(p) for p in (folder / table.class_dirs[1]).iterdir())[0]
    frame = _predict(qtbot, page, [one])
    got = frame[[f"probability_{c}" for c in table.classes]].to_numpy(float)
    assert np.allclose(got, table.expected(run.model, [one]), atol=1e-5)
    assert page.source_path == one
    if table.shown_path is not None:
        assert table.shown_path(page) == one

    # a table model replaces it: the answers and the gallery or clip go away
    page._set_bundle(Bundle(model=None, metadata={"kind": "tabular"}), "a table model")
    page._refresh()
    assert page.predictions is None and page.model.rowCount() == 0
    assert not table.view(page).isVisible() and not page.folder_button.isVisible()


# -- images -------------------------------------------------------------------------------------
def test_dropped_folder_is_classified_with_broken_files_listed(
    qtbot, image_run, image_folder, tmp_path
):
    page = _page(qtbot, image_run)
    assert page.is_image_model()
    assert page.open_button.text() == "Open images…" and page.folder_button.isVisible()
    assert "3 classes" in page.model_label.text() and "CNN, 32×32 px" in page.model_label.text()
    assert page.accept_drop(str(tmp_path / "rows.csv")) is False  # a table is not for it

    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        assert page.accept_drop(str(image_folder)) is True
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    frame = blocker.args[0]
    assert len(frame) == 12 + len(pk.IMAGE_BROKEN) == page.model.rowCount()  # hidden/other ignored

    shown = page.model.frame
    assert list(shown.columns[:4]) == ["path", "prediction", "confidence", "error"]  # in sight
    assert {f"probability_{c}" for c in pk.IMAGE_CLASSES} | {"error"} <= set(shown.columns)

    errors = frame["error"].fillna("").astype(str)
    broken = frame[errors != ""]
    assert sorted(p.rsplit("/", 1)[-1] for p in broken["path"]) == sorted(pk.IMAGE_BROKEN)
    assert (broken["prediction"].fillna("").astype(str) == "").all()

    good = frame[errors == ""]
    expected = pk.expected_images(image_run.model, list(good["path"]))
    got = good[[f"probability_{c}" for c in pk.IMAGE_CLASSES]].to_numpy(float)
    assert np.allclose(got, expected, atol=1e-4)  # each row's answer is its own file's
    truth = [p.rsplit("/", 1)[-1].split("_")[0] for p in good["path"]]
    assert np.mean(np.array(truth) == good["prediction"].astype(str).to_numpy()) >= 0.75

    # gallery: one item per row, captioned with prediction and confidence, broken ones marked
    assert page.gallery.isVisible() and page.gallery.count() == len(frame)
    captions = {path: caption for path, caption, _ in page.gallery_items}
    for _, row in good.iterrows():
        conf = 100 * max(row[f"probability_{c}"] for c in pk.IMAGE_CLASSES)
        assert captions[row["path"]] == f"{row['prediction']} {conf:.1f}%"
    for path in broken["path"]:
        assert captions[path] == "can't read"
    assert page.banner.level == "warning" and "3 of 15 files" in page.banner.text
    assert page.info.text() == (
        "12 images classified in batch; 3 could not be read (see the error column)."
    )

    page.select_path(str(good["path"].iloc[3]))
    rows = {i.row() for i in page.table.selectionModel().selectedIndexes()}
    assert rows == {int(frame.index[frame["path"] == good["path"].iloc[3]][0])}

    shown_paths = [page.model.data(page.model.index(r, 0)) for r in range(len(frame))]
    assert shown_paths == [str(Path(p).relative_to(image_folder)) for p in frame["path"]]

    out = tmp_path / "pred.csv"
    assert page.save_predictions(str(out))
    saved = pd.read_csv(out, keep_default_na=False)  # the whole paths, as the frame
    assert len(saved) == 15 and list(saved["path"]) == list(frame["path"])
    assert sorted(saved.loc[saved["error"] != "", "path"].str.rsplit("/", n=1).str[-1]) == sorted(
        pk.IMAGE_BROKEN
    )


def test_gallery_items_for_prediction_rows():
    frame = pd.DataFrame(
        {
            "path": ["/a.png", "/b.png"],
            "prediction": ["dog", ""],
            "confidence": [0.874, float("nan")],
            "probability_cat": [0.126, float("nan")],
            "probability_dog": [0.874, float("nan")],
            "error": ["", "truncated"],
        }
    )
    (a, cap_a, tip_a), (b, cap_b, tip_b) = image_items(frame)
    assert (a, cap_a) == ("/a.png", "dog 87.4%")
    assert tip_a.endswith("most likely: dog 87.4%, cat 12.6%")
    assert (b, cap_b) == ("/b.png", "can't read") and tip_b == "/b.png\ntruncated"


# -- audio --------------------------------------------------------------------------------------
def test_model_line_and_what_an_audio_model_accepts(qtbot, audio_run, tmp_path):
    page = _page(qtbot, audio_run)
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
    qtbot, audio_run, audio_folder, tmp_path
):
    from automl_gui.core.preprocess.audio import load_audio, load_clips

    page = _page(qtbot, audio_run)
    frame = _predict(qtbot, page, [str(audio_folder)])
    assert len(frame) == 9 + len(pk.AUDIO_BROKEN) == page.model.rowCount()  # notes.txt ignored
    shown = page.model.frame
    assert list(shown.columns[:4]) == ["path", "prediction", "confidence", "error"]
    assert {f"probability_{c}" for c in pk.AUDIO_CLASSES} <= set(shown.columns)

    errors = frame["error"].fillna("").astype(str)
    broken = frame[errors != ""]
    assert sorted(p.rsplit("/", 1)[-1] for p in broken["path"]) == sorted(pk.AUDIO_BROKEN)
    assert (broken["prediction"].fillna("").astype(str) == "").all()
    good = frame[errors == ""]
    window = int(pk.RATE * pk.SECONDS)  # a longer clip is answered whole (its windows' mean)
    lengths = [max(window, len(load_audio(p, pk.RATE))) for p in good["path"]]
    # the model called directly: predict() would trace a graph for each clip length
    expected = np.concatenate(
        [
            np.asarray(audio_run.model(load_clips([p], pk.RATE, n), training=False))
            for p, n in zip(good["path"], lengths, strict=True)
        ]
    )
    got = good[[f"probability_{c}" for c in pk.AUDIO_CLASSES]].to_numpy(float)
    assert np.allclose(got, expected, atol=1e-4)  # each row's answer is its own clip's
    assert list(good["prediction"]) == [pk.AUDIO_CLASSES[i] for i in expected.argmax(axis=1)]

    assert page.banner.level == "warning" and "3 of 12 files" in page.banner.text
    assert (
        page.info.text()
        == "9 clips classified in batch; 3 could not be read (see the error column)."
    )
    assert not page.gallery.isVisible()

    # the first readable clip is selected and drawn; a broken row says why
    panel = page.clip_panel
    assert panel.isVisible() and panel.sample_rate == pk.RATE
    first_good = int(np.flatnonzero(errors.to_numpy() == "")[0])
    assert page.table.currentIndex().row() == first_good
    assert panel.path == shown["path"].iloc[first_good]
    qtbot.waitUntil(lambda: panel.drawn == panel.path, timeout=20_000)
    assert panel.spectrogram.shape[1] == 64 and panel.waveform.duration > 0
    row = shown.iloc[first_good]
    caption = f"predicted {row['prediction']} ({100 * row['confidence']:.1f}%)"
    assert caption in panel.title.text()
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
        pk.AUDIO_BROKEN
    )


def test_another_kind_of_model_hides_the_clip_panel(qtbot, audio_run, audio_folder):
    from automl_gui.core.export.bundle import Bundle

    page = _page(qtbot, audio_run)
    _predict(qtbot, page, sorted(str(p) for p in (audio_folder / "chirp").iterdir())[:1])
    assert page.clip_panel.isVisible()
    page._set_bundle(Bundle(model=None, metadata={"kind": "tabular"}), "a table model")
    page._refresh()
    assert page.predictions is None and page.model.rowCount() == 0
    assert not page.clip_panel.isVisible() and not page.folder_button.isVisible()
    assert page.open_button.text() == "Open file…"
    page._set_bundle(Bundle(model=None, metadata={"kind": "images", "class_names": ["a"]}), "x")
    page._refresh()
    assert page.open_button.text() == "Open images…" and not page.clip_panel.isVisible()
