"""Auto epochs for tables (``TrainConfig.epochs = 0``): the rule from optimizer steps, the
table kind's default, and the job resolving it once (logged, recorded, a set value kept)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from automl_gui.core.base.events import Log
from automl_gui.core.jobs import _tabular_parts
from automl_gui.core.jobs._tabular_parts import resolve_epochs, table_epochs
from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.train.config import TrainConfig


def test_small_tables_keep_100_epochs_and_large_ones_get_fewer():
    assert table_epochs(310, 16) == _tabular_parts.AUTO_EPOCHS_MAX  # diabetes' training rows
    assert table_epochs(399, 16) == _tabular_parts.AUTO_EPOCHS_MAX  # breast cancer's
    large = table_epochs(35_000, 128)  # synthetic_50k's, in the CPU plan's batches
    assert _tabular_parts.AUTO_EPOCHS_MIN <= large < _tabular_parts.AUTO_EPOCHS_MAX
    assert table_epochs(10_000_000, 512) == _tabular_parts.AUTO_EPOCHS_MIN
    # more rows per epoch never means more epochs
    sizes = [100, 1_000, 5_000, 20_000, 50_000, 200_000]
    caps = [table_epochs(n, 512) for n in sizes]
    assert caps == sorted(caps, reverse=True)


def test_the_table_kind_defaults_to_auto_epochs_by_that_rule():
    assert TABULAR.default_training().epochs == 0
    assert TABULAR.epochs_for(35_000, 512) == table_epochs(35_000, 512)


def test_resolving_logs_once_and_keeps_set_epochs():
    events: list = []
    resolved = resolve_epochs(TrainConfig(epochs=0, batch_size=512), 35_000, None, events.append)
    assert resolved.epochs == table_epochs(35_000, 512)
    logs = [e.message for e in events if isinstance(e, Log)]
    assert logs == [f"Auto epochs: at most {resolved.epochs} (early stopping usually ends sooner)."]
    events.clear()
    kept = TrainConfig(epochs=100)  # a project saved with 100 keeps 100
    assert resolve_epochs(kept, 35_000, None, events.append) is kept
    assert not events


def test_a_table_training_at_auto_records_the_epochs_it_resolved(monkeypatch):
    from automl_gui.core.jobs.tabular import train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.preprocess.config import ColumnConfig, PreprocessConfig

    monkeypatch.setattr(_tabular_parts, "AUTO_EPOCHS_MAX", 3)  # a quick training
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    df["y"] = (df["a"] + df["b"] > 0).map({True: "yes", False: "no"})
    preprocess = PreprocessConfig(
        columns=[ColumnConfig(name=c, type="numeric") for c in "ab"]
        + [ColumnConfig(name="y", type="categorical")],
        target="y",
        task="binary",
    )
    training = TABULAR.default_training()
    events: list = []
    mlp = MLPConfig(numeric_embedding="none", ensemble_size=1)
    run = train_tabular(df, preprocess, mlp, training, on_event=events.append)
    assert run.metadata["training"]["epochs"] == 3
    assert run.result.epochs_run <= 3
    assert any(
        isinstance(e, Log) and e.message.startswith("Auto epochs: at most 3") for e in events
    )
    assert training.epochs == 0  # the caller's settings stay Auto
