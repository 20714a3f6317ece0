"""Predict page with an image model: folders and files dropped or chosen, broken files listed
with their reason, a gallery captioned with the predictions, Cancel, saved CSV, and a model
loaded from an exported bundle.

The model is a tiny Keras network built here (mean colour → class), wrapped in an Run as
the pipeline makes them; predictions go through the real ``predict_images``.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
from image_factory import (
    CLASSES,
    make_class_folders,
    write_hidden_and_other,
    write_not_an_image,
    write_truncated,
    write_zero_bytes,
)
from PySide6.QtCore import Qt

from automl_gui.core.base.errors import CancelledError
from automl_gui.core.base.events import Progress
from automl_gui.core.jobs.run import Run
from automl_gui.core.train.result import TrainResult
from automl_gui.gui.pages.predict import PredictPage, image_items
from automl_gui.gui.state import AppState

SIZE = 32
BROKEN = ("zero.png", "truncated.jpg", "text.jpg")


def tiny_model():
    """Mean colour → class: red circles, blue squares, green triangles (CLASSES order)."""
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    inputs = keras.Input((SIZE, SIZE, 3))
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    dense = keras.layers.Dense(3, activation="softmax")
    outputs = dense(x)
    # R → circle, B → square, G → triangle; the grey background adds the same to each
    dense.set_weights([np.array([[60, 0, 0], [0, 0, 60], [0, 60, 0]], "float32"), np.zeros(3)])
    return keras.Model(inputs, outputs)


@pytest.fixture(scope="module")
def run():
    return Run(
        model=tiny_model(),
        metadata={
            "kind": "images",
            "task": "multiclass",
            "class_names": list(CLASSES),
            "architecture": "cnn",
            "image_size": SIZE,
        },
        report={},
        history={},
        result=TrainResult(),
        test_predictions=None,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """3 classes × 4 images (one class in a nested folder), 3 broken files, hidden/other."""
    root = tmp_path_factory.mktemp("new")
    make_class_folders(root / "batch", CLASSES[:2], 4, size=(SIZE, SIZE), seed=5)
    make_class_folders(root / "batch" / "more", CLASSES[2:], 4, size=(SIZE, SIZE), seed=6)
    write_zero_bytes(root / "batch" / BROKEN[0])
    write_truncated(root / "batch" / BROKEN[1])
    write_not_an_image(root / "batch" / BROKEN[2])
    write_hidden_and_other(root / "batch")
    return root / "batch"


def _page(qtbot, run) -> PredictPage:
    state = AppState()
    page = PredictPage(state)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    state.set_run(run)
    return page


def _expected(model, paths: list[str]) -> np.ndarray:
    from automl_gui.core.preprocess.images import load_images

    return np.asarray(model.predict(load_images(paths, SIZE), verbose=0))


def test_dropped_folder_is_classified_with_broken_files_listed(qtbot, run, folder, tmp_path):
    page = _page(qtbot, run)
    assert page.is_image_model()
    assert page.open_button.text() == "Open images…" and page.folder_button.isVisible()
    assert "3 classes" in page.model_label.text() and "CNN, 32×32 px" in page.model_label.text()
    assert page.accept_drop(str(tmp_path / "rows.csv")) is False  # a table is not for it

    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        assert page.accept_drop(str(folder)) is True
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    frame = blocker.args[0]
    assert len(frame) == 12 + len(BROKEN) == page.model.rowCount()  # hidden/other ignored

    shown = page.model.frame
    assert list(shown.columns[:4]) == ["path", "prediction", "confidence", "error"]  # in sight
    assert {f"probability_{c}" for c in CLASSES} | {"error"} <= set(shown.columns)

    errors = frame["error"].fillna("").astype(str)
    broken = frame[errors != ""]
    assert sorted(p.rsplit("/", 1)[-1] for p in broken["path"]) == sorted(BROKEN)
    assert (broken["prediction"].fillna("").astype(str) == "").all()

    good = frame[errors == ""]
    expected = _expected(run.model, list(good["path"]))
    got = good[[f"probability_{c}" for c in CLASSES]].to_numpy(float)
    assert np.allclose(got, expected, atol=1e-4)  # each row's answer is its own file's
    truth = [p.rsplit("/", 1)[-1].split("_")[0] for p in good["path"]]
    assert np.mean(np.array(truth) == good["prediction"].astype(str).to_numpy()) >= 0.75

    # gallery: one item per row, captioned with prediction and confidence, broken ones marked
    assert page.gallery.isVisible() and page.gallery.count() == len(frame)
    captions = {path: caption for path, caption, _ in page.gallery_items}
    for _, row in good.iterrows():
        conf = round(100 * max(row[f"probability_{c}"] for c in CLASSES))
        assert captions[row["path"]] == f"{row['prediction']} {conf}%"
    for path in broken["path"]:
        assert captions[path] == "can't read"
    assert page.banner.level == "warning" and "3 of 15 files" in page.banner.text
    assert page.info.text() == (
        "12 images classified in batch; 3 could not be read (see the error column)."
    )

    page.select_path(str(good["path"].iloc[3]))
    rows = {i.row() for i in page.table.selectionModel().selectedIndexes()}
    assert rows == {int(frame.index[frame["path"] == good["path"].iloc[3]][0])}

    out = tmp_path / "pred.csv"
    assert page.save_predictions(str(out))
    saved = pd.read_csv(out, keep_default_na=False)
    assert len(saved) == 15 and list(saved["path"]) == list(frame["path"])
    assert sorted(saved.loc[saved["error"] != "", "path"].str.rsplit("/", n=1).str[-1]) == sorted(
        BROKEN
    )


def test_several_dropped_files_and_a_folder_without_images(qtbot, run, folder, tmp_path):
    page = _page(qtbot, run)
    files = sorted(str(p) for p in (folder / "circle").iterdir())[:2]
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        assert page.accept_drops(files) is True
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    frame = blocker.args[0]
    assert list(frame["path"]) == files
    assert list(page.model.frame.columns[:3]) == ["path", "prediction", "confidence"]
    assert "2 images classified in 2 items" in page.info.text()
    assert not page.accept_drops([files[0], str(tmp_path / "notes.txt")])  # mixed: not ours

    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("no pictures here")
    with qtbot.waitSignal(page.prediction_failed, timeout=60_000) as failed:
        page.accept_drop(str(empty))
    assert "No image files" in failed.args[0] and failed.args[1]
    assert page.banner.level == "error"
    assert page.predictions is None and page.model.rowCount() == 0
    assert page.gallery.count() == 0
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=10_000)


def test_progress_and_cancel_with_escape(qtbot, run, folder, monkeypatch):
    import automl_gui.core.kinds._image_media as pipeline

    started = threading.Event()

    def slow_predict(bundle, paths, *, on_event=None, cancel=None, batch_size=32):
        on_event(Progress("predict", 0.25, "Predicted 3/12"))
        started.set()
        for _ in range(1000):  # until cancelled (10 s at most)
            if cancel.cancelled:
                raise CancelledError()
            threading.Event().wait(0.01)
        raise AssertionError("never cancelled")

    monkeypatch.setattr(pipeline, "predict_images", slow_predict)
    page = _page(qtbot, run)
    page.accept_drop(str(folder))
    qtbot.waitUntil(
        lambda: page.busy.maximum() == 1000 and page.busy.value() == 250, timeout=10_000
    )
    assert started.is_set()
    assert page.cancel_button.isVisible() and not page.open_button.isEnabled()
    assert page.info.text() == "batch: Predicted 3/12"
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    assert page.info.text() == "Prediction cancelled."
    assert page.predictions is None and not page.cancel_button.isVisible()
    assert page.open_button.isEnabled() and not page.save_button.isEnabled()


def test_exported_image_model_loads_and_predicts_like_the_trained_one(qtbot, run, folder, tmp_path):
    from automl_gui.core.export.bundle import Bundle, save_bundle

    save_bundle(run.model, dict(run.metadata), {}, tmp_path / "bundle")
    page = PredictPage(AppState())
    qtbot.addWidget(page)
    page.show()
    assert not page.folder_button.isVisible() and page.open_button.text() == "Open file…"
    assert page.accept_drop(str(folder)) is False  # no model yet
    with qtbot.waitSignal(page.model_loaded, timeout=60_000):
        page.load_model(str(tmp_path / "bundle"))
    qtbot.waitUntil(lambda: page.open_button.isEnabled(), timeout=10_000)
    assert page.is_image_model() and page.folder_button.isVisible()
    assert "Open images" in page.info.text()

    image = sorted(str(p) for p in (folder / "square").iterdir())[0]
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000) as blocker:
        assert page.accept_drop(image)
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)
    got = blocker.args[0][[f"probability_{c}" for c in CLASSES]].to_numpy(float)
    assert np.allclose(got, _expected(run.model, [image]), atol=1e-5)
    assert page.source_path == image

    # a table model replaces it: the image answers and the gallery go away
    page._set_bundle(Bundle(model=None, metadata={"kind": "tabular"}), "a table model")
    page._refresh()
    assert page.predictions is None and page.model.rowCount() == 0
    assert not page.gallery.isVisible() and not page.folder_button.isVisible()


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
    assert (a, cap_a) == ("/a.png", "dog 87%")
    assert tip_a.endswith("most likely: dog 87%, cat 13%")
    assert (b, cap_b) == ("/b.png", "can't read") and tip_b == "/b.png\ntruncated"
