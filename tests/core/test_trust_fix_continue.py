"""Continuing a run (review P2-o, P2-p): categories of the new data outside the model's
vocabulary are named before training, and the earlier run's chosen threshold is said not to
carry over (the calibration's own boundary is set anew by the new run)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.events import Log
from automl_gui.core.jobs.continued import continue_run, threshold_notice
from automl_gui.core.trust.thresholds import BOUNDARY, set_threshold


def _rows(n: int, seed: int, contracts: tuple[str, ...]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    contract = rng.choice(list(contracts), n).astype(object)
    return pd.DataFrame({"x": x, "contract": contract, "y": np.where(x > 0, "yes", "no")})


def test_threshold_notice_for_a_chosen_threshold_only() -> None:
    meta = {"task": "binary", "class_names": ["no", "yes"]}
    assert threshold_notice(meta) == ""
    set_threshold(meta, 0.3, BOUNDARY, source="calibration")
    assert threshold_notice(meta) == ""
    set_threshold(meta, 0.46, "F1")
    said = threshold_notice(meta)
    assert "threshold 0.46 (F1) was not carried over" in said and "Evaluate → Threshold" in said


@pytest.fixture(scope="module")
def continued():
    from automl_gui.core.jobs.tabular import train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.tabular import auto_config
    from automl_gui.core.train.config import TrainConfig

    old = _rows(300, 1, ("month", "year"))
    config = auto_config(old, None, "y", "binary")
    mlp = MLPConfig(auto=False, hidden_units=[8], dropout=0.0, numeric_embedding="none")
    mlp.ensemble_size = 1
    run = train_tabular(old, config, mlp, TrainConfig(epochs=3, batch_size=32))
    meta = set_threshold(dict(run.metadata), 0.46, "F1")
    events: list = []
    new = _rows(200, 2, ("month", "lifetime"))
    new_run = continue_run(run.model, meta, new, epochs=2, on_event=events.append)
    return new_run, events


def test_unseen_categories_and_the_threshold_are_said(continued) -> None:
    run, events = continued
    logs = [e.message for e in events if isinstance(e, Log)]
    unseen = next(x for x in logs if "not among the model's categories" in x)
    assert "'contract'" in unseen and "lifetime" in unseen and "train a new model" in unseen
    assert any("was not carried over" in x for x in logs)
    assert any("lifetime" in n for n in run.notices)
    assert any("was not carried over" in n for n in run.notices)
    chosen = run.metadata.get("threshold")
    assert chosen is None or chosen.get("source") == "calibration"


def _imbalanced(n: int, seed: int) -> pd.DataFrame:
    """About one row in five is 'yes', with noise: class weights and Platt scaling move the
    calibrated boundary off 0.5, so a model decides at a stored threshold."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    yes = x + 0.8 * rng.normal(size=n) > 0.9
    return pd.DataFrame({"x": x, "z": z, "y": np.where(yes, "yes", "no")})


@pytest.fixture(scope="module")
def old_and_new():
    from automl_gui.core.jobs.tabular import train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.tabular import auto_config
    from automl_gui.core.train.config import TrainConfig

    old = _imbalanced(400, 3)
    config = auto_config(old, None, "y", "binary")
    mlp = MLPConfig(auto=False, hidden_units=[8], dropout=0.0, numeric_embedding="none")
    mlp.ensemble_size = 1
    run = train_tabular(old, config, mlp, TrainConfig(epochs=3, batch_size=32))
    meta = set_threshold(dict(run.metadata), 0.3, "F1")  # the earlier model decides at 0.3
    new = _imbalanced(250, 4)
    new_run = continue_run(run.model, meta, new, old_data=old, epochs=2)
    return run.model, meta, old, new, new_run


def _accuracy(figures: dict, rows: dict) -> float:
    total = sum(rows.values())
    return sum(figures[k]["accuracy"] * n for k, n in rows.items()) / total


def test_the_parts_recombine_to_the_whole_on_the_decisions_each_model_makes(old_and_new) -> None:
    """Each part's before/after figure is scored on the decisions the model makes (the
    earlier model at its chosen 0.3, the new one at its own stored threshold), so the parts'
    accuracies weighted by their rows give the whole's (F2's 0.683 whole vs 0.744/0.804)."""
    from automl_gui.core.export.bundle import Bundle
    from automl_gui.core.jobs._continued_table import _joined, prepare_rows
    from automl_gui.core.kinds import kind_named

    earlier, meta, old, new, run = old_and_new
    info = run.metadata["continued_from"]
    parts = info["parts"]
    rows = {k: parts[k]["test_rows"] for k in ("old", "new")}
    assert info["rows"]["test"] == sum(rows.values()) == len(run.test_predictions)
    assert info["rows"]["train"] == len(run.prepared.train)
    for when, whole in (("before", info["test_before"]), ("after", info["test_after"])):
        parts_at = {k: parts[k][when] for k in rows}
        assert _accuracy(parts_at, rows) == pytest.approx(whole["accuracy"], abs=1e-9), when
    assert info["test_after"]["accuracy"] == pytest.approx(run.report["metrics"]["accuracy"])

    # the earlier model's figures are its answers as Predict gives them (threshold 0.3)
    joined = _joined(prepare_rows(meta, old, None), prepare_rows(meta, new, None))
    answers = kind_named("tabular").predict(Bundle(earlier, meta, None), joined.test)
    actual = np.asarray(meta["class_names"])[joined.y_test]
    expected = float(np.mean(answers["prediction"].astype(str).to_numpy() == actual))
    assert info["test_before"]["accuracy"] == pytest.approx(expected, abs=1e-9)
    # and the new model's: at its own stored threshold, when calibration moved it
    kept = kind_named("tabular").predict(Bundle(run.model, run.metadata, None), joined.test)
    mine = float(np.mean(kept["prediction"].astype(str).to_numpy() == actual))
    assert info["test_after"]["accuracy"] == pytest.approx(mine, abs=1e-9)
