"""The text networks' contract (issue 16): every family builds on raw strings, trains a step,
saves as ``.keras``, reloads in safe mode and answers the same; one loads in a Python that
cannot import this app. A quality smoke: the n-gram MLP learns 3 topics clearly above
chance.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_export_portable import plain_keras_predict

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.export._portable import inference_model
from automl_gui.core.models.text import build_text_model
from automl_gui.core.models.text_config import FAMILIES, TextModelConfig
from automl_gui.core.preprocess.text import build_vectorizer, resolve_text_config
from automl_gui.core.preprocess.text_config import TextPreprocessConfig

TOPICS = {
    "sport": "match goal team player score coach league ball season win".split(),
    "cooking": "recipe oven flour sugar bake pan salt dinner taste butter".split(),
    "space": "rocket orbit planet moon star launch telescope galaxy nasa mars".split(),
}
SHARED = "the a of and to in is it was for on with this that very big new".split()


def topic_texts(n_per_class: int, seed: int) -> tuple[list[str], np.ndarray]:
    """Short texts mixing 2-4 topic words into 5-12 shared words, shuffled."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for label, words in enumerate(TOPICS.values()):
        for _ in range(n_per_class):
            picked = list(rng.choice(words, rng.integers(2, 5)))
            picked += list(rng.choice(SHARED, rng.integers(5, 13)))
            rng.shuffle(picked)
            text = " ".join(picked)
            texts.append(text.capitalize() + rng.choice([".", "!", "?"]))
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.array(labels, dtype="int32")[order]


@pytest.fixture(scope="module")
def data():
    return topic_texts(20, seed=0), topic_texts(10, seed=1)


def _dataset(texts, labels, batch=16):
    import tensorflow as tf

    return tf.data.Dataset.from_tensor_slices((texts, labels)).batch(batch)


def _build(arch, train_texts, **pre):
    config, _ = resolve_text_config(TextPreprocessConfig(**pre), arch, train_texts)
    vectorizer = build_vectorizer(config, arch, train_texts)
    return build_text_model(
        arch,
        len(TOPICS),
        vectorizer,
        TextModelConfig(units=16, embedding_dim=16),
        seed=3,
        word_dropout=config.word_dropout,
    )


@pytest.fixture(scope="module")
def trained(data):
    """Each family with word dropout on, trained one epoch: {arch: TextModel}."""
    (texts, labels), _ = data
    built = {}
    for arch in FAMILIES:
        text_model = _build(arch, texts, word_dropout=0.2)
        text_model.model.compile("adam", "sparse_categorical_crossentropy")
        text_model.model.fit(_dataset(texts, labels), epochs=1, verbose=0)
        built[arch] = text_model
    return built


@pytest.mark.parametrize("arch", FAMILIES)
def test_each_family_reloads_in_safe_mode_and_answers_the_same(arch, trained, data, tmp_path):
    import keras
    import tensorflow as tf

    built = trained[arch]
    model = built.model
    assert built.backbone is None and built.feature_model is None and built.head is None
    assert built.unfreeze_top(5) == 0 and built.max_fine_tune_layers == 0
    assert model.inputs[0].shape == (None,) and model.inputs[0].dtype == "string"
    assert model.inputs[0].name == "text" and model.outputs[0].dtype == "float32"
    assert any(layer.name == "word_dropout" for layer in model.layers)
    saved = inference_model(model)
    assert not any(layer.name == "word_dropout" for layer in saved.layers)
    path = tmp_path / "model.keras"
    saved.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    _, (texts, _) = data
    texts = [*texts, "", "!!!", "unknown words only zebra", "Été 東京 🙂 " * 300]
    a = np.asarray(model.predict(tf.constant(texts), verbose=0))
    b = np.asarray(again.predict(tf.constant(texts), verbose=0))
    assert np.isfinite(a).all() and np.allclose(a.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(a - b).max() <= 1e-6
    # word dropout runs in training only: calls without it are the same every time
    c = np.asarray(model(tf.constant(texts[:5])))
    assert np.array_equal(c, np.asarray(model(tf.constant(texts[:5]))))


def test_a_text_model_loads_in_plain_keras_without_the_app(trained, data, tmp_path):
    _, (texts, _) = data
    model = inference_model(trained["transformer"].model)
    path = tmp_path / "model.keras"
    model.save(path)
    done, answers = plain_keras_predict(path, {"text": np.array(texts[:8])}, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "modules: []" in done.stdout
    import tensorflow as tf

    expected = np.asarray(model.predict(tf.constant(texts[:8]), verbose=0))
    assert np.abs(answers - expected).max() <= 1e-6


def test_the_ngram_mlp_learns_topics_clearly_above_chance(data):
    import tensorflow as tf

    (texts, labels), (test_texts, test_labels) = data
    built = _build("ngram_mlp", texts)
    built.model.compile(
        __import__("keras").optimizers.Adam(1e-2), "sparse_categorical_crossentropy"
    )
    built.model.fit(_dataset(texts, labels), epochs=15, verbose=0)
    predicted = np.asarray(built.model.predict(tf.constant(test_texts), verbose=0)).argmax(1)
    accuracy = float((predicted == test_labels).mean())
    assert accuracy >= 0.8, accuracy  # chance: 0.33


def test_bad_requests_are_refused_with_what_to_do(data):
    (texts, _), _ = data
    config, _ = resolve_text_config(TextPreprocessConfig(), "ngram_mlp", texts)
    bag = build_vectorizer(config, "ngram_mlp", texts)
    model_config = TextModelConfig()
    with pytest.raises(ConfigError, match="Resolve 'auto'"):
        build_text_model("auto", 3, bag, model_config)
    with pytest.raises(ConfigError, match="at least 2 classes"):
        build_text_model("ngram_mlp", 1, bag, model_config)
    with pytest.raises(ConfigError, match="cannot take"):
        build_text_model("sepcnn", 3, bag, model_config)
    with pytest.raises(ConfigError, match="needs an adapted text vectorizer"):
        build_text_model("transformer", 3, None, model_config)
    with pytest.raises(ConfigError, match="Dropout"):
        build_text_model("ngram_mlp", 3, bag, TextModelConfig(dropout=0.95))
    with pytest.raises(ConfigError, match="Word dropout"):
        build_text_model("ngram_mlp", 3, bag, model_config, word_dropout=1.0)


def test_model_settings_round_trip_and_refuse_unknown_values():
    import json

    config = TextModelConfig(architecture="sepcnn", units=32, embedding_dim=100, dropout=0.3)
    assert TextModelConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ConfigError, match="ngram_mlp"):
        TextModelConfig.from_dict({"architecture": "lstm"})
    with pytest.raises(ConfigError, match="8 to 1,024"):
        TextModelConfig.from_dict({"embedding_dim": 4})
    with pytest.raises(ConfigError, match="units"):
        TextModelConfig.from_dict({"hidden": 3})


def test_mixed_precision_keeps_float32_probabilities(data):
    import keras
    import tensorflow as tf

    (texts, _), _ = data
    before = keras.mixed_precision.global_policy().name
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        for arch in FAMILIES:
            model = _build(arch, texts).model
            assert model.outputs[0].dtype == "float32", arch
            answers = np.asarray(model.predict(tf.constant(texts[:4]), verbose=0))
            assert answers.dtype == np.float32 and np.isfinite(answers).all(), arch
    finally:
        keras.mixed_precision.set_global_policy(before)
