"""The whole audio workflow as a user does it, through the real window and the engine process.

File ▸ Open Audio Folder… (a generated folder of mixed formats, rates and channel counts, with
a broken clip) → the audio pages → settings on the Preprocess and Model steps → Train ▸ Start
(the compact CNN, 2 epochs, in the engine process) → the Evaluate page shows the run and a
confusion-matrix cell lists its clips → Predict on the folder gives every clip the answer the
trained model gives, and the broken clip its reason.
"""

from __future__ import annotations

import numpy as np
from audio_factory import make_class_folders, write_truncated
from PySide6.QtCore import QSettings

from automl_gui.core.base.errors import DataError
from automl_gui.core.kinds.audio import AUDIO
from automl_gui.core.kinds.images import IMAGES
from automl_gui.core.models.weights import WeightsMissingError
from automl_gui.core.preprocess.audio import auto_clip_seconds, load_audio
from automl_gui.gui.dialogs.weights import WeightsDialog
from automl_gui.gui.main_window import MainWindow
from automl_gui.gui.pages.train import TrainPage
from automl_gui.gui.state import AppState

CLASSES = ("tone", "chirp", "click")
RATE = 8000
SECONDS = 0.5


def test_open_folder_train_evaluate_predict(qtbot, tmp_path, monkeypatch):
    root = make_class_folders(
        tmp_path / "sounds",
        CLASSES,
        per_class=10,
        seconds=(0.4, 0.7),
        rates=(8000, 16000, 22050),
        formats=("wav", "flac", "ogg"),
    )
    write_truncated(root / "tone" / "cut.wav", keep=0.3)
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    st = window.state
    assert window.train_page.start_blocker() == "Open a dataset first (File → Open Dataset…)."

    monkeypatch.setattr(
        "automl_gui.gui._opening.QFileDialog.getExistingDirectory",
        lambda *_args: str(root),
    )
    with qtbot.waitSignal(st.dataset_changed, timeout=60_000):
        window.open_actions["audio"].trigger()
    assert st.kind.name == "audio" and len(st.loaded(AUDIO)) == 30
    assert [b.reason.split(" ")[0] for b in st.loaded(AUDIO).bad_files] == ["truncated"]
    for name in ("data", "preprocess", "model", "evaluate"):
        assert window.hosts[name].currentWidget() is window.media_pages["audio"][name]
    qtbot.waitUntil(lambda: st.engine_ready, timeout=120_000)

    auto = auto_clip_seconds(st.loaded(AUDIO).durations())
    assert f"{auto:g} s (auto)" in window.train_page.summary.text()

    # what a user sets on the Preprocess and Model steps
    assert window.go_to("preprocess") and window.go_to("model")
    st.settings(AUDIO).preprocess.sample_rate = RATE
    st.settings(AUDIO).preprocess.clip_seconds = SECONDS
    st.settings(AUDIO).preprocess.n_mels = 32
    st.settings(AUDIO).preprocess.augment.enabled = False
    st.notify_preprocess_changed()
    st.settings(AUDIO).model.architecture = "cnn"
    st.training.epochs = 2
    st.training.batch_size = 8
    st.notify_model_changed()
    summary = window.train_page.summary.text()
    assert "30 clips, 3 classes" in summary and "8 kHz, 0.5 s, log-mel (32 bands)" in summary
    assert "Augmentation</b> off" in summary

    assert window.action_start.isEnabled(), window.action_start.toolTip()
    with qtbot.waitSignal(st.run_finished, timeout=300_000):
        window.action_start.trigger()
    run = st.run
    assert run is not None, window.train_page.error_banner.text
    assert run.kind.name == "audio" and run.result.epochs_run == 2
    assert run.metadata["sample_rate"] == RATE and run.metadata["n_samples"] == RATE * SECONDS
    assert run.metadata["class_names"] == sorted(CLASSES)
    assert len(window.train_page.plots.epoch_points("loss")) == 2

    qtbot.waitUntil(lambda: window.current_page_name() == "evaluate", timeout=10_000)
    evaluate = window.media_pages["audio"]["evaluate"]
    assert window.hosts["evaluate"].currentWidget() is evaluate
    matrix = np.array(run.report["confusion_matrix"])
    assert matrix.sum() == len(run.test_predictions) > 0
    a, p = np.unravel_index(matrix.argmax(), matrix.shape)
    evaluate.show_cell(int(a), int(p))
    assert len(evaluate.cell_clips.list.paths()) == matrix[a, p]

    # Predict on the folder with the model just trained
    assert window.go_to("predict")
    page = window.pages["predict"]
    assert page.is_audio_model()
    with qtbot.waitSignal(page.predictions_ready, timeout=120_000) as ready:
        page.predict_files([str(root)])
    frame = ready.args[0]
    errors = frame["error"].fillna("").astype(str)
    assert len(frame) == 31 and list(frame.loc[errors != "", "path"]) == [
        str(root / "tone" / "cut.wav")
    ]
    good = frame[errors == ""]
    # each clip whole: the model pads a short one and averages a long one's windows
    whole = [load_audio(p, RATE)[None] for p in good["path"]]
    # the model called directly: predict() would trace a graph for each clip length
    expected = np.concatenate([np.asarray(run.model(w, training=False)) for w in whole])
    columns = [f"probability_{c}" for c in sorted(CLASSES)]
    assert np.allclose(good[columns].to_numpy(float), expected, atol=1e-4)
    qtbot.waitUntil(lambda: page.worker is None, timeout=10_000)


def test_missing_backbone_weights_offer_the_audio_cnn(qtbot, tmp_path, monkeypatch):
    """Train ▸ Start with ResNet50 and no weights here: the dialog's "train from scratch"
    switches the audio model (not the image one) to the CNN and starts again."""
    root = make_class_folders(tmp_path / "s", CLASSES[:2], per_class=2, formats=("wav",))
    from automl_gui.core.data.audio import scan_audio

    state = AppState()
    state.set_dataset(AUDIO, scan_audio(str(root)))
    state.set_engine_ready(True, None)
    state.settings(AUDIO).model.architecture = "resnet50"
    state.settings(IMAGES).model.architecture = "inceptionv3"
    page = TrainPage(state)
    qtbot.addWidget(page)
    assert "ResNet50" in page.summary.text() and "4 clips, 2 classes" in page.summary.text()
    started: list[str] = []

    def fake_job(self, _where):
        arch = self.state.settings(AUDIO).model.architecture
        started.append(arch)

        def job(on_event, cancel):
            if arch == "resnet50":
                raise WeightsMissingError("ResNet50 weights are not on this computer.", "")
            raise DataError("Stop here.", "")

        return job

    def choose_scratch(dialog):
        dialog.choice = "scratch"
        return 1

    monkeypatch.setattr(TrainPage, "_train_job", fake_job)
    monkeypatch.setattr(WeightsDialog, "exec", choose_scratch)
    with qtbot.waitSignal(state.run_finished, timeout=30_000):
        page.start_training()
    qtbot.waitUntil(lambda: len(started) == 2 and not page.is_training(), timeout=30_000)
    assert started == ["resnet50", "cnn"]
    assert state.settings(AUDIO).model.architecture == "cnn"
    assert state.settings(IMAGES).model.architecture == "inceptionv3"
    assert "Stop here." in page.error_banner.text
