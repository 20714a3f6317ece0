"""The pretrained text model: a KerasHub preset folder found by the weights lookup, built
into a raw-strings → softmax model, trained, saved and reloaded.

The preset is made here (a 2-layer BERT with hidden size 16 and a 60-word WordPiece
vocabulary, ``save_to_preset``): nothing is downloaded. The lookup tests need no KerasHub
(they write the preset's files by hand); the model tests are skipped without it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from automl_gui.core.base.errors import ConfigError, ModelError
from automl_gui.core.base.events import Log
from automl_gui.core.export import _portable
from automl_gui.core.models import weights
from automl_gui.core.models._presets import find_preset, preset_problem
from automl_gui.core.models._text_pretrained import (
    auto_fine_tune_layers,
    build_pretrained_text_model,
)
from automl_gui.core.models.weights import WeightsMissingError, find_weights, resolve_weights

WORDS = (
    "the a and of to is was it this that film movie plot actor story scene music great good "
    "fine fun love loved best superb bad awful boring dull hate hated worst weak slow poor "
    "very not really quite too so just but with for on in at by from up out"
).split()
GOOD = ["great film", "loved the story", "superb music", "best movie", "good fun", "fine actor"]
BAD = ["awful plot", "boring film", "dull story", "worst movie", "weak actor", "hated it"]
TEXTS = [f"{t} {w}" for t in GOOD + BAD for w in ("really", "too")][:20]
LABELS = np.array([0 if any(t.startswith(g) for g in GOOD) else 1 for t in TEXTS])


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Configured folder, models/pretrained and the Keras cache, all in tmp_path."""
    out = {
        "configured": tmp_path / "configured",
        "pretrained": tmp_path / "pretrained",
        "cache": tmp_path / "keras_home" / "models",
    }
    for folder in out.values():
        folder.mkdir(parents=True)
    monkeypatch.setattr(weights, "PRETRAINED_DIR", out["pretrained"])
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(weights.ENV_FOLDER, raising=False)
    return out


def fake_preset(folder: Path, *, tokenizer: bool = True) -> Path:
    """The files of a preset, by hand (enough for the lookup, not for loading)."""
    (folder / "assets" / "tokenizer").mkdir(parents=True)
    (folder / "assets" / "tokenizer" / "vocabulary.txt").write_text("[PAD]\n", encoding="utf-8")
    (folder / "config.json").write_text(
        json.dumps({"registered_name": "keras_hub>BertBackbone"}), encoding="utf-8"
    )
    (folder / "model.weights.h5").write_bytes(b"\x89HDF")
    if tokenizer:
        (folder / "tokenizer.json").write_text(
            json.dumps({"registered_name": "keras_hub>BertTokenizer"}), encoding="utf-8"
        )
    return folder


# -- lookup (no KerasHub needed) ----------------------------------------------------------
def test_lookup_finds_a_preset_folder_in_the_weights_folders(places: dict[str, Path]) -> None:
    assert find_weights("pretrained") is None
    in_models = fake_preset(places["pretrained"] / "bert_tiny_en_uncased")
    assert find_weights("pretrained") == in_models  # any subfolder, by name
    named = fake_preset(places["pretrained"] / "text_model")
    assert find_weights("pretrained") == named  # the manifest's folder name first
    own = fake_preset(places["configured"] / "mine")
    assert find_weights("pretrained", str(places["configured"])) == own  # configured first
    assert find_weights("pretrained", str(own)) == own  # the folder itself
    logs: list[Log] = []
    found = resolve_weights("pretrained", configured=str(own), on_event=logs.append)
    assert found == own and str(own) in logs[-1].message


def test_incomplete_preset_is_skipped_with_a_warning(places: dict[str, Path]) -> None:
    fake_preset(places["configured"] / "a_broken", tokenizer=False)
    good = fake_preset(places["configured"] / "b_good")
    events: list[Log] = []
    found = find_weights("pretrained", str(places["configured"]), on_event=events.append)
    assert found == good
    assert [e.level for e in events] == ["warning"]
    assert "a_broken" in events[0].message and "tokenizer.json" in events[0].message


def test_missing_preset_names_the_layout_and_never_downloads(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("a preset is never downloaded")

    monkeypatch.setattr(weights, "download_weights", no_download)
    with pytest.raises(WeightsMissingError) as info:
        resolve_weights("pretrained", configured=str(places["configured"]), allow_download=True)
    error = info.value
    assert "No pretrained text model" in error.message
    assert "config.json" in error.message and "tokenizer.json" in error.message
    assert str(places["configured"]) in error.message and "text_model/" in error.hint
    assert "--weights FOLDER" in error.hint and "Model page" in error.hint
    words = error.message + error.hint  # without the folders, short (it was ~420)
    for folder in sorted(map(str, error.folders), key=len, reverse=True):
        words = words.replace(folder, "")
    assert len(words) < 250
    assert error.folders[0] == places["configured"]
    assert error.spec is not None and error.spec.folder


def test_users_folder_is_checked_and_says_what_is_missing(places: dict[str, Path]) -> None:
    own = fake_preset(places["configured"] / "own")
    assert resolve_weights("pretrained", weights_path=str(own)) == own
    broken = fake_preset(places["configured"] / "broken", tokenizer=False)
    with pytest.raises(ModelError, match="has no tokenizer.json") as info:
        resolve_weights("pretrained", weights_path=str(broken))
    assert "config.json" in info.value.hint
    with pytest.raises(ModelError, match="does not exist"):
        resolve_weights("pretrained", weights_path=str(places["configured"] / "nothing"))
    (places["configured"] / "other").mkdir()
    (places["configured"] / "other" / "config.json").write_text("{not json", encoding="utf-8")
    assert "damaged" in str(preset_problem(places["configured"] / "other"))
    assert find_preset([places["configured"] / "other"], "text_model")[0] is None


def test_auto_fine_tune_layers_grow_with_the_data() -> None:
    assert auto_fine_tune_layers(50, 7) == 0
    assert auto_fine_tune_layers(100, 7) == 2
    assert auto_fine_tune_layers(5000, 7) == 4
    assert auto_fine_tune_layers(5000, 3) == 3


def test_without_keras_hub_the_message_says_what_to_install(
    places: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    own = fake_preset(places["configured"] / "own")
    monkeypatch.setitem(sys.modules, "keras_hub", None)  # import keras_hub fails
    with pytest.raises(ConfigError, match="KerasHub") as info:
        build_pretrained_text_model(own, 2, sequence_length=16)
    assert "pip install keras-hub" in info.value.hint


# -- the model (KerasHub needed) ----------------------------------------------------------
@pytest.fixture(scope="module")
def preset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT preset saved the way KerasHub saves one."""
    keras_hub = pytest.importorskip("keras_hub")
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, "##s", "##ed", "##ly"]
    tokenizer = keras_hub.models.BertTokenizer(vocabulary=vocabulary)
    backbone = keras_hub.models.BertBackbone(
        vocabulary_size=len(vocabulary),
        num_layers=2,
        num_heads=2,
        hidden_dim=16,
        intermediate_dim=32,
        max_sequence_length=32,
    )
    folder = tmp_path_factory.mktemp("presets") / "tiny_bert"
    backbone.save_to_preset(str(folder))
    tokenizer.save_to_preset(str(folder))
    return folder


@pytest.fixture(scope="module")
def trained(preset: Path) -> dict[str, object]:
    """The model built through the lookup, trained a few steps on 20 texts."""
    import keras
    import tensorflow as tf

    found = resolve_weights("pretrained", configured=str(preset.parent))
    assert found == preset
    start = time.perf_counter()
    built = build_pretrained_text_model(found, 2, sequence_length=500, seed=1, dropout=0.1)
    build_s = time.perf_counter() - start
    keras.utils.set_random_seed(1)
    built.model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy")
    x = tf.constant(TEXTS)
    before = [np.array(w) for w in built.head.get_weights()]
    start = time.perf_counter()
    built.model.fit(x, LABELS, batch_size=10, epochs=1, verbose=0)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    history = built.model.fit(x, LABELS, batch_size=10, epochs=2, verbose=0)
    step_s = (time.perf_counter() - start) / 4
    print(f"\nbuild {build_s:.2f} s; first epoch {first_s:.2f} s; a step {step_s * 1000:.0f} ms")
    return {"built": built, "history": history.history, "head_before": before}


def test_preset_builds_a_frozen_raw_text_classifier(trained: dict[str, object]) -> None:
    built = trained["built"]
    model = built.model
    assert [i.name for i in model.inputs] == ["text"] and model.inputs[0].dtype == "string"
    assert built.sequence_length == 32  # 500 asked, capped at the backbone's 32 positions
    assert built.info["backbone"] == "BertBackbone" and built.info["requires"] == "keras-hub"
    assert built.info["preset"] == "tiny_bert"
    # only the head trains in phase 1
    head_weights = {id(w) for w in built.head.trainable_weights}
    assert {id(w) for w in model.trainable_weights} == head_weights
    assert model.outputs[0].dtype == "float32"
    assert np.isfinite(trained["history"]["loss"]).all()
    after = built.head.get_weights()
    changed = [not np.allclose(a, b) for a, b in zip(trained["head_before"], after, strict=True)]
    assert all(changed)  # the head trained (the random backbone's features barely differ)


def test_token_ids_are_keras_hubs_own_preprocessing(
    preset: Path, trained: dict[str, object]
) -> None:
    import keras_hub
    import tensorflow as tf

    built = trained["built"]
    texts = [
        "the film was great",
        "Évidemment, LE film!! " * 10,  # truncated; accents stripped like BERT uncased
        "",
        "zzz unknown words loved",
    ]
    reference = keras_hub.models.TextClassifierPreprocessor.from_preset(
        str(preset), sequence_length=built.sequence_length
    )
    expected = tf.function(reference)(tf.constant(texts))
    graph = _backbone_inputs(built)
    for answer in (graph(tf.constant(texts)), graph.predict(tf.constant(texts), verbose=0)):
        for name in ("token_ids", "padding_mask", "segment_ids"):
            np.testing.assert_array_equal(np.asarray(answer[name]), np.asarray(expected[name]))


def _backbone_inputs(built: object) -> object:
    """A model from the text input to the tensors fed to the backbone."""
    import keras

    model = built.model
    node = built.backbone._inbound_nodes[0]
    fed = node.arguments.args[0]
    return keras.Model(model.inputs, dict(fed))


def test_phase_two_unfreezes_the_top_backbone_layers(trained: dict[str, object]) -> None:
    from automl_gui.core.models.text import TextModel

    built = trained["built"]
    text_model = TextModel(
        model=built.model,
        architecture="pretrained",
        backbone=built.backbone,
        feature_model=built.feature_model,
        head=built.head,
    )
    before = len(built.model.trainable_weights)
    try:
        assert text_model.unfreeze_top(2) == 2
        opened = [layer.name for layer in built.backbone.layers if layer.trainable]
        assert opened == ["transformer_layer_1", "pooled_dense"]
        assert len(built.model.trainable_weights) > before
    finally:
        text_model.unfreeze_top(0)
    assert len(built.model.trainable_weights) == before


def test_features_and_head_are_the_models(trained: dict[str, object]) -> None:
    import tensorflow as tf

    built = trained["built"]
    x = tf.constant(TEXTS[:5])
    features = built.feature_model(x, training=False)  # eager, as the files job caches them
    via_head = np.asarray(built.head(features, training=False))
    np.testing.assert_allclose(via_head, built.model.predict(x, verbose=0), atol=1e-6)
    np.testing.assert_allclose(np.asarray(built.model(x)), via_head, atol=1e-6)


def test_saved_model_reloads_with_keras_hub_installed(
    trained: dict[str, object], tmp_path: Path
) -> None:
    import tensorflow as tf

    built = trained["built"]
    path = tmp_path / "model.keras"
    built.model.save(path)
    texts = ["great film really", "awful plot too", "ça va, the story"]
    np.save(tmp_path / "expected.npy", built.model.predict(tf.constant(texts), verbose=0))
    script = textwrap.dedent(
        f"""
        import numpy as np, keras, tensorflow as tf
        model = keras.saving.load_model({str(path)!r}, safe_mode=True)
        x = tf.constant({texts!r})
        got = model.predict(x, verbose=0)
        assert np.abs(got - np.load({str(tmp_path / "expected.npy")!r})).max() < 1e-5
        assert np.abs(np.asarray(model(x)) - got).max() < 1e-5
        print("ok")
        """
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    # -I: no automl_gui on the path; Keras imports keras_hub from the saved classes' modules
    done = subprocess.run(
        [sys.executable, "-I", "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]
    # what the export's note and model card tell the user to install
    layers = _portable.app_layers(path)
    assert layers == {"BertBackbone": "keras_hub", "BertTokenizer": "keras_hub"}
    note = _portable.requirement_note(layers)
    assert "layers of KerasHub (BertBackbone, BertTokenizer)" in note
    assert "`pip install keras-hub`, then `import keras_hub`" in note


def test_a_preset_that_does_not_fit_is_refused_clearly(preset: Path, tmp_path: Path) -> None:
    import shutil

    odd = tmp_path / "odd"
    shutil.copytree(preset, odd)
    (odd / "config.json").write_text(
        json.dumps({"registered_name": "keras_hub>NoSuchBackbone", "config": {}}),
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match="Cannot load the backbone") as info:
        build_pretrained_text_model(odd, 2, sequence_length=16)
    assert "KerasHub preset folder" in info.value.hint
    with pytest.raises(ConfigError, match="no room"):
        build_pretrained_text_model(preset, 2, sequence_length=2)


def test_text_job_trains_the_preset_in_two_phases_and_the_bundle_predicts_the_same(
    preset: Path, tmp_path: Path
) -> None:
    import dataclasses
    import shutil

    from kind_jobs import train_kind

    from automl_gui.core.base.events import PhaseChanged
    from automl_gui.core.export.bundle import load_bundle, save_bundle
    from automl_gui.core.kinds import kind_named
    from automl_gui.core.train.config import TrainConfig

    text = kind_named("text")
    sample = text.load(text.sample_path())
    folder = tmp_path / "weights"
    shutil.copytree(preset, folder / "text_model")
    model = dataclasses.replace(
        text.default_model(),
        architecture="pretrained",
        weights_folder=str(folder),
        fine_tune_layers=-1,  # auto: 168 training texts → the top 2 layers
        fine_tune_epochs=1,
    )
    events: list[object] = []
    run = train_kind(
        text,
        sample,
        text.default_preprocess(sample),
        model,
        TrainConfig(epochs=1, seed=1),
        on_event=events.append,
    )
    assert [e.phase for e in events if isinstance(e, PhaseChanged)] == ["head", "fine-tune"]
    logs = [e.message for e in events if isinstance(e, Log)]
    assert any(str(folder / "text_model") in m for m in logs)
    assert any("fine-tuning the top 2 backbone layers" in m for m in logs)
    out = tmp_path / "bundle"
    save_bundle(run.model, run.metadata, run.report, out, samples=run.samples)
    bundle = load_bundle(out)
    frame = text.predict(bundle, text.typed(list(bundle.samples)))
    answers = frame[[f"probability_{n}" for n in bundle.class_names]].to_numpy("float64")
    saved = np.asarray(bundle.metadata["sample_predictions"], dtype="float64")
    assert np.abs(answers - saved).max() <= 1e-5
