"""Phase 1 of transfer learning: cached backbone features vs. fitting the frozen model.

With augmentation off, every epoch of phase 1 would push each image through the frozen
ResNet50 again, only to train the small head on top. The pipeline instead runs the backbone
once over the training and validation images and trains the head on those cached features.
Both ways start from the same head weights and train it for 10 epochs on the same images
(generated shapes, 64×64, ResNet50 with weights from a file saved here: ImageNet weights
cannot be downloaded on this machine; the cost is the same). Target: ≥ 5× faster, and the
validation accuracy of both within 0.1 of each other.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _common import REPO, result, run_main

NAME = "cached_features"
TARGET = 5.0
EPOCHS = 10
PER_CLASS_TRAIN = 60
PER_CLASS_VAL = 20
SIZE = 64
BATCH = 32


def body() -> dict:
    sys.path.insert(0, str(REPO / "tests"))
    import numpy as np
    from image_factory import make_class_folders

    from automl_gui.core.base import lazy
    from automl_gui.core.kinds._image_media import _cached_features
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.models.images import build_image_model
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.preprocess.images import make_dataset
    from automl_gui.core.train.config import TrainConfig
    from automl_gui.core.train.trainer import Trainer

    keras = lazy.keras()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cached-"))
    train_dir = make_class_folders(tmp / "train", per_class=PER_CLASS_TRAIN, size=(SIZE, SIZE))
    val_dir = make_class_folders(tmp / "val", per_class=PER_CLASS_VAL, size=(SIZE, SIZE), seed=5)
    classes = sorted(p.name for p in train_dir.iterdir())

    def listing(root: Path) -> tuple[list[str], np.ndarray]:
        paths = sorted(str(p) for p in root.rglob("*") if p.is_file())
        labels = np.array([classes.index(Path(p).parent.name) for p in paths], dtype="int32")
        return paths, labels

    train_paths, y_train = listing(train_dir)
    val_paths, y_val = listing(val_dir)
    pre = ImagePreprocessConfig(image_size=SIZE)
    pre.augment.enabled = False
    keras.utils.set_random_seed(0)
    built = build_image_model(
        "resnet50",
        len(classes),
        SIZE,
        pre,
        ImageModelConfig(architecture="resnet50"),
        n_train=len(train_paths),
    )
    head_start = built.head.get_weights()
    training = TrainConfig(epochs=EPOCHS, batch_size=BATCH, early_stopping=False, seed=0)

    # (a) plain: fit the whole (frozen-backbone) model, images through the backbone each epoch
    def make_train(b: int):
        return make_dataset(train_paths, y_train, SIZE, b, shuffle=True, seed=0)

    def make_val(b: int):
        return make_dataset(val_paths, y_val, SIZE, b)

    t0 = time.perf_counter()
    plain = Trainer(training).fit_dataset(
        built.model, "multiclass", make_train, make_val, len(train_paths)
    )
    plain_s = time.perf_counter() - t0
    plain_acc = max(plain.history["val_accuracy"])

    # (b) cached: the backbone once, then the head on the features
    built.head.set_weights(head_start)
    from automl_gui.core.base.events import CancelToken

    t0 = time.perf_counter()
    f_train, fy_train = _cached_features(
        built.feature_model, train_paths, y_train, SIZE, BATCH, "training", None, CancelToken()
    )
    f_val, fy_val = _cached_features(
        built.feature_model, val_paths, y_val, SIZE, BATCH, "validation", None, CancelToken()
    )
    name = built.head.inputs[0].name
    cached = Trainer(training).fit(
        built.head, "multiclass", {name: f_train}, fy_train, {name: f_val}, fy_val
    )
    cached_s = time.perf_counter() - t0
    cached_acc = max(cached.history["val_accuracy"])

    speedup = plain_s / cached_s
    same = abs(plain_acc - cached_acc) <= 0.1
    return result(
        NAME,
        "speed-up",
        round(speedup, 2),
        "×",
        f">= {TARGET}× (10 head epochs), accuracy within 0.1",
        speedup >= TARGET and same,
        summary=(
            f"{speedup:.1f}× ({plain_s:.1f} s → {cached_s:.1f} s); "
            f"val acc {plain_acc:.2f} vs {cached_acc:.2f}"
        ),
        plain_seconds=round(plain_s, 2),
        cached_seconds=round(cached_s, 2),
        plain_val_accuracy=round(plain_acc, 3),
        cached_val_accuracy=round(cached_acc, 3),
        train_images=len(train_paths),
        val_images=len(val_paths),
        image_size=SIZE,
        epochs=EPOCHS,
    )


if __name__ == "__main__":
    raise SystemExit(run_main(NAME, body))
