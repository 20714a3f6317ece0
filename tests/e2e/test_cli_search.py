"""End-to-end: ``automl-gui train TABLE --model auto --trials N`` runs the AutoML search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli as _cli

from automl_gui.core.tune.search.space import NOT_TRIALS


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(3)
    n = 120
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    df = pd.DataFrame({"x1": x1, "x2": x2, "label": np.where(x1 - x2 > 0, "up", "down")})
    path = tmp_path_factory.mktemp("search") / "table.csv"
    df.to_csv(path, index=False)
    return path


def test_search_prints_trials_and_leaderboard_and_writes_csv_then_resumes(table_csv):
    folder = table_csv.parent
    common = ["train", str(table_csv), "--target", "label", "--model", "auto", "--epochs", "2"]
    common += ["--search", "random", "--search-dir", str(folder / "state")]
    common += ["--cross-validation", "off"]  # one split: k-fold has its own test below
    proc = _cli(*common, "--trials", "3", "--out", str(folder / "run1"), cwd=folder)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    trial_lines = [line for line in lines if line.startswith("Trial ")]
    assert len(trial_lines) == 3 and all(" completed " in line for line in trial_lines)
    assert not any(line.startswith("Epoch ") for line in lines)  # one line per trial
    assert "Leaderboard" in lines
    compare = next(line for line in lines if line.startswith("Test accuracy: search "))
    assert "logistic regression" in compare and "random forest" in compare
    board = pd.read_csv(folder / "run1" / "leaderboard.csv")
    trials = board[~board["status"].isin(NOT_TRIALS)]  # the average of the best is a row too
    assert list(trials["trial"]) == [0, 1, 2] or list(trials["trial"].astype(str)) == [
        "0000",
        "0001",
        "0002",
    ]
    assert (board["status"] == "baseline").sum() == 3  # logistic regression, forest, boosting
    metadata = json.loads((folder / "run1" / "metadata.json").read_text())
    best = metadata["search"]["best_trial"]
    assert best["value"] == pytest.approx(trials["value"].min())
    assert "units" in json.loads(trials.iloc[0]["hyperparameters"])

    # the same search, continued to 4 trials: the first three are kept, one more runs
    proc = _cli(*common, "--trials", "4", "--resume", "--out", str(folder / "run2"), cwd=folder)
    assert proc.returncode == 0, proc.stderr
    assert len([line for line in proc.stdout.splitlines() if line.startswith("Trial ")]) == 1
    again = pd.read_csv(folder / "run2" / "leaderboard.csv")
    assert (again["status"] == "completed").sum() == 4


def test_cross_validated_trials_print_the_fold_mean_and_spread(table_csv):
    folder = table_csv.parent
    args = ["train", str(table_csv), "--target", "label", "--model", "auto", "--epochs", "2"]
    args += ["--trials", "1", "--cross-validation", "on", "--folds", "2"]
    proc = _cli(*args, "--out", str(folder / "cv"), cwd=folder)
    assert proc.returncode == 0, proc.stderr
    trial = next(line for line in proc.stdout.splitlines() if line.startswith("Trial "))
    assert "±" in trial and "2-fold" in trial
    board = pd.read_csv(folder / "cv" / "leaderboard.csv")
    assert board.loc[board["status"] == "completed", "cv_folds"].iloc[0] == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "mlp", "--trials", "2"], "only for an AutoML search"),
        (["--trials", "2", "--resume"], "--resume needs the search folder"),
        (["--search", "grid", "--trials", "2"], "invalid choice"),
        (["--trials", "2", "--folds", "1"], "2 folds or more"),
    ],
)
def test_search_options_that_cannot_apply_are_one_line_errors(table_csv, extra, message):
    proc = _cli("train", str(table_csv), "--target", "label", *extra, cwd=table_csv.parent)
    assert proc.returncode != 0
    assert message in proc.stderr and "Traceback" not in proc.stderr


#: ``automl-gui ARGS`` whose epochs end with a pause, so a kill lands while a trial trains
#: however fast the machine: the trials can be a few epochs long (they were 40 without it)
SLOW_EPOCHS = """
import sys, time
from automl_gui.core.train import callbacks
make = callbacks.make_event_bridge

def slow_bridge(*args, **kwargs):
    bridge = make(*args, **kwargs)
    end = bridge.on_epoch_end

    def on_epoch_end(epoch, logs=None):
        end(epoch, logs)
        time.sleep(0.4)

    bridge.on_epoch_end = on_epoch_end
    return bridge

callbacks.make_event_bridge = slow_bridge
from automl_gui.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_search_killed_mid_trial_resumes_from_its_folder(table_csv):
    """The process is killed (SIGKILL, nothing runs on the way out) while a trial trains;
    run again with --resume, the finished trials are kept and the search completes."""
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = table_csv.parent / "killed"
    state = folder / "state"
    args = ["train", str(table_csv), "--target", "label", "--model", "auto", "--epochs", "6"]
    args += ["--search", "random", "--search-dir", str(state), "--cross-validation", "off"]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_EPOCHS, *args, "--trials", "4", "--out", str(folder / "a")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=table_csv.parent,
        env=env,
    )
    board = state / "leaderboard.json"
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            rows = json.loads(board.read_text()) if board.exists() else []
            statuses = [r["status"] for r in rows]
            if "completed" in statuses and statuses[-1] == "running":
                break  # one trial done, the next one training
            time.sleep(0.05)
        assert proc.poll() is None, "the search ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(30)
    rows = json.loads(board.read_text())
    done = {r["trial_id"]: r for r in rows if r["status"] == "completed"}
    assert done and rows[-1]["status"] == "running"
    assert not (folder / "a").exists()  # nothing was written for the killed run

    resumed = _cli(
        *args, "--trials", "4", "--resume", "--out", str(folder / "b"), cwd=folder.parent
    )
    assert resumed.returncode == 0, resumed.stderr
    again = pd.read_csv(folder / "b" / "leaderboard.csv", dtype={"trial": str})
    trials = again[again["status"] != "baseline"]
    assert (trials["status"] == "completed").sum() == 4
    for trial_id, row in done.items():  # the trials finished before the kill are kept as were
        kept = trials[trials["trial"].str.zfill(4) == trial_id].iloc[0]
        assert kept["seconds"] == pytest.approx(round(row["seconds"], 2))
