"""The image and audio folders and the short runs trained on them, shared by each kind's
pipeline tests and the tests both kinds share (test_file_kinds_pipeline.py): one training per
kind for the whole session."""

from __future__ import annotations

import pytest
from audio_factory import make_class_folders as make_sound_folders
from image_factory import make_class_folders as make_shape_folders
from kind_jobs import train_kind

from automl_gui.core.data.audio import scan_audio
from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig

#: the sample rate of the audio run
AUDIO_RATE = 8000


@pytest.fixture(scope="session")
def image_folder(tmp_path_factory):
    """3 classes × 14 shapes of 32 × 32 px."""
    root = tmp_path_factory.mktemp("shapes")
    return make_shape_folders(root, per_class=14, size=(32, 32), seed=3)


@pytest.fixture(scope="session")
def image_run(image_folder):
    """A compact CNN trained 3 epochs on ``image_folder``: (run, events, dataset)."""
    events: list = []
    dataset = scan_images(str(image_folder))
    pre = ImagePreprocessConfig(image_size=32)
    pre.augment.enabled = False
    run = train_kind(
        IMAGES,
        dataset,
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=3, batch_size=8, seed=1),
        on_event=events.append,
    )
    return run, events, dataset


@pytest.fixture(scope="session")
def audio_folder(tmp_path_factory):
    """4 classes × 8 clips: every format, 8/16/22/44 kHz, stereo and mono, 0.4-0.8 s."""
    root = tmp_path_factory.mktemp("sounds")
    return make_sound_folders(root, per_class=8, seconds=(0.4, 0.8), seed=2)


@pytest.fixture(scope="session")
def audio_run(audio_folder):
    """Auto (a compact CNN here) trained 2 epochs on ``audio_folder``: (run, events, dataset)."""
    events: list = []
    dataset = scan_audio(str(audio_folder))
    pre = AudioPreprocessConfig(sample_rate=AUDIO_RATE, n_mels=24, window_ms=32, hop_ms=16)
    pre.augment.enabled = False
    run = train_kind(
        AUDIO,
        dataset,
        pre,
        ImageModelConfig(architecture="auto"),
        TrainConfig(epochs=2, batch_size=8, seed=1),
        on_event=events.append,
    )
    return run, events, dataset


@pytest.fixture(autouse=True)
def _small_baseline_forests(request, monkeypatch):
    """Searches in these tests train the scikit-learn baselines in-process: their forests grow
    40 trees in chunks of 20 (the same code path as 200 in chunks of 25, a fraction of the
    suite's time on two cores). test_baselines.py sets its own."""
    if "search" not in request.node.path.name and request.node.path.name != "test_cv.py":
        return
    from automl_gui.core.tune.search import baselines

    monkeypatch.setattr(baselines, "FOREST_TREES", 40)
    monkeypatch.setattr(baselines, "FOREST_CHUNK", 20)
    monkeypatch.setattr(baselines, "BOOSTING_ITERS", 40)
