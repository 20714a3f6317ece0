"""Export dialog and File → Export Model ▸: every format exported in the background, verified in
its own runtime with the figures shown, never overwritten silently; the menu, remembered format,
notes, cancel and the reasons nothing can be exported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui import settings as app_settings
from automl_gui.gui.dialogs.export import ExportDialog
from automl_gui.gui.state import AppState

SIX = ["keras", "savedmodel", "tflite", "tflite-dynamic", "tflite-float16", "onnx"]


@pytest.fixture(autouse=True)
def settings(tmp_path):
    """A settings file of the test's own (remembered folder and format)."""
    from PySide6.QtCore import QSettings

    store = app_settings.use(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    yield store
    app_settings.use(None)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular

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

    from automl_gui.gui.dialogs.export import describe_result, model_input
    from automl_gui.gui.format import format_rate

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
    assert [format_rate(r) for r in (16000, 22050, 8000.0, 500, None, "x", 0)] == [
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
    from predict_kinds import audio_model  # tests/gui is on the path, as for all here

    from automl_gui.core.jobs.run import Run
    from automl_gui.core.preprocess.audio import load_clips
    from automl_gui.core.train.result import TrainResult

    model = audio_model(n_classes=2, seed=2)
    clips = make_class_folders(tmp_path / "clips", ("tone", "noise"), 2, rates=(8000,))
    paths = sorted(str(p) for p in clips.rglob("*.*"))
    samples = load_clips(paths, 8000, 4000)
    run = Run(
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
    text = d.result_text()
    kind, runtime = (".keras file", "Keras") if fmt == "keras" else ("SavedModel", "TensorFlow")
    assert text.startswith(f"Verified: reloaded the {kind} in {runtime} ")
    assert "and compared 4 waveforms" in text and "Clips compared: 4" in text
    if fmt == "keras":  # one .keras file: the model card beside it opens
        card = d.result_panel.open_card_button
        assert card.isEnabled() and card.toolTip() == str(out.with_name("model.MODEL_CARD.md"))
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


# -- every format, the result panel, the menu ---------------------------------------------------
@pytest.mark.parametrize("fmt", ["tflite-dynamic", "onnx"])
def test_other_runtimes_show_the_verification_figures(qtbot, dialog, tmp_path, fmt):
    """A real export through the dialog: verdict in green, runtime, rows compared, maximum
    difference, agreement as %, size on disk, the files with MODEL_CARD.md, and the buttons
    open the folder and the card."""
    from automl_gui.gui.dialogs import _export_result

    out = tmp_path / f"churn_{fmt}"
    assert dialog.export_to(str(out), fmt)
    assert dialog.busy.isVisibleTo(dialog) and dialog.close_button.text() == "Cancel"
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=180_000)
    result = dialog.last_result
    assert result is not None, dialog.result_text()  # the export failed: its message
    assert result.ok, result.message
    panel = dialog.result_panel
    assert panel.verdict.styleSheet() == _export_result.OK_STYLE
    text = dialog.result_text()
    assert text.startswith("Verified: reloaded the")
    assert f"in {result.runtime}" in text and result.runtime
    figures = {name: label.text() for name, label in panel.figure_labels.items()}
    assert figures["Runtime used"] == result.runtime
    assert figures["Rows compared"] == str(result.rows_compared) != "0"
    assert figures["Maximum difference"] == f"{result.max_abs_diff:.3g}"
    assert figures["Agreement"].endswith("% same class")
    assert figures["Size on disk"].split()[-1] in ("bytes", "KB", "MB")
    assert "MODEL_CARD.md" in panel.files.text() and "metadata.json" in panel.files.text()
    assert panel.notes.isVisibleTo(dialog) == bool(result.notes)

    opened = []
    panel.opener = lambda url: opened.append(url.toLocalFile()) or True
    assert panel.open_card_button.isEnabled()
    qtbot.mouseClick(panel.open_folder_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.open_card_button, Qt.MouseButton.LeftButton)
    assert opened == [str(out), str(out / "MODEL_CARD.md")]
    assert dialog.close_button.text() == "Close" and dialog.export_button.isEnabled()


def _fake_result(path, **kw):
    from automl_gui.core.export.formats import ExportResult

    values = dict(
        format="onnx",
        path=str(path),
        rows_compared=12,
        max_abs_diff=2.5e-7,
        agreement=1.0,
        ok=True,
        message="Reloaded and compared 12 sample rows: max difference 2.5e-07.",
        runtime="onnxruntime 9.9",
        notes=[
            "This format cannot hold the table's preprocessing: encode rows as "
            "preprocessing.json describes."
        ],
        files=["model.onnx", "metadata.json", "MODEL_CARD.md"],
        size_bytes=3 * 1024,
    )
    values.update(kw)
    return ExportResult(**values)


@pytest.fixture
def fake_export(monkeypatch):
    """export_model replaced by one that writes an empty folder (and honours cancel)."""
    from automl_gui.core.export import formats

    calls = []

    def export_model(bundle, fmt, out, *, overwrite=False, cancel=None):
        calls.append((fmt, out, overwrite))
        if fmt == "tflite":  # stands for a long export: waits for Cancel
            import time

            from automl_gui.core.base.errors import CancelledError

            for _ in range(500):
                if cancel is not None and cancel.cancelled:
                    raise CancelledError("cancelled")
                time.sleep(0.01)
        from pathlib import Path

        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / "MODEL_CARD.md").write_text("# card")
        return _fake_result(out, format=fmt)

    monkeypatch.setattr(formats, "export_model", export_model)
    return calls


def test_notes_are_shown_in_an_amber_box_and_the_format_is_remembered(
    qtbot, dialog, run, tmp_path, fake_export
):
    from automl_gui.gui.dialogs import _export_result

    with qtbot.waitSignal(dialog.export_done, timeout=10_000):
        assert dialog.export_to(str(tmp_path / "x_onnx"), "onnx")
    panel = dialog.result_panel
    assert panel.notes.isVisibleTo(dialog)
    assert panel.notes.styleSheet() == _export_result.NOTE_STYLE
    assert "cannot hold the table's preprocessing" in panel.notes.text()
    assert "Agreement: 100 % same class" in dialog.result_text()
    assert "Size on disk: 3.0 KB" in dialog.result_text()
    assert "Runtime used: onnxruntime 9.9" in dialog.result_text()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)

    state = AppState()
    state.set_run(run)
    again = ExportDialog(state)  # no format asked for: the last one used
    qtbot.addWidget(again)
    assert again.fmt == "onnx"
    assert again.folder_edit.text() == str(tmp_path)
    assert ExportDialog(state, fmt="tflite-float16").fmt == "tflite-float16"


def test_cancel_stops_the_export_and_says_so(qtbot, dialog, tmp_path, fake_export):
    assert dialog.export_to(str(tmp_path / "slow"), "tflite")
    dialog.reject()  # Esc while writing: refused, the export goes on
    assert dialog.worker is not None and "Still writing" in dialog.busy_label.text()
    assert dialog.close_button.text() == "Cancel"
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)
    assert "Export cancelled" in dialog.result_text()
    assert not (tmp_path / "slow").exists()
    assert dialog.close_button.text() == "Close" and dialog.close_button.isEnabled()


def test_a_failed_export_says_what_and_what_to_do(qtbot, dialog, tmp_path, monkeypatch):
    from automl_gui.core.base.errors import ModelError
    from automl_gui.core.export import formats

    def export_model(*a, **k):
        raise ModelError("Could not convert the model to ONNX.", "Use the SavedModel export.")

    monkeypatch.setattr(formats, "export_model", export_model)
    with qtbot.waitSignal(dialog.export_failed, timeout=10_000):
        assert dialog.export_to(str(tmp_path / "o"), "onnx")
    text = dialog.result_text()
    assert "Could not convert the model to ONNX." in text and "Use the SavedModel" in text
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)


def test_default_name_comes_from_the_dataset_and_format(qtbot, run, tmp_path):
    from types import SimpleNamespace

    state = AppState()
    state.set_run(run)
    state.dataset = SimpleNamespace(
        source=SimpleNamespace(path=str(tmp_path / "Customer churn.csv"))
    )
    d = ExportDialog(state, fmt="onnx")
    qtbot.addWidget(d)
    assert d.name_edit.text() == "Customer_churn_onnx"
    assert not d.keras_file.isVisibleTo(d)
    d.select_format("tflite-dynamic")
    assert d.name_edit.text() == "Customer_churn_tflite_int8"
    d.select_format("keras")
    assert d.keras_file.isVisibleTo(d)
    d.keras_file.setChecked(True)
    assert d.name_edit.text() == "Customer_churn.keras" and d.target().endswith(".keras")
    d.name_edit.setText("mine")  # a name of the user's own is kept
    d.select_format("savedmodel")
    assert d.name_edit.text() == "mine"


def test_without_a_model_export_is_refused_and_explained(qtbot):
    d = ExportDialog(AppState())
    qtbot.addWidget(d)
    assert not d.export_button.isEnabled()
    assert "No trained model yet" in d.blocked.text() and d.blocked.isVisibleTo(d)
    assert d.export_to("/tmp/never-written.keras", "keras") is False
    assert list(d.format_buttons) == SIX
    assert all(b.toolTip() for b in d.format_buttons.values())


def test_the_export_menu_has_one_action_per_format_and_opens_it(qtbot, run, fake_export):
    from PySide6.QtWidgets import QMainWindow

    from automl_gui.gui.dialogs.export_menu import export_menu

    window = QMainWindow()
    window.state = AppState()
    qtbot.addWidget(window)
    menu = export_menu(window)
    actions = [a for a in menu.actions() if not a.isSeparator()]
    assert actions[0].text() == "&Export…"
    assert actions[0].shortcut().toString() == "Ctrl+E"
    assert [a.data() for a in actions[1:]] == SIX
    assert all(a.toolTip() for a in actions)
    assert not any(a.isEnabled() for a in actions)  # no model yet: disabled, with the reason
    assert "No trained model yet" in actions[1].toolTip()

    window.state.set_run(run)
    assert all(a.isEnabled() for a in actions)
    onnx = actions[1 + SIX.index("onnx")]
    assert "ONNX" in onnx.text() and "onnxruntime" in onnx.toolTip()
    onnx.trigger()
    dialog = window.export_dialog
    assert dialog.isVisible() and dialog.fmt == "onnx"
    dialog.close()

    app_settings.current().setValue("export/last_format", "tflite-float16")
    actions[0].trigger()  # Export…: the last used format
    assert window.export_dialog.fmt == "tflite-float16"
    window.export_dialog.close()
