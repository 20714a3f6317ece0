"""The image job end to end: scan → split → build → (two phases) → evaluate → predict (saving,
exports and collecting files, as for audio, are in test_file_kinds_pipeline.py)."""

from __future__ import annotations

import numpy as np
import pytest
from image_factory import write_truncated
from kind_jobs import train_kind

from automl_gui.core.base.events import EpochEnd, Log
from automl_gui.core.data.images import scan_images
from automl_gui.core.kinds._image_media import predict_images
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.image_config import ImagePreprocessConfig
from automl_gui.core.train.config import TrainConfig


def test_cnn_run_has_a_report_predictions_and_metadata(image_run):
    run, events, dataset = image_run
    names = run.metadata["class_names"]
    assert names == ["circle", "square", "triangle"]
    assert run.metadata["kind"] == "images" and run.metadata["architecture"] == "cnn"
    assert run.metadata["image_size"] == 32
    n_test = run.metadata["data"]["test_images"]
    assert n_test > 0 and run.report["n_samples"] == n_test
    assert np.array(run.report["confusion_matrix"]).sum() == n_test
    df = run.test_predictions
    assert list(df.columns[:4]) == ["path", "actual", "prediction", "confidence"]
    assert {f"probability_{n}" for n in names} <= set(df.columns)
    assert np.allclose(df[[f"probability_{n}" for n in names]].sum(axis=1), 1.0, atol=1e-4)
    assert run.phases == [("train", 0)]
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == list(range(run.result.epochs_run))
    assert any(isinstance(e, Log) and "Compact CNN" in e.message for e in events)
    wrong = run.confidently_wrong()
    assert (wrong["actual"] != wrong["prediction"]).all()
    assert list(wrong["confidence"]) == sorted(wrong["confidence"], reverse=True)


def test_predict_images_matches_the_run_and_reports_broken_files(image_run, image_folder, tmp_path):
    run = image_run[0]
    test = run.test_predictions.head(6)
    extra = tmp_path / "more"
    write_truncated(extra / "broken.png", "png")
    df = predict_images(run.bundle, [*test["path"], str(extra)])
    assert list(df.columns[:3]) == ["path", "prediction", "confidence"]
    assert df.columns[-1] == "error"
    broken = df[df["path"].str.endswith("broken.png")]
    assert len(broken) == 1 and broken["error"].iloc[0] and broken["prediction"].iloc[0] == ""
    good = df[df["error"] == ""].set_index("path")
    for _, row in test.iterrows():
        assert good.loc[row["path"], "prediction"] == row["prediction"]
        assert abs(good.loc[row["path"], "confidence"] - row["confidence"]) < 1e-4


def test_auto_without_pretrained_weights_trains_the_cnn(image_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("AUTOML_GUI_WEIGHTS", raising=False)
    from automl_gui.core.models import weights

    monkeypatch.setattr(weights, "find_weights", lambda *a, **k: None)
    events: list = []
    pre = ImagePreprocessConfig(image_size=32)
    pre.augment.enabled = False
    run = train_kind(
        IMAGES,
        scan_images(str(image_folder)),
        pre,
        ImageModelConfig(architecture="auto"),
        TrainConfig(epochs=1, batch_size=16),
        on_event=events.append,
    )
    assert run.metadata["architecture"] == "cnn"
    assert any(isinstance(e, Log) and e.message.startswith("Auto: a compact CNN") for e in events)


def test_missing_weights_without_download_names_the_file(image_folder, tmp_path, monkeypatch):
    from automl_gui.core.models.weights import WeightsMissingError

    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("AUTOML_GUI_WEIGHTS", raising=False)
    from automl_gui.core.models import weights

    monkeypatch.setattr(weights, "find_weights", lambda *a, **k: None)
    with pytest.raises(WeightsMissingError) as info:
        train_kind(
            IMAGES,
            scan_images(str(image_folder)),
            ImagePreprocessConfig(image_size=32),
            ImageModelConfig(architecture="resnet50", allow_download=False),
            TrainConfig(epochs=1),
        )
    assert "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5" in str(info.value)
    assert info.value.spec is not None and info.value.folders


def test_training_in_the_engine_process_returns_a_usable_model(image_folder):
    from automl_gui.core.jobs import EngineProcess, TrainRequest, run_isolated, train

    process = EngineProcess(warm=False)
    try:
        events: list = []
        pre = ImagePreprocessConfig(image_size=32)
        pre.augment.enabled = False
        request = TrainRequest(
            IMAGES,
            scan_images(str(image_folder)),
            pre,
            ImageModelConfig(architecture="cnn"),
            TrainConfig(epochs=1, batch_size=16),
        )
        run = run_isolated(process, train, request, on_event=events.append)
    finally:
        process.close()
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [0]
    again = np.asarray(run.model.predict(run.samples, verbose=0))
    assert np.allclose(again, np.array(run.metadata["sample_predictions"]), atol=1e-5)


def test_an_image_training_that_diverges_at_once_is_an_error_not_a_model(image_folder, tmp_path):
    from automl_gui.core.base.errors import ModelError
    from automl_gui.core.train.checkpoint import read_checkpoint

    pre = ImagePreprocessConfig(image_size=16)  # the first step already diverges
    pre.augment.enabled = False
    checkpoints = tmp_path / "ck"
    with pytest.raises(ModelError) as caught:
        train_kind(
            IMAGES,
            scan_images(str(image_folder)),
            pre,
            ImageModelConfig(architecture="cnn"),
            TrainConfig(epochs=1, batch_size=16, seed=1, optimizer="sgd", learning_rate=1e30),
            checkpoint_dir=checkpoints,
        )
    assert caught.value.message.startswith("Training diverged")
    assert "learning rate" in caught.value.hint
    assert read_checkpoint(checkpoints) is None  # nothing offered to resume
