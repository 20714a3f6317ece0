"""Every kind of data passes one contract: its name round-trips through the registry, it
claims its bundled sample, its identity is stable, its defaults build and round-trip through
JSON, and its words are there. The registry refuses unknown names and paths."""

from __future__ import annotations

import pickle
import subprocess
import sys

import pytest

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.kinds import (
    KINDS,
    DataKind,
    all_kinds,
    kind_for_path,
    kind_named,
    kind_names,
)


@pytest.fixture(params=[k.name for k in all_kinds()])
def kind(request) -> DataKind:
    return kind_named(request.param)


def test_name_round_trips_and_kind_is_one_object(kind):
    assert kind_named(kind.name) is kind
    assert kind in KINDS and kind.name in kind_names()
    assert pickle.loads(pickle.dumps(kind)) is kind  # runs come back from the engine process
    assert type(kind)() is kind
    assert str(kind) == kind.name and kind.pages == kind.name


def test_kind_claims_its_sample_and_no_other_kind_does(kind):
    sample = kind.sample_path()
    assert sample is not None, f"the {kind.name} sample is not installed"
    assert kind.claims(sample)
    assert kind_for_path(sample) is kind
    assert [k for k in all_kinds() if k.claims(sample)] == [kind]


def test_identity_is_stable_and_size_counts_items(kind):
    dataset = kind.load(kind.sample_path())
    first, second = kind.identity(dataset), kind.identity(kind.load(kind.sample_path()))
    assert first == second and isinstance(first, str) and len(first) >= 16
    assert kind.size(dataset) > 0


def test_defaults_build_and_round_trip(kind):
    preprocess, model, training = (
        kind.default_preprocess(kind.load(kind.sample_path())),
        kind.default_model(),
        kind.default_training(),
    )
    assert kind.preprocess_from_dict(preprocess.to_dict()) == preprocess
    assert kind.model_from_dict(model.to_dict()) == model
    assert type(training).from_dict(training.to_dict()) == training


def test_words_are_present(kind):
    for word in (
        kind.title,
        kind.item,
        kind.items,
        kind.dataset_noun,
        kind.trained_on,
        kind.model_noun,
        kind.input_hint,
        kind.card_input_word,
        kind.auto_architecture_note(),
        kind.search_note,
        *kind.export_input({"sample_rate": 16000}),
    ):
        assert isinstance(word, str) and word.strip()
    assert kind.item != kind.items
    assert kind.extensions and all(e.startswith(".") for e in kind.extensions)
    assert isinstance(kind.file_based, bool)
    assert kind.model_card_input({"sample_rate": 16000})


def test_words_of_each_kind():
    words = {k.name: (k.item, k.items, k.dataset_noun, k.file_based) for k in all_kinds()}
    assert words == {
        "tabular": ("row", "rows", "table", False),
        "images": ("image", "images", "image folder", True),
        "audio": ("clip", "clips", "audio folder", True),
        "text": ("text", "texts", "text dataset", True),
    }
    assert kind_named("audio").default_model().fine_tune_epochs == 5


def test_export_input_of_each_kind():
    checked = {k.name: k.export_input({})[1] for k in all_kinds()}
    assert checked == {"tabular": "rows", "images": "images", "audio": "waveforms", "text": "texts"}
    takes = kind_named("audio").export_input({"sample_rate": 22050})[0]
    assert takes.startswith("raw waveforms at 22.05 kHz (float32 mono")
    assert "at the training sample rate" in kind_named("audio").export_input({})[0]


def test_unknown_name_is_a_config_error():
    with pytest.raises(ConfigError, match="Unknown kind of data 'video'") as info:
        kind_named("video")
    assert "tabular, images, audio, text" in info.value.hint


def test_unknown_path_is_a_data_error(tmp_path):
    with pytest.raises(DataError):
        kind_for_path(tmp_path / "missing.csv")
    bad = tmp_path / "notes.xyz"
    bad.write_text("x")
    with pytest.raises(DataError):
        kind_for_path(bad)
    assert not any(k.claims(bad) for k in all_kinds())


def test_importing_the_kinds_is_cheap():
    code = (
        "import sys, automl_gui.core.kinds as k; k.all_kinds(); "
        "heavy = [m for m in ('tensorflow', 'keras', 'pandas', 'PySide6') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_predict_refuses_a_model_of_another_kind_before_reading_anything(kind):
    """A bad input: a model trained on another kind of data is a clear DataError naming both
    kinds, raised by DataKind.predict before the kind's own code sees the data."""
    from types import SimpleNamespace

    other = next(k for k in KINDS if k is not kind)
    with pytest.raises(DataError) as info:
        kind.predict(SimpleNamespace(kind=other), object())
    assert info.value.message == (
        f"This model was trained on {other.trained_on}, not on {kind.trained_on}."
    )
    assert kind.model_noun in info.value.hint
