"""Imbalanced classes (issue 15, item 9): one rule says when classes are imbalanced (the Data
page's warning, the model card and the training default all ask it), the default "auto"
class weights become sklearn's "balanced" above it and stay off below it, the log says so,
and a user's explicit choice (or a project's stored one) is kept."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import Log
from automl_gui.core.train.balance import (
    IMBALANCE_RATIO,
    announce_class_weights,
    class_weighting,
    is_imbalanced,
    shares_text,
)
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.train.trainer import Trainer


def _labels(big: int, small: int) -> np.ndarray:
    return np.array([0] * big + [1] * small)


def test_the_rule_is_the_largest_class_at_least_three_times_the_smallest():
    assert IMBALANCE_RATIO == 3.0
    assert is_imbalanced([78, 22]) and is_imbalanced([75, 25])  # 3.0 exactly: imbalanced
    assert not is_imbalanced([74, 26]) and not is_imbalanced([63, 37])
    assert is_imbalanced([50, 40, 10]) and not is_imbalanced([40, 35, 25])
    assert not is_imbalanced([10, 0]) and not is_imbalanced([])  # one class present
    assert shares_text([780, 220]) == "78:22" and shares_text([2, 1]) == "67:33"
    assert shares_text([50, 40, 10]) == "largest 50%, smallest 10%"


def test_auto_weights_imbalanced_classes_as_sklearn_balanced_and_says_so():
    from sklearn.utils.class_weight import compute_class_weight

    y = _labels(78, 22)
    weighting = class_weighting("auto", y)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=y)
    assert weighting.weights == pytest.approx({0: expected[0], 1: expected[1]})
    assert weighting.weights[1] == pytest.approx(100 / (2 * 22))  # n / (k * count)
    assert weighting.note == (
        "Classes are imbalanced 78:22: weighting them 'balanced' "
        "(Class weights on the Model page; --class-weights on the command line)."
    )


def test_auto_leaves_classes_below_the_threshold_unweighted():
    weighting = class_weighting("auto", _labels(63, 37))
    assert weighting.weights is None and weighting.note == ""


def test_a_users_choice_is_kept_either_way():
    assert class_weighting("none", _labels(90, 10)).weights is None  # explicit None: no weights
    assert class_weighting("none", _labels(90, 10)).note == ""
    chosen = class_weighting("balanced", _labels(60, 40))  # asked for below the threshold too
    assert chosen.weights == pytest.approx({0: 100 / 120, 1: 100 / 80}) and chosen.note == ""


def test_the_log_line_once_for_a_classifier_and_never_for_regression():
    events: list = []
    announce_class_weights("auto", "binary", _labels(78, 22), events.append)
    assert [e.message for e in events if isinstance(e, Log)] == [
        class_weighting("auto", _labels(78, 22)).note
    ]
    events.clear()
    announce_class_weights("auto", "regression", _labels(78, 22), events.append)
    announce_class_weights("none", "binary", _labels(78, 22), events.append)
    announce_class_weights("auto", "binary", _labels(60, 40), events.append)
    assert events == []


def test_the_data_pages_warning_and_the_training_default_agree():
    """One rule: a table the Data page warns about is one "auto" weights, and not otherwise."""
    from automl_gui.core.data.profile import dataset_warnings, profile_table
    from automl_gui.core.data.schema import Task

    rng = np.random.default_rng(0)
    for big, small in ((78, 22), (75, 25), (74, 26), (63, 37)):
        y = np.array(["no"] * big + ["yes"] * small)
        df = pd.DataFrame({"x": rng.normal(size=len(y)), "label": y})
        warned = any(
            w.code == "imbalance"
            for w in dataset_warnings(df, profile_table(df), "label", Task.BINARY)
        )
        weighted = class_weighting("auto", (y == "yes").astype(int)).weights is not None
        assert warned == weighted == (big / small >= 3.0), (big, small)


def test_the_default_is_auto_and_a_stored_choice_is_kept():
    assert TrainConfig().class_weights == "auto"
    assert TrainConfig.from_dict({**TrainConfig().to_dict(), "class_weights": "none"}) == (
        TrainConfig(class_weights="none")
    )
    # settings stored before "auto" existed lack the key: they trained with "none", and keep it
    assert TrainConfig.from_dict({"epochs": 5, "batch_size": 16}).class_weights == "none"
    assert TrainConfig.from_dict(TrainConfig().to_dict()).class_weights == "auto"


def test_an_unknown_class_weights_setting_is_a_clear_error():
    with pytest.raises(ConfigError, match="Unknown class weights 'balance'") as info:
        Trainer(TrainConfig(class_weights="balance"))._check("binary", 10)
    assert "auto, none, balanced" in info.value.hint


def test_an_explicit_none_survives_saving_and_reopening_a_project(tmp_path):
    from automl_gui.core.project import ProjectData, load_project, save_project

    data = ProjectData(
        kind="tabular",
        dataset={"path": "/somewhere/t.csv", "kind": "tabular", "options": {}},
        target="label",
        task="binary",
        training=TrainConfig(class_weights="none").to_dict(),
    )
    save_project(tmp_path / "p", data, {})
    again = load_project(tmp_path / "p")
    assert TrainConfig.from_dict(again.training).class_weights == "none"


@pytest.fixture(scope="module")
def keras():
    from automl_gui.core.base import lazy

    return lazy.keras()


def _imbalanced_table(n: int = 300, seed: int = 0):
    from automl_gui.core.data.schema import LoadedTable, TableSource

    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = np.where(x + 0.3 * rng.normal(size=n) > 0.8, "yes", "no")  # about 77:23
    df = pd.DataFrame({"x": x, "z": rng.normal(size=n), "outcome": y})
    return LoadedTable(df=df, source=TableSource(path="mem.csv", format="csv"))


@pytest.mark.parametrize("setting", ["auto", "none"])
def test_the_table_job_logs_the_automatic_weighting_once(setting):
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig

    table = _imbalanced_table()
    setup = setup_tabular(table, "outcome")
    events: list = []
    training = TrainConfig(epochs=1, batch_size=32, class_weights=setting)
    mlp = MLPConfig(auto=False, hidden_units=[4], dropout=0.0)
    run = train_tabular(table.df, setup.preprocess, mlp, training, on_event=events.append)
    lines = [e.message for e in events if isinstance(e, Log) and "imbalanced" in e.message]
    if setting == "auto":
        assert len(lines) == 1 and lines[0].startswith("Classes are imbalanced 7")
        assert "weighting them 'balanced' (Class weights on the Model page" in lines[0]
        # the weights used are recorded with the run (the Evaluate page and the model say so)
        weights = run.result.class_weights
        assert weights is not None and weights[1] / weights[0] == pytest.approx(77 / 23, rel=0.1)
        assert run.metadata["training_result"]["class_weights"] == weights
    else:
        assert lines == []  # the user's None: no weights, no word
        assert run.result.class_weights is None
        assert "class_weights" not in run.metadata["training_result"]
    assert run.report["metrics"]["balanced_accuracy"] is not None


def test_the_trainer_applies_auto_as_balanced_above_the_threshold_and_none_below(keras):
    rng = np.random.default_rng(3)
    x = {"a": rng.normal(size=(200, 3)).astype("float32")}

    def first_loss(setting: str, y: np.ndarray) -> float:
        keras.utils.set_random_seed(1)
        inp = keras.Input(shape=(3,), name="a")
        model = keras.Model({"a": inp}, keras.layers.Dense(2, activation="softmax")(inp))
        cfg = TrainConfig(epochs=1, batch_size=32, class_weights=setting, schedule="constant")
        return Trainer(cfg).fit(model, "binary", x, y, None, None).history["loss"][0]

    skewed = (np.arange(200) % 5 == 0).astype("int32")  # 80:20
    assert first_loss("auto", skewed) == pytest.approx(first_loss("balanced", skewed))
    assert first_loss("auto", skewed) != pytest.approx(first_loss("none", skewed), rel=1e-3)
    even = (np.arange(200) % 2 == 0).astype("int32")
    assert first_loss("auto", even) == pytest.approx(first_loss("none", even))


def test_an_image_folder_of_imbalanced_classes_is_weighted_and_says_so(tmp_path):
    """The files job asks the same rule: 24 circles and 6 squares (80:20) are weighted."""
    from image_factory import make_class_folders
    from kind_jobs import train_kind

    from automl_gui.core.data.images import scan_images
    from automl_gui.core.kinds.images import IMAGES
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    make_class_folders(tmp_path, ("circle",), 24, size=(32, 32), vary_size=False, seed=1)
    make_class_folders(tmp_path, ("square",), 6, size=(32, 32), vary_size=False, seed=2)
    pre = ImagePreprocessConfig(image_size=32)
    pre.augment.enabled = False
    events: list = []
    run = train_kind(
        IMAGES,
        scan_images(str(tmp_path)),
        pre,
        ImageModelConfig(architecture="cnn"),
        TrainConfig(epochs=1, batch_size=8, seed=1),
        on_event=events.append,
    )
    lines = [e.message for e in events if isinstance(e, Log) and "imbalanced" in e.message]
    assert len(lines) == 1 and lines[0].startswith("Classes are imbalanced 8")
    assert run.report["metrics"]["balanced_accuracy"] is not None


def test_weights_classes_says_what_class_weighting_decides():
    """The yes/no the search baselines and the study's baseline ask agrees with the weights
    the trainer builds, for every setting (regression: never)."""
    from automl_gui.core.train.balance import class_weighting, weights_classes

    for y in (np.array([0] * 78 + [1] * 22), np.array([0] * 50 + [1] * 50), np.array([], int)):
        for setting in ("auto", "none", "balanced"):
            built = class_weighting(setting, y).weights is not None
            assert weights_classes(setting, "binary", y) is built, (setting, len(y))
            assert weights_classes(setting, "regression", y) is False
