"""The Train page's "Training finished" line after a refit (status bar and log)."""

from __future__ import annotations


def test_the_finished_line_says_whose_best_epoch_after_a_refit():
    from types import SimpleNamespace

    from automl_gui.gui.pages._train_summary import finished_message

    def run(refit):
        result = SimpleNamespace(best_epoch=2)
        return SimpleNamespace(
            result=result, history={"val_loss": [0.7, 0.6, 0.55]}, metadata=refit
        )

    assert finished_message(run({})) == "Training finished: best epoch 3, val_loss 0.55"
    kept = finished_message(run({"refit": {"epochs": 3, "rows": 1275}}))
    assert kept == (
        "Training finished: first model's best epoch 3, val_loss 0.55; "
        "kept its refit on all data (3 epochs)"
    )
    dropped = finished_message(run({"refit": {"epochs": 3, "kept": "first", "reason": "x"}}))
    assert dropped.endswith("best epoch 3, val_loss 0.55; the refit on all data was not kept")
