"""Exports reload and answer like the in-memory model; nothing is overwritten unless asked."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.export.bundle import (
    Bundle,
    load_bundle,
    make_metadata,
    predict_frame,
    save_bundle,
)
from automl_gui.core.export.formats import FORMATS, export_model
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.models.mlp import build_tabular_model
from automl_gui.core.models.registry import MODEL_FAMILIES, families_for, resolve
from automl_gui.core.preprocess.tabular import auto_config, build_preprocessor, prepare_data


@pytest.fixture(scope="module")
def bundle() -> Bundle:
    """A tiny untrained 3-class model over raw rows (weights are seeded, so answers vary)."""
    rng = np.random.default_rng(1)
    n = 120
    df = pd.DataFrame(
        {
            "size": rng.normal(size=n),
            "shape": rng.choice(["round", "square", None], n),
            "y": rng.choice(["x", "y", "z"], n),
        }
    )
    df.loc[::5, "size"] = np.nan
    config = auto_config(df, None, "y", "multiclass")
    prepared = prepare_data(df, config)
    pre = build_preprocessor(config, prepared.train)
    model = build_tabular_model(
        pre, "multiclass", 3, len(prepared.train), MLPConfig(auto=False, hidden_units=[8])
    )
    sample = prepared.test.copy()
    sample.loc[0, "shape"] = "unseen"
    sample.loc[1, "size"] = np.inf
    meta = make_metadata(
        schema=pre.schema,
        task="multiclass",
        class_names=prepared.class_names,
        preprocess=config,
        mlp=MLPConfig(),
        training={},
        metrics={"accuracy": 0.4},
        sample_rows=sample,
        target="y",
    )
    return Bundle(model=model.serving_model, metadata=meta)


def test_metadata_is_strict_json_with_versions_and_sample_rows(bundle):
    meta = bundle.metadata
    text = json.dumps(meta, allow_nan=False)  # no NaN/inf literals anywhere
    assert json.loads(text) == meta
    assert meta["format_version"] == 1 and meta["task"] == "multiclass"
    assert {"app", "tensorflow", "keras"} <= set(meta["versions"])
    assert meta["class_names"] == ["x", "y", "z"]
    assert 10 < len(meta["sample_rows"]) < 20  # the whole test split (under the cap of 20)
    assert meta["sample_rows"][1]["size"] is None  # inf stored as missing: same answer
    assert meta["preprocess"]["target"] == "y"


def test_keras_export_round_trip_refuses_then_allows_overwrite(bundle, tmp_path):
    out = tmp_path / "exported"
    result = export_model(bundle, "keras", out)
    assert result.ok and result.rows_compared == len(bundle.metadata["sample_rows"])
    assert result.max_abs_diff <= 1e-6 and result.agreement == 1.0
    assert (out / "model.keras").is_file() and (out / "metadata.json").is_file()
    assert (out / "MODEL_CARD.md").is_file() and "model.keras" in result.files
    assert result.runtime.startswith("Keras ") and result.size_bytes > 0
    reloaded = load_bundle(out)
    frame = pd.DataFrame.from_records(bundle.metadata["sample_rows"])
    pd.testing.assert_frame_equal(predict_frame(reloaded, frame), predict_frame(bundle, frame))

    with pytest.raises(ModelError, match="exists; choose another folder or pass --overwrite"):
        export_model(bundle, "keras", out)
    assert export_model(bundle, "keras", out, overwrite=True).ok
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exported"]  # no temp leftovers

    single = tmp_path / "files" / "classifier.keras"
    result = export_model(bundle, "keras", single)
    assert result.ok and single.is_file()
    assert (single.parent / "classifier.metadata.json").is_file()
    assert (single.parent / "classifier.MODEL_CARD.md").is_file()
    assert sorted(result.files) == [
        "classifier.MODEL_CARD.md",
        "classifier.keras",
        "classifier.metadata.json",
    ]
    assert load_bundle(single).class_names == ["x", "y", "z"]
    # the stored call names the file as written, like the card (it said 'model.keras')
    usage = json.loads((single.parent / "classifier.metadata.json").read_text())["export"]
    assert "load_model('classifier.keras')" in usage["usage"]
    with pytest.raises(ModelError, match="exists"):
        export_model(bundle, "keras", single)
    # a second .keras export in the same folder keeps its own metadata
    other = single.with_name("other.keras")
    assert export_model(bundle, "keras", other).ok
    assert (single.parent / "other.metadata.json").is_file()
    assert load_bundle(single).class_names == ["x", "y", "z"]
    with pytest.raises(ConfigError, match="folder, not a .keras file"):
        export_model(bundle, "onnx", tmp_path / "files" / "model.keras")


def test_savedmodel_export_reloads_with_tensorflow_and_matches(bundle, tmp_path):
    out = tmp_path / "saved"
    result = export_model(bundle, "savedmodel", out)
    assert result.format == "savedmodel" and result.ok, result.message
    assert result.max_abs_diff <= 1e-4 and result.agreement == 1.0
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["export"]["format"] == "savedmodel"
    assert meta["export"]["runtime"].startswith("TensorFlow ")
    assert meta["export"]["verification"]["ok"] is True
    assert "loaded.serve" in (out / "MODEL_CARD.md").read_text()
    assert len(meta["sample_predictions"]) == len(meta["sample_rows"])
    assert (out / "saved_model.pb").is_file()
    with pytest.raises(ModelError, match="exists"):
        export_model(bundle, "savedmodel", out)


def test_save_bundle_refuses_non_empty_folder_and_overwrites_only_its_own(bundle, tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("user file")
    with pytest.raises(ModelError, match="exists"):
        save_bundle(bundle.model, dict(bundle.metadata), {}, out)
    # --overwrite replaces only a folder the app wrote: a user's file is never deleted
    with pytest.raises(ModelError, match=r"did not write \(keep.txt\)"):
        save_bundle(bundle.model, dict(bundle.metadata), {}, out, overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no temp leftovers
    mine = tmp_path / "mine"
    save_bundle(bundle.model, dict(bundle.metadata), {}, mine)
    save_bundle(bundle.model, dict(bundle.metadata), {"ok": 1}, mine, overwrite=True)
    assert sorted(p.name for p in mine.iterdir()) == ["metadata.json", "model.keras", "report.json"]
    assert load_bundle(mine / "model.keras").report == {"ok": 1}


def test_loading_garbage_or_missing_files_is_a_model_error(tmp_path):
    bad = tmp_path / "model.keras"
    bad.write_bytes(b"this is not a zip archive")
    (tmp_path / "metadata.json").write_text(json.dumps({"format_version": 1, "input_schema": {}}))
    with pytest.raises(ModelError, match="not a Keras model file"):
        load_bundle(bad)
    with pytest.raises(ModelError, match="not found"):
        load_bundle(tmp_path / "nothing_here")
    (tmp_path / "metadata.json").write_text("{broken json")
    with pytest.raises(ModelError, match="metadata.json"):
        load_bundle(tmp_path)


def test_unknown_format_and_model_family_are_config_errors(bundle, tmp_path):
    with pytest.raises(ConfigError, match="format"):
        export_model(bundle, "pickle", tmp_path / "x")
    with pytest.raises(ConfigError, match="tflite-dynamic, tflite-float16, onnx"):
        export_model(bundle, "tflite-int4", tmp_path / "x")
    assert set(FORMATS) >= {"keras", "savedmodel", "tflite", "onnx"}
    assert resolve("auto", "tabular") == "mlp" and resolve("MLP", "tabular") == "mlp"
    assert "mlp" in MODEL_FAMILIES and families_for("tabular") == ["mlp"]
    with pytest.raises(ConfigError, match="Unknown model"):
        resolve("xgboost", "tabular")


def test_models_with_code_are_refused_in_safe_mode(tmp_path):
    import keras

    inp = keras.Input(shape=(1,), name="a")
    model = keras.Model(inp, keras.layers.Lambda(lambda t: t * 2)(inp))
    model.save(tmp_path / "model.keras")
    (tmp_path / "metadata.json").write_text(json.dumps({"format_version": 1, "input_schema": {}}))
    with pytest.raises(ModelError, match="code"):
        load_bundle(tmp_path)


def _tiny_file_model(shape: tuple[int, ...], n_classes: int = 2):
    import keras

    inp = keras.Input(shape=shape)
    x = keras.layers.Flatten()(inp) if len(shape) > 1 else inp
    return keras.Model(inp, keras.layers.Dense(n_classes, activation="softmax")(x))


def test_older_image_bundles_with_sample_images_npy_still_load_their_samples(tmp_path):
    from automl_gui.core.export.bundle import base_metadata

    samples = np.random.default_rng(0).uniform(0, 255, (3, 4, 4, 3)).astype("float32")
    meta = {**base_metadata("images"), "task": "binary", "class_names": ["a", "b"]}
    out = save_bundle(_tiny_file_model((4, 4, 3)), meta, {}, tmp_path / "old", samples=samples)
    (out / "samples.npy").rename(out / "sample_images.npy")  # as written before audio
    bundle = load_bundle(out)
    assert bundle.kind.name == "images" and np.array_equal(bundle.samples, samples)
    assert export_model(bundle, "keras", tmp_path / "again").ok


@pytest.mark.parametrize(
    "missing, message", [("sample_rate", "sample rate"), ("n_samples", "clip length")]
)
def test_audio_metadata_without_its_input_settings_is_refused(tmp_path, missing, message):
    from automl_gui.core.export.bundle import base_metadata

    meta = {
        **base_metadata("audio"),
        "task": "binary",
        "class_names": ["a", "b"],
        "sample_rate": 8000,
        "n_samples": 800,
    }
    out = save_bundle(_tiny_file_model((800,)), meta, {}, tmp_path / "m")
    text = json.loads((out / "metadata.json").read_text())
    del text[missing]
    (out / "metadata.json").write_text(json.dumps(text))
    with pytest.raises(ModelError, match=f"lacks the {message}"):
        load_bundle(out)


def test_audio_savedmodel_serves_waveforms_of_any_length(tmp_path):
    """The exported signature is (None, None) float32: clips shorter and longer than the
    model's clip length are cropped/padded inside, as in the app."""
    import tensorflow as tf

    from automl_gui.core.export.bundle import base_metadata
    from automl_gui.core.models.audio import build_audio_model
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

    pre = AudioPreprocessConfig(sample_rate=8000, clip_seconds=0.25, n_mels=16)
    built = build_audio_model(
        "cnn", 3, pre, ImageModelConfig(architecture="cnn"), n_samples=2000, n_train=10
    )
    rng = np.random.default_rng(0)
    samples = rng.uniform(-0.5, 0.5, (2, 2000)).astype("float32")
    meta = {
        **base_metadata("audio"),
        "task": "multiclass",
        "class_names": ["a", "b", "c"],
        "sample_rate": 8000,
        "n_samples": 2000,
    }
    bundle = Bundle(model=built.model, metadata=meta, samples=samples)
    out = tmp_path / "sm"
    result = export_model(bundle, "savedmodel", out)
    assert result.ok and result.rows_compared == 2, result.message
    assert "sample clips (raw waveforms)" in result.message
    serving = json.loads((out / "metadata.json").read_text())["export"]["serving"]
    assert "loaded.serve(waveforms)" in serving and "8000 Hz" in serving
    assert np.array_equal(np.load(out / "samples.npy"), samples)
    loaded = tf.saved_model.load(str(out))
    spec = loaded.serve.concrete_functions[0].structured_input_signature[0][0]
    assert spec.shape.as_list() == [None, None] and spec.dtype == tf.float32
    for length in (1500, 2000, 3100):
        waves = rng.uniform(-0.5, 0.5, (2, length)).astype("float32")
        got = np.asarray(loaded.serve(tf.constant(waves)))
        want = np.asarray(built.model(waves, training=False))
        assert got.shape == (2, 3) and np.allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("shape", [(10**9, 224, 224, 3), (2, 4, 4, 3)])
def test_a_samples_npy_declaring_another_size_than_it_holds_is_a_damaged_file(tmp_path, shape):
    """A tiny samples.npy declaring a huge shape made load_bundle raise MemoryError."""
    from numpy.lib import format as npy

    from automl_gui.core.export.bundle import base_metadata

    samples = np.zeros((3, 4, 4, 3), "float32")
    meta = {**base_metadata("images"), "task": "binary", "class_names": ["a", "b"]}
    out = save_bundle(_tiny_file_model((4, 4, 3)), meta, {}, tmp_path / "b", samples=samples)
    with open(out / "samples.npy", "wb") as fh:
        header = {"descr": "<f4", "fortran_order": False, "shape": shape}
        npy.write_array_header_1_0(fh, header)
        fh.write(b"\0" * 4 * 4 * 4 * 3 * 3)  # the data of 3 images
    with pytest.raises(ModelError, match="samples.npy .* is damaged: its header declares") as info:
        load_bundle(out)
    assert "Export the model again" in info.value.hint


def test_an_export_is_kept_beside_an_out_that_changed_while_it_was_made(
    bundle, tmp_path, monkeypatch
):
    from automl_gui.core.export import formats

    out = tmp_path / "export"
    real = formats._write_extras

    def extras(b, staging):
        real(b, staging)
        out.mkdir()
        (out / "notes.txt").write_text("mine")  # the user made the folder meanwhile

    monkeypatch.setattr(formats, "_write_extras", extras)
    result = export_model(bundle, "keras", out)
    assert result.path == str(tmp_path / "export-2") and result.ok
    assert any("written to" in note for note in result.notes)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    assert (tmp_path / "export-2" / "model.keras").is_file()
