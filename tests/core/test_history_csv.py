"""history.csv: the curves the command line saves beside a model, read back as they were."""

from __future__ import annotations

import math

from automl_gui.core.train.history_csv import read_history, write_history


def test_curves_round_trip_with_gaps_and_uneven_lengths(tmp_path):
    path = tmp_path / "history.csv"
    history = {"loss": [0.9, 0.5, 0.25], "val_loss": [1.0, float("nan"), 0.4], "lr": [0.01]}
    assert write_history(history, path)
    assert path.read_text().splitlines()[0] == "epoch,loss,val_loss,lr"
    back = read_history(path)
    assert back["loss"] == [0.9, 0.5, 0.25] and back["val_loss"][2] == 0.4
    assert math.isnan(back["val_loss"][1]) and back["lr"][0] == 0.01 and math.isnan(back["lr"][1])


def test_no_curves_write_nothing_and_a_foreign_file_reads_as_none(tmp_path):
    assert not write_history({"loss": []}, tmp_path / "h.csv")
    assert not (tmp_path / "h.csv").exists()
    (tmp_path / "h.csv").write_text("name,age\nann,3\n")
    assert read_history(tmp_path / "h.csv") == {}
    (tmp_path / "h.csv").write_text("epoch,loss\n1,abc\n")
    assert read_history(tmp_path / "h.csv") == {}
    assert read_history(tmp_path / "missing.csv") == {}
