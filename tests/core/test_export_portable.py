"""An exported ``.keras`` loads and predicts with plain Keras (issue 15, item 2).

Each model is exported, then loaded in a separate Python (``-I``) in which ``automl_gui``
cannot be imported, with ``keras.saving.load_model`` in safe mode, and its answers are
compared with the app's. A model that still holds a layer of this app (one saved by an
older version) says exactly what to install and import, in the export's notes (the dialog
and the command line show them) and the model card; such models still load and export in
the app.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.export import _portable
from automl_gui.core.export.bundle import (
    Bundle,
    load_bundle,
    predict_arrays,
    predict_frame,
    sample_inputs,
)
from automl_gui.core.export.formats import export_model
from automl_gui.core.preprocess.tabular import InputSchema, frame_to_inputs
from automl_gui.core.train.config import TrainConfig

OLD_BUNDLE = Path(__file__).parent / "fixtures" / "bundles" / "before_issue13_binary"

#: the script the plain Python runs: automl_gui is made unimportable before Keras loads
PLAIN_KERAS = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoApp(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "automl_gui" or name.startswith("automl_gui."):
                raise ImportError("automl_gui is hidden from this Python")
            return None

    sys.meta_path.insert(0, NoApp())
    try:
        import automl_gui  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("automl_gui is importable")

    import numpy as np
    import keras
    import tensorflow as tf

    model_path, pairs = sys.argv[1], sys.argv[2:]  # then (inputs, answers) file pairs
    model = keras.saving.load_model(model_path, safe_mode=True)
    for inputs_path, out_path in zip(pairs[::2], pairs[1::2]):
        data = np.load(inputs_path, allow_pickle=False)
        inputs = {
            k: tf.constant(v.astype(str)) if v.dtype.kind == "U" else v
            for k, v in data.items()
        }
        if list(inputs) == ["x"]:
            inputs = inputs["x"]
        np.save(out_path, np.asarray(model.predict(inputs, verbose=0)))
    print("modules:", sorted(m for m in sys.modules if m.startswith("automl_gui")))
    """
)


def plain_keras_predict(model_path: Path, inputs: dict[str, np.ndarray], tmp: Path):
    """The model's answers in a Python that has Keras and TensorFlow but not this app."""
    done, answers = plain_keras_predict_each(model_path, [inputs], tmp)
    return done, answers[0]


def plain_keras_predict_each(
    model_path: Path, batches: list[dict[str, np.ndarray]], tmp: Path
) -> tuple[subprocess.CompletedProcess, list[np.ndarray | None]]:
    """The model's answers to each of ``batches``, from one such Python (one load)."""
    args, outs = [], []
    for k, inputs in enumerate(batches):
        npz, out = tmp / f"inputs{k}.npz", tmp / f"answers{k}.npy"
        arrays = {name: v.astype(str) if v.dtype == object else v for name, v in inputs.items()}
        np.savez(npz, **arrays)
        args += [str(npz), str(out)]
        outs.append(out)
    done = subprocess.run(
        [sys.executable, "-I", "-c", PLAIN_KERAS, str(model_path), *args],
        capture_output=True,
        text=True,
        cwd=tmp,
        timeout=300,
    )
    return done, [np.load(out) if out.is_file() else None for out in outs]


def table_inputs(bundle: Bundle, rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """The arrays a caller feeds the .keras table model (the schema's inputs)."""
    return frame_to_inputs(rows, InputSchema.from_dict(bundle.metadata["input_schema"]))


@pytest.fixture(scope="module")
def table() -> Bundle:
    """Numbers and categories, each with missing values, with and without indicators."""
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig

    rng = np.random.default_rng(0)
    n = 48
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "color": rng.choice(["red", "green", "blue"], size=n).astype(object),
            "size": rng.choice(["S", "M", "L"], size=n).astype(object),
        }
    )
    df["outcome"] = np.where(df["x1"] + (df["color"] == "red") > 0.3, "yes", "no")
    df.loc[::5, "x1"] = np.nan
    df.loc[::7, "x2"] = np.inf
    df.loc[::4, "color"] = None
    df.loc[::6, "size"] = None
    setup = setup_tabular(LoadedTable(df=df, source=TableSource("mem.csv", "csv")), "outcome")
    for name in ("x1", "color"):
        setup.preprocess.column(name).missing_indicator = True
    setup.preprocess.column("size").missing = "constant"
    setup.preprocess.column("size").fill_value = "unknown"
    mlp = MLPConfig(auto=False, hidden_units=[8], dropout=0.0)
    run = train_tabular(df, setup.preprocess, mlp, TrainConfig(epochs=1, batch_size=16, seed=1))
    return run.bundle


def messy_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "x1": [np.nan, 0.5, np.inf, -1.0, None, 2.0],
            "x2": [1.0, -np.inf, np.nan, 0.0, 3.0, None],
            "color": [None, "red", "purple", "  ", "blue", "green"],
            "size": ["S", None, "XL", "M", "", "L"],
        }
    )


def test_a_table_export_loads_and_answers_in_plain_keras(table, tmp_path):
    result = export_model(table, "keras", tmp_path / "model.keras")
    assert result.ok, result.message
    assert not any("pip install" in note for note in result.notes)
    path = tmp_path / "model.keras"
    assert _portable.app_layers(path) == {}
    rows = messy_rows()
    done, got = plain_keras_predict(path, table_inputs(table, rows), tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "modules: []" in done.stdout
    want = predict_arrays(table.model, table.metadata, rows)
    assert got is not None and np.allclose(got, want, atol=1e-6)
    card = (tmp_path / "model.MODEL_CARD.md").read_text()
    assert "plain Keras and TensorFlow, safe mode" in card


def test_missing_values_are_filled_as_before(table):
    """The graph's fill: a missing category counts as its fill value (here "unknown", which
    training never saw as a value), unseen ones as index 0, indicators 1 where missing."""
    from automl_gui.core.export import _serving

    rows = messy_rows()
    enc = _serving.keras_encoding(table.model, table.metadata, rows)
    spec = _serving.preprocessing_spec(table.model, table.metadata)
    by_input = {item["input"]: item for item in spec["inputs"]}
    sizes = by_input["size"]["vocabulary"]
    assert by_input["size"]["fill_value"] == "unknown" and sizes[0] == "[UNK]"
    assert enc["size"].reshape(-1).tolist()[1] == sizes.index("unknown")
    assert enc["size"].reshape(-1).tolist()[2] == 0  # "XL": unseen
    assert enc["size"].reshape(-1).tolist()[4] == sizes.index("unknown")  # "" is missing
    assert enc["color__missing"].reshape(-1).tolist() == [1, 0, 0, 1, 0, 0]  # "  " is missing
    assert enc["x1__missing"].reshape(-1).tolist() == [1, 0, 1, 0, 1, 0]
    fill = by_input["x1"]["fill_value"]
    assert enc["x1"].reshape(-1)[0] == pytest.approx(fill) and enc["x1"].reshape(-1)[1] == 0.5


def test_an_image_export_loads_and_answers_in_plain_keras(tmp_path_factory, tmp_path):
    """Grayscale, the CNN's scaling and augmentation (training only: left out of the file)."""
    from image_factory import make_class_folders
    from kind_jobs import train_kind

    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    root = make_class_folders(tmp_path_factory.mktemp("shapes"), per_class=6, size=(24, 24))
    pre = ImagePreprocessConfig(image_size=24, color_mode="grayscale")
    pre.augment.enabled = True
    run = train_kind(
        IMAGES,
        scan_images(str(root)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=1, batch_size=8, seed=1),
    )
    bundle = run.bundle
    assert any(type(layer).__name__ == "TrainingOnly" for layer in bundle.model.layers)
    result = export_model(bundle, "keras", tmp_path / "images")
    assert result.ok, result.message
    path = tmp_path / "images" / "model.keras"
    assert _portable.app_layers(path) == {}
    images = np.asarray(sample_inputs(bundle), dtype=np.float32)
    done, got = plain_keras_predict(path, {"x": images}, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    want = np.asarray(bundle.model.predict(images, verbose=0))
    assert got is not None and np.allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("net", ["resnet50", "inceptionv3"])
def test_a_backbones_normalization_and_augmentation_save_as_plain_keras(net, tmp_path):
    """The backbone's own pixel scaling (and grayscale repeated to 3 channels) in plain
    Keras: the input stage alone, with augmentation, behind a small dense layer."""
    import keras

    from automl_gui.core.export.bundle import serving_model_of
    from automl_gui.core.models.images import build_input_stage
    from automl_gui.core.preprocess.image_config import AugmentConfig
    from automl_gui.core.preprocess.images import build_augmentation

    inputs = keras.Input((None, None, 3), name="image")
    augment = build_augmentation(AugmentConfig(flip="both", rotation=0.2), seed=1)
    x = build_input_stage(inputs, 8, "grayscale", net, augment)
    out = keras.layers.Dense(2)(keras.layers.Flatten()(x))
    model = serving_model_of(keras.Model(inputs, out))
    path = tmp_path / "stage.keras"
    model.save(path)
    assert _portable.app_layers(path) == {}
    images = np.random.default_rng(0).uniform(0, 255, size=(3, 10, 12, 3)).astype(np.float32)
    done, got = plain_keras_predict(path, {"x": images}, tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert np.allclose(got, np.asarray(model.predict(images, verbose=0)), atol=1e-4)


@pytest.mark.parametrize("features", ["log-mel", "mfcc"])
def test_an_audio_export_loads_and_answers_in_plain_keras(tmp_path_factory, tmp_path, features):
    """Crop/pad, the spectrogram (or MFCCs) and augmentation (left out of the file); clips
    of another length than the model's go in too."""
    import audio_factory
    from kind_jobs import train_kind

    from automl_gui.core.data.audio import scan_audio
    from automl_gui.core.kinds.audio import AUDIO
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

    root = audio_factory.make_class_folders(
        tmp_path_factory.mktemp("sounds"), ("tone", "noise"), 4, seconds=(0.3, 0.4), seed=2
    )
    pre = AudioPreprocessConfig(
        sample_rate=8000, n_mels=16, window_ms=32, hop_ms=16, features=features, n_mfcc=8
    )
    pre.augment.enabled = True
    run = train_kind(
        AUDIO,
        scan_audio(str(root)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=1, batch_size=8, seed=1),
    )
    bundle = run.bundle
    assert any(type(layer).__name__ == "TrainingOnly" for layer in bundle.model.layers)
    result = export_model(bundle, "keras", tmp_path / "audio")
    assert result.ok, result.message
    path = tmp_path / "audio" / "model.keras"
    assert _portable.app_layers(path) == {}
    assert not any("pip install" in note for note in result.notes)
    clips = np.asarray(sample_inputs(bundle), dtype=np.float32)
    rng = np.random.default_rng(1)
    longer = rng.uniform(-0.5, 0.5, (2, clips.shape[1] + 333)).astype(np.float32)
    done, answers = plain_keras_predict_each(path, [{"x": clips}, {"x": longer}], tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    for waves, got in zip((clips, longer), answers, strict=True):
        want = np.asarray(bundle.model.predict(waves, verbose=0))
        assert got is not None and np.allclose(got, want, atol=1e-5)


def test_the_command_line_prints_the_install_note(monkeypatch, capsys, tmp_path):
    """``automl-gui export`` prints each note; a model needing the app's layers gets one."""
    from automl_gui.cli import export as cli_export
    from automl_gui.core.export import formats

    note = _portable.requirement_note({"CropOrPad": "automl_gui.core.models.audio_layers"})
    fake = formats.ExportResult("keras", str(tmp_path), 1, 0.0, None, True, "ok", notes=[note])
    monkeypatch.setattr(formats, "export_model", lambda *a, **k: fake)
    monkeypatch.setattr("automl_gui.core.export.bundle.load_bundle", lambda path: None)
    monkeypatch.setattr(cli_export, "prepare_out", lambda *a, **k: None)
    args = type("Args", (), {"format": "keras", "out": str(tmp_path / "x"), "model": "m"})()
    args.overwrite = False
    assert cli_export.export_command(args) == 0
    assert f"note: {note}" in capsys.readouterr().out


def test_a_model_saved_with_the_old_impute_layers_still_loads_predicts_and_exports(tmp_path):
    with zipfile.ZipFile(OLD_BUNDLE / "model.keras") as archive:
        config = archive.read("config.json").decode()
    assert "ImputeString" in config and "ImputeNumeric" in config
    bundle = load_bundle(OLD_BUNDLE)
    rows = pd.DataFrame.from_records(bundle.metadata["sample_rows"])
    # the plain Python really lacks the app: the old file fails there as the issue says
    done, _ = plain_keras_predict(OLD_BUNDLE / "model.keras", table_inputs(bundle, rows), tmp_path)
    assert done.returncode != 0 and "ImputeString" in done.stderr
    got = predict_frame(bundle, rows)
    cols = [f"probability_{c}" for c in bundle.metadata["class_names"]]
    np.testing.assert_allclose(
        got[cols].to_numpy(), bundle.metadata["sample_predictions"], atol=1e-6
    )
    result = export_model(bundle, "keras", tmp_path / "old")
    assert result.ok, result.message
    layers = _portable.app_layers(tmp_path / "old" / "model.keras")
    note = _portable.requirement_note(layers)
    assert "ImputeString" in note and "import automl_gui.core.preprocess.layers" in note
    assert "pip install automl-gui" in note and note in result.notes
    card = (tmp_path / "old" / "MODEL_CARD.md").read_text()
    assert note in card and "the note below names" in card
    meta = json.loads((tmp_path / "old" / "metadata.json").read_text())
    assert meta["export"]["app_layers"] == layers
    onnx = export_model(bundle, "onnx", tmp_path / "old-onnx")  # the encoded part, old layout
    assert onnx.ok, onnx.message


def test_image_and_audio_models_saved_with_the_old_layers_still_load_in_the_app(tmp_path):
    """Models of older versions hold the registered image and audio layers: the app loads
    them (safe mode) with the same answers, and saving one again leaves out only the
    training-only wrapper; the rest is named in the install note."""
    import keras

    from automl_gui.core.export.bundle import load_keras_model, serving_model_of
    from automl_gui.core.models.audio_layers import (
        MFCC,
        CropOrPad,
        LogMelSpectrogram,
        SpectrogramImage,
        WaveformAugment,
    )
    from automl_gui.core.models.image_layers import BackbonePreprocess, Grayscale, TrainingOnly

    waves = keras.Input((None,), name="waveform")
    x = CropOrPad(800)(waves)
    x = TrainingOnly(WaveformAugment(seed=1), name="augment_waveform")(x)
    x = MFCC(8)(LogMelSpectrogram(8000, 128, 64, 128, 16)(x))
    x = BackbonePreprocess("resnet50")(Grayscale(3)(SpectrogramImage()(x)))
    out = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling2D()(x))
    old = keras.Model(waves, out)
    old.save(tmp_path / "old.keras")
    loaded = load_keras_model(tmp_path / "old.keras")
    clips = np.random.default_rng(0).uniform(-0.5, 0.5, (2, 900)).astype(np.float32)
    want = np.asarray(old.predict(clips, verbose=0))
    assert np.allclose(np.asarray(loaded.predict(clips, verbose=0)), want, atol=1e-6)
    serving_model_of(loaded).save(tmp_path / "again.keras")
    layers = _portable.app_layers(tmp_path / "again.keras")
    assert set(layers) == {
        "BackbonePreprocess",
        "CropOrPad",
        "Grayscale",
        "LogMelSpectrogram",
        "MFCC",
        "SpectrogramImage",
    }
    note = _portable.requirement_note(layers)
    for module in ("audio_layers", "image_layers"):
        assert f"import automl_gui.core.models.{module}" in note
    again = load_keras_model(tmp_path / "again.keras")
    assert np.allclose(np.asarray(again.predict(clips, verbose=0)), want, atol=1e-6)
