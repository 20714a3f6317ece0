"""What the AutoML search tests on image and audio folders share (test_files_search.py and
test_files_search_runs.py, two files so ``--dist loadfile`` runs them on two workers):
the folders, a space of small CNNs whose chosen trials fail or crash, and the search call."""

from __future__ import annotations

import audio_factory
import pytest
from image_factory import make_class_folders

from automl_gui.core.base.errors import ModelError
from automl_gui.core.data.audio import scan_audio
from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds import kind_named
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search.files_space import ImageSpace
from automl_gui.core.tune.search.jobs import SearchRequest, search


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    make_class_folders(root, per_class=12, size=(32, 32), vary_size=False, seed=3)
    return scan_images(str(root))


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    root = tmp_path_factory.mktemp("sounds")
    audio_factory.make_class_folders(
        root, ("low", "high"), per_class=10, seconds=(0.5, 0.5), rates=(8000,), seed=2
    )
    return scan_audio(str(root))


class _Images(ImageSpace):
    """Small CNNs only; chosen trials fail (an out-of-memory error) or crash the process."""

    def __init__(self, fail=(), crash=()):
        pre = ImagePreprocessConfig()
        super().__init__(pre, ImageModelConfig(), {}, cnn_size=32, widths=(16,), augments=("none",))
        self.cnn_sizes = [16, 32]
        self.fail, self.crash = set(fail), set(crash)

    def before_trial(self, trial_id, settings):
        if trial_id in self.crash:
            raise _Crash(trial_id)
        if trial_id in self.fail:
            raise ModelError("Out of memory even at batch size 8.", "Use a smaller model.")
        return settings


class _Crash(BaseException):
    """Stands for the process dying mid-trial (not an Exception: nothing catches it)."""


def _search(dataset, config, *, space=None, training=None, **kwargs):
    events = {k: kwargs.pop(k) for k in ("on_event", "cancel") if k in kwargs}
    request = SearchRequest(
        kind_named("images"),
        dataset,
        ImagePreprocessConfig(),
        ImageModelConfig(),
        config,
        training or TrainConfig(epochs=1, batch_size=8, seed=1),
        space=space or _Images(),
        **kwargs,
    )
    return search(request, **events)
