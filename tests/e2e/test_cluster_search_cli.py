"""End-to-end: a search across processes with Keras Tuner's distributed mode (issue 19).

A chief and two search workers on 127.0.0.1 (a free port found here) share one search folder
and run the same ``automl-gui train TABLE --model auto ...`` command. One worker is killed in
the middle of its second trial (its first on a busy machine): the search goes on with the
other, the killed trial ends "failed", the chief ends within its budget and writes the model and a leaderboard whose
``worker`` column names both workers. Every process has a bounded run time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli
from local_ports import free_ports

BUDGET = 25  # seconds of search on the chief
LIMIT = 150  # no process of this test runs longer


@pytest.fixture(scope="module")
def table_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(5)
    n = 200
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    df = pd.DataFrame({"x1": x1, "x2": x2, "label": np.where(x1 + 0.5 * x2 > 0, "a", "b")})
    path = tmp_path_factory.mktemp("cluster_search") / "table.csv"
    df.to_csv(path, index=False)
    return path


def _start(args: list[str], tuner_id: str, port: int, cwd: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        TF_CPP_MIN_LOG_LEVEL="3",
        CUDA_VISIBLE_DEVICES="",
        KERASTUNER_TUNER_ID=tuner_id,
        KERASTUNER_ORACLE_IP="127.0.0.1",
        KERASTUNER_ORACLE_PORT=str(port),
        AUTOML_SEARCH_WORKER_TIMEOUT="4",  # a killed worker's trial fails after 4 s
    )
    env.pop("TF_CONFIG", None)
    log = open(cwd / f"{tuner_id}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "automl_gui", *args],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _running_trial(folder: Path, tuner_id: str, *, second: bool) -> bool:
    """Whether ``tuner_id`` is in the middle of a trial (``second``: after one it finished)."""
    try:
        beat = json.loads((folder / "cluster" / f"{tuner_id}.json").read_text())
        rows = [json.loads(p.read_text()) for p in (folder / "records").glob("*.json")]
    except (OSError, ValueError):
        return False
    mine = [r for r in rows if r["worker"] == tuner_id]
    done = [r for r in mine if r["status"] != "running"]
    return (bool(done) or not second) and any(
        r["status"] == "running" and r["trial_id"] == beat.get("trial") for r in mine
    )


def test_chief_and_two_workers_search_and_a_killed_worker_fails_only_its_trial(table_csv):
    cwd = table_csv.parent
    state, out = cwd / "state", cwd / "run"
    args = ["train", str(table_csv), "--target", "label", "--model", "auto", "--search"]
    args += ["random", "--epochs", "25", "--cross-validation", "off", "--search-dir"]
    args += [str(state), "--time-budget", str(BUDGET), "--out", str(out)]
    port = free_ports(1)[0]
    began = time.monotonic()
    procs = {name: _start(args, name, port, cwd) for name in ("chief", "tuner0", "tuner1")}
    try:
        killed_at = None
        while time.monotonic() - began < LIMIT and procs["chief"].poll() is None:
            # in its second trial, or its first on a machine too busy for two
            late = time.monotonic() - began > 0.6 * BUDGET
            if killed_at is None and _running_trial(state, "tuner0", second=not late):
                time.sleep(0.3)
                procs["tuner0"].kill()  # mid-trial: no chance to report anything
                killed_at = time.monotonic() - began
            time.sleep(0.1)
        chief_rc = procs["chief"].wait(timeout=max(1, LIMIT - (time.monotonic() - began)))
        wall = time.monotonic() - began
        worker_rc = procs["tuner1"].wait(timeout=30)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    log = (cwd / "chief.log").read_text()
    assert chief_rc == 0, log[-3000:]
    assert worker_rc == 0, (cwd / "tuner1.log").read_text()[-3000:]
    assert killed_at is not None, log[-3000:]
    # the budget counts from the chief's start; TensorFlow's import, the data, the final
    # model and the baselines come on top (a busy 2-core machine)
    assert wall < BUDGET + 60, wall
    board = pd.read_csv(out / "leaderboard.csv", dtype={"trial": str}, keep_default_na=False)
    trials = board[board["worker"] != ""]
    assert set(trials["worker"]) == {"tuner0", "tuner1"}
    failed = trials[(trials["worker"] == "tuner0") & (trials["status"] == "failed")]
    assert len(failed) == 1 and "tuner0 stopped answering" in failed.iloc[0]["reason"]
    # the search went on with tuner1 after the kill
    after = trials[
        (trials["worker"] == "tuner1") & (trials["status"].isin(["completed", "stopped"]))
    ]
    assert len(after) >= 1
    assert (board["status"] == "baseline").any() and (
        board[board["status"] == "baseline"]["worker"] == ""
    ).all()
    assert (out / "model.keras").exists()
    metadata = json.loads((out / "metadata.json").read_text())
    kept = metadata["search"]["best_trial"]
    assert metadata["distribution"]["search_workers"] == 2
    assert metadata["distribution"]["search_tuners"] == ["tuner0", "tuner1"]
    assert kept["worker"] in ("tuner0", "tuner1") and kept["status"] in ("completed", "stopped")
    assert f"Trial {failed.iloc[0]['trial']} failed" in log
    assert "tuner1" in (cwd / "tuner1.log").read_text()


def test_malformed_or_misplaced_keras_tuner_variables_give_one_line(table_csv, monkeypatch):
    cwd = table_csv.parent
    args = ["train", str(table_csv), "--target", "label", "--model", "auto", "--trials", "2"]
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.delenv("KERASTUNER_TUNER_ID", raising=False)
    monkeypatch.delenv("KERASTUNER_ORACLE_PORT", raising=False)
    proc = call_cli(*args, "--out", str(cwd / "bad"), cwd=cwd)
    assert proc.returncode != 0
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert "KERASTUNER_ORACLE_IP is set but KERASTUNER_TUNER_ID" in lines[0]
    assert "Traceback" not in proc.stderr and not (cwd / "bad").exists()
    # complete, but the shared folder is missing
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "tuner0")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8000")
    proc = call_cli(*args, "--out", str(cwd / "bad"), cwd=cwd)
    assert proc.returncode != 0 and "needs the search folder" in proc.stderr
    assert "Traceback" not in proc.stderr
