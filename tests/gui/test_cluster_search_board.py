"""The leaderboard's Worker column (issue 19): shown only for trials run by search workers."""

from __future__ import annotations

from PySide6.QtCore import Qt

from automl_gui.core.tune.search.space import TrialRecord
from automl_gui.gui.widgets.leaderboard import Leaderboard, leaderboard_csv_rows
from automl_gui.gui.widgets.leaderboard_model import COLUMNS


def test_worker_column_shows_only_for_a_search_across_processes(qtbot):
    board = Leaderboard()
    qtbot.addWidget(board)
    col = COLUMNS.index("Worker")
    local = TrialRecord("0000", {"units": 8}, value=0.5, status="completed")
    board.model.set_records([local])
    assert board.view.isColumnHidden(col)
    board.model.upsert(
        TrialRecord("0001", {"units": 16}, value=0.4, status="completed", worker="tuner1")
    )
    assert not board.view.isColumnHidden(col)
    assert board.model.index(1, col).data() == "tuner1"
    tip = board.model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "search worker" in tip
    assert [row["worker"] for row in leaderboard_csv_rows(board.model.records)] == ["", "tuner1"]
    board.clear()
    assert board.view.isColumnHidden(col)
