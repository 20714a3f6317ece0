"""Exports of a text model (issue 16): .keras and SavedModel take raw strings; TFLite and
ONNX hold the model from its vectorized input on, with preprocessing.json, and the check
proves encode_texts + the converted file give the app's answers. The card's Python runs in
a Python that cannot import the app."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ModelError
from automl_gui.core.export import _text_serving
from automl_gui.core.export._text_encode import encode_texts
from automl_gui.core.export.bundle import (
    base_metadata,
    load_bundle,
    predict_array,
    save_bundle,
)
from automl_gui.core.export.formats import export_model

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

CLASSES = ["negative", "positive", "question"]
TRAIN = [
    ("great movie, loved it", 1),
    ("wonderful acting and a great story", 1),
    ("terrible plot, boring", 0),
    ("awful, I hated every minute", 0),
    ("what time does it start?", 2),
    ("is it suitable for kids?", 2),
    ("Très bon film, génial", 1),
    ("ひどい映画", 0),
    ("Wie lang ist der Film?", 2),
]
SAMPLES = np.asarray(
    [
        "GREAT movie!!! loved it",
        "boring and terrible",
        "does it start at 8?",
        "Très bon, génial 😀",
        "ひどい",
        "İstanbul'da STRASSE ẞ",
        "",
        "words never seen before",
    ]
)
HIDE_APP = textwrap.dedent(
    """
    import importlib.abc, sys

    class NoApp(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "automl_gui" or name.startswith("automl_gui."):
                raise ImportError("automl_gui is hidden from this Python")
            return None

    sys.meta_path.insert(0, NoApp())
    """
)
SAVE = '\nimport numpy\nnumpy.save("answers.npy", numpy.asarray(answers, dtype="float32"))\n'


def _bundle(folder: Path, architecture: str) -> Path:
    """A small text model of ``architecture`` (the app's own builders), trained a few
    steps, saved as a bundle with text metadata and sample texts."""
    from automl_gui.core.models.text import build_text_model
    from automl_gui.core.models.text_config import TextModelConfig
    from automl_gui.core.preprocess.text import build_vectorizer, resolve_text_config
    from automl_gui.core.preprocess.text_config import TextPreprocessConfig

    texts = [t for t, _ in TRAIN]
    labels = np.asarray([y for _, y in TRAIN])
    # the n-gram MLP with TF-IDF (not Auto's multi-hot): the export's idf weights are tested
    bag = architecture == "ngram_mlp"
    config = TextPreprocessConfig(
        sequence_length=0 if bag else 12, output_mode="tf_idf" if bag else "auto"
    )
    resolved, _ = resolve_text_config(config, architecture, texts)
    vectorizer = build_vectorizer(resolved, architecture, texts)
    settings = TextModelConfig(units=8, embedding_dim=8)
    built = build_text_model(architecture, 3, vectorizer, settings, seed=1, word_dropout=0.1)
    built.model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    built.model.fit(tf.constant(texts), labels, epochs=3, verbose=0)
    metadata = {
        **base_metadata("text"),
        "task": "multiclass",
        "class_names": CLASSES,
        "architecture": architecture,
        "text": {**resolved.to_dict(), "vocabulary_size": int(vectorizer.vocabulary_size())},
        "text_column": "review",
    }
    out = folder / architecture
    save_bundle(built.model, metadata, {}, out, samples=SAMPLES)
    return out


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("text-bundles")
    return {arch: _bundle(folder, arch) for arch in ("ngram_mlp", "sepcnn")}


@pytest.fixture(scope="module")
def exported(bundles, tmp_path_factory):
    """``exported(architecture, fmt)``: (the export's folder, its ExportResult), made once."""
    folder = tmp_path_factory.mktemp("text-exports")
    done: dict[tuple[str, str], tuple[Path, object]] = {}

    def get(architecture: str, fmt: str):
        if (architecture, fmt) not in done:
            out = folder / f"{architecture}-{fmt}"
            done[architecture, fmt] = (
                out,
                export_model(load_bundle(bundles[architecture]), fmt, out),
            )
        return done[architecture, fmt]

    return get


def _app_answers(bundle_path: Path, texts) -> np.ndarray:
    bundle = load_bundle(bundle_path)
    return predict_array(bundle.model, np.asarray(texts))


def test_bundle_keeps_its_sample_texts_as_unicode(bundles):
    bundle = load_bundle(bundles["ngram_mlp"])
    assert bundle.samples.dtype.kind == "U"
    assert list(bundle.samples) == list(SAMPLES)
    assert _text_serving.takes_raw_text(bundle.model)


@pytest.mark.parametrize("fmt", ["keras", "savedmodel"])
def test_keras_and_savedmodel_take_raw_strings(exported, fmt):
    out, result = exported("ngram_mlp", fmt)
    assert result.ok, result.message
    assert result.rows_compared == len(SAMPLES) and result.max_abs_diff <= 1e-5
    assert "sample texts" in result.message
    assert np.load(out / "samples.npy", allow_pickle=False).dtype.kind == "U"
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "tf.constant(texts)" in card and "pandas column of raw texts" in card


@pytest.mark.parametrize(
    ("architecture", "fmt"),
    [("ngram_mlp", "tflite"), ("ngram_mlp", "onnx"), ("sepcnn", "tflite"), ("sepcnn", "onnx")],
)
def test_tflite_and_onnx_hold_the_vectorized_part_and_preprocessing(
    bundles, exported, architecture, fmt
):
    bundle = load_bundle(bundles[architecture])
    out, result = exported(architecture, fmt)
    assert result.ok, result.message
    assert result.max_abs_diff <= 1e-4
    assert "sample texts (encoded as preprocessing.json says)" in result.message
    assert _text_serving.TEXT_NOTE in result.notes
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    export = meta["export"]
    assert export["part"] == "encoded" and export["encoding_matches_app"] is True
    assert export["inputs"] == [_text_serving.INPUT_NAME]
    spec = json.loads((out / "preprocessing.json").read_text(encoding="utf-8"))
    item = spec["inputs"][0]
    vectorizer = item["vectorizer"]
    if architecture == "ngram_mlp":
        assert item["dtype"] == "float32" and vectorizer["output_mode"] == "tf_idf"
        assert vectorizer["ngrams"] == [1, 2]
    else:
        assert item["dtype"] == "int64" and item["shape"] == [None, 12]
    # the stored recipe alone reproduces the model's own layer on the sample texts
    layer = _text_serving.find_vectorizer(bundle.model)
    np.testing.assert_array_equal(
        encode_texts(SAMPLES, vectorizer), np.asarray(layer(tf.constant(SAMPLES)))
    )
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "vectorized_text" in card and "def vectorize(texts)" in card
    assert "without its text vectorization" in card


def _run_card_code(folder: Path, card: str, texts: list[str]) -> np.ndarray:
    code = card.split("```python\n", 1)[1].split("```", 1)[0]
    pd.DataFrame({"review": texts}).to_csv(folder / "new_texts.csv", index=False)
    script = folder / "card_code.py"
    script.write_text(HIDE_APP + code + SAVE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-I", str(script)], cwd=folder, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return np.load(folder / "answers.npy")


@pytest.mark.parametrize(("architecture", "fmt"), [("ngram_mlp", "onnx"), ("sepcnn", "tflite")])
def test_the_cards_python_vectorizes_like_the_app_without_it(bundles, exported, architecture, fmt):
    out, _ = exported(architecture, fmt)
    texts = [*SAMPLES[:6], "a completely new review, with punctuation!", "LOVED IT"]
    got = _run_card_code(out, (out / "MODEL_CARD.md").read_text(encoding="utf-8"), texts)
    want = _app_answers(bundles[architecture], texts)
    assert np.max(np.abs(got - want)) <= 1e-4


def test_the_keras_cards_python_runs_without_the_app(bundles, exported):
    out, _ = exported("ngram_mlp", "keras")
    texts = ["great movie", "what time?"]
    got = _run_card_code(out, (out / "MODEL_CARD.md").read_text(encoding="utf-8"), texts)
    assert np.max(np.abs(got - _app_answers(bundles["ngram_mlp"], texts))) <= 1e-5


def test_a_nested_vectorizer_is_cut_out_too():
    vectorizer = keras.layers.TextVectorization(output_mode="count", name="vec")
    vectorizer.adapt(tf.constant([t for t, _ in TRAIN]))
    raw = keras.Input(shape=(), dtype="string")
    inner = keras.Model(raw, keras.layers.Dense(4)(vectorizer(raw)), name="inner")
    text = keras.Input(shape=(), dtype="string", name="text")
    model = keras.Model(text, keras.layers.Dense(3, activation="softmax")(inner(text)))
    assert _text_serving.takes_raw_text(model)
    part = _text_serving.vectorized_part(model, _text_serving.find_vectorizer(model))
    spec = _text_serving.preprocessing_spec(vectorizer, {"class_names": CLASSES})
    x = encode_texts(SAMPLES, spec["inputs"][0]["vectorizer"])
    want = np.asarray(model(tf.constant(SAMPLES)))
    np.testing.assert_allclose(np.asarray(part(x)), want, atol=1e-6)


def test_a_string_model_without_textvectorization_is_refused_in_words():
    text = keras.Input(shape=(), dtype="string", name="text")
    ids = keras.layers.StringLookup(vocabulary=["a", "b"])(text)
    model = keras.Model(text, keras.layers.Dense(2)(keras.ops.expand_dims(ids, -1)))
    assert _text_serving.takes_raw_text(model)
    with pytest.raises(ModelError, match="0 TextVectorization"):
        _text_serving.vectorized_graph(model, {"class_names": ["a", "b"]})


def test_a_table_model_does_not_take_raw_text():
    column = keras.Input(shape=(1,), dtype="string", name="review")
    vectorizer = keras.layers.TextVectorization(output_mode="multi_hot")
    vectorizer.adapt(tf.constant(["a b", "c"]))
    model = keras.Model({"review": column}, keras.layers.Dense(2)(vectorizer(column)))
    assert not _text_serving.takes_raw_text(model)
