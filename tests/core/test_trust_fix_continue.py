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
