"""Grad-CAM (Selvaraju et al. 2017) for image and audio models: the known answer (a class set
by a small patch puts most of the map on the patch), nested backbones as built and as loaded,
audio maps over a long clip's windows, the files ``explain`` writes, cancel and overlays."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from audio_factory import synth
from PIL import Image

from automl_gui.core.base.errors import CancelledError, ConfigError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig
from automl_gui.core.trust.saliency import (
    EXPLANATIONS_FILE,
    explain_audio,
    explain_images,
    gradcam,
    overlay_rgb,
    time_profile,
)

SIDE, PATCH = 32, 6
CLASSES = ("red", "blue")
COLOURS = {"red": (250, 30, 30), "blue": (30, 30, 250)}


def patch_image(label: str, seed: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Gray noise with a bright ``PATCH``² square of the class's colour at a random place;
    returns the image and the patch's top-left corner."""
    rng = np.random.default_rng(seed)
    img = rng.integers(90, 160, (SIDE, SIDE, 3)).astype(np.float32)
    y, x = (int(v) for v in rng.integers(0, SIDE - PATCH, 2))
    img[y : y + PATCH, x : x + PATCH] = COLOURS[label]
    return img, (y, x)


def patch_share(cam: np.ndarray, corner: tuple[int, int]) -> float:
    y, x = corner
    return float(cam[y : y + PATCH, x : x + PATCH].sum() / max(cam.sum(), 1e-9))


@pytest.fixture(scope="module")
def patch_model():
    """The app's CNN trained briefly on patch images (a few seconds)."""
    import keras

    from automl_gui.core.models.images import build_image_model

    keras.utils.set_random_seed(0)
    pre = ImagePreprocessConfig(color_mode="rgb", augment=AugmentConfig(enabled=False))
    model = build_image_model("cnn", 2, SIDE, pre, ImageModelConfig(), n_train=200).model
    pairs = [patch_image(CLASSES[i % 2], seed=i) for i in range(160)]
    x = np.stack([p[0] for p in pairs])
    y = np.arange(160) % 2
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=5, batch_size=16, shuffle=True, verbose=0)
    return model


def test_most_of_the_map_lies_on_the_patch(patch_model) -> None:
    pairs = [patch_image(CLASSES[i % 2], seed=1000 + i) for i in range(40)]
    x = np.stack([p[0] for p in pairs])
    maps, proba = gradcam(patch_model, x)
    np.testing.assert_allclose(proba, patch_model(x, training=False), atol=1e-5)
    assert np.mean(proba.argmax(1) == np.arange(40) % 2) >= 0.9  # it learned the colours
    assert all(m.shape == (SIDE, SIDE) and m.min() >= 0 and m.max() <= 1 for m in maps)
    shares = np.array([patch_share(m, p[1]) for m, p in zip(maps, pairs, strict=True)])
    area = PATCH * PATCH / SIDE**2  # 3.5 % of the image
    print(
        f"patch share: median {np.median(shares):.3f}, over 3x area {np.mean(shares >= 3 * area):.2f}"
    )
    assert np.median(shares) >= 3 * area
    assert np.mean(shares >= 3 * area) >= 0.75
    # the map of the other class is not the same picture
    other, _ = gradcam(patch_model, x[:4], classes=1 - proba[:4].argmax(1))
    assert any(not np.allclose(a, b) for a, b in zip(other, maps[:4], strict=True))


def _node_counts(backbone) -> dict[str, int]:
    return {layer.name: len(layer._inbound_nodes) for layer in backbone.layers}


def test_a_backbone_as_built_and_as_loaded(tmp_path) -> None:
    """ResNet50 here; InceptionV3 (its concatenated branches) is walked nested once more,
    inside the audio backbone model below: each backbone is built once in this file."""
    from automl_gui.core.export.bundle import load_keras_model
    from automl_gui.core.models.images import build_image_model

    pre = ImagePreprocessConfig(color_mode="rgb", augment=AugmentConfig(enabled=False))
    built = build_image_model("resnet50", 3, 32, pre, ImageModelConfig(), seed=1)
    nodes = _node_counts(built.backbone)
    x = np.random.default_rng(0).uniform(0, 255, (3, 48, 40, 3)).astype(np.float32)
    maps, proba = gradcam(built.model, x)
    np.testing.assert_allclose(proba, built.model(x, training=False), atol=1e-5)
    assert [m.shape for m in maps] == [(48, 40)] * 3
    # the model is left as it was: no layer was called again on new tensors
    assert nodes == _node_counts(built.backbone)
    path = tmp_path / "model.keras"
    built.model.save(path)
    loaded = load_keras_model(path)
    maps2, proba2 = gradcam(loaded, x)
    np.testing.assert_allclose(proba2, proba, atol=1e-5)
    np.testing.assert_allclose(np.stack(maps2), np.stack(maps), atol=1e-4)


def test_explain_images_writes_overlays_and_csv(tmp_path, patch_model) -> None:
    import pandas as pd

    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(5):
        img, _ = patch_image(CLASSES[i % 2], seed=2000 + i)
        Image.fromarray(img.astype(np.uint8)).save(folder / f"im{i}.png")
    (folder / "broken.png").write_bytes(b"not an image")
    bundle = SimpleNamespace(
        model=patch_model, metadata={"class_names": list(CLASSES), "image_size": SIDE}
    )
    events = []
    out = tmp_path / "out"
    result = explain_images(bundle, [str(folder)], out_dir=out, on_event=events.append)
    items = result.items
    assert list(items.columns[:4]) == ["path", "prediction", "confidence", "overlay"]
    good = items[items["error"] == ""]
    assert len(good) == 5 and set(good["prediction"]) <= set(CLASSES)
    assert items.loc[items["error"] != "", "path"].str.endswith("broken.png").all()
    for name in good["overlay"]:
        png = np.asarray(Image.open(out / name))
        assert png.shape == (SIDE, SIDE, 3)
    assert set(result.maps) == set(good["path"]) and "Selvaraju" in result.method
    assert pd.read_csv(out / EXPLANATIONS_FILE).shape[0] == 6
    assert events and events[-1].fraction == pytest.approx(1.0)
    capped = explain_images(bundle, [str(folder)], rows=2)
    assert len(capped.maps) == 2 and capped.notes and not capped.files
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        explain_images(bundle, [str(folder)], cancel=token)
    with pytest.raises(ConfigError):
        explain_images(bundle, [str(folder)], rows=0)


def test_overlay_rgb() -> None:
    image = np.full((20, 30, 3), 128, np.uint8)
    cam = np.zeros((4, 4), np.float32)
    cam[0, 0] = 1.0
    out = overlay_rgb(image, cam)
    assert out.shape == (20, 30, 3) and out.dtype == np.uint8
    assert int(out[0, 0, 0]) - int(out[0, 0, 2]) > 80  # hot: red
    assert np.abs(out[-1, -1].astype(int) - 128).max() <= 25  # cold: the picture shows
    assert overlay_rgb(np.zeros((5, 5), np.uint8), np.ones((2, 2))).shape == (5, 5, 3)


# -- audio --------------------------------------------------------------------------------------
RATE, N = 8000, 4000  # 0.5 s windows


@pytest.fixture(scope="module")
def tone_model():
    """The audio CNN trained briefly on tones against noise bursts."""
    import keras

    from automl_gui.core.models.audio import band_statistics, build_audio_model
    from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig

    keras.utils.set_random_seed(0)
    x = np.stack([synth(("tone", "noise")[i % 2], 0.5, RATE, seed=i) for i in range(32)])
    y = np.arange(32) % 2
    pre = AudioPreprocessConfig(
        sample_rate=RATE, n_mels=32, augment=AudioAugmentConfig(enabled=False)
    )
    mean, var = band_statistics(pre, N, [x])
    built = build_audio_model("cnn", 2, pre, ImageModelConfig(), n_samples=N, band_mean=mean,
                              band_var=var, n_train=32)  # fmt: skip
    built.model.compile(
        optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy"
    )
    built.model.fit(x, y, epochs=5, batch_size=4, shuffle=True, verbose=0)
    from automl_gui.core.models.audio import feature_shape

    meta = {"class_names": ["tone", "noise"], "sample_rate": RATE, "n_samples": N,
            "feature_shape": list(feature_shape(pre, N)), "features": "log_mel"}  # fmt: skip
    return SimpleNamespace(model=built.model, metadata=meta)


def test_audio_map_over_a_long_clip_finds_the_tone(tone_model) -> None:
    from automl_gui.core.trust.saliency import clip_window

    quiet = np.random.default_rng(5).standard_normal(2 * N).astype(np.float32) * 0.005
    clip = np.concatenate([quiet, synth("tone", 0.5, RATE, seed=77)])  # tone in the last third
    window = clip_window(tone_model.metadata)
    maps, proba = gradcam(tone_model.model, clip[None], classes=np.array([0]), clip_window=window)
    np.testing.assert_allclose(proba, tone_model.model(clip[None], training=False), atol=1e-5)
    frames, bands = maps[0].shape
    assert bands == 32 and abs(frames - 3 * clip_window(tone_model.metadata)[1]) <= 1
    profile = time_profile(maps[0])
    third = len(profile) // 3
    ratio = profile[2 * third :].mean() / profile[: 2 * third].mean()
    print(f"tone's third against the rest: {ratio:.2f}")
    assert ratio >= 1.5  # measured 2.14: the map is hottest where the tone is


def test_explain_audio_writes_spectrogram_overlays(tmp_path, tone_model) -> None:
    import soundfile as sf

    folder = tmp_path / "clips"
    folder.mkdir()
    for i, (label, seconds) in enumerate([("tone", 0.5), ("noise", 1.2), ("tone", 0.3)]):
        sf.write(folder / f"c{i}.wav", synth(label, seconds, RATE, seed=300 + i), RATE)
    out = tmp_path / "out"
    result = explain_audio(tone_model, [str(folder)], out_dir=out)
    assert list(result.items["path"].str[-6:]) == ["c0.wav", "c1.wav", "c2.wav"]
    for path, m in result.maps.items():
        seconds = {"c0": 0.5, "c1": 1.2, "c2": 0.3}[path[-6:-4]]
        assert m.shape[1] == 32 and abs(m.shape[0] - seconds * 96) <= 2  # 48 frames a window
    png = np.asarray(Image.open(out / result.items["overlay"][1]))
    assert png.shape[0] == 192 and png.shape[1] >= 480  # bands up, time along x, enlarged
    assert (out / EXPLANATIONS_FILE).is_file()


def test_audio_backbone_map_is_turned_back_to_frames_by_bands() -> None:
    """InceptionV3 at its smallest side (75 px) inside an audio model: the walk through its
    branches, nested in the classifier nested in the window average, leaves it as it was."""
    from automl_gui.core.models.audio import build_audio_model, feature_shape
    from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig

    pre = AudioPreprocessConfig(
        sample_rate=RATE, n_mels=32, augment=AudioAugmentConfig(enabled=False)
    )
    built = build_audio_model("inceptionv3", 2, pre, ImageModelConfig(), n_samples=N, image_size=75)
    nodes = _node_counts(built.backbone)
    frames, bands = feature_shape(pre, N)
    x = np.random.default_rng(1).uniform(-0.5, 0.5, (2, 6000)).astype(np.float32)
    maps, proba = gradcam(built.model, x, clip_window=(N, frames, bands))
    np.testing.assert_allclose(proba, built.model(x, training=False), atol=1e-5)
    assert maps[0].shape[1] == bands and abs(maps[0].shape[0] - 1.5 * frames) <= 1
    assert nodes == _node_counts(built.backbone)


def test_a_chosen_threshold_decides_the_class_explained(tmp_path, patch_model) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    for i in range(4):
        img, _ = patch_image("red", seed=3000 + i)
        Image.fromarray(img.astype(np.uint8)).save(folder / f"red{i}.png")
    meta = {"class_names": list(CLASSES), "image_size": SIDE, "task": "binary"}
    meta["threshold"] = {"positive": "blue", "value": 0.0, "chosen": "by hand"}  # always blue
    bundle = SimpleNamespace(model=patch_model, metadata=meta)
    result = explain_images(bundle, [str(folder)])
    assert set(result.items["prediction"]) == {"blue"}
    paths = list(result.items["path"])
    x = np.stack([np.asarray(Image.open(p).convert("RGB"), np.float32) for p in paths])
    blue, _ = gradcam(patch_model, x, classes=np.ones(len(paths), int))
    np.testing.assert_allclose(np.stack([result.maps[p] for p in paths]), np.stack(blue), atol=1e-5)
