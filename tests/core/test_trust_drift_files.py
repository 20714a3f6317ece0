"""Drift of images and clips on the model's own embedding (``core.trust.drift``).

Known answers: a CNN trained through the real job on generated shapes; images from another
distribution (colours inverted, plain noise) drift, new images drawn like the training ones
do not. An audio model answering long clips from several windows gives one embedding per
clip, and the clips it was referenced on do not drift.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import image_factory
import numpy as np
import pytest
from kind_jobs import train_kind
from PIL import Image, ImageOps

from automl_gui.core.trust._drift_files import conformal_threshold, embedding_model
from automl_gui.core.trust.drift import DRIFT_KEY, DriftReport, files_drift, files_reference

SIZE = 16


def _paths(folder: Path) -> list[str]:
    return sorted(str(p) for p in folder.rglob("*.png"))


def _image_batches(paths: list[str], batch: int = 32):
    from automl_gui.core.preprocess.images import make_dataset

    return make_dataset(paths, np.zeros(len(paths), "int32"), SIZE, batch, shuffle=False)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """(bundle with its drift reference, folders: new alike, inverted, noise)."""
    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.train.config import TrainConfig

    root = tmp_path_factory.mktemp("drift_shapes")
    make = image_factory.make_class_folders
    kw = {"size": (SIZE, SIZE), "vary_size": False, "formats": ("png",), "modes": False}
    train = make(root / "train", per_class=20, seed=1, **kw)
    held = make(root / "held", per_class=34, seed=2, **kw)  # the validation items' stand-in
    alike = make(root / "alike", per_class=20, seed=3, **kw)
    inverted, noise = root / "inverted", root / "noise"
    rng = np.random.default_rng(4)
    for folder in (inverted, noise):
        folder.mkdir()
    for i, path in enumerate(_paths(alike)):
        ImageOps.invert(Image.open(path).convert("RGB")).save(inverted / f"{i:03d}.png")
        pixels = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
        Image.fromarray(pixels, "RGB").save(noise / f"{i:03d}.png")
    pre = ImagePreprocessConfig(image_size=SIZE)
    pre.augment.enabled = False
    run = train_kind(
        IMAGES,
        scan_images(str(train)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=2, batch_size=16, seed=1),
    )
    reference = files_reference(
        run.model, _image_batches(_paths(train)), _image_batches(_paths(held))
    )
    bundle = run.bundle
    bundle = dataclasses.replace(bundle, metadata={**bundle.metadata, DRIFT_KEY: reference})
    return bundle, {"alike": alike, "inverted": inverted, "noise": noise}


def test_the_reference_describes_the_classifier_input(shapes) -> None:
    bundle, _ = shapes
    reference = bundle.metadata[DRIFT_KEY]
    assert reference["type"] == "embeddings" and reference["layer"] == "probabilities"
    assert reference["train_items"] == 60 and reference["validation_items"] == 102
    assert reference["mean"]["shape"] == [reference["dim"]]
    assert reference["expected_share"] == pytest.approx(5 / 103, abs=1e-5)


@pytest.mark.parametrize("folder", ["inverted", "noise"])
def test_images_of_another_distribution_drift(shapes, folder: str) -> None:
    bundle, folders = shapes
    report = bundle.kind.drift(bundle, [str(folders[folder])])
    assert isinstance(report, DriftReport)
    assert report.drifted == ["embeddings"], report.table.to_dict("records")
    assert report.compared == 60
    assert report.summary().startswith("The images differ from the training data:")


def test_new_images_drawn_like_the_training_ones_do_not_drift(shapes) -> None:
    bundle, folders = shapes
    report = files_drift(bundle, [str(folders["alike"])])
    assert report.drifted == [], report.table.to_dict("records")
    assert report.table.loc[0, "score"] < 0.15
    assert report.summary().startswith("No drift:")


def test_a_model_without_a_reference_says_nothing(shapes) -> None:
    bundle, folders = shapes
    metadata = {k: v for k, v in bundle.metadata.items() if k != DRIFT_KEY}
    older = dataclasses.replace(bundle, metadata=metadata)
    assert files_drift(older, [str(folders["alike"])]) is None


def test_a_backbone_sized_reference_stays_small() -> None:
    import json

    from automl_gui.core.trust._drift_files import distances, fit_gaussian

    rng = np.random.default_rng(0)
    train = rng.gamma(1.0, 1.0, (500, 2048))  # pooled ReLU features of a 2,048-wide backbone
    gaussian = fit_gaussian(train)
    assert len(json.dumps(gaussian, indent=2)) < 150_000
    typical = distances(rng.gamma(1.0, 1.0, (200, 2048)), gaussian)
    assert 0.8 < np.median(typical) < 1.3  # about 1 for an item like the training ones


def test_the_conformal_threshold_leaves_at_most_alpha_beyond() -> None:
    threshold, expected = conformal_threshold(np.arange(1, 101, dtype=float))
    assert threshold == 96 and expected == pytest.approx(5 / 101)
    threshold, expected = conformal_threshold(np.arange(1, 7, dtype=float))  # too few: the max
    assert threshold == 6 and expected == pytest.approx(1 / 7)


def test_an_audio_model_gives_one_embedding_per_clip_of_any_length(tmp_path) -> None:
    import audio_factory

    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.models.audio import build_audio_model
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.audio import load_audio
    from automl_gui.core.preprocess.audio_config import AudioAugmentConfig, AudioPreprocessConfig

    rate, n = 8000, 4000  # a window of 0.5 s; the clips last 0.4-1.6 s (up to 5 windows)
    folder = audio_factory.make_class_folders(
        tmp_path / "clips", ("tone", "chirp"), 4, seconds=(0.4, 1.6), rates=(8000,), seed=1
    )
    pre = AudioPreprocessConfig(
        sample_rate=rate, n_mels=16, augment=AudioAugmentConfig(enabled=False)
    )
    model = build_audio_model("cnn", 2, pre, ImageModelConfig(), n_samples=n).model
    both, layer = embedding_model(model)
    paths = sorted(str(p) for p in Path(folder).rglob("*.*"))
    clips = [load_audio(p, rate)[None, :] for p in paths]  # each whole, as predict reads it
    embedded = [np.asarray(both(c, training=False)[1]) for c in clips]
    windows = {len(e) for e in embedded}
    assert windows != {1}  # some clips answer from several windows...
    reference = files_reference(model, clips, clips)  # ...and give one row each here
    assert reference["train_items"] == len(paths) and reference["layer"] == layer
    metadata = {
        "kind": "audio",
        "task": "binary",
        "class_names": ["tone", "chirp"],
        "sample_rate": rate,
        "n_samples": n,
        "clip_seconds": n / rate,
        DRIFT_KEY: reference,
    }
    report = files_drift(Bundle(model=model, metadata=metadata), [str(folder)])
    assert report.compared == len(paths)
    assert report.drifted == []
