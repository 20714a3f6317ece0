"""The Evaluate pages' trust tabs (issue 18) on a real tiny table run (binary, with a column
the model does not take) and on runs of files: calibration, threshold, subgroups, importance
and a row's contributions; older runs without the new report keys; hidden tabs per task."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from test_image_evaluate_page import fake_run  # tests/gui is on the path

from automl_gui.core.kinds.tabular import TABULAR
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.gui.pages.images.evaluate import ImageEvaluatePage
from automl_gui.gui.pages.tabular.evaluate import EvaluatePage
from automl_gui.gui.state import AppState


def _frame(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    score = 1.5 * x1 + 0.3 * x2 + (color == "red")
    label = np.where(score + rng.normal(scale=0.5, size=n) > 0.5, "yes", "no")
    region = rng.choice(["north", "south"], size=n)
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "region": region, "label": label})


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    """A binary table run whose table has a column ("region") the model does not take."""
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular

    path = tmp_path_factory.mktemp("data") / "train.csv"
    _frame(800, 0).to_csv(path, index=False)
    table = read_table(path)
    setup = setup_tabular(table, "label", None)
    config = copy.deepcopy(setup.preprocess)
    next(c for c in config.columns if c.name == "region").use = False
    run = train_tabular(
        table.df,
        config,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0, ensemble_size=1),
        TrainConfig(epochs=4, batch_size=32, early_stopping=False, seed=1),
    )
    return table, setup, config, run


def _page(qtbot, binary) -> tuple[AppState, EvaluatePage]:
    table, setup, config, run = binary
    state = AppState()
    state.set_dataset(TABULAR, table, setup.profile)
    state.set_target("label", config.task, config, setup.warnings)
    page = EvaluatePage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.resize(1200, 760)
    page.show()
    state.set_run(run)
    state.dirty = False
    return state, page


def test_a_binary_table_run_shows_every_trust_tab_and_its_calibration(qtbot, binary):
    _state, page = _page(qtbot, binary)
    assert page.trust.visible_titles() == [
        "Results",
        "Calibration",
        "Threshold",
        "Subgroups",
        "Importance",
        "Explain rows",
    ]
    calibration = page.trust.calibration
    qtbot.waitUntil(lambda: calibration.calibration is not None, timeout=10000)
    words = calibration.words.text()
    # two classes: on the chance of the positive class, with the average against the real share
    assert "When the model gives 'yes' about a" in words and "ECE" in words
    assert "On average it gives 'yes' a" in words
    assert page.trust.calibration.plot.bins  # the non-empty bins drawn
    assert sum(b["count"] for b in page.trust.calibration.plot.bins) == len(
        binary[3].test_predictions
    )


def test_the_threshold_moves_by_keyboard_is_chosen_by_rule_and_is_stored(qtbot, binary):
    from automl_gui.core.trust.thresholds import best_threshold

    state, page = _page(qtbot, binary)
    run = binary[3]
    tab = page.trust.threshold
    view = tab.view
    page.trust.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: view.curve is not None and view.isEnabled(), timeout=10000)
    from automl_gui.core.trust.thresholds import boundary_value

    # the trained model's own boundary (that calibration stores as its threshold) or 0.5
    start = float((run.metadata.get("threshold") or {}).get("value", boundary_value(run.metadata)))
    assert view.value() == pytest.approx(start, abs=1e-3)
    assert not view.use_button.isEnabled()  # in use already
    view.slider.setFocus()
    qtbot.keyClick(view.slider, Qt.Key.Key_Right)
    assert view.value() == pytest.approx(round(start, 2) + 0.01, abs=0.006)
    assert view.use_button.isEnabled()
    last = view.figures.columnCount() - 1  # the test split's column
    assert view.figures.horizontalHeaderItem(last).text().startswith("Test")
    figures = {view.figures.item(i, 0).text(): view.figures.item(i, last).text() for i in range(9)}
    n = len(run.test_predictions)
    counts = [figures[k] for k in ("Positives found", "False alarms", "Positives missed")]
    assert (
        sum(int(c.replace(",", "")) for c in counts)
        + int(figures["Negatives right"].replace(",", ""))
        == n
    )
    qtbot.mouseClick(view.best_f1, Qt.MouseButton.LeftButton)
    assert view.value() == pytest.approx(best_threshold(view.curve, rule="f1"), abs=1e-3)
    assert view.chosen == "F1"
    view.cost.setValue(5.0)
    qtbot.mouseClick(view.lowest_cost, Qt.MouseButton.LeftButton)
    assert view.chosen == "cost 1:5"
    qtbot.mouseClick(view.use_button, Qt.MouseButton.LeftButton)
    stored = run.metadata["threshold"]
    assert stored["value"] == pytest.approx(round(view.value(), 3))
    assert stored["chosen"] == "cost 1:5" and stored["positive"] == "yes"
    assert state.dirty
    assert "at least" in tab.stored.text()
    assert not view.use_button.isEnabled() and "in use" in view.words.text()
    # shown again as stored when the run is shown anew (a reopened project)
    page.show_run(run)
    qtbot.waitUntil(lambda: view.curve is not None, timeout=10000)
    assert tab.view.value() == pytest.approx(stored["value"])
    qtbot.mouseClick(tab.view.reset_button, Qt.MouseButton.LeftButton)
    assert tab.view.value() == pytest.approx(start, abs=1e-3)
    if start == 0.5:
        assert "threshold" not in run.metadata
    else:  # back to the boundary calibration stored
        assert run.metadata["threshold"]["source"] == "calibration"
    assert not tab.view.reset_button.isEnabled()


def test_subgroups_by_a_feature_and_by_a_column_the_model_does_not_take(qtbot, binary):
    state, page = _page(qtbot, binary)
    run = binary[3]
    view = page.trust.slices.view
    choices = [view.picker.itemText(i) for i in range(view.picker.count())]
    assert choices == ["x1", "x2", "color", "region"]  # every column of the table but the target
    for column in ("color", "region"):
        view.picker.setCurrentText(column)
        qtbot.mouseClick(view.show_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda c=column: c in run.report.get("slices", {}), timeout=20000)
        stored = run.report["slices"][column]
        groups = {g["group"] for g in stored["groups"]}
        assert groups == set(binary[0].df[column].unique())
        assert view.table.rowCount() == len(groups)
        assert sum(g["count"] for g in stored["groups"]) == len(run.test_predictions)
        assert "four-fifths" in view.words.text().lower()
    assert state.dirty
    # the stored groups show again with the run
    page.show_run(run)
    assert view.picker.currentText() == "region" and view.table.rowCount() == 2


def test_importance_runs_by_itself_and_a_selected_row_shows_its_contributions(qtbot, binary):
    _state, page = _page(qtbot, binary)
    importance = page.importance
    qtbot.wait(50)
    assert not importance.chart.labels and not page.trust.jobs.busy(importance)  # not yet
    page.trust.tabs.setCurrentWidget(importance)  # opening the tab starts it (small split)
    qtbot.waitUntil(lambda: bool(importance.chart.labels), timeout=30000)
    assert set(importance.chart.labels) == {"x1", "x2", "color"}
    assert importance.chart.labels[0] == "x1"  # the column the label mostly depends on
    assert "Permutation importance" in importance.words.text()
    rows = page.explain_rows
    page.trust.tabs.setCurrentWidget(rows)
    rows.select_row(2)
    qtbot.waitUntil(lambda: bool(rows.chart.labels), timeout=30000)
    # each column named with its value in the row
    assert {label.split(" = ")[0] for label in rows.chart.labels} == {"x1", "x2", "color"}
    color = page.explain_rows.rows_model.frame["color"].iloc[2]
    assert f"color = {color}" in rows.chart.labels
    assert "Test row 3 (actual" in rows.words.text()
    # a row listed for a confusion-matrix cell: double-click explains it
    page.trust.tabs.setCurrentIndex(0)
    page.show_cell_rows(1, 1)
    listed = page.shown_rows()
    page.errors_table.doubleClicked.emit(page.errors_model.index(0, 0))
    assert page.trust.tabs.currentWidget() is rows
    position = page.run.test_predictions.index.get_loc(listed.index[0])
    assert rows.rows_table.currentIndex().row() == position


def test_an_older_run_without_calibration_and_other_tasks_hide_what_does_not_apply(qtbot, binary):
    _state, page = _page(qtbot, binary)
    run = binary[3]
    older = copy.copy(run)
    older.report = {k: v for k, v in run.report.items() if k not in ("calibration", "slices")}
    older.metadata = {k: v for k, v in run.metadata.items() if k != "threshold"}
    page.show_run(older)
    assert "Calibration" in page.trust.visible_titles()
    qtbot.waitUntil(lambda: page.trust.calibration.calibration is not None, timeout=10000)
    assert "trained before temperature scaling" in page.trust.calibration.words.text()
    # no validation answers kept: the threshold is chosen on the test split, said optimistic
    older.report.pop("validation_answers", None)
    page.show_run(older)
    view = page.trust.threshold.view
    qtbot.waitUntil(lambda: view.curve is not None and view.isEnabled(), timeout=10000)
    assert view.figures.columnCount() == 2 and "optimistic" in view.words.text()
    regression = copy.copy(run)
    regression.report = {"task": "regression", "metrics": {}, "samples": {}}
    regression.metadata = {**run.metadata, "task": "regression"}
    page.show_run(regression)
    titles = page.trust.visible_titles()
    assert "Calibration" not in titles and "Threshold" not in titles and "Subgroups" in titles


def test_a_file_run_has_calibration_threshold_and_subgroups_by_subfolder(qtbot, tmp_path):
    run = fake_run(tmp_path / "files", ("cat", "dog"), 40)
    df = run.test_predictions
    # half of each class's files in a subfolder "indoor", half in "outdoor"
    df["path"] = [
        str(tmp_path / "files" / a / ("indoor" if i % 2 else "outdoor") / f"{i}.png")
        for i, a in enumerate(df["actual"])
    ]
    state = AppState()
    page = ImageEvaluatePage(state)
    qtbot.addWidget(page, before_close_func=lambda w: w.wait_idle())
    page.resize(1200, 760)
    page.show()
    state.set_run(run)
    assert page.trust.visible_titles() == ["Results", "Calibration", "Threshold", "Subgroups"]
    view = page.trust.slices.view
    assert view.picker.itemText(0) == "subfolder"
    qtbot.mouseClick(view.show_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "subfolder" in run.report.get("slices", {}), timeout=20000)
    groups = {g["group"] for g in run.report["slices"]["subfolder"]["groups"]}
    assert groups == {"indoor", "outdoor"}
    three = fake_run(tmp_path / "three", ("cat", "dog", "fox"), 9)
    state.set_run(three)
    assert page.trust.visible_titles() == ["Results", "Calibration", "Subgroups"]


def test_a_chosen_threshold_and_subgroups_are_there_after_reopening_the_project(
    qtbot, binary, tmp_path
):
    from automl_gui.core.project import (
        ProjectData,
        load_project,
        load_run,
        record_for_run,
        save_project,
    )

    run = copy.copy(binary[3])  # this test's own metadata and report
    run.metadata = copy.deepcopy(run.metadata)
    run.report = copy.deepcopy(run.report)
    data = ProjectData(kind="tabular", runs=[record_for_run(run, "run-001")])
    save_project(tmp_path / "p", data, {"run-001": run})  # saved before anything was chosen
    state, page = _page(qtbot, binary)
    page.show_run(run)
    qtbot.waitUntil(lambda: page.trust.threshold.view.curve is not None, timeout=10000)
    page.trust.threshold.view.set_value(0.42)
    page.trust.threshold.view.use_button.click()
    view = page.trust.slices.view
    view.picker.setCurrentText("region")
    view.show_button.click()
    qtbot.waitUntil(lambda: "region" in run.report.get("slices", {}), timeout=20000)
    assert state.dirty
    save_project(tmp_path / "p", data, {"run-001": run})
    again = load_run(tmp_path / "p", load_project(tmp_path / "p").runs[0])
    assert again.metadata["threshold"]["value"] == pytest.approx(0.42)
    page.show_run(again)
    qtbot.waitUntil(lambda: page.trust.threshold.view.curve is not None, timeout=10000)
    assert page.trust.threshold.view.value() == pytest.approx(0.42)
    assert "0.42" in page.trust.threshold.stored.text()
    assert view.picker.currentText() == "region" and view.table.rowCount() == 2


def test_every_trust_tab_fits_the_page_at_a_1024_pixel_window(qtbot, binary):
    from automl_gui.core.base.resources import resource_path

    _state, page = _page(qtbot, binary)
    page.setStyleSheet(resource_path("style.qss").read_text(encoding="utf-8"))  # as the app
    page.resize(800, 600)  # the page at a 1024x700 window (beside the steps, in margins)
    tabs = page.trust.tabs
    for i in range(tabs.count()):
        tabs.setCurrentIndex(i)
        qtbot.wait(20)
        assert page.minimumSizeHint().width() <= 800, tabs.tabText(i)


def test_texts_read_from_a_table_are_grouped_by_the_tables_other_columns(tmp_path):
    from automl_gui.gui.pages._trust_slices import CSV_CHOICE, FileGroups

    table = tmp_path / "posts.csv"
    pd.DataFrame({"text": ["a b", "c d"], "topic": ["x", "y"], "source": ["app", "web"]}).to_csv(
        table, index=False
    )

    class Texts:
        text_column = "text"

    class TextRun:
        test_predictions = pd.DataFrame({"path": [f"{table}#1", f"{table}#2"]})

    assert FileGroups(lambda: Texts()).choices(TextRun()) == ["topic", "source", CSV_CHOICE]
    TextRun.test_predictions = pd.DataFrame({"path": [str(tmp_path / "cat" / "a.png")]})
    assert FileGroups(lambda: None).choices(TextRun()) == ["subfolder", CSV_CHOICE]


def test_subgroups_and_rows_follow_the_chosen_threshold(qtbot, binary):
    """Groups are judged, and rows listed, on the answers the model gives with its stored
    threshold; choosing another threshold works the stored groups out again."""
    from automl_gui.core.trust.thresholds import apply_threshold

    run = copy.copy(binary[3])  # this test's own metadata and report
    run.metadata = copy.deepcopy(run.metadata)
    run.report = {k: v for k, v in copy.deepcopy(run.report).items() if k != "slices"}
    state, page = _page(qtbot, binary)
    page.show_run(run)
    threshold = page.trust.threshold
    qtbot.waitUntil(lambda: threshold.view.curve is not None, timeout=10000)
    threshold.view.set_value(0.2)
    threshold.view.use_button.click()
    view = page.trust.slices.view
    view.picker.setCurrentText("region")
    view.show_button.click()
    qtbot.waitUntil(lambda: "region" in run.report.get("slices", {}), timeout=20000)
    stored = run.report["slices"]["region"]
    assert stored["threshold"] == pytest.approx(0.2)
    decided = apply_threshold(run.test_predictions, run.metadata)
    share = (decided["prediction"].astype(str) == "yes").mean()
    rates = [g["selection_rate"] * g["count"] for g in stored["groups"]]
    assert sum(rates) / len(decided) == pytest.approx(share)
    assert "at the chosen threshold 0.2" in view.words.text()
    # another threshold: the stored groups are worked out again at it
    threshold.view.set_value(0.8)
    threshold.view.use_button.click()
    qtbot.waitUntil(
        lambda: run.report["slices"]["region"]["threshold"] == pytest.approx(0.8), timeout=20000
    )
    # the rows listed carry the thresholded answers
    rows = page.explain_rows
    page.trust.tabs.setCurrentWidget(rows)
    qtbot.waitUntil(lambda: rows.rows_model.frame is not None, timeout=5000)
    listed = rows.rows_model.frame["prediction"].astype(str).tolist()
    again = apply_threshold(run.test_predictions, run.metadata)
    assert listed == again["prediction"].astype(str).tolist()
