"""The Export dialog says what a .keras file needs when plain Keras cannot load it alone
(issue 15, item 2): a model holding this app's layers (here the audio front end's
``CropOrPad``) gets the install-and-import note in the amber box; a plain one gets none."""

from __future__ import annotations

import numpy as np
import pytest

from automl_gui.gui.dialogs.export import ExportDialog
from automl_gui.gui.state import AppState


@pytest.fixture(autouse=True)
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    from automl_gui.gui import settings as app_settings

    store = app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield store
    app_settings.use(None)


def waveform_run(with_app_layer: bool):
    """A tiny untrained waveform model, with or without the app's ``CropOrPad``."""
    import keras

    from automl_gui.core.jobs.run import Run
    from automl_gui.core.models.audio_layers import CropOrPad
    from automl_gui.core.train.result import TrainResult

    keras.utils.set_random_seed(2)
    inputs = keras.Input((None,), name="waveform")
    x = CropOrPad(800, name="crop_or_pad")(inputs) if with_app_layer else inputs
    x = keras.layers.Reshape((-1, 1))(x)
    x = keras.layers.Conv1D(4, 16, strides=8, activation="relu")(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    samples = np.random.default_rng(0).uniform(-1, 1, size=(3, 800)).astype(np.float32)
    metadata = {
        "kind": "audio",
        "task": "binary",
        "class_names": ["noise", "tone"],
        "sample_rate": 8000,
        "clip_seconds": 0.1,
        "n_samples": 800,
    }
    return Run(
        model=model,
        metadata=metadata,
        report={},
        history={},
        result=TrainResult(),
        test_predictions=None,
        samples=samples,
    )


def export_in_dialog(qtbot, run, out):
    state = AppState()
    state.set_run(run)
    d = ExportDialog(state)
    qtbot.addWidget(d)
    with qtbot.waitSignal(d.export_done, timeout=120_000) as blocker:
        assert d.export_to(str(out), "keras")
    qtbot.waitUntil(lambda: d.worker is None, timeout=10_000)
    return d, blocker.args[0]


@pytest.mark.parametrize("with_app_layer", [True, False])
def test_the_dialog_says_what_to_install_only_when_the_file_needs_it(
    qtbot, tmp_path, with_app_layer
):
    d, result = export_in_dialog(qtbot, waveform_run(with_app_layer), tmp_path / "m.keras")
    assert result.ok
    text = d.result_text()
    if with_app_layer:
        assert d.result_panel.notes.isVisibleTo(d)
        assert "pip install automl-gui" in text and "CropOrPad" in text
        assert "import automl_gui.core.models.audio_layers" in text
    else:
        assert "pip install" not in text
