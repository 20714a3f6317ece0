"""Training survives a crash, for the file kinds: an image training resumed after a crash,
and a pretrained backbone resumed in its fine-tune phase (split from test_checkpoint.py so
``--dist loadfile`` spreads the two heavy halves over workers)."""

from __future__ import annotations

import pytest

from automl_gui.core.train.checkpoint import read_checkpoint


class Crash(Exception):
    """Stands for a kill (an exception out of the training)."""


def _crash_at(epoch: int, events: list | None = None):
    """An event callback that records the events in ``events`` and 'crashes' once epoch
    ``epoch`` (1-based) has been checkpointed: at the end of the next epoch, before that one
    is saved."""

    def on_event(event):
        from automl_gui.core.base.events import EpochEnd

        if events is not None:
            events.append(event)
        if isinstance(event, EpochEnd) and event.epoch == epoch:
            raise Crash()

    return on_event


def test_an_image_training_resumes_after_a_crash(tmp_path):
    from image_factory import make_class_folders
    from kind_jobs import train_kind

    from automl_gui.core.base.events import EpochEnd, Log
    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.train.config import TrainConfig

    dataset = scan_images(str(make_class_folders(tmp_path / "shapes", per_class=6, size=(16, 16))))

    def settings():
        pre = ImagePreprocessConfig(image_size=16)
        pre.augment.enabled = False
        training = TrainConfig(epochs=3, batch_size=8, seed=1, early_stopping=False)
        return dataset, pre, ImageModelConfig(architecture="cnn"), training

    folder = tmp_path / "ck"
    with pytest.raises(Crash):
        train_kind(IMAGES, *settings(), checkpoint_dir=folder, on_event=_crash_at(2))
    info = read_checkpoint(folder)
    assert (info.kind, info.phase, info.epochs_done) == ("images", "train", 2)

    events: list = []
    run = train_kind(
        IMAGES, *settings(), checkpoint_dir=folder, resume=True, on_event=events.append
    )
    assert "Resuming from epoch 3 of 3." in [e.message for e in events if isinstance(e, Log)]
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [0, 1, 2]
    assert run.result.epochs_run == 3 and len(run.history["loss"]) == 3
    assert run.history["loss"][:2] == pytest.approx(info.history["loss"])
    assert run.report["n_samples"] > 0
    assert read_checkpoint(folder) is None


def test_a_backbone_trains_in_two_phases_and_resumes_in_its_fine_tune_phase(tmp_path):
    """ResNet50 on a weights file saved here: the head trains on cached features, then
    fine-tuning; crashed while fine-tuning, the head phase is not run again (its result and
    weights are in the checkpoint) and fine-tuning continues from its last epoch. (One
    backbone training for both: it was also test_images_pipeline.py's two-phase test.)"""
    from image_factory import make_class_folders, save_legacy_notop_weights
    from kind_jobs import train_kind

    from automl_gui.core.base import lazy
    from automl_gui.core.base.events import EpochEnd, Log, PhaseChanged
    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
    from automl_gui.core.train.config import TrainConfig

    keras = lazy.keras()
    weights = save_legacy_notop_weights(
        keras.applications.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3)),
        tmp_path / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
    )
    dataset = scan_images(str(make_class_folders(tmp_path / "shapes", per_class=6, size=(24, 24))))

    def settings():
        pre = ImagePreprocessConfig(image_size=32)
        pre.augment.enabled = False  # the head trains on cached features
        model = ImageModelConfig(
            architecture="resnet50",
            weights_path=str(weights),
            fine_tune_layers=4,
            fine_tune_epochs=2,
        )
        return dataset, pre, model, TrainConfig(epochs=2, batch_size=16, early_stopping=False)

    folder = tmp_path / "ck"
    first: list = []
    with pytest.raises(Crash):  # epochs 0-1 the head, 2-3 fine-tuning: crash in epoch 4
        train_kind(IMAGES, *settings(), checkpoint_dir=folder, on_event=_crash_at(3, first))
    phases = [e for e in first if isinstance(e, PhaseChanged)]
    assert [p.phase for p in phases] == ["head", "fine-tune"] and phases[1].epoch == 2
    epochs = [e for e in first if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [0, 1, 2, 3] and all(e.epochs == 4 for e in epochs)
    assert any(isinstance(e, Log) and "cached backbone features" in e.message for e in first)
    info = read_checkpoint(folder)
    assert (info.phase, info.epochs_done, info.epoch_offset) == ("fine-tune", 1, 2)
    assert info.describe().startswith("Training was interrupted after epoch 3 of 4 (")

    events: list = []
    run = train_kind(
        IMAGES, *settings(), checkpoint_dir=folder, resume=True, on_event=events.append
    )
    logs = [e.message for e in events if isinstance(e, Log)]
    assert "Resuming from epoch 4 of 4." in logs
    assert not any("cached backbone features" in line for line in logs)  # no head phase
    assert [p.phase for p in events if isinstance(p, PhaseChanged)] == ["head", "fine-tune"]
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [0, 1, 2, 3]
    assert run.phases == [("head", 0), ("fine-tune", 2)]
    assert len(run.history["loss"]) == 4 and run.result.epochs_run == 4
    assert run.history["loss"][2] == pytest.approx(info.history["loss"][0])
    assert run.metadata["architecture"] == "resnet50"
    assert read_checkpoint(folder) is None
