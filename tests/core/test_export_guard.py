"""Loading refuses what it should before Keras sees it: a .keras that inflates to gigabytes, an
export (SavedModel, TFLite, ONNX) given as a model, a model holding code (one line)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from automl_gui.core.base.errors import ModelError
from automl_gui.core.export import _guard
from automl_gui.core.export.bundle import load_bundle, load_keras_model


def _keras_zip(path: Path, config: bytes, weights: bytes = b"", method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3"}))
        archive.writestr("config.json", config)
        archive.writestr("model.weights.h5", weights)
    return path


def test_a_config_that_inflates_far_is_refused_before_keras_reads_it(tmp_path):
    bomb = _keras_zip(tmp_path / "bomb.keras", b" " * (_guard.MAX_JSON_BYTES + 2**20))
    assert bomb.stat().st_size < 2**20  # under a megabyte on disk
    with pytest.raises(ModelError) as info:
        load_keras_model(bomb)
    message = info.value.message
    assert "config.json" in message and "inflate" in message and "memory" in message
    assert len(str(info.value)) < 400


def test_a_large_member_with_an_impossible_ratio_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(_guard, "LARGE_MEMBER", 2**20)
    bomb = _keras_zip(tmp_path / "weights.keras", b"{}", weights=b"\0" * (8 * 2**20))
    with pytest.raises(ModelError, match="model.weights.h5 would inflate"):
        _guard.check_keras_archive(bomb)
    # stored (as Keras writes) or random weights pass, whatever their size
    rng = np.random.default_rng(0)
    real = rng.normal(size=2**20).astype("float32").tobytes()
    _guard.check_keras_archive(_keras_zip(tmp_path / "ok.keras", b"{}", weights=real))
    stored = _keras_zip(tmp_path / "s.keras", b"{}", b"\0" * (8 * 2**20), zipfile.ZIP_STORED)
    _guard.check_keras_archive(stored)


def test_a_bundle_metadata_json_of_gigabytes_is_not_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(_guard, "MAX_JSON_BYTES", 1000)
    folder = tmp_path / "model"
    folder.mkdir()
    _keras_zip(folder / "model.keras", b"{}")
    (folder / "metadata.json").write_text(json.dumps({"format_version": 1, "x": "y" * 2000}))
    with pytest.raises(ModelError, match="metadata.json is not the app.s: it is larger than"):
        load_bundle(folder)


@pytest.mark.parametrize(
    "files, words",
    [
        (["saved_model.pb", "fingerprint.pb", "metadata.json"], "SavedModel (saved_model.pb)"),
        (["model.tflite", "metadata.json"], "TensorFlow Lite"),
        (["model.onnx", "metadata.json", "preprocessing.json"], "ONNX"),
    ],
)
def test_an_export_folder_given_as_a_model_says_what_it_is_and_what_to_pass(tmp_path, files, words):
    folder = tmp_path / "export"
    folder.mkdir()
    for name in files:
        (folder / name).write_text("{}")
    with pytest.raises(ModelError) as info:
        load_bundle(folder)
    assert words in info.value.message and "model.keras is missing" not in info.value.message
    assert "model.keras and metadata.json" in info.value.hint and ".keras" in info.value.hint
    with pytest.raises(ModelError, match=words.split(" (")[0]):
        load_bundle(folder / files[0])


def _lambda_model(path: Path) -> Path:
    import keras

    inputs = keras.Input((3,))
    x = keras.layers.Lambda(lambda t: t * 2)(inputs)
    keras.Model(inputs, keras.layers.Dense(2)(x)).save(path)
    return path


def _foreign_class_model(path: Path) -> Path:
    import keras

    @keras.saving.register_keras_serializable(package="elsewhere")
    class AddOne(keras.layers.Layer):
        def call(self, x):
            return x + 1

    inputs = keras.Input((3,))
    keras.Model(inputs, AddOne()(keras.layers.Dense(2)(inputs))).save(path)
    return path


@pytest.mark.parametrize("make", [_lambda_model, _foreign_class_model])
def test_a_model_holding_code_is_refused_in_one_short_line(tmp_path, monkeypatch, make):
    path = make(tmp_path / "coded.keras")
    if make is _foreign_class_model:  # a later load no longer has the class registered
        import keras

        monkeypatch.delitem(keras.saving.get_custom_objects(), "elsewhere>AddOne")
    with pytest.raises(ModelError) as info:
        load_keras_model(path)
    assert info.value.message == "coded.keras: This model contains code the app will not run."
    assert "\n" not in str(info.value) and len(str(info.value)) < 300
    assert "register_keras_serializable" not in str(info.value)


def test_a_folder_of_single_file_keras_exports_says_which_file_to_give(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    _keras_zip(folder / "classifier.keras", b"{}")
    (folder / "classifier.metadata.json").write_text("{}")
    with pytest.raises(ModelError) as info:
        load_bundle(folder)
    assert "holds classifier.keras" in info.value.message
    assert str(folder / "classifier.keras") in info.value.hint


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_as_the_model_is_named_never_opened(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    os.mkfifo(folder / "model.keras")
    (folder / "metadata.json").write_text("{}")
    os.mkfifo(tmp_path / "single.keras")
    for given in (folder, tmp_path / "single.keras"):
        with pytest.raises(ModelError) as caught:
            load_bundle(given)  # returns at once: nothing blocks on the pipe
        assert "not a regular file (a named pipe)" in caught.value.message
