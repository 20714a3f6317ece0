"""The leaderboard's rows: the average row says whether it was kept and shows no epochs of
its own; the network's family comes first in the Settings column, short."""

from __future__ import annotations

from automl_gui.core.tune.search.space import TrialRecord
from automl_gui.gui.widgets.leaderboard_model import (
    COLUMNS,
    LeaderboardModel,
    describe_hyperparameters,
)


def _row(model: LeaderboardModel, trial_id: str) -> dict[str, str]:
    r = next(i for i, rec in enumerate(model.records) if rec.trial_id == trial_id)
    return {c: model.index(r, i).data() for i, c in enumerate(COLUMNS)}


def test_the_average_row_says_kept_or_not_and_shows_no_epochs(qtbot):
    model = LeaderboardModel()
    trial = TrialRecord(
        "0000", {"depth": 2, "units": 32}, value=0.49, epochs=19, status="completed"
    )
    kept = TrialRecord("average", {"model": "average of trials 0000, 0001"}, value=0.45, epochs=19)
    kept.status, kept.reason = "average", "Kept: the mean of the answers … on the validation rows."
    model.set_records([trial, kept], "average")
    assert _row(model, "average")["Status"] == "Σ average · kept"
    assert _row(model, "average")["Epochs"] == "—"
    assert _row(model, "0000")["Epochs"] == "19"
    dropped = TrialRecord("average", {"model": "average of trials 0000, 0001"}, value=0.52)
    dropped.status, dropped.reason = "average", "Not kept: the mean of the answers … rows."
    model.set_records([trial, dropped], "0000")
    assert _row(model, "average")["Status"] == "Σ average · not kept"


def test_the_network_family_comes_first_and_short():
    hp = {
        "depth": 2,
        "units": 64,
        "dropout": 0.1,
        "optimizer": "adam",
        "learning_rate": 1e-3,
        "batch_size": 16,
        "numeric_embedding": "piecewise",
        "ensemble_size": 8,
        "weight_decay": 0.02,
    }
    assert describe_hyperparameters(hp).startswith("PLE ×8, WD 0.02, 2×64, dropout 0.10")
    plain = {"depth": 1, "units": 32, "numeric_embedding": "none", "ensemble_size": 1}
    assert describe_hyperparameters({**plain, "weight_decay": 0.0}) == "1×32"
    assert describe_hyperparameters({**plain, "numeric_embedding": "periodic"}) == "PLR, 1×32"


def test_a_finished_search_board_grows_to_show_its_rows(qtbot):
    from automl_gui.gui.widgets.leaderboard import FIT_ROWS, Leaderboard

    board = Leaderboard()
    qtbot.addWidget(board)
    board.setMinimumHeight(200)
    rows = [TrialRecord(f"{i:04d}", {}, value=0.5, status="completed") for i in range(10)]
    board.model.set_records(rows[:2])
    board.fit_rows()
    assert board.minimumHeight() == 200  # two rows fit the page's minimum
    board.model.set_records(rows)
    board.fit_rows()
    row = board.view.verticalHeader().defaultSectionSize()
    header = board.view.horizontalHeader().sizeHint().height()
    assert board.minimumHeight() > max(200, header + FIT_ROWS * row)  # 8 rows, not 10
    board.clear()
    assert board.minimumHeight() == 200  # a new search starts small again
