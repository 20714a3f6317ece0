"""Continue training with new labelled data (``core.jobs.continued``): a table run trained
further on rows where the relation moved scores better on them than before, as a new run that
says where it came from; the earlier run is untouched; data that does not fit is refused."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import CancelledError, ConfigError, DataError
from automl_gui.core.base.events import CancelToken, EpochEnd, Log
from automl_gui.core.jobs.continued import (
    check_new_data,
    continue_run,
    continued_lines,
    continued_name,
)
from automl_gui.core.jobs.requests import NEW_ONLY, OLD_AND_NEW
from automl_gui.core.kinds import kind_named

TABLE = kind_named("tabular")


def rows(n: int, edge: float, seed: int) -> pd.DataFrame:
    """y is "yes" where x is above ``edge`` (z is noise): moving the edge moves the relation."""
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"x": x, "z": z, "y": np.where(x > edge, "yes", "no")})


def small_mlp():
    """One 16-unit layer, one member: continuing trains whatever network the run has, and the
    Auto network (an ensemble of members) cost 4x the time for the same proof."""
    from automl_gui.core.models.config import MLPConfig

    mlp = MLPConfig(auto=False, hidden_units=[16], dropout=0.0, numeric_embedding="none")
    mlp.ensemble_size = 1
    return mlp


@pytest.fixture(scope="module")
def earlier():
    from automl_gui.core.jobs.tabular import train_tabular
    from automl_gui.core.preprocess.tabular import auto_config
    from automl_gui.core.train.config import TrainConfig

    old = rows(400, -0.8, 1)
    config = auto_config(old, None, "y", "binary")
    run = train_tabular(
        old, config, small_mlp(), TrainConfig(epochs=20, learning_rate=3e-3, batch_size=32)
    )
    return old, run


@pytest.fixture(scope="module")
def continued(earlier):
    old, run = earlier
    weights = [w.copy() for w in run.model.get_weights()]
    metadata = copy.deepcopy(run.metadata)
    events: list = []
    new_run = continue_run(
        run.model,
        run.metadata,
        rows(400, 0.8, 2),
        base_name="Run 1 · MLP",
        base_id="run-1",
        lr_factor=0.5,
        epochs=20,
        on_event=events.append,
    )
    return new_run, weights, metadata, events


def test_continued_run_learns_the_moved_relation(continued):
    new_run, _, _, events = continued
    info = new_run.metadata["continued_from"]
    before, after = info["test_before"]["accuracy"], info["test_after"]["accuracy"]
    print(f"accuracy before {before:.3f}, after {after:.3f}")
    # rows with x between -0.8 and 0.8 (about half) changed class: the earlier model gets
    # them wrong; trained further, the new one learns the new edge
    assert before < 0.75
    assert after > before + 0.1
    assert after == pytest.approx(new_run.report["metrics"]["accuracy"])
    assert any(isinstance(e, EpochEnd) for e in events)
    assert any(isinstance(e, Log) and "earlier model → this one" in e.message for e in events)


def test_the_new_run_says_where_it_came_from(continued):
    new_run, _, _, _ = continued
    info = new_run.metadata["continued_from"]
    assert info["run_id"] == "run-1" and info["name"] == "Run 1 · MLP"
    assert info["data"] == NEW_ONLY
    assert info["learning_rate"] == pytest.approx(0.5 * 3e-3)
    assert new_run.metadata["training"]["learning_rate"] == pytest.approx(1.5e-3)
    assert new_run.metadata["class_names"] == ["no", "yes"]
    assert new_run.metadata["data"]["identity"] == TABLE.identity(rows(400, 0.8, 2))
    lines = continued_lines(new_run.metadata)
    assert lines[0].startswith("Continued from 'Run 1 · MLP'")
    assert "Accuracy" in lines[1] and "→" in lines[1]
    assert continued_name("Run 1 · MLP") == "Run 1 · MLP + new data"
    from automl_gui.core.export.model_card import model_card

    assert lines[0] in model_card(new_run.metadata, new_run.report)


def test_the_earlier_run_is_untouched(earlier, continued):
    _, run = earlier
    new_run, weights, metadata, _ = continued
    assert all(np.array_equal(a, b) for a, b in zip(weights, run.model.get_weights(), strict=True))
    assert run.metadata == metadata
    assert new_run.model is not run.model
    assert "continued_from" not in run.metadata


def test_old_and_new_data_together_and_stop_keeps_the_best_weights(earlier):
    """One continuation proves both (each costs a training): the earlier rows beside the new
    ones, and Stop after the second epoch keeping the best weights as a run that still says
    where it came from."""
    old, run = earlier
    cancel = CancelToken()

    def on_event(event):
        if isinstance(event, EpochEnd) and event.epoch >= 1:
            cancel.cancel()  # Stop after the second epoch

    new_run = continue_run(
        run.model, run.metadata, rows(200, 0.8, 3), old_data=old, lr_factor=0.5, epochs=20,
        on_event=on_event, cancel=cancel,
    )  # fmt: skip
    assert new_run.result.stopped_reason == "cancelled"
    assert new_run.result.epochs_run <= 3
    info = new_run.metadata["continued_from"]
    assert info["data"] == OLD_AND_NEW
    assert set(info["parts"]) == {"new", "old"}
    # the old rows keep their own split: the run's test rows are both tests
    tests = info["parts"]["new"]["test_rows"] + info["parts"]["old"]["test_rows"]
    assert len(new_run.test_predictions) == tests
    assert any("earlier data's" in line for line in continued_lines(new_run.metadata))


def test_a_regression_run_continues_on_its_target_scale():
    from automl_gui.core.jobs.tabular import train_tabular
    from automl_gui.core.preprocess.tabular import auto_config
    from automl_gui.core.train.config import TrainConfig

    rng = np.random.default_rng(4)
    x = rng.normal(size=300)
    old = pd.DataFrame({"x": x, "y": 100 + 20 * x})
    run = train_tabular(
        old,
        auto_config(old, None, "y", "regression"),
        small_mlp(),
        TrainConfig(epochs=5, batch_size=64),
    )
    new = pd.DataFrame({"x": x, "y": 130 + 20 * x})  # the level moved up by 1.5 std
    new_run = continue_run(run.model, run.metadata, new, lr_factor=1.0, epochs=15)
    info = new_run.metadata["continued_from"]
    print("mae before", info["test_before"]["mae"], "after", info["test_after"]["mae"])
    assert info["test_after"]["mae"] < info["test_before"]["mae"]


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        (pd.DataFrame({"x": [1.0, 2.0], "y": ["no", "yes"]}), "lacks 1 of the run's columns: 'z'"),
        (pd.DataFrame({"x": [1.0], "z": [1.0], "y": [None]}), "no labelled rows"),
        (
            pd.DataFrame({"x": [1.0, 2.0], "z": [0.0, 0.0], "y": ["no", "maybe"]}),
            "class the run does not know: 'maybe'",
        ),
        (pd.DataFrame({"x": [1.0, 2.0], "z": [0.0, 0.0], "y": ["no", "no"]}), "one class only"),
    ],
)
def test_new_data_that_does_not_fit_is_refused(earlier, frame, words):
    _, run = earlier
    with pytest.raises(DataError) as caught:
        check_new_data(TABLE, run.metadata, frame)
    assert words in caught.value.message
    assert caught.value.hint


def test_another_kind_and_bad_factor_are_refused(earlier):
    _, run = earlier
    with pytest.raises(DataError, match="trained on a table; this is an image folder"):
        check_new_data(kind_named("images"), run.metadata, object())
    with pytest.raises(ConfigError, match="factor"):
        continue_run(run.model, run.metadata, rows(50, 0.8, 5), lr_factor=2.0)


def test_cancel_before_training_leaves_no_run(earlier):
    _, run = earlier
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(CancelledError):
        continue_run(run.model, run.metadata, rows(60, 0.8, 6), cancel=cancel)


def test_the_command_line_continues_a_saved_model(earlier, tmp_path, capsys):
    import json

    from automl_gui.cli import main
    from automl_gui.core.jobs.run import save_run

    _, run = earlier
    saved = save_run(run, tmp_path / "run1")
    rows(200, 0.8, 7).to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "run2"
    args = ["train", str(tmp_path / "new.csv"), "--continue-from", str(saved)]
    code = main([*args, "--epochs", "3", "--lr-factor", "0.5", "--out", str(out)])
    assert code == 0
    info = json.loads((out / "metadata.json").read_text())["continued_from"]
    assert info["name"] == "run1" and info["lr_factor"] == 0.5
    assert "earlier model → this one" in capsys.readouterr().out
    # a from-scratch option is refused in one line, nothing written
    assert main([*args, "--target", "y", "--out", str(tmp_path / "run3")]) == 1
    assert "cannot be used with --continue-from" in capsys.readouterr().err
    assert not (tmp_path / "run3").exists()


def test_every_kind_continues_and_tables_also_on_old_and_new():
    from automl_gui.core.jobs.continued import old_and_new, unsupported
    from automl_gui.core.kinds import all_kinds

    assert all(unsupported(kind) == "" for kind in all_kinds())
    assert old_and_new(TABLE) == ""


def test_in_the_engine_process_as_the_window_runs_it(earlier):
    """The window's path: the earlier model crosses as a file, the new one comes back."""
    from automl_gui.core.jobs import EngineProcess

    old, run = earlier
    process = EngineProcess(warm=False)
    events: list = []
    try:
        new_run = continue_run(
            run.model,
            run.metadata,
            rows(200, 0.8, 9),
            old_data=old,
            epochs=2,
            engine_process=process,
            on_event=events.append,
        )
    finally:
        process.close()
    assert new_run.model is not None and new_run.model is not run.model
    assert new_run.metadata["continued_from"]["data"] == OLD_AND_NEW
    assert sum(isinstance(e, EpochEnd) for e in events) == 2
