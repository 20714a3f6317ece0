"""Image defaults that fit the data (issue 17): grayscale when every image is gray, no flips
unless asked, epochs at Auto scaled from the training set, old settings kept as saved."""

from __future__ import annotations

import numpy as np
import pytest
from image_factory import draw, save
from kind_jobs import train_kind
from PIL import Image

from automl_gui.core.base.events import Log
from automl_gui.core.data.images import ImageItem, scan_images
from automl_gui.core.kinds import kind_named
from automl_gui.core.kinds.images import (
    AUTO_EPOCHS_MAX,
    AUTO_EPOCHS_MIN,
    AUTO_STEPS,
    IMAGES,
    SEARCH_EPOCHS,
)
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import AugmentConfig, ImagePreprocessConfig
from automl_gui.core.preprocess.images import resolve_color_mode


def _gray_digits(root, per_class: int = 14, size: int = 16):
    """Two classes of gray strokes (mode L PNGs): a vertical bar and a horizontal one."""
    rng = np.random.default_rng(0)
    for label in ("bar", "dash"):
        for i in range(per_class):
            pixels = rng.integers(0, 40, (size, size)).astype("uint8")
            at = int(rng.integers(3, size - 3))
            if label == "bar":
                pixels[2:-2, at - 1 : at + 1] = 230
            else:
                pixels[at - 1 : at + 1, 2:-2] = 230
            (root / label).mkdir(parents=True, exist_ok=True)
            Image.fromarray(pixels, "L").save(root / label / f"{i:03d}.png")
    return root


@pytest.fixture(scope="module")
def gray_folder(tmp_path_factory):
    return _gray_digits(tmp_path_factory.mktemp("gray"))


@pytest.fixture(scope="module")
def gray_run(gray_folder):
    """The image kind's defaults (colour mode, augmentation, epochs at Auto) on gray images;
    patience 1 and a larger step (0.01: these strokes are learned in a few epochs, then the
    validation loss stops falling; at 0.001 it falls a little every epoch for ~23) keep it
    short."""
    events: list = []
    training = IMAGES.default_training()
    training.patience, training.batch_size, training.seed = 1, 8, 1
    training.learning_rate = 0.01
    run = train_kind(
        IMAGES,
        scan_images(str(gray_folder)),
        IMAGES.default_preprocess(None),
        ImageModelConfig(architecture="cnn"),
        training,
        on_event=events.append,
    )
    return run, [e.message for e in events if isinstance(e, Log)]


# -- colour mode --------------------------------------------------------------------------------
class _Items:
    def __init__(self, modes: list[str]) -> None:
        self.items = [ImageItem(f"/x/{i}.png", "a", mode=m) for i, m in enumerate(modes)]

    def gray_count(self) -> int:
        from automl_gui.core.data.images import GRAY_MODES

        return sum(1 for i in self.items if i.mode in GRAY_MODES)


def test_auto_colour_mode_is_grayscale_only_when_every_image_is_gray():
    auto = ImagePreprocessConfig()
    assert auto.color_mode == "auto"
    mode, note = resolve_color_mode(auto, _Items(["L", "L", "I;16", "LA", "1"]))
    assert (mode, note) == ("grayscale", "Auto chose grayscale: all 5 images are gray.")
    mode, note = resolve_color_mode(auto, _Items(["L", "RGB", "P", "L"]))
    assert (mode, note) == ("rgb", "Auto chose RGB: 2 of 4 images are in colour.")
    for chosen in ("rgb", "grayscale"):  # a choice stays the user's
        assert resolve_color_mode(ImagePreprocessConfig(color_mode=chosen), _Items(["L"]))[0] == (
            chosen
        )


def test_the_scan_counts_gray_images_from_their_headers(tmp_path):
    for i, mode in enumerate(("L", "L", "RGBA", "P")):
        save(draw("circle", seed=i), tmp_path / "a" / f"{i}.png", "png", mode)
        save(draw("square", seed=i), tmp_path / "b" / f"{i}.png", "png", "L")
    assert scan_images(str(tmp_path)).gray_count() == 6


def test_defaults_train_gray_images_in_grayscale_and_say_so(gray_run):
    run, logs = gray_run
    assert run.metadata["color_mode"] == "grayscale"
    assert run.metadata["preprocess"]["color_mode"] == "grayscale"
    assert "Auto chose grayscale: all 28 images are gray." in logs
    # the model still takes RGB images of any size (its input contract)
    assert tuple(run.model.inputs[0].shape[1:]) == (None, None, 3)
    assert run.model.get_layer("block1_conv1").kernel.shape[2] == 1


# -- augmentation -------------------------------------------------------------------------------
def test_no_flip_by_default_and_saved_flips_are_kept():
    assert AugmentConfig().flip == "none"
    assert IMAGES.default_preprocess(None).augment.flip == "none"
    assert AugmentConfig().active  # the small rotation, zoom, shift... stay on
    old = ImagePreprocessConfig.from_dict(
        {"color_mode": "rgb", "augment": {"flip": "horizontal", "enabled": True}}
    )
    assert (old.color_mode, old.augment.flip) == ("rgb", "horizontal")
    assert ImagePreprocessConfig.from_dict({}).color_mode == "auto"


# -- epochs ---------------------------------------------------------------------------------------
def test_epochs_at_auto_scale_with_the_optimizer_steps():
    assert IMAGES.default_training().epochs == 0  # Auto
    assert IMAGES.search_epochs() == SEARCH_EPOCHS
    small, digits, big = (IMAGES.epochs_for(n, 64) for n in (200, 1258, 50_000))
    assert small == AUTO_EPOCHS_MAX
    assert digits == -(-AUTO_STEPS // 20)  # 1,258 images in 20 batches of 64
    assert big == AUTO_EPOCHS_MIN
    sizes = [IMAGES.epochs_for(n, 32) for n in (10, 500, 2_000, 8_000, 30_000, 200_000)]
    assert sizes == sorted(sizes, reverse=True)
    assert all(AUTO_EPOCHS_MIN <= e <= AUTO_EPOCHS_MAX for e in sizes)
    # audio and text share the files kinds' rule; tables keep their fixed 100
    assert kind_named("text").epochs_for(1258, 64) == digits
    assert kind_named("tabular").epochs_for(1258, 64) == 100


def test_a_run_at_auto_epochs_logs_its_cap_and_stops_early(gray_run):
    run, logs = gray_run
    cap = IMAGES.epochs_for(run.metadata["data"]["train_images"], 8)
    assert f"Auto epochs: at most {cap} (early stopping usually ends sooner)." in logs
    assert run.result.epochs_run < cap and run.result.stopped_reason == "early_stopping"
    assert run.report["metrics"]["accuracy"] >= 0.75
