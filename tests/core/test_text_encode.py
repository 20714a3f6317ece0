"""encode_texts (NumPy/Python) against Keras' own TextVectorization, on Unicode texts."""

from __future__ import annotations

import json

import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.export._text_encode import (
    encode_texts,
    standardize,
    tokens,
    vectorizer_spec,
)

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

TRAIN = [
    "The movie was GREAT, great fun!!! I'd see it again.",
    "Terrible plot; the acting was terrible... 2/10",
    "École, café, naïve: Ça va? Élève ÉLÈVE élève",
    "Straße STRASSE straße ẞ Maß",
    "İstanbul ISTANBUL ıi Iı DİYARBAKIR",
    "東京は 晴れ です。東京 タワー",
    "مرحبا بالعالم، مرحبا!",
    "emoji 😀😀 🎉 fun 👍🏽 fun",
    "ΣΊΣΥΦΟΣ σίσυφος Ｆｕｌｌｗｉｄｔｈ ﬁne",
    "tabs\tand\nnewlines\r\nand\x0bvertical\x0cfeed and  double  spaces",
    "no\u00a0break\u3000ideographic\u2003em space\x85next\x1cfile",
    "a a a a b b c",
    "[UNK] token and '' quotes \"here\" {braces} <tags> #hash @at",
    "x",
    # a NUL token: Keras' get_vocabulary() reads it as "" (vectorizer_spec reads the table)
    "nul\x00inside zero\u200bwidth line\u2028separator e\u0301 \u00e9 ﬀ Ⅻ ＡＢＣ",
]
PREDICT = [
    *TRAIN,
    "",
    "   ",
    "!!!???",
    "unknown words zzz qqq never seen",
    "great GREAT Great gReAt",
    "😀",
    "école ÉCOLE",
    "the the the the the the the the the the the the the the the the the the the",
    "東京 東京 東京",
    "ǅ ǈ ǋ titlecase Ω Å K",  # titlecase letters, Ohm, Angstrom, Kelvin signs
    "nul\x00inside zero\u200bwidth line\u2028separator para\u2029graph",
    "combining e\u0301 vs \u00e9, ﬀ ligature, Ⅻ numeral, ＡＢＣ fullwidth",
]


def _layer(**kwargs):
    layer = keras.layers.TextVectorization(**kwargs)
    layer.adapt(tf.constant(TRAIN))
    return layer


def _same(layer, texts=PREDICT):
    want = np.asarray(layer(tf.constant(texts)))
    spec = json.loads(json.dumps(vectorizer_spec(layer)))  # as preprocessing.json holds it
    got = encode_texts(texts, spec)
    assert got.shape == want.shape
    if spec["output_mode"] == "int":
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want)
    else:
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want.astype(np.float32))  # bit for bit (<= 1e-6 asked)
    return got


@pytest.mark.parametrize("mode", ["int", "multi_hot", "count", "tf_idf"])
@pytest.mark.parametrize("ngrams", [None, 2, 3, (1, 3)])
def test_every_output_mode_and_ngrams(mode, ngrams):
    extra = {"output_sequence_length": 12} if mode == "int" else {}
    _same(_layer(output_mode=mode, ngrams=ngrams, **extra))


@pytest.mark.parametrize("how", ["lower_and_strip_punctuation", "lower", "strip_punctuation", None])
@pytest.mark.parametrize("split", ["whitespace", "character"])
def test_every_standardize_and_split(how, split):
    _same(_layer(output_mode="count", standardize=how, split=split))
    _same(_layer(output_mode="int", standardize=how, split=split, output_sequence_length=40))


def test_int_without_length_pads_to_the_longest_text_and_truncates_with_a_length():
    _same(_layer(output_mode="int"))
    got = _same(_layer(output_mode="int", output_sequence_length=3, ngrams=2))
    assert got.shape == (len(PREDICT), 3)
    _same(_layer(output_mode="int"), ["", ""])  # (2, 0)


def test_capped_vocabulary_and_padding_to_max_tokens():
    _same(_layer(output_mode="tf_idf", max_tokens=10))  # most words out of vocabulary
    _same(_layer(output_mode="tf_idf", max_tokens=500, pad_to_max_tokens=True))
    _same(_layer(output_mode="multi_hot", max_tokens=500, pad_to_max_tokens=True, ngrams=2))
    _same(_layer(output_mode="int", max_tokens=8, output_sequence_length=5))


def test_a_layer_given_its_vocabulary_and_idf_weights():
    layer = keras.layers.TextVectorization(
        output_mode="tf_idf", vocabulary=["great", "fun", "école"], idf_weights=[0.5, 1.5, 2.5]
    )
    got = _same(layer)
    assert got.shape[1] == 4  # [UNK] + 3


def test_what_the_unicode_steps_do():
    # TensorFlow lowercases ASCII only and strips ASCII punctuation only
    assert standardize("ÉCOLE İ ẞ Σ «A»!", "lower_and_strip_punctuation") == "École İ ẞ Σ «a»"
    spec = {"standardize": None, "split": "whitespace", "ngrams": [1, 2]}
    assert tokens("a\u00a0b c\td", spec) == ["a\u00a0b", "c", "d", "a\u00a0b c", "c d"]
    assert tokens("ab", {"standardize": None, "split": "character", "ngrams": None}) == ["a", "b"]


def test_odd_inputs_as_the_layer_takes_them():
    layer = _layer(output_mode="count")
    spec = vectorizer_spec(layer)
    got = encode_texts([b"great fun", None, float("nan"), "great"], spec)
    want = np.asarray(layer(tf.constant(["great fun", "", "", "great"])))
    np.testing.assert_array_equal(got, want)
    assert encode_texts([], spec).shape == (0, spec["depth"])


def test_a_damaged_description_is_refused():
    spec = vectorizer_spec(_layer(output_mode="tf_idf"))
    with pytest.raises(ConfigError, match="idf_weights"):
        encode_texts(["x"], {**spec, "idf_weights": [1.0]})
    with pytest.raises(ConfigError, match="output_mode"):
        encode_texts(["x"], {**spec, "output_mode": "one_hot"})
    with pytest.raises(ConfigError, match="vocabulary"):
        encode_texts(["x"], {**spec, "vocabulary": []})


def test_a_layer_with_its_own_function_cannot_be_written_out():
    layer = keras.layers.TextVectorization(split=lambda x: tf.strings.split(x), vocabulary=["a"])
    with pytest.raises(ConfigError, match="own"):
        vectorizer_spec(layer)
