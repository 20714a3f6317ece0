"""One class-label rule (issue 13, item 11): the profile's warnings, check_target,
detect_task and prepare_data count the same classes for every file format, and say when
distinct stored values were merged into one class."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import DataError
from automl_gui.core.data import check_target, dataset_warnings, detect_task, profile_table
from automl_gui.core.data.tabular import read_table
from automl_gui.core.preprocess._target import canonical_labels, label_of
from automl_gui.core.preprocess.tabular import auto_config, prepare_data


def _frame(labels: list) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=len(labels)), "y": labels})


def _class_counts(prepared) -> dict[str, int]:
    y = np.concatenate([prepared.y_train, prepared.y_validation, prepared.y_test])
    return {prepared.class_names[i]: int((y == i).sum()) for i in range(len(prepared.class_names))}


def _everything(df: pd.DataFrame, task: str = "multiclass"):
    profile = profile_table(df)
    warnings = dataset_warnings(df, profile, "y", task)
    check_target(df, "y", task)
    prepared = prepare_data(df, auto_config(df, profile, "y", task))
    return warnings, prepared


def test_parquet_strings_01_1_and_1e0_are_three_classes(tmp_path):
    path = tmp_path / "labels.parquet"
    _frame(["01"] * 20 + ["1"] * 20 + ["1e0"] * 20).to_parquet(path)
    df = read_table(path).df
    assert detect_task(df["y"]).value == "multiclass"
    warnings, prepared = _everything(df)
    assert _class_counts(prepared) == {"01": 20, "1": 20, "1e0": 20}  # was "only one class"
    assert not [w for w in warnings if w.code == "label_merge"]
    assert not any("treated as one class" in n for n in prepared.notices)


def test_text_labels_merge_only_surrounding_spaces_and_every_count_agrees(tmp_path):
    path = tmp_path / "labels.csv"
    rows = ["1"] * 30 + [" 1 "] * 30 + ["1.0"] * 15 + ["b"] * 15
    text = "x,y\n" + "".join(f'{np.sin(i):.6f},"{v}"\n' for i, v in enumerate(rows))
    path.write_text(text)
    df = read_table(path).df
    assert not pd.api.types.is_numeric_dtype(df["y"])  # "b" keeps the column text
    warnings, prepared = _everything(df)
    assert _class_counts(prepared) == {"1": 60, "1.0": 15, "b": 15}
    merge = [w for w in warnings if w.code == "label_merge"]
    assert len(merge) == 1 and "'1' and ' 1 ' were treated as one class '1'" in merge[0].message
    assert any("'1' and ' 1 ' were treated as one class '1'" in n for n in prepared.notices)
    imbalance = [w for w in warnings if w.code == "imbalance"]
    assert len(imbalance) == 1 and "'1' has 60 rows" in imbalance[0].message  # not the raw 30


def test_a_csv_column_of_numbers_is_one_class_per_number(tmp_path):
    path = tmp_path / "numbers.csv"
    rows = ["1"] * 12 + ["1.0"] * 12 + [" 1 "] * 12 + ["2"] * 20
    path.write_text("x,y\n" + "".join(f"{np.sin(i):.6f},{v}\n" for i, v in enumerate(rows)))
    df = read_table(path).df
    warnings, prepared = _everything(df, "binary")
    assert _class_counts(prepared) == {"1": 36, "2": 20}
    imbalance = [w for w in warnings if w.code == "imbalance"]
    assert not imbalance  # 36 : 20, as the model sees them


def test_mixed_python_values_merge_numbers_and_say_so():
    labels = canonical_labels(pd.Series([1, "1", 1.0, True, "true", None, "  ", np.nan, "b"]))
    assert labels.values.tolist() == ["1", "1", "1", "true", "true", None, None, None, "b"]
    assert list(labels.present) == [True] * 5 + [False] * 3 + [True]
    assert labels.merged == {"1": [1, "1", 1.0], "true": [True, "true"]}
    assert labels.notice("y") == (
        "Target 'y': 1, '1' and 1.0 were treated as one class '1'; "
        "True and 'true' were treated as one class 'true'."
    )
    assert label_of(2.5) == "2.5" and label_of("01") == "01" and label_of(" 1e0 ") == "1e0"


def test_blank_labels_are_missing_everywhere():
    df = _frame(["a"] * 20 + ["b"] * 20 + ["   "] * 5)
    warnings, prepared = _everything(df, "binary")
    missing = [w for w in warnings if w.code == "target_missing"]
    assert len(missing) == 1 and missing[0].count == 5
    assert prepared.dropped["missing_target"] == 5 and _class_counts(prepared) == {"a": 20, "b": 20}


def test_one_class_after_merging_is_refused_the_same_way_by_check_and_prepare():
    df = _frame(["yes"] * 10 + [" yes"] * 10 + ["yes "] * 10)
    assert detect_task(df["y"]).value == "binary"
    with pytest.raises(DataError) as checked:
        check_target(df, "y", "binary")
    assert "only one class" in checked.value.message
    assert "'yes', ' yes' and 'yes ' were treated as one class 'yes'" in checked.value.message
    with pytest.raises(DataError) as prepared:
        prepare_data(df, auto_config(df, None, "y", "binary"))
    assert "were treated as one class 'yes'" in prepared.value.message
