"""``automl-gui predict`` says whether the data drifted from the training data and writes
``<out stem>_drift.csv`` beside the predictions; a model saved without a reference predicts
as before; a binary model's chosen threshold is said in a line."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli

from automl_gui.core.export.bundle import save_bundle
from automl_gui.core.models.config import MLPConfig
from automl_gui.core.train.config import TrainConfig
from automl_gui.core.trust.drift import DRIFT_KEY, table_reference


def _frame(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n) + shift, rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    label = np.where(x1 + 0.5 * x2 + (colour == "red") > 0.5, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "colour": colour, "label": label})


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """(folder, the bundle with a drift reference, one without, a csv shifted, a csv alike)."""
    from automl_gui.core.data.tabular import read_table
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular

    folder = tmp_path_factory.mktemp("predict_drift")
    _frame(300, 0).to_csv(folder / "train.csv", index=False)
    table = read_table(folder / "train.csv")
    setup = setup_tabular(table, "label", None)
    run = train_tabular(
        table.df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[8], dropout=0.0),
        TrainConfig(epochs=2, batch_size=32, early_stopping=False, seed=1),
    )
    metadata = dict(run.metadata)
    metadata.pop(DRIFT_KEY, None)  # an older model: no reference
    save_bundle(run.model, metadata, run.report, folder / "old_model")
    metadata[DRIFT_KEY] = table_reference(table.df.drop(columns=["label"]), metadata)
    save_bundle(run.model, metadata, run.report, folder / "model")
    _frame(200, 5, shift=2.0).to_csv(folder / "shifted.csv", index=False)
    _frame(200, 6).to_csv(folder / "alike.csv", index=False)
    return folder


def test_drifted_data_is_said_and_its_figures_written_beside_the_predictions(models) -> None:
    proc = call_cli("predict", "model", "shifted.csv", "--out", "out/answers.csv", cwd=models)
    assert proc.returncode == 0, proc.stderr
    assert "warning: drift: 1 of 3 columns differ from the training data: x1" in proc.stderr
    assert "retrain it with recent data" in proc.stderr
    drift = pd.read_csv(models / "out" / "answers_drift.csv")
    assert list(drift.columns[:4]) == ["feature", "statistic", "score", "drifted"]
    assert drift.loc[0, "feature"] == "x1" and bool(drift.loc[0, "drifted"])
    assert set(drift["feature"]) == {"x1", "x2", "colour"}
    assert f"Wrote the drift figures to {models / 'out' / 'answers_drift.csv'}" in proc.stdout
    assert len(pd.read_csv(models / "out" / "answers.csv")) == 200


def test_data_like_the_training_data_is_said_to_be_alike(models) -> None:
    proc = call_cli("predict", "model", "alike.csv", cwd=models)
    assert proc.returncode == 0, proc.stderr
    assert "note: No drift: none of the 3 columns differs" in proc.stdout
    assert (models / "alike_predictions_drift.csv").is_file()


def test_an_older_model_without_a_reference_predicts_as_before(models) -> None:
    proc = call_cli("predict", "old_model", "alike.csv", "--out", "old.csv", cwd=models)
    assert proc.returncode == 0, proc.stderr
    assert "drift:" not in proc.stderr and "No drift" not in proc.stdout
    assert not (models / "old_drift.csv").exists()
    assert (models / "old.csv").is_file()


def test_an_existing_drift_file_is_replaced_only_with_overwrite(models) -> None:
    (models / "again_drift.csv").write_text("feature\n")
    proc = call_cli("predict", "model", "alike.csv", "--out", "again.csv", cwd=models)
    assert proc.returncode == 1 and "again_drift.csv" in proc.stderr
    assert not (models / "again.csv").exists()  # refused before any work
    proc = call_cli(
        "predict", "model", "alike.csv", "--out", "again.csv", "--overwrite", cwd=models
    )
    assert proc.returncode == 0, proc.stderr
    assert pd.read_csv(models / "again_drift.csv").shape[0] == 3


def test_a_chosen_threshold_is_said_and_used(models, tmp_path) -> None:
    from automl_gui.core.export.bundle import load_bundle
    from automl_gui.core.trust.thresholds import set_threshold, threshold_words

    bundle = load_bundle(models / "model")
    metadata = set_threshold(dict(bundle.metadata), 0.99, "by hand")
    bundle = dataclasses.replace(bundle, metadata=metadata)
    save_bundle(bundle.model, metadata, bundle.report, tmp_path / "strict")
    proc = call_cli("predict", str(tmp_path / "strict"), str(models / "alike.csv"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"note: {threshold_words(metadata)}" in proc.stdout
    answers = pd.read_csv(tmp_path / "alike_predictions.csv")
    positive = metadata["threshold"]["positive"]
    decided = answers[f"probability_{positive}"] >= 0.99
    assert ((answers["prediction"] == positive) == decided).all()
