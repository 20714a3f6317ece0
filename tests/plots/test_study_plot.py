"""StudyPlot: each study kind drawn (bars, lines, curves, times), rows added live, PNGs saved
with and without a window."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyqtgraph as pg
import pytest
from PIL import Image

from automl_gui.core.tune.study.studies import StudyConfig, StudyResult, StudyRow
from automl_gui.plots.study import StudyPlot
from automl_gui.plots.study_png import save_study_png


def _row(label, x, acc, seconds=2.0, status="completed", losses=(1.0, 0.7, 0.6), reason=""):
    metrics = {} if status != "completed" else {"test_accuracy": acc, "test_f1": acc - 0.1}
    if status == "completed":
        metrics["seconds_per_epoch"] = seconds / 3
    history = {"val_loss": list(losses)} if status == "completed" else {}
    return StudyRow(
        label,
        float(x),
        status=status,
        reason=reason,
        metrics=metrics,
        seconds=seconds if status == "completed" else 0.0,
        epochs=len(losses),
        epochs_to_converge=2 if status == "completed" else None,
        steps_to_converge=20 if status == "completed" else None,
        history=history,
    )


RESULTS = {
    "optimizers": [
        _row("sgd", 0, 0.81, losses=(1.2, 0.9, 0.8)),
        _row("adam", 1, 0.92),
        _row("adadelta", 2, 0.0, status="failed", reason="The loss became NaN."),
    ],
    "batch-sizes": [_row("8", 8, 0.9, 6.0), _row("32", 32, 0.85, 3.0), _row("64", 64, 0.8, 2.0)],
    "learning-curve": [
        _row("2 rows", 2, 0, status="skipped", reason="2 rows are fewer than the 3 classes."),
        _row("50 % (40 rows)", 40, 0.7),
        _row("100 % (80 rows)", 80, 0.9),
    ],
    "devices": [
        _row("GPU 0", 0, 0, status="skipped", reason="TensorFlow cannot use it."),
        _row("CPU", 1, 0.9, 4.0),
    ],
}


def _result(kind: str) -> StudyResult:
    return StudyResult(
        kind, "multiclass", StudyConfig(kind), "iris.csv", "test_accuracy", RESULTS[kind], []
    )


@pytest.fixture
def plot(qtbot):
    widget = StudyPlot()
    qtbot.addWidget(widget)
    widget.resize(900, 450)
    return widget


def _items(plot_item, kind):
    return [i for i in plot_item.items if isinstance(i, kind)]


def _texts(plot_item) -> list[str]:
    return [i.textItem.toPlainText() for i in _items(plot_item, pg.TextItem)]


def _ink(path) -> tuple[float, float]:
    """(grey-level standard deviation, share of non-white pixels) of a PNG."""
    grey = np.asarray(Image.open(path).convert("L"), dtype="float64")
    return float(grey.std()), float((grey < 245).mean())


def test_optimizers_are_bars_with_values_and_the_failed_one_marked(plot):
    plot.show_result(_result("optimizers"))
    bars = _items(plot.left, pg.BarGraphItem)
    assert len(bars) == 1 and list(bars[0].opts["height"]) == pytest.approx([0.81, 0.92])
    assert {"0.810", "0.920", "failed"} <= set(_texts(plot.left))
    ticks = plot.left.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == ["sgd", "adam", "adadelta"]
    # right: one validation-loss line per trained optimizer, with the convergence star
    curves = _items(plot.right, pg.PlotDataItem)
    assert len(curves) == 2 and list(curves[0].getData()[1]) == [1.2, 0.9, 0.8]
    assert list(curves[0].getData()[0]) == [1, 2, 3]  # epochs 1-based
    labels = [label.text for _, label in plot.right_legend.items]
    assert labels[:2] == ["sgd", "adam"] and "converged" in labels[-1]
    title = plot._title.text
    assert "Optimizers on iris.csv" in title and "test accuracy" in title


def test_batch_sizes_draw_score_and_time_against_the_batch_size(plot):
    plot.show_result(_result("batch-sizes"))
    (line,) = _items(plot.left, pg.PlotDataItem)
    xs, ys = line.getData()
    assert list(xs) == [3, 5, 6] and list(ys) == [0.9, 0.85, 0.8]  # log2 of 8, 32, 64
    ticks = plot.left.getAxis("bottom")._tickLevels[0]
    assert [label for _, label in ticks] == ["8", "32", "64"]
    (times,) = _items(plot.right, pg.PlotDataItem)
    assert list(times.getData()[1]) == [6.0, 3.0, 2.0]
    assert "6.0 s" in _texts(plot.right)
    assert plot.right.getAxis("left").labelText == "seconds"


def test_learning_curve_has_accuracy_and_f1_lines_and_marks_the_skipped_size(plot):
    plot.show_result(_result("learning-curve"))
    lines = _items(plot.left, pg.PlotDataItem)
    assert len(lines) == 2
    assert list(lines[0].getData()[0]) == [40, 80] and list(lines[1].getData()[1]) == pytest.approx(
        [0.6, 0.8]
    )
    assert "skipped" in _texts(plot.left)
    assert [label.text for _, label in plot.left_legend.items] == [
        "test accuracy",
        "test F1 (macro)",
    ]


def test_devices_show_time_bars_with_seconds_per_epoch(plot):
    plot.show_result(_result("devices"))
    (bars,) = _items(plot.right, pg.BarGraphItem)
    assert list(bars.opts["height"]) == [4.0]
    assert any("4.0 s" in t and "s/epoch" in t for t in _texts(plot.right))
    assert "skipped" in _texts(plot.right) and "skipped" in _texts(plot.left)


def test_rows_added_live_redraw_and_a_new_kind_starts_over(plot):
    rows = RESULTS["optimizers"]
    plot.add_row(rows[0], "optimizers", "multiclass")
    assert len(_items(plot.left, pg.BarGraphItem)[0].opts["height"]) == 1
    plot.add_row(rows[1], "optimizers", "multiclass")
    assert list(_items(plot.left, pg.BarGraphItem)[0].opts["height"]) == [0.81, 0.92]
    plot.add_row(RESULTS["batch-sizes"][0], "batch-sizes", "multiclass")
    assert plot.rows == [RESULTS["batch-sizes"][0]] and not _items(plot.left, pg.BarGraphItem)
    plot.clear()
    assert plot.rows == [] and not _items(plot.left, pg.PlotDataItem)


def test_show_curves_draws_the_chosen_rows_only(plot):
    plot.show_result(_result("batch-sizes"))
    plot.show_curves(RESULTS["batch-sizes"][:2])
    curves = _items(plot.right, pg.PlotDataItem)
    assert len(curves) == 2 and plot.right.getAxis("left").labelText == "validation loss"


def test_save_png_has_the_size_asked_and_is_not_blank(plot, tmp_path):
    plot.show_result(_result("optimizers"))
    before = plot.size()
    path = plot.save_png(tmp_path / "plot.png", width=1000, height=500)
    assert plot.size() == before  # the widget on screen is not resized
    assert Image.open(path).size == (1000, 500)
    std, ink = _ink(path)
    assert std > 20 and ink > 0.03


def test_save_study_png_works_without_a_window(tmp_path):
    """The command line's way: no QApplication yet, none shown."""
    data = json.dumps(_result("learning-curve").to_dict())
    (tmp_path / "result.json").write_text(data, encoding="utf-8")
    code = (
        "import json, sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from automl_gui.core.tune.study.studies import StudyResult\n"
        "from automl_gui.plots.study_png import save_study_png\n"
        "assert QApplication.instance() is None\n"
        "r = StudyResult.from_dict(json.load(open(sys.argv[1])))\n"
        "print(save_study_png(r, sys.argv[2], 800, 400))\n"
    )
    env_free = {k: v for k, v in __import__("os").environ.items() if k != "QT_QPA_PLATFORM"}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "result.json"), str(tmp_path / "out.png")],
        capture_output=True,
        text=True,
        env=env_free,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "propagateSizeHints" not in proc.stderr
    assert Image.open(tmp_path / "out.png").size == (800, 400)
    std, ink = _ink(tmp_path / "out.png")
    assert std > 20 and ink > 0.03


def test_save_study_png_in_a_running_app(qtbot, tmp_path):
    path = save_study_png(_result("devices"), tmp_path / "devices.png")
    assert Image.open(path).size == (1200, 600)
    assert _ink(path)[0] > 20


def test_the_trivial_baseline_is_drawn_and_a_row_below_it_gets_no_star(plot):
    """A training that never beat the trivial baseline did not converge: no "converged" star,
    a dashed curve named so; the baseline is a dashed line (accuracy without class weights,
    validation loss with them)."""
    import dataclasses

    from automl_gui.core.tune.study.baseline import Baseline

    rows = [_row("adam", 0, 0.92), _row("adadelta", 1, 0.3, losses=(1.1, 1.1, 1.09))]
    rows[1] = dataclasses.replace(
        rows[1], below_baseline=True, epochs_to_converge=None, steps_to_converge=None
    )
    majority = Baseline("val_accuracy", 0.78, "always answering the most common class, 'no'", 0.77)
    result = StudyResult(
        "optimizers", "binary", StudyConfig("optimizers"), "t", "test_accuracy", rows, [], majority
    )
    plot.show_result(result)
    assert plot.converged_labels() == ["adam"]
    texts = plot.legend_texts()
    assert "adadelta: did not converge" in texts
    assert "always answering the most common class (0.770)" in texts
    lines = [i for i in plot.left.items if isinstance(i, pg.InfiniteLine)]
    assert [round(line.value(), 2) for line in lines] == [0.77]
    uniform = Baseline("val_loss", 0.6931, "answering both classes as equally likely")
    plot.show_result(dataclasses.replace(result, baseline=uniform))
    assert "trivial baseline (0.693)" in plot.legend_texts()
    # one wording for a training below the baseline: "did not converge" (issue 15 follow-up)
    assert not any("learned nothing" in text for text in plot.legend_texts())
    curves = [i for i in plot.right.items if isinstance(i, pg.PlotDataItem)]
    (curve,) = [i for i in curves if i.name() == "adadelta: did not converge"]
    assert "did not converge (never beat the trivial baseline" in curve.toolTip()
    lines = [i for i in plot.right.items if isinstance(i, pg.InfiniteLine)]
    assert [round(line.value(), 3) for line in lines] == [0.693]
    assert not [i for i in plot.left.items if isinstance(i, pg.InfiniteLine)]


def test_a_lone_legend_spans_both_panels_leaving_no_blank_band(qtbot, plot):
    """An optimizers study's bars need no legend: the curves' legend sat over the right panel
    in two rows with a blank band over the bars; now it spans both panels in one row, and goes
    back over its panel when the left one has entries (the majority-class baseline)."""
    import dataclasses

    from automl_gui.core.tune.study.baseline import Baseline

    plot.resize(900, 420)
    plot.show()
    result = _result("optimizers")
    plot.show_result(result)
    qtbot.waitExposed(plot)
    qtbot.wait(20)
    width = plot._view.width()
    assert plot.left_legend.items == [] and plot.right_legend.items
    assert plot.right_legend.geometry().width() > 0.8 * width
    assert not plot.left_legend.isVisible()
    majority = Baseline("val_accuracy", 0.5, "always answering the most common class, 'a'", 0.5)
    plot.show_result(dataclasses.replace(result, baseline=majority))
    qtbot.wait(20)
    assert plot.left_legend.items and plot.left_legend.isVisible()
    assert plot.right_legend.geometry().left() > 0.4 * width
