"""Comparison studies: one split and seed, one setting varied, rows for every outcome."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.base.errors import CancelledError, ConfigError
from automl_gui.core.base.events import CancelToken, EpochEnd, StudyRowEnded, StudyRowStarted
from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.hardware import Device
from automl_gui.core.jobs import tabular as pipeline
from automl_gui.core.jobs.tabular import setup_tabular
from automl_gui.core.kinds import kind_named
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.study._plan import Spec, TrainingFacts, nested_order
from automl_gui.core.tune.study._run import EpochClock, make_row, row_line
from automl_gui.core.tune.study.baseline import Baseline, best_row, convergence, trivial_baseline
from automl_gui.core.tune.study.jobs import StudyRequest, study
from automl_gui.core.tune.study.studies import StudyConfig, StudyResult, StudyRow


def _frame(n: int = 120, seed: int = 0, regression: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "blue"], size=n)
    if regression:
        y = 2 * x1 - x2 + (color == "red") + rng.normal(scale=0.1, size=n)
    else:
        y = np.where(x1 + 0.5 * x2 > 0.6, "a", np.where(x2 > 0, "b", "c"))
    return pd.DataFrame({"x1": x1, "x2": x2, "color": color, "y": y})


def _table(regression: bool = False):
    df = _frame(regression=regression)
    source = TableSource(path="t.csv", format="csv")
    return df, setup_tabular(LoadedTable(df=df, source=source), "y").preprocess


@pytest.fixture(scope="module")
def table():
    return _table()


def _study(table, kind: str, *, epochs: int = 2, training=None, **kwargs):
    df, pre = table
    options = {k: kwargs.pop(k) for k in ("optimizers", "batch_sizes", "sizes") if k in kwargs}
    config = StudyConfig(kind, epochs=epochs, **options)
    training = training or TrainConfig(seed=3)
    events = {k: kwargs.pop(k) for k in ("on_event", "cancel") if k in kwargs}
    request = StudyRequest(
        kind_named("tabular"), df, pre, MLPConfig(), config, training, data_name="t.csv", **kwargs
    )
    return study(request, **events)


@pytest.fixture(scope="module")
def optimizers(table):
    events: list = []
    result = _study(table, "optimizers", optimizers=("sgd", "adam"), on_event=events.append)
    return result, events


# -- definitions, no training ---------------------------------------------------------------
def test_convergence_is_the_first_epoch_within_tolerance_of_the_best_loss():
    history = {"val_loss": [1.0, 0.5, 0.52, 0.40, 0.41, 0.405]}
    # best 0.40; 5 %: <= 0.42 → epoch 4 (1-based), 4 × 10 steps
    assert convergence(history, 0.05, 10) == (4, 40)
    # 30 %: <= 0.52 → epoch 2
    assert convergence(history, 0.30, 10) == (2, 20)
    # NaN epochs never count; the training loss is used without a validation split
    assert convergence({"val_loss": [math.nan, 0.3, 0.2]}, 0.0, 7) == (3, 21)
    assert convergence({"loss": [2.0, 1.0]}, 0.0, 3) == (2, 6)
    assert convergence({"val_loss": [math.nan]}, 0.05, 3) == (None, None)
    # a negative best loss (possible for some losses): within 5 % of |best|
    assert convergence({"val_loss": [-1.0, -2.0, -1.95]}, 0.05, 1) == (2, 2)


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (StudyConfig("speed"), "Unknown study"),
        (StudyConfig("optimizers", optimizers=("adam", "fancy")), "Unknown optimizer 'fancy'"),
        (StudyConfig("optimizers", optimizers=()), "No optimizer"),
        (StudyConfig("batch-sizes", batch_sizes=(8, 0)), "Batch size 0"),
        (StudyConfig("batch-sizes", batch_sizes=(8, 8)), "listed twice"),
        (StudyConfig("learning-curve", sizes=(0.5, -1)), "must be positive"),
        (StudyConfig("learning-curve", sizes=(12.5,)), "row count"),
        (StudyConfig("devices", epochs=0), "Epochs"),
        (StudyConfig("devices", tolerance=1.5), "tolerance"),
    ],
)
def test_bad_settings_are_config_errors_with_a_hint(config, words):
    with pytest.raises(ConfigError) as info:
        config.validate()
    assert words in info.value.message and info.value.hint


def test_config_and_result_round_trip_through_plain_dicts():
    config = StudyConfig("learning-curve", sizes=(0.5, 200), epochs=4, tolerance=0.1)
    assert StudyConfig.from_dict(config.to_dict()) == config
    row = StudyRow("50 %", 60.0, metrics={"test_accuracy": 0.9}, history={"val_loss": [1.0]})
    result = StudyResult("learning-curve", "binary", config, "t.csv", "test_accuracy", [row], ["n"])
    again = StudyResult.from_dict(result.to_dict())
    assert again == result
    assert pickle.loads(pickle.dumps(result)) == result


def test_the_trivial_baseline_is_the_majority_class_or_the_training_mean():
    base = trivial_baseline("binary", [0, 0, 0, 1], [0, 1, 1, 0, 0], ["no", "yes"])
    assert base.metric == "val_accuracy" and base.value == pytest.approx(0.6)
    assert "'no'" in base.words
    assert base.beaten_by(0.61) and not base.beaten_by(0.6) and not base.beaten_by(None)
    assert trivial_baseline("binary", [0, 0, 1], [0], y_test=[1, 1, 0, 0]).test_value == 0.5
    reg = trivial_baseline("regression", [1.0, 2.0, 3.0], [2.0, 4.0])
    assert reg.metric == "val_mae" and reg.value == pytest.approx(1.0)  # |0| and |2|, mean 2
    assert reg.beaten_by(0.9) and not reg.beaten_by(1.1)
    assert trivial_baseline("binary", [0, 1], []) is None
    # scores of every epoch count, a regression MAE scaled back to the target's units
    assert reg.beaten_in({"val_mae": [0.6, 0.45]}, scale=2.0)  # 0.9 < 1.0
    assert not reg.beaten_in({"val_mae": [0.6, 0.55]}, scale=2.0)
    assert reg.beaten_in({"loss": [1.0]}) is None  # no validation split: cannot say
    # with class weights, accuracy is no yardstick: the uniform answer's validation loss is
    weighted = trivial_baseline("binary", [0] * 78 + [1] * 22, [0] * 7 + [1] * 3, weighted=True)
    assert weighted.metric == "val_loss" and weighted.value == pytest.approx(math.log(2))
    assert weighted.test_value is None
    assert weighted.words == "answering both classes as equally likely (class weights balance them)"
    assert weighted.beaten_in({"val_loss": [0.8, 0.6]}) and not weighted.beaten_in(
        {"val_loss": [0.8, 0.79]}
    )


def test_a_study_with_class_weights_judges_by_the_uniform_answer_s_loss(table):
    """On a 78:22 table "auto" weights the classes, so every training gives up accuracy on
    the common class: judged by accuracy against the majority, all five optimizers of the
    churn sample 'never beat the baseline'. The weighted baseline is the uniform answer."""
    result = _study(
        table, "optimizers", optimizers=("adam",), training=TrainConfig(seed=3,
        class_weights="balanced"),
    )  # fmt: skip
    assert result.baseline.metric == "val_loss"
    assert result.baseline.value == pytest.approx(math.log(3))  # three classes
    row = result.rows[0]
    assert row.below_baseline is (not result.baseline.beaten_in(row.history))
    # the best is still picked by validation accuracy, among the rows under the uniform loss
    assert result.best_index() == (None if row.below_baseline else 0)


class _Result:
    seconds, epochs_run, stopped_reason, batch_size = 3.0, 5, "completed", 16


def _adadelta_row(baseline):
    """Adadelta at a small learning rate: its loss is flat from epoch 1 (within 5 % of its
    best), its validation accuracy 0.34 while the majority class scores 0.78."""
    history = {
        "loss": [1.10, 1.09, 1.09, 1.09, 1.08],
        "val_loss": [1.10, 1.09, 1.09, 1.09, 1.09],
        "val_accuracy": [0.34] * 5,
    }
    clock = EpochClock(None)
    clock.times = [1.0] * 5
    spec = Spec("adadelta", 2.0, TrainConfig())
    report = {"metrics": {"accuracy": 0.33, "f1_macro": 0.2}}
    return make_row(
        spec,
        result=_Result(),
        history=history,
        report=report,
        n_train=80,
        clock=clock,
        tolerance=0.05,
        task="multiclass",
        device="",
        baseline=baseline,
    )


def test_a_training_that_never_beat_the_baseline_did_not_converge():
    row = _adadelta_row(None)
    assert row.epochs_to_converge == 1  # what a flat loss alone would say: "converged"
    baseline = Baseline("val_accuracy", 0.78, "always answering the most common class, 'a'")
    row = _adadelta_row(baseline)
    assert row.below_baseline
    assert (row.epochs_to_converge, row.steps_to_converge) == (None, None)
    assert "did not converge (never beat the trivial baseline)" in row_line(row, "test_accuracy")
    config = StudyConfig("optimizers")
    result = StudyResult(
        "optimizers", "multiclass", config, "t.csv", "test_accuracy", [row], [], baseline
    )
    (line,) = result.table()
    assert line["reason"] == (
        "did not converge (never beat the trivial baseline: validation accuracy 0.78)"
    )
    assert line["epochs_to_converge"] is None
    assert any("trivial baseline: validation accuracy 0.78" in h for h in result.header_lines())
    assert result.best_index() is None  # nothing beat it: no best
    assert StudyResult.from_dict(result.to_dict()) == result


def test_the_best_row_is_picked_by_validation_not_test_score():
    def row(label, val, test, status="completed", **kw):
        metrics = {"val_accuracy": val, "test_accuracy": test, "val_loss": 1 - val}
        return StudyRow(label, 0.0, status=status, metrics=metrics, **kw)

    rows = [
        row("sgd", 0.80, 0.95),  # the best test score, but not the best on validation
        row("adam", 0.88, 0.84),
        row("rmsprop", 0.95, 0.99, status="failed"),
        row("adamax", 0.90, 0.90, below_baseline=True),
    ]
    config = StudyConfig("optimizers")
    result = StudyResult("optimizers", "multiclass", config, "t.csv", "test_accuracy", rows)
    assert result.selection == "val_accuracy"
    assert result.best_index() == 1
    baseline = Baseline("val_accuracy", 0.85, "majority")
    assert best_row(rows, "multiclass", baseline) == 1
    assert best_row(rows, "multiclass", Baseline("val_accuracy", 0.9, "m")) is None
    # a loss baseline (class weights) judges each row by its validation loss; the best is
    # still the best validation accuracy among those under it
    assert best_row(rows, "multiclass", Baseline("val_loss", 0.15, "uniform")) == 1
    assert best_row(rows[:1], "multiclass", Baseline("val_loss", 0.25, "uniform")) == 0
    assert best_row(rows, "multiclass", Baseline("val_loss", 0.1, "uniform")) is None
    # regression: the lowest validation MAE
    reg = [
        StudyRow("a", 0, metrics={"val_mae": 2.0, "test_mae": 1.0}),
        StudyRow("b", 1, metrics={"val_mae": 1.5, "test_mae": 3.0}),
    ]
    assert best_row(reg, "regression") == 1


def test_a_result_saved_before_the_baseline_still_loads():
    config = StudyConfig("optimizers")
    old = StudyResult("optimizers", "binary", config, "t.csv", "test_accuracy").to_dict()
    old.pop("baseline")
    old["rows"] = [{"label": "adam", "x": 0.0, "metrics": {"val_accuracy": 0.9}}]
    result = StudyResult.from_dict(old)
    assert result.baseline is None and not result.rows[0].below_baseline
    assert result.best_index() == 0


def test_learning_curve_subsets_are_nested_and_keep_the_class_proportions():
    labels = np.array([0] * 60 + [1] * 30 + [2] * 10)
    order = nested_order(labels, len(labels), seed=1)
    assert sorted(order) == list(range(100))
    for n in (10, 20, 50):
        counts = np.bincount(labels[order[:n]], minlength=3)
        assert abs(counts[0] - 0.6 * n) <= 1 and abs(counts[1] - 0.3 * n) <= 1
        assert counts[2] >= 1
    assert list(nested_order(labels, 100, seed=1)) == list(order)  # seeded


# -- tables -----------------------------------------------------------------------------------
def test_optimizers_study_trains_each_on_the_same_split_with_row_events(optimizers, table):
    result, events = optimizers
    assert result.kind == "optimizers" and result.task == "multiclass"
    assert result.metric == "test_accuracy" and result.data_name == "t.csv"
    assert [r.label for r in result.rows] == ["sgd", "adam"]
    assert [r.status for r in result.rows] == ["completed", "completed"]
    starts = [e for e in events if isinstance(e, StudyRowStarted)]
    ends = [e for e in events if isinstance(e, StudyRowEnded)]
    assert [(e.index, e.total, e.label) for e in starts] == [(0, 2, "sgd"), (1, 2, "adam")]
    assert [e.row for e in ends] == result.rows
    # each training's epochs come between its start and its end
    kinds = [type(e).__name__ for e in events if isinstance(e, StudyRowStarted | StudyRowEnded)]
    assert kinds == ["StudyRowStarted", "StudyRowEnded"] * 2
    first_end = events.index(ends[0])
    assert any(isinstance(e, EpochEnd) for e in events[events.index(starts[0]) : first_end])
    assert any(
        isinstance(e, EpochEnd) for e in events[events.index(starts[1]) : events.index(ends[1])]
    )
    n_train = round(120 * 0.7)
    for row in result.rows:
        assert {"test_accuracy", "test_f1", "val_accuracy", "val_loss"} <= set(row.metrics)
        assert 0 <= row.metrics["test_accuracy"] <= 1 and row.seconds > 0 and row.epochs == 2
        assert len(row.history["val_loss"]) == 2 == len(row.history["epoch_seconds"])
        assert row.metrics["val_loss"] == pytest.approx(min(row.history["val_loss"]))
        epochs, steps = convergence(row.history, 0.05, math.ceil(n_train / 16))
        beat = result.baseline.beaten_in(row.history)
        assert row.below_baseline is (not beat)
        if beat:
            assert (row.epochs_to_converge, row.steps_to_converge) == (epochs, steps)
        else:  # a training that never beat the majority class did not converge
            assert (row.epochs_to_converge, row.steps_to_converge) == (None, None)
    assert "only the optimizer changed" in result.notes[0] and "batch size 16" in result.notes[0]
    # the trivial baseline: the majority class of the training rows, scored on validation
    assert result.baseline.metric == "val_accuracy" and 0 < result.baseline.value < 1
    assert any(n.startswith("Trivial baseline: validation accuracy") for n in result.notes)
    # the two optimizers really trained differently
    assert result.rows[0].history["val_loss"] != result.rows[1].history["val_loss"]


def test_same_setting_twice_gives_the_same_row(table, optimizers):
    # the same split and seed each time: a repeat of adam reproduces its row
    again = _study(table, "optimizers", optimizers=("adam",))
    assert again.rows[0].history["val_loss"] == pytest.approx(
        optimizers[0].rows[1].history["val_loss"], rel=1e-5
    )


def test_batch_sizes_study_changes_steps_per_epoch_and_times_each(table):
    result = _study(table, "batch-sizes", batch_sizes=(16, 64), epochs=1)
    assert [(r.label, r.x) for r in result.rows] == [("16", 16.0), ("64", 64.0)]
    small, large = result.rows
    assert small.status == large.status == "completed"
    assert small.seconds > 0 and large.seconds > 0 and "seconds_per_epoch" in small.metrics
    n_train = 84
    for row, batch in ((small, 16), (large, 64)):
        steps = (1, math.ceil(n_train / batch))
        assert convergence(row.history, 0.05, math.ceil(n_train / batch)) == steps
        # one epoch may not beat the majority class: then it did not converge
        expected = (None, None) if row.below_baseline else steps
        assert (row.epochs_to_converge, row.steps_to_converge) == expected
    assert "only the batch size changed" in result.notes[0]


def test_learning_curve_skips_a_size_smaller_than_the_classes_and_scores_on_one_test(table):
    result = _study(table, "learning-curve", sizes=(2, 0.5))
    tiny, half = result.rows
    assert tiny.status == "skipped" and "fewer than the 3 classes" in tiny.reason
    assert tiny.label == "2 rows" and tiny.x == 2 and not tiny.metrics
    assert half.status == "completed" and half.x == 42 and half.label == "50 % (42 rows)"
    assert {"test_accuracy", "test_f1"} <= set(half.metrics)
    assert any("validation and test are unchanged" in n for n in result.notes)
    assert result.table()[1]["train_examples"] == 42


def test_regression_learning_curve_reports_mae_and_r2():
    result = _study(_table(regression=True), "learning-curve", sizes=(1.0, 500))
    full, too_many = result.rows
    assert result.metric == "test_mae" and full.status == "completed"
    assert {"test_mae", "test_r2", "test_rmse", "val_loss"} <= set(full.metrics)
    assert "test_accuracy" not in full.metrics
    assert too_many.status == "skipped" and "Only 84 training rows" in too_many.reason


def test_devices_study_times_the_cpu_only_when_there_is_no_gpu(table):
    cpu = Device("Test CPU", "CPU")
    result = _study(table, "devices", devices=[cpu], epochs=2)
    assert [(r.label, r.status, r.device) for r in result.rows] == [
        ("CPU", "completed", "Test CPU")
    ]
    assert "No GPU on this computer: only the CPU was timed." in result.notes
    assert result.rows[0].metrics["seconds_per_epoch"] > 0


def test_devices_study_skips_a_gpu_tensorflow_cannot_use():
    # an injected GPU TensorFlow does not have: never faked, skipped with the reason
    gpu = Device("Imaginary GPU", "GPU", memory_bytes=8 * 2**30, compute_capability=(8, 0))
    notes: list[str] = []
    config = StudyConfig("devices")
    specs = config.type.plan(
        config,
        TrainConfig(batch_size=16),
        TrainingFacts(
            n_train=84,
            labels=None,
            n_classes=0,
            noun="rows",
            devices=[gpu, Device("Test CPU", "CPU"), Device("Other CPU", "CPU")],
        ),
        notes,
    )
    assert [(s.label, s.device.name) for s in specs] == [
        ("GPU 0", "Imaginary GPU"),
        ("CPU", "Test CPU"),
    ]
    assert "cannot use Imaginary GPU" in specs[0].skip and "0 GPU" in specs[0].skip
    assert specs[1].skip == ""
    assert not any("No GPU" in n for n in notes)


def test_stop_keeps_the_finished_rows(table):
    cancel = CancelToken()

    def on_event(event):
        if isinstance(event, StudyRowEnded):
            cancel.cancel()

    result = _study(
        table, "optimizers", optimizers=("adam", "sgd"), on_event=on_event, cancel=cancel
    )
    assert [(r.label, r.status) for r in result.rows] == [("adam", "completed")]
    assert any("Stopped by the user after 1 of 2" in n for n in result.notes)


def test_stop_before_any_training_finished_raises_cancelled(table):
    cancel = CancelToken()

    def on_event(event):
        if isinstance(event, EpochEnd):
            cancel.cancel()

    with pytest.raises(CancelledError):
        _study(table, "optimizers", optimizers=("adam", "sgd"), on_event=on_event, cancel=cancel)


def test_a_failing_training_is_a_failed_row_and_the_study_goes_on(table, monkeypatch):
    real = pipeline.fit_tabular
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("GPU fell off the bus")
        result = real(*args, **kwargs)
        if calls["n"] == 2:
            result.stopped_reason = "nan"
        return result

    monkeypatch.setattr(pipeline, "fit_tabular", flaky)
    result = _study(table, "batch-sizes", batch_sizes=(16, 32, 64), epochs=1)
    crashed, nan, fine = result.rows
    assert crashed.status == "failed" and "RuntimeError" in crashed.reason
    assert "GPU fell off the bus" in crashed.reason
    assert nan.status == "failed" and "NaN" in nan.reason and not nan.metrics
    assert fine.status == "completed" and "test_accuracy" in fine.metrics


def test_csv_has_the_columns_in_order_and_says_what_convergence_means(optimizers, tmp_path):
    result, _ = optimizers
    path = result.to_csv(tmp_path / "out" / "study.csv")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# automl-gui comparison study: Optimizers on t.csv")
    assert "val_loss <= best + 0.05 x |best|" in text
    frame = pd.read_csv(path, comment="#")
    assert list(frame.columns) == result.columns()
    assert list(frame.columns[:2]) == ["optimizer", "status"]
    assert list(frame.columns[-4:]) == [
        "epochs_to_converge",
        "steps_to_converge",
        "device_name",
        "reason",
    ]
    assert list(frame["optimizer"]) == ["sgd", "adam"]
    assert frame["test_accuracy"].tolist() == pytest.approx(
        [r.metrics["test_accuracy"] for r in result.rows], abs=1e-5
    )
    steps = [None if pd.isna(v) else int(v) for v in frame["steps_to_converge"]]
    assert steps == [r.steps_to_converge for r in result.rows]
    assert not list(tmp_path.glob("out/.*tmp*"))


def test_the_isolated_study_sends_the_study_job_to_the_engine_process():
    from automl_gui.core.jobs.isolated import run_isolated

    class _Process:
        def run(self, target, kwargs, *, on_event=None, cancel=None):
            self.call = (target, kwargs["job"], kwargs["request"], on_event, cancel)
            return "result"

    process, token = _Process(), CancelToken()
    request = StudyRequest(kind_named("tabular"), 1, 2, 3, StudyConfig("devices"), 4)
    got = run_isolated(process, study, request, on_event=print, cancel=token)
    assert got == "result"  # a study keeps no model: nothing else comes back
    assert process.call == (
        "automl_gui.core.jobs.isolated:_in_child",
        "automl_gui.core.tune.study.jobs:study",
        request,
        print,
        token,
    )


# -- folders ----------------------------------------------------------------------------------
def test_image_folder_learning_curve_keeps_validation_and_test(tmp_path):
    from image_factory import make_class_folders

    from automl_gui.core.data.images import scan_images
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

    root = make_class_folders(tmp_path / "shapes", per_class=6, size=(16, 16), seed=2)
    dataset = scan_images(str(root))
    pre = ImagePreprocessConfig(image_size=16)
    pre.augment.enabled = False
    events: list = []
    request = StudyRequest(
        kind_named("images"),
        dataset,
        pre,
        ImageModelConfig(architecture="cnn"),
        StudyConfig("learning-curve", sizes=(0.5, 1.0), epochs=1),
        TrainConfig(batch_size=8, seed=1),
    )
    result = study(request, on_event=events.append)
    assert result.task == "multiclass" and result.data_name == "shapes"
    half, full = result.rows
    assert half.status == full.status == "completed"
    assert half.x < full.x and half.label.startswith("50 % (") and "images)" in half.label
    assert {"test_accuracy", "test_f1", "val_loss"} <= set(full.metrics)
    assert full.epochs == 1 and full.steps_to_converge == math.ceil(full.x / 8)
    assert sum(isinstance(e, StudyRowEnded) for e in events) == 2
