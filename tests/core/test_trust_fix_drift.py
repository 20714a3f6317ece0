"""Drift wording (review P2-o, P3-y, P3-q): never "No drift" beside categories the model
never saw; the CSV says which figure is the PSI and which the test's statistic; a file
model's embedding is named as the input of its classifier (its last hidden layer)."""

from __future__ import annotations

import math

import pandas as pd

from automl_gui.core.trust._drift_report import DriftReport


def _table(unseen: float) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "feature": "contract",
                "statistic": "PSI",
                "score": 0.01,
                "drifted": False,
                "test": "chi-square",
                "test_statistic": 1.2,
                "p_value": 0.5,
                "psi": 0.01,
                "unseen": unseen,
                "unseen_values": "lifetime" if unseen == unseen else "",
            },
            {
                "feature": "tenure",
                "statistic": "PSI",
                "score": 0.0,
                "drifted": False,
                "test": "KS",
                "test_statistic": 0.02,
                "p_value": 0.9,
                "psi": 0.0,
                "unseen": math.nan,
                "unseen_values": "",
            },
        ]
    )


def test_no_drift_is_never_said_beside_unseen_categories() -> None:
    report = DriftReport(table=_table(300), subject="columns", items="rows", compared=600)
    text = report.summary()
    assert not text.startswith("No drift")
    assert text.startswith("No column's distribution changed")
    assert "contract has 300 values the model never saw (lifetime)" in text
    calm = DriftReport(table=_table(math.nan), subject="columns", items="rows", compared=600)
    assert calm.summary().startswith("No drift: none of the 2 columns")


def test_text_ngram_embedding_is_the_last_hidden_layer() -> None:
    import keras

    from automl_gui.core.models._text_nets import ngram_mlp
    from automl_gui.core.trust._drift_files import embedding_tensor
    from automl_gui.core.trust.calibration import with_temperature

    inp = keras.Input((50,))
    model = keras.Model(inp, ngram_mlp(keras, inp, 4, units=16, dropout=0.2, augment=0, seed=0))
    tensor, layer = embedding_tensor(with_temperature(model, 1.3))
    # the input of the 'probabilities' softmax: 16 hidden values, not the 4 answers
    assert layer == "probabilities" and tuple(tensor.shape) == (None, 16)
