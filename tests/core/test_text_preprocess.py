"""Text preprocessing settings, Auto's choices and the vectorizer (issue 16).

The live preview's tokens are checked against what Keras' ``TextVectorization`` itself
looks up, on English and Unicode texts.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.preprocess.text import (
    auto_sequence_length,
    auto_split,
    auto_text_architecture,
    build_vectorizer,
    resolve_text_config,
    standardized_text,
    tokenize_preview,
)
from automl_gui.core.preprocess.text_config import TextPreprocessConfig

TRAIN = [
    "The cat sat on the mat.",
    "Dogs bark loudly at night!",
    "A cat's whiskers twitch; the dog barks.",
    "Café crème, s'il vous plaît — très bon.",
    "東京 は 大きい 都市 です",
    "Straße und Maße: ß bleibt, İstanbul büyük.",
    "emoji 🙂 makes the cat happy 🙂",
]
UNSEEN = [
    "The dog sat on a cat, loudly!!",
    "  multiple   spaces\tand\ttabs\nnewline  ",
    "UPPER case Café CRÈME",
    "東京 の 猫",
    "",
    "zebra zebra zebra cat",
]


def test_settings_round_trip_through_json():
    config = TextPreprocessConfig(
        standardize="lower",
        split="character",
        max_tokens=5000,
        ngrams=3,
        output_mode="count",
        sequence_length=64,
        word_dropout=0.1,
        validation_fraction=0.2,
        test_fraction=0.1,
        seed=7,
    )
    again = TextPreprocessConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    assert TextPreprocessConfig.from_dict({}) == TextPreprocessConfig()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("max_tokens", 5, "100 to 1,000,000"),
        ("ngrams", 4, "1 to 3"),
        ("sequence_length", 3, "8 to 2,000"),
        ("sequence_length", 1.5, "whole number"),
        ("word_dropout", 0.8, "0 (off) to 0.5"),
        ("standardize", "upper", "lower_and_strip_punctuation"),
        ("split", "words", "whitespace, character"),
        ("output_mode", "one_hot", "tf_idf"),
        ("validation_fraction", 0.9, "leave texts for training"),
    ],
)
def test_out_of_range_settings_say_what_is_allowed(field, value, words):
    with pytest.raises(ConfigError) as info:
        TextPreprocessConfig.from_dict({field: value})
    assert words in f"{info.value.message} {info.value.hint}"


def test_unknown_stored_settings_are_named():
    with pytest.raises(ConfigError, match="colour"):
        TextPreprocessConfig.from_dict({"colour": "red"})


def test_auto_architecture_follows_the_samples_per_words_rule():
    arch, why = auto_text_architecture(2000, 100)  # ratio 20
    assert arch == "ngram_mlp" and "20" in why and "1,500" in why and "guide" in why
    arch, why = auto_text_architecture(150_000, 10)  # ratio 15,000
    assert arch == "sepcnn" and "15,000" in why
    assert auto_text_architecture(1499, 1)[0] == "ngram_mlp"
    assert auto_text_architecture(1500, 1)[0] == "sepcnn"
    assert auto_text_architecture(10, 0)[0] == "ngram_mlp"  # no words: no division by zero


def test_auto_sequence_length_is_the_95th_percentile_within_bounds():
    assert auto_sequence_length(["w " * n for n in range(1, 101)]) == 95
    assert auto_sequence_length(["one two"] * 10) == 16
    assert auto_sequence_length(["w " * 2000] * 3) == 500
    assert auto_sequence_length(["abcdefghij" * 5], split="character") == 50
    assert auto_sequence_length([]) == 16


def test_resolving_says_what_auto_chose():
    texts = ["w " * n for n in range(1, 41)]
    bag, said = resolve_text_config(TextPreprocessConfig(), "ngram_mlp", texts)
    assert (bag.output_mode, bag.max_tokens, bag.ngrams, bag.sequence_length) == (
        "multi_hot",
        50_000,
        2,
        0,
    )
    assert len(said) == 3 and all(s.startswith("Auto chose") for s in said)
    seq, said = resolve_text_config(TextPreprocessConfig(), "transformer", texts)
    assert (seq.output_mode, seq.max_tokens, seq.ngrams, seq.sequence_length) == (
        "int",
        20_000,
        1,
        38,
    )
    assert any("38 tokens" in s and "95th percentile" in s for s in said)
    fixed = TextPreprocessConfig(max_tokens=500, ngrams=1, output_mode="count")
    assert resolve_text_config(fixed, "ngram_mlp", texts) == (fixed, [])
    pre, said = resolve_text_config(TextPreprocessConfig(), "pretrained", texts)
    assert pre.sequence_length == 38 and pre.output_mode == "auto" and len(said) == 1


@pytest.mark.parametrize(
    ("arch", "mode"), [("ngram_mlp", "int"), ("sepcnn", "tf_idf"), ("transformer", "count")]
)
def test_an_output_mode_the_network_cannot_take_is_refused(arch, mode):
    with pytest.raises(ConfigError, match="cannot take"):
        resolve_text_config(TextPreprocessConfig(output_mode=mode), arch, TRAIN)
    with pytest.raises(ConfigError, match="auto"):
        resolve_text_config(TextPreprocessConfig(), "auto", TRAIN)


def test_the_vocabulary_comes_from_the_training_texts_only():
    layer = build_vectorizer(TextPreprocessConfig(), "ngram_mlp", TRAIN)
    vocabulary = set(layer.get_vocabulary())
    assert {"cat", "the cat", "東京"} <= vocabulary and "zebra" not in vocabulary
    config = layer.get_config()
    assert (config["output_mode"], config["ngrams"], config["name"]) == (
        "multi_hot",
        2,
        "vectorize",
    )
    seq = build_vectorizer(TextPreprocessConfig(sequence_length=12), "sepcnn", TRAIN)
    assert seq.get_config()["output_sequence_length"] == 12
    assert np.asarray(seq(np.array(UNSEEN))).shape == (len(UNSEEN), 12)
    assert build_vectorizer(TextPreprocessConfig(), "pretrained", TRAIN) is None


@pytest.mark.parametrize(("ngrams", "max_tokens"), [(1, 100_000), (2, 100_000), (2, 150)])
def test_tf_idf_is_adapted_as_keras_adapts_it(ngrams, max_tokens):
    import keras

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)] + ["Café", "東京", "🙂", "the"]
    texts = TRAIN + [" ".join(rng.choice(words, rng.integers(1, 30))) for _ in range(300)]
    config = TextPreprocessConfig(max_tokens=max_tokens, ngrams=ngrams, output_mode="tf_idf")
    ours = build_vectorizer(config, "ngram_mlp", texts)
    grams = ngrams if ngrams > 1 else None
    keras_own = keras.layers.TextVectorization(
        max_tokens=max_tokens, ngrams=grams, output_mode="tf_idf"
    )
    keras_own.adapt(texts)
    assert ours.get_vocabulary() == keras_own.get_vocabulary()
    probe = np.array(texts[:50] + UNSEEN)
    assert np.abs(np.asarray(ours(probe)) - np.asarray(keras_own(probe))).max() <= 1e-6


def test_texts_with_no_token_left_are_refused():
    with pytest.raises(DataError, match="No tokens"):
        build_vectorizer(TextPreprocessConfig(), "ngram_mlp", ["!!!", "...", "?"])
    with pytest.raises(DataError, match="no training texts"):
        build_vectorizer(TextPreprocessConfig(), "ngram_mlp", [])


CONFIGS = [
    TextPreprocessConfig(ngrams=1, output_mode="int", sequence_length=40),
    TextPreprocessConfig(standardize="lower", ngrams=1, output_mode="int", sequence_length=40),
    TextPreprocessConfig(standardize="none", ngrams=1, output_mode="int", sequence_length=40),
    TextPreprocessConfig(split="character", ngrams=1, output_mode="int", sequence_length=80),
    TextPreprocessConfig(ngrams=2, output_mode="count"),
    TextPreprocessConfig(standardize="strip_punctuation", ngrams=3, output_mode="count"),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.standardize}-{c.split}-{c.ngrams}")
def test_the_preview_shows_what_the_layer_looks_up(config):
    arch = "sepcnn" if config.output_mode == "int" else "ngram_mlp"
    layer = build_vectorizer(config, arch, TRAIN)
    vocabulary = layer.get_vocabulary()
    index = {token: i for i, token in enumerate(vocabulary)}
    for text in TRAIN + UNSEEN:
        preview = tokenize_preview(config, text, layer)
        assert [t for t, _ in preview] == [t for t, _ in tokenize_preview(config, text)]
        assert all(known == (t in index) for t, known in preview)
        ids = [index.get(t, index["[UNK]"]) for t, _ in preview]
        encoded = np.asarray(layer(np.array([text])))[0]
        if config.output_mode == "int":
            expected = (ids + [0] * len(encoded))[: len(encoded)]
            assert encoded.tolist() == expected, text
        else:
            expected = np.bincount(np.array(ids, dtype=int), minlength=len(vocabulary))
            assert encoded.tolist() == expected.tolist(), text


def test_the_preview_without_a_vectorizer():
    config = TextPreprocessConfig()
    tokens = [t for t, known in tokenize_preview(config, "Hello, World! Hello") if known]
    assert tokens == ["hello", "world", "hello", "hello world", "world hello"]
    sequence = tokenize_preview(config, "Hello, World!", architecture="transformer")
    assert [t for t, _ in sequence] == ["hello", "world"]
    assert len(tokenize_preview(config, "w " * 2000, limit=50)) == 50
    # Keras lowercases ASCII letters only (tf.strings.lower without an encoding): so must we
    assert standardized_text(config, "Héllo, WÖRLD!") == "héllo wÖrld"
    assert standardized_text(TextPreprocessConfig(standardize="none"), "A, b") == "A, b"


def test_characters_take_n_grams_up_to_3():
    chars, said = resolve_text_config(TextPreprocessConfig(split="character"), "ngram_mlp", TRAIN)
    assert chars.ngrams == 3 and any("up to 3 characters" in s for s in said)
    seq, _ = resolve_text_config(TextPreprocessConfig(split="character"), "sepcnn", TRAIN)
    assert seq.ngrams == 1


def test_auto_split_takes_characters_for_spaceless_or_very_short_texts():
    english = ["the cat sat on the mat today", "a dog ran in the park again"] * 20
    assert auto_split(english) == ("whitespace", "")
    # one text in ten without spaces (Chinese, Japanese, Thai) is enough: words fail on them
    mixed = english[:18] + ["今天天气很好我们去公园散步吧", "ภาษาไทยไม่มีการเว้นวรรคระหว่างคำ"]
    split, why = auto_split(mixed)
    assert split == "character" and "10% of the texts" in why
    assert auto_split(english[:17] + ["今天天气很好我们去公园散步吧"])[0] == "whitespace"
    split, why = auto_split(["hello", "bonjour tout", "hola", "ciao bella"] * 5)
    assert split == "character" and "median text has" in why
    assert auto_split([]) == ("whitespace", "")
