"""Word attributions by leave-one-out erasure (``core.trust.words``, issue 18).

Known answer: texts whose class is set by one keyword among random filler words. The
model trained on them (the n-gram MLP through the real text job) must give the keyword the
largest weight in most texts, and the keywords must top the global importance. Weights are
checked against the model's answers to the texts with the word removed by hand, for every
network (the sepCNN and Transformer built directly; a tiny KerasHub BERT when keras-hub is
installed), and the units follow the model's tokenizer (words; characters in scripts
written without spaces for a character model).
"""

from __future__ import annotations

import csv

import numpy as np
import pytest
from kind_jobs import train_kind

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.data.text import load_text
from automl_gui.core.kinds.text import TEXT
from automl_gui.core.models.text import build_text_model
from automl_gui.core.models.text_config import TextModelConfig
from automl_gui.core.preprocess.text import build_vectorizer, resolve_text_config
from automl_gui.core.preprocess.text_config import TextPreprocessConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.trust import words
from automl_gui.core.trust._words_units import reading_of, text_units

KEYWORDS = {"alpha": "zebra", "beta": "quartz", "gamma": "violin"}
FILLER = (
    "the a of and to in is it was for on with this that very big new old red blue green "
    "small house tree river road car dog cat book table chair window door light dark warm "
    "cold fast slow happy tired morning evening city field garden paper stone"
).split()


def keyword_texts(n_per_class: int, seed: int) -> tuple[list[str], list[str]]:
    """6-10 filler words with the class's keyword at a random place, some punctuation."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for label, keyword in KEYWORDS.items():
        for _ in range(n_per_class):
            picked = list(rng.choice(FILLER, rng.integers(6, 11)))
            picked.insert(int(rng.integers(0, len(picked) + 1)), keyword)
            text = " ".join(picked)
            texts.append(text[0].upper() + text[1:] + str(rng.choice([".", "!", "?"])))
            labels.append(label)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], [labels[i] for i in order]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The n-gram MLP trained by the text job on 240 keyword texts (about 5 s)."""
    texts, labels = keyword_texts(80, seed=0)
    path = tmp_path_factory.mktemp("words") / "keywords.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels, strict=True))
    return train_kind(
        TEXT,
        load_text(str(path)),
        TextPreprocessConfig(),
        TextModelConfig(architecture="ngram_mlp"),
        TrainConfig(epochs=6, batch_size=16),
    )


@pytest.fixture(scope="module")
def fresh():
    return keyword_texts(20, seed=7)


def _keyword_of(text: str) -> str:
    return next(k for k in KEYWORDS.values() if k in text.lower())


def _erased_by_hand(model, text, attribution, cls):
    import tensorflow as tf

    word, start, end, weight = attribution
    whole = np.asarray(model.predict_on_batch(tf.constant([text])))[0, cls]
    # the whole whitespace chunk goes (its punctuation too)
    left = text[:start].rstrip("".join(c for c in ",.!?;:"))
    right = text[end:].lstrip("".join(c for c in ",.!?;:"))
    without = np.asarray(model.predict_on_batch(tf.constant([left + right])))[0, cls]
    return float(whole - without)


def test_the_keyword_gets_the_largest_weight_and_tops_the_importance(run, fresh):
    texts, labels = fresh
    attributions = words.word_attributions(run.bundle, texts)
    assert len(attributions) == len(texts)
    top = [max(a, key=lambda w: w[3])[0].lower() for a in attributions]
    hits = sum(t == _keyword_of(text) for t, text in zip(top, texts, strict=True))
    assert hits >= 0.8 * len(texts), (hits, len(texts))
    importance = words.word_importance(run.bundle, texts)
    assert list(importance.columns[:3]) == ["feature", "importance", "std"]
    assert set(importance["feature"].head(3)) == set(KEYWORDS.values())
    pushes = dict(zip(importance["feature"], importance["pushes_towards"], strict=True))
    assert {pushes[k] for k in KEYWORDS.values()} == set(KEYWORDS)
    assert (importance["count"] >= words.MIN_COUNT).all()


def test_offsets_point_into_the_original_text_and_weights_are_the_erasure(run):
    text = "Zebra, the  old road... -- and\ta tree!"
    (found,) = words.word_attributions(run.bundle, [text])
    assert [w for w, *_ in found] == ["Zebra", "the", "old", "road", "and", "a", "tree"]
    assert all(text[s:e] == w for w, s, e, _ in found)  # "--" is no token: not listed
    model = run.bundle.model
    cls = int(np.argmax(model.predict_on_batch(__import__("tensorflow").constant([text]))[0]))
    assert abs(found[0][3] - _erased_by_hand(model, text, found[0], cls)) < 1e-5
    # another class on request, by name: its weights are the same erasures' other column
    other = [n for n in run.bundle.class_names if n != run.bundle.class_names[cls]][0]
    (theirs,) = words.word_attributions(run.bundle, [text], classes=[other])
    assert theirs[0][3] * found[0][3] <= 0  # zebra pushes one way for alpha, the other for beta
    with pytest.raises(ConfigError):
        words.word_attributions(run.bundle, [text], classes=["nope"])
    assert words.word_attributions(run.bundle, ["", "!!! --"]) == [[], []]


def _built(arch, texts, labels, epochs=3, **pre):
    import keras
    import tensorflow as tf

    config, _ = resolve_text_config(TextPreprocessConfig(**pre), arch, texts)
    vectorizer = build_vectorizer(config, arch, texts)
    names = sorted(set(labels))
    y = np.array([names.index(label) for label in labels])
    built = build_text_model(arch, len(names), vectorizer, TextModelConfig(units=16), seed=1)
    # eagerly: tracing the first epoch cost more than these few steps (2 CPU threads)
    built.model.compile(
        keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", run_eagerly=True
    )
    built.model.fit(tf.constant(texts), y, batch_size=32, epochs=epochs, verbose=0)
    return built.model


@pytest.mark.parametrize("arch", ["sepcnn", "transformer"])
def test_sequence_networks_explain_through_their_raw_string_input(arch, fresh):
    texts, labels = keyword_texts(40, seed=3)
    model = _built(arch, texts, labels)
    test_texts, _ = fresh
    attributions = words.word_attributions(model, test_texts[:12])
    first = attributions[0]
    cls = int(np.argmax(model.predict_on_batch(__import__("tensorflow").constant(test_texts[:1]))))
    assert abs(first[2][3] - _erased_by_hand(model, test_texts[0], first[2], cls)) < 1e-5
    top = [max(a, key=lambda w: w[3])[0].lower() for a in attributions]
    hits = sum(t == _keyword_of(x) for t, x in zip(top, test_texts[:12], strict=True))
    assert hits >= 6, (arch, top)
    # a sequence model reads its first output_sequence_length tokens: no more are explained
    length = reading_of(model).limit
    long_text = " ".join(["tree"] * (length + 30))
    assert len(words.word_attributions(model, [long_text])[0]) == length


def test_a_character_model_explains_words_and_characters_of_scripts_without_spaces():
    texts = ["这是一个测试 hello world", "東京タワー, nice view!", "plain words only"] * 10
    model = _built("ngram_mlp", texts, ["a", "b", "c"] * 10, epochs=0, split="character")
    reading = reading_of(model)
    assert reading.per_character and "characters" in reading.unit
    (zh, ja, _) = words.word_attributions(model, texts[:3])
    assert [w for w, *_ in zh] == [*"这是一个测试", "hello", "world"]
    assert [w for w, *_ in ja] == [*"東京タワー", "nice", "view"]
    # a word goes with one blank beside it; a character alone
    (units,) = text_units(reading, ["ab 东京 cd"])
    assert ["ab 东京 cd"[u.cut_start : u.cut_end] for u in units] == ["ab ", "东", "京", " cd"]


def test_long_texts_are_capped(run):
    text = " ".join(["tree"] * (words.MAX_UNITS + 50))
    (found,) = words.word_attributions(run.bundle, [text])
    assert len(found) == words.MAX_UNITS


def test_explain_texts_writes_importance_and_explanations(run, fresh, tmp_path):
    texts, _ = fresh
    explanation = TEXT.explain(run.bundle, TEXT.typed([*texts, "   "]), out_dir=tmp_path)
    assert "Li, Monroe & Jurafsky 2016" in explanation.method
    assert [p.name for p in explanation.files] == ["importance.csv", "explanations.csv"]
    import pandas as pd

    saved = pd.read_csv(tmp_path / "importance.csv")
    assert list(saved.columns[:3]) == ["feature", "importance", "std"]
    assert set(saved["feature"].head(3)) == set(KEYWORDS.values())
    items = pd.read_csv(tmp_path / "explanations.csv")
    assert list(items.columns) == ["path", "text", "prediction", "confidence", "words", "against"]
    assert len(items) == len(texts)  # the blank text is left out, and said
    assert any("left out" in n for n in explanation.notes)
    hits = sum(
        str(w).split(" (")[0].lower() == _keyword_of(t)
        for w, t in zip(items["words"], items["text"], strict=True)
    )
    assert hits >= 0.8 * len(texts)
    capped = TEXT.explain(run.bundle, TEXT.typed(texts), rows=7)
    assert len(capped.items) == 7 and any("7 of 60" in n for n in capped.notes)
    long_texts = [" ".join(["tree"] * 400)] * 300  # the default keeps to the erasure budget
    assert words._default_rows(long_texts) == words.ERASURE_BUDGET // (words.MAX_UNITS + 1)
    assert words._default_rows(texts) == words.DEFAULT_ROWS
    with pytest.raises(DataError):
        TEXT.explain(run.bundle, TEXT.typed(["", " "]))
    with pytest.raises(ConfigError):
        TEXT.explain(run.bundle, TEXT.typed(texts), rows=0)


def test_a_pretrained_model_is_explained_by_words(tmp_path):
    keras_hub = pytest.importorskip("keras_hub")
    from automl_gui.core.models._text_pretrained import build_pretrained_text_model

    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "film", "great", "bad"]
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(vocabulary),
        num_layers=1,
        num_heads=1,
        hidden_dim=8,
        intermediate_dim=8,
        max_sequence_length=16,
    )
    folder = tmp_path / "tiny_bert"
    backbone.save_to_preset(str(folder))
    tokenizer.save_to_preset(str(folder))
    model = build_pretrained_text_model(folder, 2, sequence_length=16, seed=1).model
    text = "The film, great!"
    (found,) = words.word_attributions(model, [text])
    assert [w for w, *_ in found] == ["The", "film", "great"]
    cls = int(np.argmax(model.predict_on_batch(__import__("tensorflow").constant([text]))))
    assert abs(found[1][3] - _erased_by_hand(model, text, found[1], cls)) < 1e-5
