"""One rule for a target: the window's Data page and the command line's setup ask the same
engine function (core.data.target_choice), so they agree on the task, the problems and the
warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import ConfigError, DataError
from automl_gui.core.data.profile import profile_table
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.data.target_choice import analyze_target, parse_task
from automl_gui.core.jobs.tabular import setup_tabular


def _table(df: pd.DataFrame) -> LoadedTable:
    return LoadedTable(df=df, source=TableSource(path="t.csv", format="csv"))


def _frame(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "size": rng.integers(1, 4, size=n).astype(float),
            "label": rng.choice(["a", "b"], size=n),
            "empty": [np.nan] * n,
        }
    )


def test_a_target_with_no_values_is_one_problem_for_both_front_ends() -> None:
    df = _frame()
    analysis = analyze_target(df, profile_table(df), "empty")
    assert analysis.problems and "all 60 values are missing" in analysis.error
    assert analysis.warnings[0].severity == "error"  # shown first on the Data page
    with pytest.raises(DataError) as raised:
        setup_tabular(_table(df), "empty")
    assert raised.value.message == analysis.error  # the command line says the same


def test_a_task_the_user_chose_wins_over_detection() -> None:
    df = _frame()
    profile = profile_table(df)
    assert analyze_target(df, profile, "size").task == "multiclass"  # detected: 3 integers
    chosen = analyze_target(df, profile, "size", "regression")
    assert (chosen.task, chosen.detected_task, chosen.problems) == ("regression", "multiclass", [])
    setup = setup_tabular(_table(df), "size", "regression")
    assert setup.preprocess.target == "size" and chosen.config is not None
    assert setup.preprocess.task == chosen.config.task
    assert all(w.severity != "error" for w in setup.warnings)


def test_a_missing_column_and_an_unknown_task_are_clear_errors() -> None:
    df = _frame()
    analysis = analyze_target(df, profile_table(df), "nope")
    assert "no column named 'nope'" in analysis.error and analysis.config is None
    with pytest.raises(DataError, match="no column named 'nope'"):
        setup_tabular(_table(df), "nope")
    with pytest.raises(ConfigError, match="Unknown task 'cluster'"):
        parse_task("cluster")
    assert parse_task("auto") is None and parse_task("binary") == "binary"
