"""The Predict page's tests' image and audio models, runs and folders (test_files_predict.py;
the audio model is also the export dialog's test model).

The models are tiny Keras networks built here (no training), wrapped in a Run as the pipeline
makes them; predictions go through the real ``predict_images`` / ``predict_audio``."""

from __future__ import annotations

from pathlib import Path

import audio_factory
import image_factory
import numpy as np

from automl_gui.core.jobs.run import Run
from automl_gui.core.train.result import TrainResult

#: the image model's input size (px) and the broken files of its folder
IMAGE_SIZE = 32
IMAGE_CLASSES = image_factory.CLASSES
IMAGE_BROKEN = ("zero.png", "truncated.jpg", "text.jpg")
#: the audio model's classes, sample rate and clip length, and the broken files of its folder
AUDIO_CLASSES = ("tone", "chirp", "noise")
RATE = 8000
SECONDS = 0.5
AUDIO_BROKEN = ("empty.wav", "page.mp3", "cut.flac")


def image_model():
    """Mean colour → class: red circles, blue squares, green triangles (CLASSES order)."""
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
    x = keras.layers.Rescaling(1 / 255.0)(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    dense = keras.layers.Dense(3, activation="softmax")
    outputs = dense(x)
    # R → circle, B → square, G → triangle; the grey background adds the same to each
    dense.set_weights([np.array([[60, 0, 0], [0, 0, 60], [0, 60, 0]], "float32"), np.zeros(3)])
    return keras.Model(inputs, outputs)


def audio_model(n_classes: int = len(AUDIO_CLASSES), seed: int = 3):
    """Waveform (any length) → class probabilities: a strided convolution, pooling, softmax."""
    from automl_gui.core.base import lazy

    keras = lazy.keras()
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((None,), name="waveform")
    x = keras.layers.Reshape((-1, 1))(inputs)
    x = keras.layers.Conv1D(4, 16, strides=8, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def _run(model, metadata: dict) -> Run:
    return Run(
        model=model,
        metadata={"task": "multiclass", "architecture": "cnn", **metadata},
        report={},
        history={},
        result=TrainResult(),
        test_predictions=None,
    )


def image_run() -> Run:
    return _run(
        image_model(),
        {"kind": "images", "class_names": list(IMAGE_CLASSES), "image_size": IMAGE_SIZE},
    )


def audio_run() -> Run:
    return _run(
        audio_model(),
        {
            "kind": "audio",
            "class_names": list(AUDIO_CLASSES),
            "features": "log-mel",
            "sample_rate": RATE,
            "clip_seconds": SECONDS,
            "n_samples": int(RATE * SECONDS),
        },
    )


def image_folder(root: Path) -> Path:
    """3 classes × 4 images (one class in a nested folder), 3 broken files, hidden/other."""
    size = (IMAGE_SIZE, IMAGE_SIZE)
    image_factory.make_class_folders(root / "batch", IMAGE_CLASSES[:2], 4, size=size, seed=5)
    image_factory.make_class_folders(
        root / "batch" / "more", IMAGE_CLASSES[2:], 4, size=size, seed=6
    )
    image_factory.write_zero_bytes(root / "batch" / IMAGE_BROKEN[0])
    image_factory.write_truncated(root / "batch" / IMAGE_BROKEN[1])
    image_factory.write_not_an_image(root / "batch" / IMAGE_BROKEN[2])
    image_factory.write_hidden_and_other(root / "batch")
    return root / "batch"


def audio_folder(root: Path) -> Path:
    """3 classes × 3 clips (one class in a nested folder), 3 broken files, a text file."""
    root = root / "batch"
    kw = {"seconds": (0.3, 0.7), "rates": (8000, 16000), "formats": ("wav", "flac", "ogg")}
    audio_factory.make_class_folders(root, AUDIO_CLASSES[:2], 3, seed=5, **kw)
    audio_factory.make_class_folders(root / "more", AUDIO_CLASSES[2:], 3, seed=6, **kw)
    audio_factory.write_empty(root / AUDIO_BROKEN[0])
    audio_factory.write_text_as_audio(root / AUDIO_BROKEN[1])
    audio_factory.write_truncated(root / AUDIO_BROKEN[2], keep=0.3)
    (root / "notes.txt").write_text("not a clip")
    return root


def expected_images(model, paths: list[str]) -> np.ndarray:
    """What the image model answers for ``paths`` (decoded as the app does)."""
    from automl_gui.core.preprocess.images import load_images

    return np.asarray(model.predict(load_images(paths, IMAGE_SIZE), verbose=0))


def expected_clips(model, paths: list[str]) -> np.ndarray:
    """What the audio model answers for ``paths`` (decoded as the app does)."""
    from automl_gui.core.preprocess.audio import load_clips

    return np.asarray(model.predict(load_clips(paths, RATE, int(RATE * SECONDS)), verbose=0))
