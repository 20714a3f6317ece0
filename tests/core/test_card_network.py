"""The model card names the table network as built (numeric embedding, bins, members), and
the refit's before → after figures read the same in the log, the Evaluate summary and the
card: display names, 4 fixed decimals (review of issue 17)."""

from __future__ import annotations

from automl_gui.core.evaluate.labels import change_text, changed_figures
from automl_gui.core.export._card_tables import architecture_lines
from automl_gui.core.export.model_card import refit_lines
from automl_gui.core.models.config import MLPConfig

BUILT = {
    "kind": "tabular",
    "auto_chose": ["hidden_units", "numeric_embedding", "n_bins", "ensemble_size"],
    "model": {
        "auto": True,
        "hidden_units": [32, 16],
        "numeric_embedding": "piecewise",
        "n_bins": 26,
        "ensemble_size": 8,
    },
}


def test_the_card_names_the_embedding_and_members():
    assert architecture_lines(BUILT) == [
        "- Hidden layers: 32, 16 units (relu), chosen by Auto.",
        "- Numeric inputs and members: piecewise-linear 26 bins, 8 members, chosen by Auto.",
    ]
    periodic = {
        "kind": "tabular",
        "auto_chose": [],
        "model": {"hidden_units": [8], "numeric_embedding": "periodic", "ensemble_size": 1},
    }
    assert architecture_lines(periodic)[1] == "- Numeric inputs and members: periodic embedding."


def test_older_metadata_without_the_fields_still_renders():
    old = {"kind": "tabular", "auto_chose": [], "model": {"hidden_units": [8, 4]}}
    assert architecture_lines(old) == ["- Hidden layers: 8, 4 units (relu)."]
    plain = {**old, "model": {"hidden_units": [8], "numeric_embedding": "none", "n_bins": 0}}
    assert architecture_lines(plain) == ["- Hidden layers: 8 units (relu)."]
    before_auto_chose = {"kind": "tabular", "model": {**BUILT["model"]}}
    assert architecture_lines(before_auto_chose)[1].startswith("- Numeric inputs and members:")


def test_refit_figures_have_display_names_and_four_decimals():
    before = {"accuracy": 0.7156, "balanced_accuracy": 0.7666, "roc_auc": 0.853}
    after = {"accuracy": 0.72, "balanced_accuracy": 0.7695, "roc_auc": 0.86}
    assert change_text(before, after) == (
        "Accuracy 0.7156 → 0.7200, Balanced accuracy 0.7666 → 0.7695, ROC AUC 0.8530 → 0.8600"
    )
    assert change_text(before, after, 1) == "Accuracy 0.7156 → 0.7200"
    assert changed_figures({"r2": 0.5, "mae": 1.0}, {"r2": 0.55}) == [("R²", "0.5000", "0.5500")]
    card = refit_lines(
        {
            "kind": "tabular",
            "refit": {"epochs": 4, "rows": 900, "test_before": before, "test_after": after},
        }
    )
    assert "| Balanced accuracy | 0.7666 | 0.7695 |" in card
    assert "| Accuracy | 0.7156 | 0.7200 |" in card


def test_bins_are_recorded_only_for_the_piecewise_embedding():
    for embedding in ("periodic", "none"):
        built = MLPConfig(numeric_embedding=embedding, n_bins=8).resolved(500, 3)
        assert built.n_bins == 0
    assert MLPConfig(numeric_embedding="piecewise", n_bins=8).resolved(500, 3).n_bins == 8


def test_the_training_log_names_the_embedding_and_members_as_built():
    """The log line says what Auto built: the hidden layers, then the numeric embedding and
    the ensemble members (the same words as the card), not just the layers."""
    from automl_gui.core.base import lazy
    from automl_gui.core.jobs._tabular_parts import describe_model
    from automl_gui.core.models.config import MLPConfig

    keras = lazy.keras()
    inp = keras.Input((3,))
    out = keras.layers.Dense(2)(keras.layers.Dense(16)(inp))
    model = keras.Model(inp, out)
    built = MLPConfig(numeric_embedding="piecewise", n_bins=12, ensemble_size=8)
    line = describe_model(model, MLPConfig(), 3, built)
    assert line.startswith("Model: MLP sized to the data, hidden layers 16, ")
    assert "piecewise-linear 12 bins, 8 members on 3 encoded inputs" in line
    plain = describe_model(
        model, MLPConfig(), 3, MLPConfig(numeric_embedding="none", ensemble_size=1)
    )
    assert "hidden layers 16 on 3 encoded inputs" in plain
