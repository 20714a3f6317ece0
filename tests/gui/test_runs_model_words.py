"""The Runs window names a table run's model by the layers that were built (issue 15
follow-up): an Auto run's record holds what Auto chose; an older one says only "auto-sized"."""

from __future__ import annotations

from automl_gui.core.project import RunRecord
from automl_gui.gui import runs_data as data


def record(settings: dict) -> RunRecord:
    return RunRecord(
        id="run-001", name="Run 1", created="", kind="tabular", task="binary", settings=settings
    )


def test_auto_runs_show_the_layers_auto_chose():
    built = {"model": {"auto": True, "hidden_units": [32, 16]}, "auto_chose": ["hidden_units"]}
    assert data.model_words(record(built)) == "Table · MLP 32-16 (auto)"
    older = {"model": {"auto": True, "hidden_units": [64, 32]}}  # Auto's placeholder
    assert data.model_words(record(older)) == "Table · MLP (auto-sized)"
    set_by_hand = {"model": {"auto": False, "hidden_units": [64, 64]}, "auto_chose": []}
    assert data.model_words(record(set_by_hand), with_kind=False) == "MLP 2×64"


def test_compare_runs_lists_no_auto_chose_row():
    flat = data.flatten_settings({"model": {"hidden_units": [8]}, "auto_chose": ["hidden_units"]})
    assert flat == {"model.hidden_units": [8], "search": "off"}


def test_compare_runs_shows_no_placeholder_sizes_of_older_auto_runs():
    older = data.flatten_settings({"model": {"auto": True, "hidden_units": [64, 32]}})
    assert "model.hidden_units" not in older and older["model.auto"] is True
    built = {"model": {"auto": True, "hidden_units": [32, 16]}, "auto_chose": ["hidden_units"]}
    assert data.flatten_settings(built)["model.hidden_units"] == [32, 16]


def test_the_comparison_keeps_no_span_of_an_earlier_layout(qtbot):
    """A section heading spans its row; shown again with other rows, that span merged the
    values now on its line (two runs of 5 and 6 epochs read "5" across both)."""
    from automl_gui.gui.dialogs._runs_compare import CompareTable

    def run(rid: str, epochs: int) -> RunRecord:
        rec = record({"model": {"auto": False, "hidden_units": [8]}, "training": {}})
        rec.id, rec.name = rid, f"Run {rid[-1]}"
        rec.settings["training"] = {"epochs": epochs}
        rec.metrics = {"accuracy": 0.5 + epochs / 100}
        return rec

    table = CompareTable()
    qtbot.addWidget(table)
    runs = [run("run-001", 5), run("run-002", 6)]
    table.show_rows(runs, data.comparison_rows(runs, show_all=True))
    table.show_rows(runs, data.comparison_rows(runs, show_all=False))
    for line in range(table.rowCount()):
        if table.item(line, 1) is not None:  # a value row: one cell per run
            assert table.columnSpan(line, 0) == 1, table.verticalHeaderItem(line).text()
