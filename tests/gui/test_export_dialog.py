"""Export dialog: .keras and SavedModel exports verified, reloaded, never overwritten silently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.dialogs.export import ExportDialog
from automl_gui.gui.state import AppState


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.pipeline import setup_tabular, train_tabular

    rng = np.random.default_rng(0)
    n = 200
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    label = np.where(x1 + (color == "red") > 0.5, "yes", "no")
    path = tmp_path_factory.mktemp("data") / "d.csv"
    pd.DataFrame({"x1": x1, "x2": x2, "color": color, "label": label}).to_csv(path, index=False)
    table = read_table(path)
    setup = setup_tabular(table, "label")
    return train_tabular(
        table.df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0),
        TrainConfig(epochs=2, batch_size=16, early_stopping=False, seed=1),
    )


@pytest.fixture
def dialog(qtbot, run):
    state = AppState()
    state.set_run(run)
    d = ExportDialog(state)
    qtbot.addWidget(d)
    return d


@pytest.mark.parametrize(("fmt", "name"), [("keras", "model.keras"), ("savedmodel", "sm")])
def test_export_verifies_and_reloads_with_the_same_predictions(
    qtbot, dialog, run, tmp_path, fmt, name
):
    from automl_gui.core.export.bundle import load_bundle, predict_frame

    out = tmp_path / name
    with qtbot.waitSignal(dialog.export_done, timeout=120_000) as blocker:
        assert dialog.export_to(str(out), fmt)
        assert not dialog.export_button.isEnabled()  # busy while writing
    result = blocker.args[0]
    assert result.ok and result.format == fmt and result.rows_compared > 0
    assert out.exists()
    text = dialog.result_text()
    assert text.startswith("Verified: reloaded the")
    assert f"compared {result.rows_compared} rows" in text
    qtbot.waitUntil(lambda: dialog.export_button.isEnabled(), timeout=10_000)

    rows = run.prepared.test.head(20)
    expected = predict_frame(run.bundle, rows)
    cols = [c for c in expected.columns if c.startswith("probability_")]
    if fmt == "keras":
        got = predict_frame(load_bundle(str(out)), rows)
        assert list(got["prediction"]) == list(expected["prediction"])
        proba = got[cols].to_numpy(float)
    else:  # load_bundle reads .keras bundles; a SavedModel is reloaded with TensorFlow
        proba = _serve_savedmodel(out, rows)
    assert np.allclose(proba, expected[cols].to_numpy(float), atol=1e-5)


def _serve_savedmodel(folder, rows):
    import json

    import tensorflow as tf

    from automl_gui.core.preprocess.tabular import InputSchema, frame_to_inputs, to_tensors

    meta = json.loads((folder / "metadata.json").read_text())
    inputs = frame_to_inputs(rows, InputSchema.from_dict(meta["input_schema"]))
    loaded = tf.saved_model.load(str(folder))  # keep a reference while serving
    return np.asarray(loaded.serve(to_tensors(inputs)))


def test_existing_destination_needs_a_yes(qtbot, dialog, tmp_path, monkeypatch):
    out = tmp_path / "model.keras"
    out.write_text("precious")
    asked: list[str] = []
    monkeypatch.setattr(dialog, "confirm_overwrite", lambda p: asked.append(p) or False)
    assert dialog.export_to(str(out), "keras") is False
    assert asked == [str(out)] and out.read_text() == "precious"
    assert "Not exported" in dialog.result_text()

    monkeypatch.setattr(dialog, "confirm_overwrite", lambda p: True)
    with qtbot.waitSignal(dialog.export_done, timeout=120_000) as blocker:
        assert dialog.export_to(str(out), "keras")
    assert blocker.args[0].ok
    assert out.read_bytes() != b"precious"
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)


def test_without_a_model_export_is_refused(qtbot):
    d = ExportDialog(AppState())
    qtbot.addWidget(d)
    assert not d.export_button.isEnabled()
    assert d.export_to("/tmp/never-written.keras", "keras") is False
    assert set(d.format_buttons) == {"keras", "savedmodel"}


def test_image_runs_are_described_as_images():
    from types import SimpleNamespace

    from automl_gui.gui.dialogs.export import describe_result

    result = SimpleNamespace(
        format="keras", ok=True, rows_compared=8, max_abs_diff=0.0, agreement=1.0, path="/x"
    )
    ok, text = describe_result(result, "images")
    assert ok and "compared 8 images" in text


def test_audio_runs_are_described_as_waveforms_at_their_rate(qtbot):
    from types import SimpleNamespace

    from automl_gui.gui.dialogs.export import describe_result, model_input, rate_text

    state = AppState()
    state.set_run(SimpleNamespace(kind="audio", metadata={"sample_rate": 16000}))
    d = ExportDialog(state)
    qtbot.addWidget(d)
    intro = d.intro.text()
    assert "takes raw waveforms at 16 kHz (float32 mono" in intro
    assert "spectrogram are inside it" in intro
    assert "answers on a few test waveforms are compared" in intro
    assert d.export_button.isEnabled()

    result = SimpleNamespace(
        format="savedmodel", ok=True, rows_compared=4, max_abs_diff=3e-7, agreement=1.0, path="/x"
    )
    ok, text = describe_result(result, d._compared)
    assert ok and text.startswith("Verified: reloaded the SavedModel and compared 4 waveforms")
    assert "100 % same class" in text

    assert model_input(SimpleNamespace(kind="audio", metadata={}))[0].startswith(
        "raw waveforms at the training sample rate"
    )
    assert model_input(SimpleNamespace(kind="images"))[1] == "images"
    assert model_input(None)[1] == "rows"
    assert [rate_text(r) for r in (16000, 22050, 8000.0, 500, None, "x", 0)] == [
        "16 kHz",
        "22.05 kHz",
        "8 kHz",
        "500 Hz",
        "",
        "",
        "",
    ]


@pytest.mark.parametrize("fmt", ["keras", "savedmodel"])
def test_audio_export_reloads_and_compares_on_raw_waveforms(qtbot, tmp_path, fmt):
    """A tiny waveform model (no training) exported from the dialog: the reload check runs on
    the run's sample waveforms and the reloaded model answers clips of any length alike."""
    from audio_factory import make_class_folders
    from test_audio_predict import tiny_model  # tests/gui is on the path, as for all here

    from automl_gui.core.audio_pipeline import AudioRun
    from automl_gui.core.preprocess.audio import load_clips
    from automl_gui.core.train.trainer import TrainResult

    model = tiny_model(n_classes=2, seed=2)
    clips = make_class_folders(tmp_path / "clips", ("tone", "noise"), 2, rates=(8000,))
    paths = sorted(str(p) for p in clips.rglob("*.*"))
    samples = load_clips(paths, 8000, 4000)
    run = AudioRun(
        model=model,
        metadata={
            "kind": "audio",
            "task": "binary",
            "class_names": ["noise", "tone"],
            "sample_rate": 8000,
            "clip_seconds": 0.5,
            "n_samples": 4000,
        },
        report={},
        history={},
        result=TrainResult(),
        test_predictions=None,
        samples=samples,
    )
    state = AppState()
    state.set_run(run)
    d = ExportDialog(state)
    qtbot.addWidget(d)
    assert "raw waveforms at 8 kHz" in d.intro.text()
    out = tmp_path / ("model.keras" if fmt == "keras" else "sm")
    with qtbot.waitSignal(d.export_done, timeout=120_000) as blocker:
        assert d.export_to(str(out), fmt)
    result = blocker.args[0]
    assert result.ok and result.rows_compared == len(paths) == 4
    assert d.result_text().startswith(
        f"Verified: reloaded the {'.keras file' if fmt == 'keras' else 'SavedModel'} and "
        "compared 4 waveforms"
    )
    qtbot.waitUntil(lambda: d.worker is None, timeout=10_000)

    longer = load_clips(paths[:2], 8000, 6000)  # any length goes in
    expected = np.asarray(model.predict(longer, verbose=0))
    if fmt == "keras":
        from automl_gui.core.export.bundle import load_bundle

        got = np.asarray(load_bundle(str(out)).model.predict(longer, verbose=0))
    else:
        import tensorflow as tf

        loaded = tf.saved_model.load(str(out))
        got = np.asarray(loaded.serve(tf.constant(longer)))
    assert np.allclose(got, expected, atol=1e-5)
