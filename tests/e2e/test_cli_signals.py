"""End to end, in a real process: SIGTERM during an export takes Ctrl+C's way out (exit 130, the
staging folder removed); what a kill -9 leaves is tidied by the next run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl_gui import cli

#: bounds on waiting for the child (TensorFlow's import is slow on a busy machine)
START_TIMEOUT_S = 240
STOP_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def model(tmp_path_factory) -> Path:
    from automl_gui.core.data.schema import LoadedTable, TableSource
    from automl_gui.core.jobs.run import save_run
    from automl_gui.core.jobs.tabular import setup_tabular, train_tabular
    from automl_gui.core.models.config import MLPConfig
    from automl_gui.core.train.config import TrainConfig

    rng = np.random.default_rng(2)
    x = rng.normal(size=40)
    df = pd.DataFrame({"x": x, "y": np.where(x > 0, "p", "n")})
    table = LoadedTable(df=df, source=TableSource(path="t.csv", format="csv"))
    setup = setup_tabular(table, "y")
    run = train_tabular(
        df,
        setup.preprocess,
        MLPConfig(auto=False, hidden_units=[4]),
        TrainConfig(epochs=1, batch_size=16, seed=1),
    )
    return save_run(run, tmp_path_factory.mktemp("signals") / "model")


def _export_until_staging(model: Path, out: Path) -> tuple[subprocess.Popen, Path]:
    """Start ``export`` in a child; return it with its staging folder once that exists."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.Popen(
        [sys.executable, "-m", "automl_gui", "export", str(model), "--format", "savedmodel"]
        + ["--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=out.parent,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        staged = list(out.parent.glob(f".{out.name}.tmp-automl-gui-{proc.pid}-*"))
        if staged:
            return proc, staged[0]
        time.sleep(0.05)
    proc.kill()
    _, err = proc.communicate()
    pytest.fail(f"the export never staged (exit {proc.returncode}): {err[-2000:]}")


def test_sigterm_during_an_export_exits_130_and_leaves_nothing(model, tmp_path):
    out = tmp_path / "saved"
    proc, staging = _export_until_staging(model, out)
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("SIGTERM did not stop the export")
    if proc.returncode == 0:
        pytest.skip("the export finished before SIGTERM arrived")
    assert proc.returncode == cli.EXIT_INTERRUPTED, err
    assert "interrupted (SIGTERM)" in err and "Traceback" not in err
    assert not staging.exists() and not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_rerun_tidies_what_kill_9_left(model, tmp_path, capsys, monkeypatch):
    from automl_gui.core.base import files

    out = tmp_path / "saved"
    proc, staging = _export_until_staging(model, out)
    proc.kill()
    proc.communicate(timeout=STOP_TIMEOUT_S)
    assert staging.exists()  # SIGKILL runs no clean-up
    later = time.time() + 120  # idle two minutes (utime cannot set a ctime back)
    monkeypatch.setattr(files, "_now", lambda: later)
    assert cli.main(["export", str(model), "--format", "savedmodel", "--out", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["saved"]
