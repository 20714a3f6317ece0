"""The text kind end to end, in process: train the bundled sample through the shared files
job, save the bundle, reload it and predict the same; predict on typed texts, a folder of
``.txt`` files and tables; refuse bad input clearly; search and study on texts."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from kind_jobs import train_kind

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.base.events import Log
from automl_gui.core.kinds import kind_for_path, kind_named
from automl_gui.core.train.config import TrainConfig

TEXT = kind_named("text")


@pytest.fixture(scope="module")
def sample():
    return TEXT.load(TEXT.sample_path())


@pytest.fixture(scope="module")
def trained(sample):
    """The sample trained with Auto's choices for 4 epochs, and its log."""
    logs: list[str] = []
    training = TrainConfig(epochs=4, seed=1)

    def on_event(event):
        if isinstance(event, Log):
            logs.append(event.message)

    run = train_kind(
        TEXT,
        sample,
        TEXT.default_preprocess(sample),
        TEXT.default_model(),
        training,
        on_event=on_event,
    )
    return run, logs


@pytest.fixture(scope="module")
def bundle(trained, tmp_path_factory):
    from automl_gui.core.export.bundle import load_bundle, save_bundle

    run, _ = trained
    out = tmp_path_factory.mktemp("text") / "model"
    save_bundle(run.model, run.metadata, run.report, out, samples=run.samples)
    return load_bundle(out)


def _proba(frame: pd.DataFrame, names: list[str]) -> np.ndarray:
    return frame[[f"probability_{n}" for n in names]].to_numpy(dtype="float64")


def test_auto_resolves_the_network_and_the_vectorizer_and_says_why(trained, sample):
    run, logs = trained
    meta = run.metadata
    assert run.kind is TEXT and meta["kind"] == "text"
    # 168 training texts of ~18 words: Google's rule picks the n-gram MLP
    assert meta["architecture"] == "ngram_mlp" and meta["model"]["architecture"] == "ngram_mlp"
    assert "architecture" in meta["auto_chose"]
    assert any(line.startswith("Auto chose the n-gram MLP: 168 training texts") for line in logs)
    text = meta["text"]
    assert text["output_mode"] == "multi_hot" and text["ngrams"] == 2
    assert text["max_tokens"] == 50_000 and 100 < text["vocabulary_size"] <= 50_000
    assert meta["preprocess"]["output_mode"] == "auto"  # the user's settings stay as given
    assert meta["text_column"] == sample.text_column and meta["label_column"]
    assert meta["class_names"] == sample.class_names and meta["task"] == "multiclass"
    assert meta["data"]["test_texts"] == len(run.test_predictions)
    assert run.phases == [("train", 0)]  # trained whole in one phase (no backbone)
    assert any(line.startswith("Model: N-gram MLP on multi-hot vectors") for line in logs)


def test_samples_are_texts_and_the_test_predictions_name_rows(trained, sample):
    run, _ = trained
    assert run.samples.dtype.kind == "U" and 0 < len(run.samples) <= 8
    assert set(run.samples) <= set(sample.texts())
    paths = run.test_predictions["path"]
    assert paths.str.contains(r"\.csv#\d+$").all()
    assert list(run.test_predictions.columns[:4]) == ["path", "actual", "prediction", "confidence"]


def test_bundle_reloads_and_predicts_the_same(trained, bundle):
    run, _ = trained
    assert bundle.kind is TEXT
    assert np.array_equal(bundle.samples, run.samples)  # unicode array, loaded without pickle
    saved = np.asarray(bundle.metadata["sample_predictions"], dtype="float64")
    frame = TEXT.predict(bundle, TEXT.typed(list(bundle.samples)))
    assert list(frame.columns[:5]) == ["path", "text", "prediction", "confidence", frame.columns[4]]
    assert (frame["error"] == "").all() and (frame["path"] == "").all()
    assert np.abs(_proba(frame, bundle.class_names) - saved).max() <= 1e-6
    again = TEXT.predict(bundle, TEXT.typed(list(bundle.samples)))
    assert again.equals(frame)


def test_predict_on_a_folder_of_txt_files(bundle, sample, tmp_path):
    texts = sample.texts()[:3]
    folder = tmp_path / "new"
    (folder / "deeper").mkdir(parents=True)
    (folder / "b.txt").write_text(texts[0], encoding="utf-8")
    (folder / "deeper" / "a.txt").write_text(texts[1], encoding="utf-16")  # BOM: decoded
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "notes.md").write_text(texts[2], encoding="utf-8")  # not a .txt: not read
    frame = TEXT.predict(bundle, [str(folder)])
    names = [Path(p).name for p in frame["path"]]
    assert names == ["b.txt", "a.txt", "empty.txt"]  # sorted by path, empty one kept
    assert "whitespace" in frame.loc[2, "error"] and frame.loc[2, "prediction"] == ""
    assert np.isnan(frame.loc[2, "confidence"])
    direct = TEXT.predict(bundle, TEXT.typed(texts[:2]))
    assert (
        np.abs(_proba(frame, bundle.class_names)[:2] - _proba(direct, bundle.class_names)).max()
        <= 1e-6
    )


def test_predict_on_a_table_and_json_lines(bundle, sample, tmp_path):
    texts = sample.texts()[:3]
    column = bundle.metadata["text_column"]
    csv = tmp_path / "new.csv"
    pd.DataFrame({"id": [1, 2, 3], column: [texts[0], "", texts[2]]}).to_csv(csv, index=False)
    frame = TEXT.predict(bundle, [str(csv)])
    assert list(frame["path"]) == [f"{csv}#1", f"{csv}#2", f"{csv}#3"]
    assert list(frame["error"] != "") == [False, True, False]
    lines = tmp_path / "new.jsonl"
    lines.write_text(
        "\n".join([json.dumps({"body": texts[0]}), "not json", json.dumps({"body": texts[1]})]),
        encoding="utf-8",
    )
    frame = TEXT.predict(bundle, [str(lines)])  # no training column: the wordiest one
    assert list(frame["error"] != "") == [False, True, False]
    assert frame.loc[0, "text"] == texts[0]


def test_bad_input_is_refused_clearly(bundle, tmp_path):
    images = kind_named("images")
    with pytest.raises(DataError) as info:  # a model of another kind
        TEXT.predict(SimpleNamespace(kind=images), TEXT.typed(["hello"]))
    assert "trained on images, not on texts" in info.value.message
    with pytest.raises(DataError, match="No texts were given"):
        TEXT.predict(bundle, TEXT.typed([]))
    with pytest.raises(DataError, match="does not exist"):
        TEXT.predict(bundle, [str(tmp_path / "missing.txt")])
    with pytest.raises(ConfigError, match="Typed text is for text models") as info:
        kind_named("tabular").typed(["hello"])
    assert info.value.hint
    frame = TEXT.predict(bundle, TEXT.typed(["", "   "]))  # nothing to classify: said per text
    assert (frame["error"] != "").all()


def test_identity_follows_the_texts_not_their_files(sample, tmp_path):
    from dataclasses import replace

    first = TEXT.identity(sample)
    edited = replace(sample, items=[replace(sample.items[0], text="changed"), *sample.items[1:]])
    assert TEXT.identity(edited) != first and len(first) >= 16
    assert TEXT.size(sample) == len(sample.items)


def test_a_folder_of_txt_files_is_a_text_dataset_and_a_csv_naming_one_is_a_table(tmp_path):
    for label in ("spam", "ham"):
        (tmp_path / "mail" / label).mkdir(parents=True)
        for i in range(3):
            (tmp_path / "mail" / label / f"{i}.txt").write_text(f"{label} mail {i}", "utf-8")
    assert kind_for_path(tmp_path / "mail") is TEXT
    lines = tmp_path / "posts.jsonl"
    lines.write_text('{"text": "a post", "label": "x"}\n', encoding="utf-8")
    assert kind_for_path(lines) is TEXT  # JSON Lines: always texts
    table = tmp_path / "table.csv"
    table.write_text("name,count\nnotes.txt,3\nother,4\n", encoding="utf-8")
    assert kind_for_path(table).name == "tabular"


def test_search_tries_vectorizations_and_networks(sample):
    from automl_gui.core.tune.search._text_space import TextSpace
    from automl_gui.core.tune.search.jobs import SearchRequest, search
    from automl_gui.core.tune.search.space import SearchConfig

    pre, model = TEXT.default_preprocess(sample), TEXT.default_model()
    space = TextSpace(pre, model, auto_network="ngram_mlp", networks=("ngram_mlp", "sepcnn"))
    config = SearchConfig(algorithm="random", max_trials=2, max_epochs=1, seed=3)
    training = TrainConfig(epochs=1, batch_size=32, seed=1)
    run = search(SearchRequest(TEXT, sample, pre, model, config, training, space=space))
    trials = [r for r in run.leaderboard if r.status != "baseline"]
    assert len(trials) == 2 and all(r.status == "completed" for r in trials)
    first = trials[0].hyperparameters  # the defaults first: what Auto would train
    assert first["architecture"] == "ngram_mlp" and first["output_mode"] == "multi_hot"
    assert first["ngrams"] == 2 and first["max_tokens"] == 50_000
    assert run.kind is TEXT and run.metadata["kind"] == "text"
    assert run.metadata["architecture"] in ("ngram_mlp", "sepcnn")


def test_default_search_space_starts_with_autos_network(sample):
    import keras_tuner as kt

    space = TEXT.search_space(sample, TEXT.default_preprocess(sample), TEXT.default_model())
    settings = space.build(kt.HyperParameters())
    assert settings.architecture == "ngram_mlp" and settings.split_epochs(6) == (6, 0)
    assert settings.preprocess.output_mode == "multi_hot" and settings.preprocess.word_dropout == 0
    assert settings.model_config.architecture == "ngram_mlp"


def test_a_study_runs_on_texts(sample):
    from automl_gui.core.tune.study.jobs import StudyRequest, study
    from automl_gui.core.tune.study.studies import StudyConfig

    config = StudyConfig("optimizers", optimizers=("adam", "sgd"), epochs=1)
    request = StudyRequest(
        TEXT,
        sample,
        TEXT.default_preprocess(sample),
        TEXT.default_model(),
        config,
        TrainConfig(seed=2, batch_size=32),
        data_name="forum_posts.csv",
    )
    result = study(request)
    assert [row.label for row in result.rows] == ["adam", "sgd"]
    assert all(row.status == "completed" for row in result.rows)
    assert result.task == "multiclass"


def test_texts_written_without_spaces_are_split_by_character(sample):
    from dataclasses import replace

    from automl_gui.core.data.text import TextItem

    assert TEXT.default_preprocess(sample).split == "whitespace"
    sentences = [
        "今天天气很好我们去公园散步吧",
        "这家餐厅的菜非常好吃价格也便宜",
        "我的电脑坏了需要修理",
    ]
    items = [TextItem(f"t.csv#{i}", "a", text=t, words=1) for i, t in enumerate(sentences)]
    chinese = replace(sample, items=items)
    assert TEXT.default_preprocess(chinese).split == "character"
    assert TEXT.default_preprocess(None).split == "whitespace"


@pytest.mark.parametrize("mode", ["multi_hot", "count"])
def test_the_ngram_mlp_takes_every_bag_output_mode_the_search_tries(mode, sample):
    """TextVectorization gives multi-hot and count vectors as int64: the network casts them
    (a search trial with these modes failed on Dropout and UnitNormalization before)."""
    import tensorflow as tf

    from automl_gui.core.models.text import build_text_model
    from automl_gui.core.preprocess.text import build_vectorizer

    texts = sample.texts()[:40]
    pre = replace_config(TEXT.default_preprocess(sample), output_mode=mode)
    vectorizer = build_vectorizer(pre, "ngram_mlp", texts)
    config = TEXT.model_from_dict({"architecture": "ngram_mlp"})
    built = build_text_model("ngram_mlp", 2, vectorizer, config, word_dropout=0.1)
    built.model.compile("adam", "sparse_categorical_crossentropy")
    history = built.model.fit(tf.constant(texts), np.arange(40) % 2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def replace_config(config, **changes):
    from dataclasses import replace

    return replace(config, **changes)


def test_texts_the_model_knows_nothing_of_are_answered_with_a_warning(bundle, sample):
    """A text none of whose words is in the vocabulary is answered (the model's answer to an
    all-unknown input) with the reason in ``warning``; known texts have none."""
    from automl_gui.core.kinds._text_predict import unknown_words_note

    known = sample.texts()[0]
    texts = ["xyzzy plugh", "Qwzx plorf vrimble glarn", known, "!!!"]
    frame = TEXT.predict(bundle, TEXT.typed([*texts, ""]))
    assert list(frame.columns[-2:]) == ["error", "warning"]
    assert (frame["prediction"][:4] != "").all() and frame.loc[4, "error"]
    warned = [bool(w) for w in frame["warning"]]
    assert warned == [True, True, False, True, False]  # the empty text: refused, in error
    assert frame.loc[0, "warning"].startswith("none of its words is in the model's vocabulary")
    assert frame.loc[0, "confidence"] == pytest.approx(frame.loc[1, "confidence"])
    notes = unknown_words_note(bundle, [*texts, " "])
    assert notes[:4] == list(frame["warning"][:4]) and notes[4].startswith("it has no words")
    assert unknown_words_note(bundle.model, []) == []


@pytest.mark.parametrize(("mode", "split"), [("int", "whitespace"), ("count", "character")])
def test_known_tokens_are_counted_by_the_models_own_vectorizer(mode, split):
    import keras

    from automl_gui.core.kinds._text_predict import known_token_counts, unknown_words_note

    layer = keras.layers.TextVectorization(
        output_mode=mode, split=split, vocabulary=["good", "bad", "g", "o", "d"]
    )
    text = keras.Input(shape=(), dtype="string", name="text")
    model = keras.Model(text, keras.layers.Identity()(layer(text)))
    texts = ["good good zz", "zz yy", "Good", ""]
    counts = known_token_counts(model, texts).tolist()
    if split == "whitespace":
        assert counts == [2, 0, 1, 0]
        assert unknown_words_note(model, texts)[1].startswith("none of its words")
    else:  # count: distinct known characters (g, o, d), not repeats
        assert counts == [3, 0, 3, 0]
        assert unknown_words_note(model, texts)[1].startswith("none of its characters")


def test_a_pretrained_tokenizers_unknown_pieces_are_not_known_words():
    keras_hub = pytest.importorskip("keras_hub")
    import keras

    from automl_gui.core.kinds._text_predict import known_token_counts

    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "film", "##s"]
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary, sequence_length=8)
    text = keras.Input(shape=(), dtype="string", name="text")
    model = keras.Model(text, tokenizer(text))
    assert known_token_counts(model, ["good films", "xyzzy", ""]).tolist() == [3, 0, 0]
