"""TrainingPlots: events in, points out, redraws coalesced, markers placed."""

from __future__ import annotations

import math

import pytest

from automl_gui.core.base.events import BatchEnd, EpochEnd, PhaseChanged
from automl_gui.gui.widgets.live_plots import EMA_EPOCHS, TrainingPlots


@pytest.fixture
def plots(qtbot):
    w = TrainingPlots()
    qtbot.addWidget(w)
    return w


def _n(curve) -> int:
    xs = curve.getData()[0]
    return 0 if xs is None else len(xs)


def _epoch(e: int, loss: float, val: float, acc: float = 0.5, lr: float = 1e-3) -> EpochEnd:
    logs = {"loss": loss, "val_loss": val, "accuracy": acc, "val_accuracy": acc - 0.1, "lr": lr}
    return EpochEnd(epoch=e, epochs=10, logs=logs, elapsed=e + 1.0, eta=9.0 - e)


def test_epochs_are_stored_per_key_and_drawn_one_based(plots, qtbot):
    plots.reset("binary")
    plots.add_epoch(_epoch(0, 1.0, 1.2, lr=1e-3))
    plots.add_epoch(_epoch(1, 0.8, 0.9, lr=5e-4))
    plots.add_epoch(_epoch(2, 0.6, 1.0, lr=2.5e-4))
    assert plots.epochs() == [0, 1, 2]
    assert plots.epoch_points("loss") == [1.0, 0.8, 0.6]
    assert plots.epoch_points("val_loss") == [1.2, 0.9, 1.0]
    assert plots.epoch_points("lr") == [1e-3, 5e-4, 2.5e-4]
    assert plots.gap_points() == pytest.approx([0.2, 0.1, 0.4])
    assert plots.best_epoch() == 1  # lowest validation loss
    qtbot.waitUntil(lambda: _n(plots._val_loss_curve) == 3, timeout=2000)
    xs, ys = plots._val_loss_curve.getData()
    assert list(xs) == [1, 2, 3]
    assert list(ys) == [1.2, 0.9, 1.0]
    bx, by = plots._best_marker.getData()
    assert list(bx) == [2] and list(by) == [0.9]
    mx, _ = plots._metric_curve.getData()
    assert len(mx) == 3


def test_batches_become_a_smoothed_line_on_fractional_epochs(plots):
    plots.reset("binary")
    plots.add_batch(BatchEnd(epoch=0, step=0, steps=4, logs={"loss": 1.0}))
    plots.add_batch(BatchEnd(epoch=0, step=3, steps=4, logs={"loss": 0.0}))
    plots.add_batch(BatchEnd(epoch=1, step=1, steps=4, logs={"loss": float("nan")}))  # skipped
    points = plots.batch_points()
    assert [x for x, _ in points] == [0.25, 1.0]
    assert points[0][1] == 1.0
    alpha = 1 - math.exp(-0.75 / EMA_EPOCHS)  # weight grows with the x distance
    assert points[1][1] == pytest.approx(1.0 - alpha)


def test_redraws_are_coalesced(plots, qtbot):
    plots.reset("binary")
    before = plots.redraw_count
    for step in range(200):
        plots.add_batch(BatchEnd(epoch=0, step=step, steps=200, logs={"loss": 1.0 / (step + 1)}))
    assert plots.redraw_count == before  # nothing drawn synchronously
    qtbot.waitUntil(lambda: plots.redraw_count > before, timeout=2000)
    assert plots.redraw_count == before + 1
    assert len(plots._batch_curve.getData()[0]) == 200


def test_regression_plots_mae_and_skips_missing_values(plots):
    plots.reset("regression")
    assert plots.metric_key == "mae"
    plots.add_epoch(EpochEnd(0, 5, {"loss": 2.0, "mae": 1.5, "val_mae": 1.7, "lr": 0.01}))
    plots.add_epoch(EpochEnd(1, 5, {"loss": 1.0, "val_loss": 1.4, "mae": 1.0, "lr": 0.01}))
    plots.redraw()
    assert plots.epoch_points("val_loss")[1] == 1.4
    assert math.isnan(plots.epoch_points("val_loss")[0])
    assert math.isnan(plots.epoch_points("val_mae")[1])
    xs, ys = plots._val_loss_curve.getData()
    assert list(xs) == [2] and list(ys) == [1.4]
    xs, _ = plots._metric_curve.getData()
    assert list(xs) == [1, 2]


def test_phase_and_overfitting_markers(plots):
    plots.reset("binary")
    plots.mark_phase(PhaseChanged("fine-tune", 3))
    plots.mark_overfitting(4)
    plots.mark_overfitting(6)  # moves, does not duplicate
    assert plots.phase_marks() == [("fine-tune", 3)]
    assert plots.overfitting_epoch == 6
    lines = [(line.name(), line.value()) for _, line in plots._markers]
    assert lines.count(("overfitting", 7)) == 4  # one per plot, at 1-based x
    assert ("overfitting", 5) not in lines
    assert lines.count(("fine-tune", 3)) == 4
    plots.reset("binary")
    assert plots._markers == [] and plots.overfitting_epoch is None


def test_load_history_shows_a_finished_run(plots):
    history = {"loss": [1.0, 0.5, 0.4], "val_loss": [1.1, 0.7, 0.8], "mae": [3.0, 2.0, 1.0]}
    plots.load_history(history, task="regression", best_epoch=1)
    assert plots.epochs() == [0, 1, 2]
    assert plots.epoch_points("mae") == [3.0, 2.0, 1.0]
    assert plots.batch_points() == []
    assert plots.best_epoch() == 1
    xs, _ = plots._loss_curve.getData()
    assert list(xs) == [1, 2, 3]


def test_an_empty_plot_shows_no_ticks_and_the_learning_rate_reads_plainly(plots):
    from automl_gui.gui.widgets.live_plots import log_tick

    plots.reset("binary")
    plots.redraw()
    for plot in (plots.loss_plot, plots.metric_plot, plots.lr_plot, plots.gap_plot):
        assert not plots.tick_labels_shown(plot)  # no "5e+00" on a plot with no values
    plots.add_epoch(_epoch(0, 1.0, 1.2, lr=1e-3))
    plots.redraw()
    assert all(
        plots.tick_labels_shown(p)
        for p in (plots.loss_plot, plots.metric_plot, plots.lr_plot, plots.gap_plot)
    )
    assert [log_tick(x) for x in (1e-3, 5e-4, 0.01, 0.5, 1.0, 20.0, 2e5, 3.0)] == [
        "1e-3",
        "5e-4",
        "0.01",
        "0.5",
        "1",
        "20",
        "2e5",
        "",
    ]


def test_epoch_axes_tick_whole_epochs_only(plots, qtbot):
    plots.resize(900, 500)
    plots.show()
    plots.reset("binary")
    for e in range(2):  # two epochs: pyqtgraph would tick 1, 1.5, 2
        plots.add_epoch(_epoch(e, 1.0 - e * 0.1, 1.1 - e * 0.1))
    plots.redraw()
    qtbot.wait(50)
    for plot in (plots.loss_plot, plots.metric_plot, plots.lr_plot, plots.gap_plot):
        axis = plot.getAxis("bottom")
        lo, hi = axis.range
        levels = axis.tickValues(lo, hi, axis.width())
        values = [v for _, vs in levels for v in vs]
        assert values and all(float(v).is_integer() for v in values), values
        assert all(s >= 1 for s, _ in axis.tickSpacing(lo, hi, axis.width()))


def test_refit_epochs_are_their_own_labelled_series(plots, qtbot):
    """The refit (training and validation rows together) is drawn in its own colour after
    its phase line, named in the legend, so its higher loss does not read as divergence."""
    plots.reset("binary")
    for e, loss in enumerate((1.0, 0.8, 0.6)):
        plots.add_epoch(_epoch(e, loss, loss + 0.1))
    legend = [label.text for _, label in plots.legend.items]
    assert "refit on all data" not in legend
    plots.mark_phase(PhaseChanged("refit", 3))
    for e, loss in enumerate((1.1, 0.9), start=3):  # no validation figures in a refit
        plots.add_epoch(EpochEnd(epoch=e, epochs=5, logs={"loss": loss, "accuracy": 0.6}))
    plots.redraw()
    assert list(plots._loss_curve.getData()[0]) == [1, 2, 3]
    assert list(plots._refit_loss_curve.getData()[0]) == [4, 5]
    assert list(plots._refit_metric_curve.getData()[1]) == [0.6, 0.6]
    assert "refit on all data" in [label.text for _, label in plots.legend.items]
    line = next(line for _, line in plots._markers if line.name() == "refit")
    assert line.label.orthoPos > 0.5  # labelled at the top, clear of the best-epoch star
    plots.reset("binary")
    assert "refit on all data" not in [label.text for _, label in plots.legend.items]
    assert _n(plots._refit_loss_curve) == 0
