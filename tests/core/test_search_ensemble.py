"""The average of a table search's best trials (``core/tune/search/_ensemble.py``): one Keras
model answering the mean of its members, saved, reloaded in safe mode and exported like any
run; kept only when it beats the best trial on validation; its own leaderboard row."""

from __future__ import annotations

import math
import types
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from automl_gui.core.data.schema import LoadedTable, TableSource
from automl_gui.core.export.model_card import model_card
from automl_gui.core.jobs.tabular import build_tabular, fit_tabular, setup_tabular
from automl_gui.core.kinds import kind_named
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.preprocess.tabular import frame_to_inputs, prepare_data, to_tensors
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.tune.search import _ensemble
from automl_gui.core.tune.search.compare import kept_row, kept_words
from automl_gui.core.tune.search.jobs import SearchRequest, search
from automl_gui.core.tune.search.saved import open_folder, unfinished_trials, write_json
from automl_gui.core.tune.search.space import SearchConfig, TrialRecord


def _frame(n: int = 160, seed: int = 0) -> pd.DataFrame:
    """A number and a category, both with missing values, and a yes/no target."""
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    color = rng.choice(["red", "green", "blue"], size=n).astype(object)
    y = np.where(x1 + 0.5 * x2 + (color == "red") > 0.4, "yes", "no")
    df = pd.DataFrame({"x1": x1, "x2": x2, "color": color, "y": y})
    df.loc[::7, "x1"] = np.nan
    df.loc[::6, "color"] = None
    return df


def _setup(df: pd.DataFrame, target: str = "y"):
    table = LoadedTable(df=df, source=TableSource(path="m.csv", format="csv"))
    return setup_tabular(table, target).preprocess


@pytest.fixture(scope="module")
def members():
    """Three small networks trained 1 epoch on the same split (the members of an average)."""
    df = _frame()
    preprocess = _setup(df)
    prepared = prepare_data(df, preprocess)
    out = []
    for i, units in enumerate(([8], [16, 8], [])):
        mlp = MLPConfig(auto=False, hidden_units=units, ensemble_size=1, numeric_embedding="none")
        pre, built = build_tabular(prepared, preprocess, mlp, seed=1 + i)
        fit_tabular(prepared, pre, built, TrainConfig(epochs=1, batch_size=16, seed=1 + i))
        record = TrialRecord(f"000{i}", {"units": units}, status="completed", value=0.5 + i)
        out.append({"pre": pre, "built": built, "record": record})
    return prepared, out


def test_the_averaged_model_reloads_in_safe_mode_and_answers_the_members_mean(members, tmp_path):
    import keras

    prepared, trained = members
    model = _ensemble.average_model(trained)
    inputs = to_tensors(frame_to_inputs(prepared.test, trained[0]["pre"].schema))
    each = [np.asarray(m["built"].serving_model(inputs)) for m in trained]
    mean = np.mean(each, axis=0)
    np.testing.assert_allclose(np.asarray(model(inputs)), mean, atol=1e-6)
    path = tmp_path / "average.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)  # plain Keras: no custom objects
    np.testing.assert_allclose(np.asarray(again(inputs)), mean, atol=1e-6)
    # the best trial's input stage stays at the top: the export's encoded graph finds it
    assert again.get_layer("lookup_color") is not None
    assert [layer.name for layer in again.layers][-1] == "average_of_trials"


def test_a_member_encoded_differently_is_refused(members):
    prepared, trained = members
    rng = np.random.default_rng(5)
    z = rng.choice(["a", "b"], size=80)
    other = pd.DataFrame({"x1": rng.normal(size=80), "z": z, "y": np.where(z == "a", "p", "q")})
    other_pre = _setup(other)
    data = prepare_data(other, other_pre)
    mlp = MLPConfig(auto=False, hidden_units=[4], ensemble_size=1, numeric_embedding="none")
    pre, built = build_tabular(data, other_pre, mlp, seed=1)
    stranger = {"pre": pre, "built": built, "record": TrialRecord("0009")}
    with pytest.raises(Exception, match="encoded differently"):
        _ensemble.average_model([trained[0], stranger])


def test_the_objective_is_computed_as_keras_measures_it():
    y = np.array([0, 1, 1])
    probs = np.array([[0.8, 0.2], [0.4, 0.6], [0.0, 1.0]])
    loss = -(math.log(0.8) + math.log(0.6) + math.log(1 - 1e-7)) / 3
    names = ["a", "b"]
    assert _ensemble.objective_value("val_loss", y, probs, None, names) == pytest.approx(loss)
    assert _ensemble.objective_value("val_accuracy", y, probs, None, names) == pytest.approx(1.0)
    assert _ensemble.objective_value("val_mae", y, probs, None, names) is None
    values, target = np.array([12.0, 8.0]), np.array([10.0, 10.0])  # std 2: errors of ±1
    assert _ensemble.objective_value("val_loss", target, values, (10.0, 2.0), None) == 1.0
    assert _ensemble.objective_value("val_mae", target, values, (10.0, 2.0), None) == 1.0


def test_forward_selection_leaves_out_a_member_that_makes_the_average_worse():
    y = np.array([0, 1, 0, 1])
    outputs = [
        np.array([[0.8, 0.2], [0.3, 0.7], [0.7, 0.3], [0.4, 0.6]]),  # the best trial
        np.array([[0.1, 0.9], [0.9, 0.1], [0.2, 0.8], [0.8, 0.2]]),  # wrong everywhere
        np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]),  # good too
    ]

    def figure(chosen):
        mean = np.mean([outputs[i] for i in chosen], axis=0)
        return _ensemble.objective_value("val_loss", y, mean, None, ["a", "b"])

    chosen, value = _ensemble.forward_selection(3, figure, "min")
    assert chosen == [0, 2] and value == pytest.approx(figure([0, 2])) and value < figure([0])


def test_the_pool_keeps_the_best_model_of_each_configuration():
    pool = _ensemble.Pool(2, "min")

    def offer(trial_id, units, value, epochs=None):
        hp = {"units": units, **({"tuner/epochs": epochs} if epochs else {})}
        record = TrialRecord(trial_id, hp, status="completed", value=value)
        pool.offer(record, {"pre": None, "built": trial_id, "outputs": None})
        return record

    best = offer("0000", 64, 0.50, epochs=3)
    offer("0001", 32, 0.60)
    offer("0002", 16, 0.55)  # pushes 32 out
    offer("0003", 16, 0.52, epochs=9)  # Hyperband's next round of 16: replaces 0002
    offer("0004", 8, 0.90)  # not among the best two
    kept = {"pre": None, "built": "kept", "outputs": None}
    chosen = pool.members(best, kept)
    assert [m["record"].trial_id for m in chosen] == ["0000", "0003"]
    assert chosen[0]["built"] == "kept"  # the kept model (it may have trained on)
    assert _ensemble.Pool(1, "min").members(best, kept)[0]["built"] == "kept"


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """A 3-trial search whose average is forced to win (whether it wins is the benchmark's
    question): the kept run, and the search's folder."""
    df = _frame(200, seed=1)
    preprocess = _setup(df)
    config = SearchConfig(algorithm="random", max_trials=3, max_epochs=2, cross_validation="off")
    folder = tmp_path_factory.mktemp("search")
    request = SearchRequest(kind_named("tabular"), df, preprocess, None, config,
                            TrainConfig(epochs=2, seed=3, refit=True), directory=folder,
                            baselines=False)  # fmt: skip
    real = _ensemble.objective_value
    calls: list[float | None] = []

    def average_wins(objective, y, outputs, scale, names):
        # the best trial's own figure first, then each larger average scores a little better
        value = real(objective, y, outputs, scale, names) if not calls else min(calls) - 0.01
        calls.append(value)
        return value

    patch = pytest.MonkeyPatch()
    patch.setattr(_ensemble, "objective_value", average_wins)
    try:
        run = search(request)
    finally:
        patch.undo()
    return run, folder


def test_a_winning_average_is_the_searchs_model_and_its_own_leaderboard_row(searched):
    run, _ = searched
    row = next(r for r in run.leaderboard if r.trial_id == "average")
    average = run.metadata["search"]["average"]
    assert run.best_trial is row and row.status == "average"
    assert run.metadata["search"]["kept"] == "average"
    assert average["kept"] and len(average["members"]) == 3
    assert row.hyperparameters["model"] == f"average of trials {', '.join(average['members'])}"
    assert "Kept" in row.reason and row.score is not None
    assert run.model.name == "tabular_average"
    assert run.metadata["training"]["refit"] is False  # a search refits nothing
    assert run.report["metrics"]["accuracy"] is not None  # evaluated on the test split
    card = model_card(run.metadata, run.report)
    assert "Architecture: the average of 3 networks of the search (trials " in card
    # the window and the command line describe it as the average
    assert kept_row(row, run, 0.8).test_score == 0.8
    assert kept_words(row, row).startswith("the average of trials ")
    assert kept_words(row, row, short=True) == "average of 3 trials"


def test_the_kept_average_saves_reloads_and_exports_verified(searched, tmp_path):
    from automl_gui.core.export._load import load_bundle
    from automl_gui.core.export.bundle import predict_arrays
    from automl_gui.core.export.formats import export_model
    from automl_gui.core.jobs.run import save_run

    run, _ = searched
    path = save_run(run, tmp_path / "run")
    bundle = load_bundle(path)
    rows = run.prepared.test
    np.testing.assert_allclose(
        predict_arrays(bundle.model, bundle.metadata, rows),
        predict_arrays(run.model, run.metadata, rows),
        atol=1e-5,
    )
    for fmt in ("tflite", "onnx"):
        result = export_model(bundle, fmt, tmp_path / fmt)
        assert result.ok and result.rows_compared > 0, (fmt, result.message)


def test_a_resumed_search_drops_the_average_and_makes_it_again(searched):
    _, folder = searched
    assert unfinished_trials(folder) == 3  # the average is not a trial
    config = SearchConfig(algorithm="random", max_trials=3, max_epochs=2, cross_validation="off")
    kept = open_folder(folder, config, resume=True, overwrite=False)
    assert [r.trial_id for r in kept] == ["0000", "0001", "0002"]


def test_a_losing_average_is_listed_not_kept(members, monkeypatch):
    """The runner's side: a worse average leaves the kept model as it was."""
    prepared, trained = members
    logged: list = []
    runner = types.SimpleNamespace(
        search=SearchConfig(max_trials=3),
        prepared=prepared,
        preprocess=types.SimpleNamespace(task="binary"),
        cancel=types.SimpleNamespace(cancelled=False),
        cv_plan=None,
        end=math.inf,
        on_event=logged.append,
        average=None,
        kept_record=None,
        pool=_ensemble.Pool(3, "min"),
        _put=logged.append,
    )
    for m in trained:
        outputs = _ensemble.validation_outputs(prepared, m["pre"], m["built"].serving_model)
        runner.pool.offer(m["record"], {**m, "outputs": outputs})
    monkeypatch.setattr(_ensemble, "objective_value", lambda o, y, out, s, n: float(len(logged)))
    kept = {**trained[0], "result": types.SimpleNamespace(epochs_run=2)}
    assert _ensemble.average_best(runner, trained[0]["record"], kept) is kept
    assert runner.average["kept"] is False and runner.kept_record is None
    assert "Not kept" in logged[0].reason


def test_cross_validated_and_single_configuration_searches_keep_the_best_alone(members):
    prepared, trained = members
    logged: list = []
    runner = types.SimpleNamespace(search=SearchConfig(max_trials=3), cancel=types.SimpleNamespace(
        cancelled=False), cv_plan=object(), on_event=logged.append, average=None,
        pool=_ensemble.Pool(3, "min"), end=math.inf)  # fmt: skip
    kept = {**trained[0]}
    assert _ensemble.average_best(runner, trained[0]["record"], kept) is kept
    assert "cross-validation" in runner.average["skipped"]
    runner.cv_plan = None
    assert _ensemble.average_best(runner, trained[0]["record"], kept) is kept
    assert "only one configuration" in runner.average["skipped"]
    runner.search = replace(runner.search, average_best=0)
    runner.average = None
    assert _ensemble.average_best(runner, trained[0]["record"], kept) is kept
    assert runner.average is None


def test_the_saved_board_with_an_average_row_reads_back(tmp_path):
    from automl_gui.core.tune.search.saved import LEADERBOARD_FILE, finished_records

    row = TrialRecord("average", {"model": "average of trials 0001, 0000"}, status="average")
    write_json(tmp_path / LEADERBOARD_FILE, [row.to_dict()])
    assert finished_records(tmp_path)[0].status == "average"
    assert not row.scored  # never the best by its value: the search says when it is kept
