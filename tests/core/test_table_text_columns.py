"""Free-text and date columns in tables (issue 16): a table of numbers, categories, a review
text and a timestamp trains end to end; its .keras export, fed by the model card's own Python
in a Python that cannot import the app, answers as the app; TFLite and ONNX take the encoded
inputs that preprocessing.json describes; a table of free text alone trains; and a table of
numbers and categories still builds exactly the model it built before."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.data.profile import profile_table
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.export.bundle import Bundle, predict_arrays
from automl_gui.core.export.formats import export_model
from automl_gui.core.train.config import TrainConfig

GOOD = ["works great", "excellent quality", "love it", "very happy", "would buy again"]
BAD = ["broke quickly", "poor quality", "waste of money", "very disappointed", "never again"]
FILLER = "the box item order shipping colour size came arrived today week store".split()
BEFORE = Path(__file__).parent / "fixtures" / "table_model_before_issue16.npz"


def reviews(rng: np.random.Generator, positive: np.ndarray) -> list[str]:
    def one(p: bool) -> str:
        words = [*rng.choice(FILLER, 3), rng.choice(GOOD if p else BAD), *rng.choice(FILLER, 3)]
        return " ".join(words).capitalize() + "."

    return [one(bool(p)) for p in positive]


def mixed_table(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """The label follows the review's words; numbers, a category and a timestamp beside it."""
    rng = np.random.default_rng(seed)
    positive = rng.integers(0, 2, n).astype(bool)
    when = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400 * 24, n), unit="h")
    df = pd.DataFrame(
        {
            "price": rng.normal(20, 5, n),
            "colour": rng.choice(["red", "blue", "green"], n).astype(object),
            "review": reviews(rng, positive),
            "ordered_at": when.strftime("%Y-%m-%d %H:%M").astype(object),
            "label": np.where(positive, "good", "bad"),
        }
    )
    df.loc[::11, "review"] = None
    df.loc[5, "ordered_at"] = "sometime"
    return df


def train(df: pd.DataFrame, target: str, epochs: int = 8):
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig

    setup = setup_tabular(LoadedTable(df=df, source=TableSource("mem.csv", "csv")), target)
    mlp = MLPConfig(auto=False, hidden_units=[16], dropout=0.0)
    training = TrainConfig(epochs=epochs, batch_size=16, seed=1, learning_rate=0.01)
    return setup, train_tabular(df, setup.preprocess, mlp, training)


@pytest.fixture(scope="module")
def mixed():
    setup, run = train(mixed_table(), "label")
    return setup.preprocess, run


def messy_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "price": [19.0, None, 25.5, 18.0, 30.0],
            "colour": ["red", None, "purple", " blue ", "green"],
            "review": ["Excellent quality, love it!", None, "", "Poor quality. Never again", 7],
            "ordered_at": ["2023-06-01 10:30", "not a date", None, "2024-02-29 23:59", ""],
            "extra": ["ignored"] * 5,
        }
    )


def test_free_text_and_dates_are_used_with_reasons(mixed):
    config, run = mixed
    review, when = config.column("review"), config.column("ordered_at")
    assert review.use and review.type == "text"
    assert review.reason.startswith("free text: TF-IDF of words and word pairs, ")
    assert "-word vocabulary" in review.reason
    assert when.use and when.type == "datetime" and when.missing_indicator
    columns = {c["name"]: c for c in run.bundle.metadata["input_schema"]["columns"]}
    assert columns["review"]["parse"] == "text" and columns["review"]["dtype"] == "string"
    assert columns["ordered_at"]["parse"] == "format:ISO8601"
    assert "parse" not in columns["price"] and "parse" not in columns["colour"]
    fitted = run.bundle.metadata["preprocessing_fitted"]
    assert fitted["review"]["type"] == "text" and fitted["review"]["vocabulary_size"] > 50
    assert fitted["ordered_at"]["hours"] is True
    assert fitted["ordered_at"]["missing_in_train"] <= 1  # "sometime", if it is in train


def test_the_text_branch_learns_the_reviews(mixed):
    _, run = mixed
    history = run.result.history
    assert history["accuracy"][-1] >= 0.9, history  # chance: about 0.5
    assert max(history["val_accuracy"]) >= 0.7, history


def test_unreadable_dates_are_flagged_and_filled(mixed):
    from automl_gui.core.export import _serving

    _, run = mixed
    enc = _serving.keras_encoding(run.bundle.model, run.bundle.metadata, messy_rows())
    assert enc["ordered_at__missing"].reshape(-1).tolist() == [0, 1, 1, 0, 1]
    year, month, weekday, hour = enc["ordered_at"][3, :4]
    assert (year, month, weekday, hour) == (2024, 2, 3, 23)  # Thursday 29 February 2024
    assert np.array_equal(enc["ordered_at"][1], enc["ordered_at"][2])  # both the median


def test_the_keras_export_answers_as_the_app_through_the_cards_code(mixed, tmp_path):
    from test_card_code import run_card_code

    _, run = mixed
    target = tmp_path / "reviews.keras"
    result = export_model(run.bundle, "keras", target)
    assert result.ok, result.message
    card = tmp_path / "reviews.MODEL_CARD.md"
    text = card.read_text()
    assert "free text (review)" in text and "dates (ordered_at)" in text
    done, got = run_card_code(card, tmp_path, messy_rows())
    assert done.returncode == 0, done.stderr[-3000:]
    assert "modules: []" in done.stdout
    rows = pd.read_csv(tmp_path / "new_rows.csv")  # the rows as pandas reads them back
    want = predict_arrays(run.bundle.model, run.bundle.metadata, rows)
    assert got is not None and np.allclose(got, want, atol=1e-6)


@pytest.mark.parametrize("fmt", ["tflite", "onnx"])
def test_tflite_and_onnx_take_the_encoded_text_and_dates(mixed, tmp_path, fmt):
    _, run = mixed
    result = export_model(run.bundle, fmt, tmp_path / f"m.{fmt}")
    assert result.ok, result.message
    found = list(tmp_path.rglob("preprocessing.json"))
    assert found, sorted(p.name for p in tmp_path.rglob("*"))
    spec = json.loads(found[0].read_text())
    by_input = {item["input"]: item for item in spec["inputs"]}
    assert by_input["review"]["encoding"] == "text_vector"
    assert by_input["review"]["vectorizer"]["output_mode"] == "tf_idf"
    assert by_input["ordered_at"]["encoding"] == "date_features"
    assert by_input["ordered_at"]["features"][:3] == ["year", "month", "day_of_week"]
    assert by_input["ordered_at__missing"]["encoding"] == "missing_indicator"


def test_a_table_of_free_text_alone_trains():
    from automl_gui.core.kinds import kind_named

    df = mixed_table(80, seed=2)[["review", "label"]]
    setup, run = train(df, "label", epochs=3)
    assert [c.type for c in setup.preprocess.feature_columns()] == ["text"]
    try:
        text_kind = kind_named("text")
    except ConfigError:
        text_kind = None
    notes = [n for n in run.notices if "only input is free text" in n]
    if text_kind is None:
        assert not notes
    else:
        assert len(notes) == 1 and f"{text_kind.title} data" in notes[0]


def test_settings_that_cannot_apply_are_refused():
    from automl_gui.core.preprocess.tabular import auto_config, validate_config

    df = mixed_table(40)
    config = auto_config(df, None, "label", "binary")
    config.column("review").type = "text"
    config.column("review").missing = "mean"
    with pytest.raises(ConfigError, match="does not apply to a text column"):
        validate_config(config, list(df.columns))
    wide = pd.DataFrame({f"t{i}": df["review"] for i in range(7)} | {"label": df["label"]})
    config = auto_config(wide, None, "label", "binary")
    for col in config.columns[:7]:
        col.use, col.type, col.missing = True, "text", "constant"
    with pytest.raises(ConfigError, match="at most 5"):
        validate_config(config, list(wide.columns))


def test_the_vocabulary_and_ngrams_are_the_columns_settings(mixed):
    """Auto: the text kind's 20,000 terms of words and pairs; set: the column's own, refused
    out of range, saved with the settings; older settings (without them) read as Auto."""
    from automl_gui.core.preprocess._build import build_preprocessor
    from automl_gui.core.preprocess.config import PreprocessConfig
    from automl_gui.core.preprocess.tabular import auto_config, validate_config

    _, run = mixed
    fitted = run.bundle.metadata["preprocessing_fitted"]["review"]
    assert (fitted["max_tokens"], fitted["ngrams"]) == (20_000, 2)
    df = mixed_table(60, seed=3)
    config = auto_config(df, profile_table(df), "label", "binary")
    review = config.column("review")
    review.max_tokens, review.ngrams = 100, 1
    validate_config(config, list(df.columns))
    pre = build_preprocessor(config, df)
    facts = pre.summary["review"]
    assert (facts["max_tokens"], facts["ngrams"]) == (100, 1)
    assert facts["vocabulary_size"] <= 100 and not any(" " in t for t in facts["top_terms"])
    assert pre.text_columns == 1 and pre.text_width == facts["width"]
    data = config.to_dict()
    saved = {c["name"]: c for c in data["columns"]}
    assert saved["review"]["max_tokens"] == 100 and "max_tokens" not in saved["price"]
    del saved["review"]["max_tokens"], saved["review"]["ngrams"]  # settings from before
    assert PreprocessConfig.from_dict(data).column("review").max_tokens == 0
    for field, value in (("max_tokens", 50), ("ngrams", 4), ("max_tokens", 2.5)):
        config = auto_config(df, profile_table(df), "label", "binary")
        setattr(config.column("review"), field, value)
        with pytest.raises(ConfigError, match="out of range"):
            validate_config(config, list(df.columns))


def test_a_sparse_text_vector_does_not_widen_the_network():
    """Auto sizes the hidden layers counting a text vector as TEXT_VECTOR_INPUTS inputs: a
    20,000-term vector would otherwise make every table with text 256 units wide."""
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.models.mlp import (
        TEXT_VECTOR_INPUTS,
        auto_hidden_units,
        build_tabular_model,
    )
    from automl_gui.core.preprocess._build import build_preprocessor
    from automl_gui.core.preprocess.tabular import auto_config

    df = mixed_table(120, seed=4)
    config = auto_config(df, profile_table(df), "label", "binary")
    pre = build_preprocessor(config, df)
    assert pre.n_features > 200 and pre.text_width > 190
    built = build_tabular_model(pre, "binary", 2, 120, MLPConfig(auto=True))
    dense = pre.n_features - pre.text_width + TEXT_VECTOR_INPUTS
    want = auto_hidden_units(dense, 120)
    assert want[0] < 256
    assert built.train_model.get_layer("dense_0").units == want[0]


def test_a_text_column_without_words_is_refused_clearly():
    from automl_gui.core.base.errors import DataError
    from automl_gui.core.preprocess._build import build_preprocessor
    from automl_gui.core.preprocess.tabular import auto_config

    df = mixed_table(40, seed=5)
    config = auto_config(df, profile_table(df), "label", "binary")
    df["review"] = "!!! ..."
    with pytest.raises(DataError, match="'review' is set to free text, but its training rows"):
        build_preprocessor(config, df)


def test_a_table_of_numbers_and_categories_builds_the_model_it_built_before():
    """Same settings, input schema, layers and (untrained, seeded) answers as the model built
    before issue 16 (the fixture), so older settings reproduce their models."""
    from automl_gui.core.jobs.tabular import build_tabular, setup_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.tabular import frame_to_inputs, prepare_data, to_tensors

    rng = np.random.default_rng(7)
    n = 80
    df = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.lognormal(size=n),
            "color": rng.choice(["red", "green", "blue"], size=n).astype(object),
            "city": rng.choice([f"c{i}" for i in range(40)], size=n).astype(object),
            "flag": rng.choice([True, False], size=n),
        }
    )
    df["y"] = np.where(df["x1"] + (df["color"] == "red") > 0.3, "yes", "no")
    df.loc[::5, "x1"] = np.nan
    df.loc[::4, "color"] = None
    setup = setup_tabular(LoadedTable(df=df, source=TableSource("mem.csv", "csv")), "y")
    prepared = prepare_data(df, setup.preprocess)
    mlp = MLPConfig(auto=True, numeric_embedding="none", ensemble_size=1)  # pre-issue-17 net
    pre, built = build_tabular(prepared, setup.preprocess, mlp, seed=3)
    inputs = to_tensors(frame_to_inputs(df, pre.schema))
    answers = np.asarray(built.serving_model.predict(inputs, verbose=0))
    layers = [[layer.name, type(layer).__name__] for layer in built.serving_model.layers]
    before = np.load(BEFORE)
    assert json.loads(str(before["config"])) == setup.preprocess.to_dict()
    assert json.loads(str(before["schema"])) == pre.schema.to_dict()
    assert json.loads(str(before["layers"])) == layers
    assert np.array_equal(before["answers"], answers)


def test_an_old_bundle_still_loads_and_answers_as_it_did():
    from automl_gui.core.export._load import load_bundle

    old = Path(__file__).parent / "fixtures" / "bundles" / "before_issue13_binary"
    bundle: Bundle = load_bundle(old)
    assert all("parse" not in c for c in bundle.metadata["input_schema"]["columns"])
    rows = pd.DataFrame.from_records(bundle.metadata["sample_rows"])
    got = predict_arrays(bundle.model, bundle.metadata, rows)
    np.testing.assert_allclose(got, bundle.metadata["sample_predictions"], atol=1e-6)


def test_categories_that_are_short_phrases_suggest_opening_them_as_texts():
    """Review finding 11: 72 distinct 3-6 word utterances open as categories; the warning
    says how to classify them by their words. Single-word categories get no such note."""
    from automl_gui.core.data.profile import dataset_warnings

    rng = np.random.default_rng(0)
    verbs = ["play", "pause", "skip", "set", "cancel", "show", "turn", "book", "find"]
    things = ["the music", "an alarm", "my timer", "the lights", "a table", "the weather"]
    phrases = [f"{v} {t} please" for v in verbs for t in things][:72]
    df = pd.DataFrame(
        {
            "utterance": rng.choice(phrases, 300),
            "code": rng.choice([f"c{i}" for i in range(72)], 300),
            "intent": rng.choice(["a", "b", "c"], 300),
        }
    )
    warnings = dataset_warnings(df, profile_table(df), "intent", "multiclass")
    notes = {w.column: w.message for w in warnings if w.code == "high_cardinality"}
    assert "--text-column 'utterance'" in notes["utterance"]
    assert "Open Text Dataset" in notes["utterance"]
    assert "text" not in notes["code"].split("signal.")[1]
