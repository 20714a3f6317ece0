"""The audio job end to end: scan → split → clip length → band statistics → build → train →
evaluate → predict (saving, exports and collecting files, as for images, are in
test_file_kinds_pipeline.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from audio_factory import make_class_folders, write_empty, write_text_as_audio, write_truncated
from kind_jobs import train_kind

from automl_gui.core.base.errors import DataError
from automl_gui.core.base.events import CancelToken, EpochEnd, Log, Progress
from automl_gui.core.data.audio import scan_audio
from automl_gui.core.jobs._files_media import resolve_architecture
from automl_gui.core.kinds import _audio_media as audio_pipeline
from automl_gui.core.kinds._audio_media import (
    AudioMedia,
    predict_audio,
)
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.models.image_config import ImageModelConfig
from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig
from automl_gui.core.train.config import TrainConfig

RATE = 8000


def _pre(**kwargs) -> AudioPreprocessConfig:
    pre = AudioPreprocessConfig(sample_rate=RATE, n_mels=24, window_ms=32, hop_ms=16, **kwargs)
    pre.augment.enabled = False
    return pre


def test_audio_run_has_metadata_report_and_predictions(audio_run):
    result, events, dataset = audio_run
    meta = result.metadata
    names = meta["class_names"]
    assert names == ["chirp", "click", "noise", "tone"]
    assert meta["kind"] == "audio" and result.kind.name == "audio" and meta["task"] == "multiclass"
    assert meta["architecture"] == "cnn"  # auto on a CPU
    assert meta["sample_rate"] == RATE and meta["features"] == "log-mel"
    # clip length auto: the 95th percentile of the durations, rounded up to 0.1 s
    assert 0.7 <= meta["clip_seconds"] <= 0.9
    assert meta["n_samples"] == round(meta["clip_seconds"] * RATE)
    assert meta["input"].startswith(f"float32 mono waveforms (n, samples) at {RATE} Hz")
    assert meta["feature_shape"][1] == 24
    n_test = meta["data"]["test_clips"]
    assert n_test > 0 and result.report["n_samples"] == n_test
    assert meta["data"]["clips_used"] == len(dataset) == 32
    assert np.array(result.report["confusion_matrix"]).sum() == n_test
    df = result.test_predictions
    assert list(df.columns[:4]) == ["path", "actual", "prediction", "confidence"]
    assert {f"probability_{n}" for n in names} <= set(df.columns)
    assert np.allclose(df[[f"probability_{n}" for n in names]].sum(axis=1), 1.0, atol=1e-4)
    assert result.samples.shape == (min(8, n_test), meta["n_samples"])
    assert np.abs(result.samples).max() <= 1.0
    assert result.phases == [("train", 0)]
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == list(range(2))
    logs = [e.message for e in events if isinstance(e, Log)]
    assert any(m.startswith("Auto: a compact CNN") and "CPU" in m for m in logs)
    assert any(m.startswith("Model: Compact CNN on 24 log-mel bands") for m in logs)
    assert any(m.startswith("Clip length:") for m in logs)
    bands = [e for e in events if isinstance(e, Progress) and e.stage == "features"]
    assert bands and "training clips" in bands[-1].message and bands[-1].fraction == 1.0
    wrong = result.confidently_wrong()
    assert (wrong["actual"] != wrong["prediction"]).all()
    cell = result.cell(names[0], names[0])
    assert (cell["actual"] == names[0]).all()


def test_tone_versus_noise_is_learned(tmp_path):
    root = make_class_folders(
        tmp_path / "two", classes=("tone", "noise"), per_class=16, seconds=(0.5, 0.7), seed=5
    )
    pre = _pre(clip_seconds=0.5, test_fraction=0.25)
    result = train_kind(
        AUDIO,
        scan_audio(str(root)),
        pre,
        ImageModelConfig(architecture="cnn"),
        # 10 epochs of 3 steps: the sized (small) audio CNN reaches
        # validation 1.0 at epoch 7, still 0.8 at epoch 6 (measured)
        TrainConfig(epochs=10, batch_size=8, seed=3, early_stopping=False),
    )
    assert result.metadata["task"] == "binary" and result.metadata["clip_seconds"] == 0.5
    assert result.report["n_samples"] >= 6
    assert result.report["metrics"]["accuracy"] >= 0.75  # chance is 0.5


@pytest.mark.slow  # ~25 s: the one run of a pretrained backbone on spectrograms
def test_backbone_on_spectrograms_trains_in_two_phases(tmp_path, monkeypatch):
    """ResNet50 (weights file saved here, spectrograms resized to 32 px to stay quick): the
    head on cached features, then fine-tuning; the metadata records the spectrogram side.
    Its own 12 short clips: every batch through the backbone (features computed eagerly,
    then fine-tuning) costs more than any other step here."""
    from image_factory import save_legacy_notop_weights

    from automl_gui.core.base import lazy
    from automl_gui.core.base.events import PhaseChanged
    from automl_gui.core.models.image_config import DEFAULT_SIZES

    monkeypatch.setitem(DEFAULT_SIZES, "resnet50", 32)
    keras = lazy.keras()
    weights_file = save_legacy_notop_weights(
        keras.applications.ResNet50(include_top=False, weights=None, input_shape=(32, 32, 3)),
        tmp_path / "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
    )
    events: list = []
    result = train_kind(
        AUDIO,
        scan_audio(str(make_class_folders(tmp_path / "clips", ("tone", "noise"), 6, seed=4))),
        _pre(clip_seconds=0.5),
        ImageModelConfig(
            architecture="resnet50",
            weights_path=str(weights_file),
            fine_tune_layers=2,
            fine_tune_epochs=1,
        ),
        TrainConfig(epochs=1, batch_size=16, early_stopping=False),
        on_event=events.append,
    )
    assert [e.phase for e in events if isinstance(e, PhaseChanged)] == ["head", "fine-tune"]
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [0, 1]
    assert any(isinstance(e, Log) and "cached backbone features" in e.message for e in events)
    assert result.phases == [("head", 0), ("fine-tune", 1)]
    meta = result.metadata
    assert meta["architecture"] == "resnet50" and meta["image_size"] == 32
    assert meta["training_result"]["fine_tuned_layers"] == 2
    again = np.asarray(result.model.predict(result.samples, verbose=0))
    assert np.allclose(again, np.array(meta["sample_predictions"]), atol=1e-5)


def test_predict_audio_lists_broken_files_with_reasons(audio_run, audio_folder, tmp_path):
    result = audio_run[0]
    extra = tmp_path / "more"
    write_empty(extra / "empty.wav")
    write_truncated(extra / "cut.flac")
    write_text_as_audio(extra / "page.mp3")
    (extra / "notes.txt").write_text("not a clip")
    good = sorted(str(p) for p in (audio_folder / "tone").iterdir())[:3]
    df = predict_audio(result.bundle, [*good, str(extra)])
    names = result.metadata["class_names"]
    assert list(df.columns) == [
        "path",
        "prediction",
        "confidence",
        *[f"probability_{n}" for n in names],
        "error",
    ]
    assert len(df) == 6 and list(df["path"]) == sorted(df["path"])
    bad = df[df["error"] != ""]
    reasons = {p.rsplit("/", 1)[-1]: r for p, r in zip(bad["path"], bad["error"], strict=True)}
    assert set(reasons) == {"empty.wav", "cut.flac", "page.mp3"}
    assert "empty" in reasons["empty.wav"] and "truncated" in reasons["cut.flac"]
    assert "not" in reasons["page.mp3"]
    assert (bad["prediction"] == "").all() and bad["confidence"].isna().all()
    ok = df[df["error"] == ""]
    assert len(ok) == 3 and ok["prediction"].isin(names).all()


def test_an_image_model_refuses_clips_and_an_audio_model_refuses_images(audio_run, audio_folder):
    from automl_gui.core.kinds.images import IMAGES

    with pytest.raises(DataError, match="trained on audio clips, not on images") as info:
        IMAGES.predict(audio_run[0].bundle, [str(audio_folder)])
    assert "audio files" in info.value.hint
    image_bundle = SimpleNamespace(kind=IMAGES, metadata={}, class_names=["a", "b"])
    with pytest.raises(DataError, match="trained on images, not on audio clips"):
        AUDIO.predict(image_bundle, [str(audio_folder)])


def test_auto_picks_a_backbone_for_audio_only_with_weights_and_a_gpu(monkeypatch, tmp_path):
    from automl_gui.core.models import weights

    found = tmp_path / "resnet50.h5"
    monkeypatch.setattr(weights, "find_weights", lambda arch, *a, **k: found)
    media = AudioMedia(SimpleNamespace(), _pre())
    auto = ImageModelConfig(architecture="auto")
    logs: list = []
    gpu, cpu = SimpleNamespace(uses_gpu=True), SimpleNamespace(uses_gpu=False)
    assert resolve_architecture(auto, logs.append, media=media, plan=gpu) == (
        "resnet50",
        str(found),
    )
    assert resolve_architecture(auto, logs.append, media=media, plan=cpu) == ("cnn", None)
    assert "slow" in logs[-1].message and "CPU" in logs[-1].message
    # images take the backbone on a CPU too
    assert resolve_architecture(auto, logs.append, plan=cpu)[0] == "resnet50"
    monkeypatch.setattr(weights, "find_weights", lambda *a, **k: None)
    assert resolve_architecture(auto, logs.append, media=media, plan=gpu) == ("cnn", None)
    assert "no pretrained" in logs[-1].message


def test_band_statistics_use_a_capped_pass_of_training_clips(audio_folder, monkeypatch):
    monkeypatch.setattr(audio_pipeline, "MAX_STATS_CLIPS", 5)
    dataset = scan_audio(str(audio_folder))
    media = AudioMedia(dataset, _pre(clip_seconds=0.5))
    events: list = []
    job = SimpleNamespace(
        paths={"train": [i.path for i in dataset.items]},
        on_event=events.append,
        cancel=CancelToken(),
    )
    media.prepare("cnn", job)
    assert media.n_samples == 4000 and media.clip_seconds == 0.5
    assert media.band_mean.shape == (24,) and media.band_var.shape == (24,)
    assert np.all(media.band_var > 0) and np.all(np.isfinite(media.band_mean))
    assert "on 5 training clips" in events[-1].message
    cancelled = CancelToken()
    cancelled.cancel()
    job.cancel = cancelled
    from automl_gui.core.base.errors import CancelledError

    with pytest.raises(CancelledError):
        media.prepare("cnn", job)


def test_the_engine_process_job_pickles_and_names_train_audio(audio_folder):
    """run_isolated sends the audio request to the engine process's child side, which runs
    the training job by name (the image test runs that child for real; this checks the audio
    payload crosses a process boundary)."""
    import pickle

    from automl_gui.core.jobs import TrainRequest, run_isolated, train

    sent: dict = {}

    class Sent(Exception):
        pass

    class FakeProcess:
        def run(self, target, kwargs, *, on_event=None, cancel=None):
            sent.update(target=target, kwargs=pickle.loads(pickle.dumps(kwargs)))
            raise Sent

    dataset = scan_audio(str(audio_folder))
    args = (dataset, _pre(), ImageModelConfig(architecture="cnn"), TrainConfig(epochs=1))
    with pytest.raises(Sent):
        run_isolated(FakeProcess(), train, TrainRequest(AUDIO, *args))
    assert sent["target"] == "automl_gui.core.jobs.isolated:_in_child"
    assert sent["kwargs"]["job"] == "automl_gui.core.jobs.requests:train"
    again = sent["kwargs"]["request"]
    assert again.kind is AUDIO
    assert again.dataset.items == dataset.items and again.preprocess == args[1]
