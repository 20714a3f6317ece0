"""Which examples a model is judged on (``core.trust._data``): the run's own data gives its
test split, rebuilt exactly; other data gives all its labelled examples; a table that is not
the run's is refused. The bundles are stand-ins (no model is needed to choose examples)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from image_factory import make_class_folders

from automl_gui.core.base.errors import DataError
from automl_gui.core.kinds import kind_named
from automl_gui.core.preprocess.tabular import auto_config, prepare_data
from automl_gui.core.trust._data import judged_data
from automl_gui.core.trust._data import test_rows as run_test_rows


def _table(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, n),
            "region": rng.choice(["North", "South", "East"], n),
            "income": rng.normal(50, 10, n).round(2),
            "bought": rng.choice(["yes", "no"], n),
        }
    )


def _bundle(kind: str, metadata: dict) -> SimpleNamespace:
    return SimpleNamespace(
        kind=kind_named(kind),
        metadata=metadata,
        task=metadata.get("task", ""),
        class_names=metadata.get("class_names"),
    )


@pytest.fixture(scope="module")
def table_case():
    df = _table()
    config = auto_config(df, None, "bought", "binary")
    config.columns = [c for c in config.columns if c.name != "region"]  # not a feature
    prepared = prepare_data(df, config)
    metadata = {
        "kind": "tabular",
        "task": "binary",
        "target": "bought",
        "class_names": prepared.class_names,
        "preprocess": config.to_dict(),
        "data": {"identity": kind_named("tabular").identity(df)},
    }
    return df, config, prepared, _bundle("tabular", metadata)


def test_own_table_gives_its_test_split(table_case):
    df, config, prepared, bundle = table_case
    judged = judged_data(bundle, df)
    assert judged.own
    assert len(judged) == len(prepared.test)
    assert judged.words == f"the run's test split ({len(prepared.test)} of 300 rows)"
    # the same rows as the run's test split, with the columns the model does not take
    assert list(judged.rows.index) == list(prepared.test_positions)
    assert "region" in judged.rows.columns
    pd.testing.assert_frame_equal(
        judged.rows[["age", "income"]].reset_index(drop=True), prepared.test[["age", "income"]]
    )
    names = np.asarray(prepared.class_names, dtype=object)
    assert list(judged.actual) == list(names[prepared.y_test])


def test_other_table_gives_all_labelled_rows(table_case):
    _df, _config, _prepared, bundle = table_case
    other = _table(120, seed=5)
    other.loc[[3, 7], "bought"] = None
    other.loc[9, "bought"] = "maybe"  # a class the model never learned
    judged = judged_data(bundle, other)
    assert not judged.own
    assert len(judged) == 117
    assert judged.words == "all 117 labelled rows of the data (3 of 120 left out)"
    assert any("'maybe'" in n for n in judged.notices)
    assert any("2 rows without a label" in n for n in judged.notices)


def test_table_without_the_target_is_refused(table_case):
    _df, _config, _prepared, bundle = table_case
    with pytest.raises(DataError, match="no column 'bought'"):
        judged_data(bundle, _table().drop(columns="bought"))


def test_test_rows_refuses_another_table(table_case):
    df, config, prepared, _bundle = table_case
    positions = run_test_rows(df, config, "binary", expected=prepared.test)
    assert list(positions) == list(prepared.test_positions)
    with pytest.raises(DataError, match="test split has"):
        run_test_rows(df.iloc[:250], config.to_dict(), expected=prepared.test)
    changed = df.copy()
    changed["income"] = changed["income"] + 1.0
    with pytest.raises(DataError, match="'income' differs"):
        run_test_rows(changed, config, expected=prepared.test)
    with pytest.raises(DataError, match="not the one the run was trained on"):
        run_test_rows(df.drop(columns="age"), config)


def test_own_image_folder_gives_its_test_split(tmp_path):
    images = kind_named("images")
    root = make_class_folders(tmp_path / "shapes", per_class=10, formats=("png",), modes=False)
    dataset = images.load(root)
    preprocess = images.default_preprocess(dataset)
    split = images.media(dataset, preprocess).split()
    metadata = {
        "kind": "images",
        "task": "multiclass",
        "class_names": list(split.class_names),
        "preprocess": preprocess.to_dict(),
        "data": {"identity": images.identity(dataset)},
    }
    judged = judged_data(_bundle("images", metadata), str(root))
    assert judged.own
    assert judged.paths == [item.path for item in split.test]
    assert judged.inputs == judged.paths
    assert judged.words == f"the run's test split ({len(split.test)} of 30 images)"
    metadata["data"]["identity"] = "another"
    judged = judged_data(_bundle("images", metadata), str(root))
    assert not judged.own and len(judged) == 30
    assert judged.words == "all 30 labelled images of the data"
