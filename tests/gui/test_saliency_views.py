""" "Show where the model looked" in the window: Grad-CAM overlays on the image Evaluate
page's galleries (computed in the background, remembered on/off), and the map over the audio
Evaluate page's spectrogram."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from audio_factory import synth
from image_factory import make_class_folders

from automl_gui.core.jobs.run import Run
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.train.result import TrainResult
from automl_gui.gui.state import AppState
from automl_gui.gui.widgets.saliency import SETTING_KEY, SaliencyToggle


def _run(kind: str, paths: list[str], names: list[str], model, metadata: dict) -> Run:
    from automl_gui.core.evaluate.metrics import evaluate_classification

    rng = np.random.default_rng(0)
    proba = 0.3 * rng.dirichlet(np.ones(len(names)), len(paths))
    y = np.arange(len(paths)) % len(names)
    proba[np.arange(len(paths)), (y + (np.arange(len(paths)) % 3 == 0)) % len(names)] += 0.7
    df = pd.DataFrame(
        {
            "path": paths,
            "actual": [names[i] for i in y],
            "prediction": [names[i] for i in proba.argmax(1)],
            "confidence": proba.max(1),
        }
    )
    for i, name in enumerate(names):
        df[f"probability_{name}"] = proba[:, i]
    meta = {"kind": kind, "task": "multiclass", "class_names": names, **metadata}
    return Run(
        model=model,
        metadata=meta,
        report=evaluate_classification(y, proba, names),
        history={"loss": [1.0]},
        result=TrainResult(history={"loss": [1.0]}, best_epoch=0, epochs_run=1),
        test_predictions=df,
    )


@pytest.fixture
def off_at_start():
    from automl_gui.gui import settings

    settings.current().setValue(SETTING_KEY, "false")
    yield
    settings.current().setValue(SETTING_KEY, "false")


def test_image_galleries_show_overlays_in_the_background(qtbot, tmp_path, off_at_start) -> None:
    from automl_gui.core.models.images import build_image_model
    from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig
    from automl_gui.gui.pages.images.evaluate import ImageEvaluatePage

    names = ["circle", "square", "triangle"]
    make_class_folders(tmp_path, names, 4, size=(32, 32), vary_size=False, seed=0)
    paths = sorted(str(p) for p in tmp_path.rglob("*.*") if p.is_file())
    pre = ImagePreprocessConfig(color_mode="rgb", augment=AugmentConfig(enabled=False))
    model = build_image_model("cnn", 3, 32, pre, ImageModelConfig(), n_train=12).model
    state = AppState()
    state.run = _run("images", paths, names, model, {"image_size": 32, "architecture": "cnn"})
    page = ImageEvaluatePage(state)
    qtbot.addWidget(page)
    page.show()
    page.show_run()
    gallery = page.wrong_gallery
    toggle = gallery.saliency_toggle
    assert toggle.text() == "Show where the model looked" and toggle.toolTip()
    assert toggle.focusPolicy() != 0  # reachable with the keyboard
    assert gallery.count() > 0 and gallery.gallery_model().overlay_count() == 0
    toggle.setChecked(True)  # the computation runs off the UI thread
    qtbot.waitUntil(
        lambda: gallery.gallery_model().overlay_count() == gallery.count(), timeout=60000
    )
    model_ = gallery.gallery_model()
    path = model_.item(0)[0]
    assert model_.thumbnail(0, path) is model_._overlays[path]
    assert "looked" in gallery.saliency_status.text()
    assert SaliencyToggle().isChecked()  # remembered for every view
    toggle.setChecked(False)
    assert model_.thumbnail(0, path) is not model_._overlays[path]
    assert not page.cell_gallery.saliency_toggle.isChecked()  # one setting for every view
    # a cell's gallery computes its own overlays once shown
    toggle.setChecked(True)
    assert page.cell_gallery.saliency_toggle.isChecked()
    page.show_cell(0, 0)
    qtbot.waitUntil(
        lambda: page.cell_gallery.gallery_model().overlay_count() == page.cell_gallery.count(),
        timeout=60000,
    )


def test_a_run_without_a_model_computes_nothing(qtbot, tmp_path, off_at_start) -> None:
    from automl_gui.gui.pages.images.evaluate import ImageEvaluatePage

    names = ["circle", "square"]
    make_class_folders(tmp_path, names, 3, size=(32, 32), vary_size=False, seed=1)
    paths = sorted(str(p) for p in tmp_path.rglob("*.*") if p.is_file())
    state = AppState()
    state.run = _run("images", paths, names, None, {"image_size": 32})
    page = ImageEvaluatePage(state)
    qtbot.addWidget(page)
    page.show_run()
    page.wrong_gallery.saliency_toggle.setChecked(True)
    assert page.wrong_gallery.saliency_status.text() == ""


def test_audio_map_lies_over_the_spectrogram(qtbot, tmp_path, off_at_start) -> None:
    import soundfile as sf

    from automl_gui.core.models.audio import build_audio_model, feature_shape
    from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig
    from automl_gui.gui.pages.audio.evaluate import AudioEvaluatePage

    rate, n = 8000, 4000
    pre = AudioPreprocessConfig(
        sample_rate=rate, n_mels=32, augment=AudioAugmentConfig(enabled=False)
    )
    model = build_audio_model("cnn", 2, pre, ImageModelConfig(), n_samples=n, n_train=8).model
    paths = []
    for i in range(6):
        path = tmp_path / f"c{i}.wav"
        sf.write(path, synth(("tone", "noise")[i % 2], 1.0, rate, seed=i), rate)
        paths.append(str(path))
    meta = {"sample_rate": rate, "n_samples": n, "clip_seconds": 0.5, "architecture": "cnn",
            "feature_shape": list(feature_shape(pre, n)), "features": "log_mel"}  # fmt: skip
    state = AppState()
    state.run = _run("audio", paths, ["tone", "noise"], model, meta)
    page = AudioEvaluatePage(state)
    qtbot.addWidget(page)
    page.show()
    page.show_run()
    browser = page.wrong_clips
    panel = browser.panel
    qtbot.waitUntil(lambda: bool(panel.drawn), timeout=30000)
    assert panel.spectrogram.heat.image is None
    panel.saliency.toggle.setChecked(True)
    qtbot.waitUntil(lambda: panel.spectrogram.heat.image is not None, timeout=60000)
    heat = panel.spectrogram.heat
    assert heat.image.shape[1] == 32 and heat.image.shape[2] == 4  # frames × bands, RGBA
    assert heat.mapRectToParent(heat.boundingRect()).width() == pytest.approx(1.0, abs=0.01)
    panel.saliency.toggle.setChecked(False)
    assert panel.spectrogram.heat.image is None


def test_predict_gallery_shows_overlays(qtbot, tmp_path, off_at_start) -> None:
    from automl_gui.core.models.images import build_image_model
    from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig
    from automl_gui.gui.pages.predict import PredictPage

    names = ["circle", "square"]
    make_class_folders(tmp_path, names, 3, size=(32, 32), vary_size=False, seed=2)
    paths = sorted(str(p) for p in tmp_path.rglob("*.*") if p.is_file())
    pre = ImagePreprocessConfig(color_mode="rgb", augment=AugmentConfig(enabled=False))
    model = build_image_model("cnn", 2, 32, pre, ImageModelConfig(), n_train=6).model
    state = AppState()
    page = PredictPage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.resize(1024, 700)
    page.show()
    state.set_run(_run("images", paths, names, model, {"image_size": 32, "architecture": "cnn"}))
    with qtbot.waitSignal(page.predictions_ready, timeout=60_000):
        assert page.accept_drops([str(tmp_path)]) is True
    gallery = page.gallery
    assert gallery.count() == len(paths)
    gallery.saliency_toggle.setChecked(True)
    qtbot.waitUntil(lambda: gallery.gallery_model().overlay_count() == len(paths), timeout=60000)


def test_overlays_follow_the_scroll_past_the_cap(
    qtbot, tmp_path, off_at_start, monkeypatch
) -> None:
    from types import SimpleNamespace

    from automl_gui.core.models.images import build_image_model
    from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig
    from automl_gui.gui.widgets import saliency
    from automl_gui.gui.widgets.image_gallery import ImageGallery

    monkeypatch.setattr(saliency, "MAX_OVERLAYS", 4)
    make_class_folders(tmp_path, ["circle", "square"], 20, size=(32, 32), vary_size=False)
    paths = sorted(str(p) for p in tmp_path.rglob("*.*") if p.is_file())
    pre = ImagePreprocessConfig(color_mode="rgb", augment=AugmentConfig(enabled=False))
    model = build_image_model("cnn", 2, 32, pre, ImageModelConfig(), n_train=6).model
    bundle = SimpleNamespace(model=model, metadata={"image_size": 32, "class_names": ["a", "b"]})
    gallery = ImageGallery()
    qtbot.addWidget(gallery)
    gallery.resize(300, 200)
    gallery.show()
    gallery.enable_saliency(lambda: bundle)
    gallery.set_items([(p, "", p) for p in paths])
    gallery.saliency_toggle.setChecked(True)
    model_ = gallery.gallery_model()
    qtbot.waitUntil(lambda: "Scroll for more" in gallery.saliency_status.text(), timeout=60000)
    assert model_.overlay_count() == 4
    gallery.scrollToBottom()
    gallery.saliency_scrolled()
    last = gallery.visible_rows()[1]
    qtbot.waitUntil(lambda: model_.item(last)[0] in model_._overlays, timeout=60000)
