"""End to end: `automl-gui train TABLE --checkpoint-dir D` killed mid-way, then `--resume`
finishes it; without --resume an unfinished checkpoint is reported and training starts afresh."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_runner import call_cli

from automl_gui.core.train.checkpoint import STATE_FILE, read_checkpoint, read_state

ROOT = Path(__file__).resolve().parents[2]

#: the command line as `python -m automl_gui` runs it, with every epoch made slow (1 s after
#: its checkpoint is written) so the kill lands mid-training
SLOW_CLI = textwrap.dedent(
    """
    import sys, time
    from automl_gui.core.train.checkpoint import EpochCheckpointer
    save = EpochCheckpointer.save

    def slow_save(self, *args, **kwargs):
        save(self, *args, **kwargs)
        time.sleep(1.0)

    EpochCheckpointer.save = slow_save
    from automl_gui.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.fixture(scope="module")
def table(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=160), rng.normal(size=160)
    df = pd.DataFrame({"x1": x1, "x2": x2, "y": np.where(x1 - x2 > 0, "up", "down")})
    path = tmp_path_factory.mktemp("resume") / "table.csv"
    df.to_csv(path, index=False)
    return path


def _train_args(table: Path, checkpoints: Path, out: Path) -> list[str]:
    return [
        "train",
        str(table),
        "--target",
        "y",
        "--epochs",
        "6",
        "--batch-size",
        "16",
        "--checkpoint-dir",
        str(checkpoints),
        "--out",
        str(out),
    ]


def test_killed_training_resumes_from_the_command_line(table: Path):
    checkpoints = table.parent / "ck"
    out = table.parent / "model"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_CLI, *_train_args(table, checkpoints, out)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            info = read_checkpoint(checkpoints)
            if info is not None and info.epochs_done >= 3:
                child.send_signal(signal.SIGKILL)
                break
            time.sleep(0.05)
        child.wait(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    info = read_checkpoint(checkpoints)
    assert info is not None and 3 <= info.epochs_done < 6
    assert not out.exists()  # the killed run saved nothing

    proc = call_cli(*_train_args(table, checkpoints, out), "--resume", cwd=table.parent)
    assert proc.returncode == 0, proc.stderr
    assert f"Resuming from epoch {info.epochs_done + 1} of 6." in proc.stdout
    assert f"Epoch {info.epochs_done + 1}/6" in proc.stdout
    assert f"Epoch {info.epochs_done}/6" not in proc.stdout  # earlier epochs are not rerun
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["training_result"]["epochs_run"] == 6
    assert (out / "model.keras").is_file()
    assert read_checkpoint(checkpoints) is None and read_state(checkpoints).finished


def test_without_resume_an_unfinished_checkpoint_is_reported_and_replaced(table: Path):
    checkpoints = table.parent / "ck-old"
    checkpoints.mkdir()
    state = {
        "version": 1,
        "fingerprint": "another run",
        "kind": "tabular",
        "phase": "train",
        "epochs_done": 4,
        "epochs_total": 9,
        "updated": "2020-01-01T00:00:00+00:00",
        "finished": False,
        "history": {"loss": [1.0] * 4},
        "best_epoch": 3,
        "best_value": 1.0,
        "weights": "weights-train-0004.weights.h5",
        "optimizer": "optimizer-train-0004.npz",
    }
    (checkpoints / state["weights"]).write_bytes(b"x")
    (checkpoints / state["optimizer"]).write_bytes(b"x")
    (checkpoints / STATE_FILE).write_text(json.dumps(state))
    args = _train_args(table, checkpoints, table.parent / "model-2")
    args[args.index("6")] = "2"
    proc = call_cli(*args, cwd=table.parent)
    assert proc.returncode == 0, proc.stderr
    assert "holds an unfinished training (stopped after epoch 4 of 9" in proc.stdout
    assert "pass --resume to continue it" in proc.stdout
    assert "Resuming" not in proc.stdout
    assert not (checkpoints / state["weights"]).exists()  # the old checkpoint is gone
    assert read_state(checkpoints).finished and read_state(checkpoints).epochs_done == 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--resume"], "--resume needs the folder to continue from"),
        (["--checkpoint-dir", "ck", "--trials", "2"], "--checkpoint-dir is for training one"),
    ],
)
def test_checkpoint_options_that_do_not_fit_are_refused(table: Path, extra, message):
    proc = call_cli("train", str(table), "--target", "y", *extra, cwd=table.parent)
    assert proc.returncode == 1
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_resume_with_other_settings_is_refused_and_keeps_the_checkpoint(table: Path):
    checkpoints = table.parent / "ck-other"
    out = table.parent / "model-other"
    # an interrupted training made with 6 epochs (its state as the checkpointer writes it)
    args = _train_args(table, checkpoints, out)
    proc = call_cli(*args, "--epochs", "6", cwd=table.parent)
    assert proc.returncode == 0, proc.stderr
    state_path = checkpoints / STATE_FILE
    state = json.loads(state_path.read_text())
    state.update(
        finished=False,
        epochs_done=3,
        weights="weights-train-0003.weights.h5",
        optimizer="optimizer-train-0003.npz",
    )
    (checkpoints / state["weights"]).write_bytes(b"w")
    (checkpoints / state["optimizer"]).write_bytes(b"o")
    state_path.write_text(json.dumps(state))
    before = state_path.read_text()

    other = _train_args(table, checkpoints, table.parent / "model-other-2")
    other[other.index("6")] = "3"  # other settings: 3 epochs
    proc = call_cli(*other, "--resume", cwd=table.parent)
    assert proc.returncode == 1
    assert "other data or settings" in proc.stderr and "leave out --resume" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert state_path.read_text() == before  # the checkpoint is untouched
    assert (checkpoints / state["weights"]).exists()
    assert not (table.parent / "model-other-2").exists()
