"""A non-chief worker's temporary folder: no checkpoint written when nothing reads it, and
folders of killed workers tidied by the next worker (issue 19 review 10)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from automl_gui.cli._workers import tidy_scratch, worker_scratch
from automl_gui.core.cluster.tf_config import parse_tf_config, tf_config
from automl_gui.core.hardware import Device, plan_for


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=30)
    return proc.pid


def test_killed_workers_folders_are_tidied_and_live_ones_kept(tmp_path, monkeypatch):
    import automl_gui.core.base.files as files

    dead = tmp_path / f"automl-gui-worker-{_dead_pid()}-abcd1234"
    (dead / "checkpoint").mkdir(parents=True)
    alive = tmp_path / f"automl-gui-worker-{os.getppid()}-abcd1234"
    alive.mkdir()
    other = tmp_path / "automl-gui-worker-notes.txt"
    other.write_text("x")
    old = files._now() + 120  # both idle two minutes
    monkeypatch.setattr(files, "_now", lambda: old)
    assert tidy_scratch(tmp_path) == [dead]
    assert alive.is_dir() and other.is_file()


def test_a_worker_not_resuming_writes_no_checkpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    worker = parse_tf_config(tf_config(["127.0.0.1:1", "127.0.0.1:2"], 1))
    plan = plan_for([Device("cpu", "CPU")], cluster=worker)
    args = argparse.Namespace(
        checkpoint_dir=str(tmp_path / "shared"), resume_training=False, out="o", overwrite=1
    )
    scratch = worker_scratch(args, plan)
    assert args.checkpoint_dir is None and scratch.parent == tmp_path
    assert scratch.name.startswith(f"automl-gui-worker-{os.getpid()}-")


def test_info_shows_the_search_role(monkeypatch, capsys):
    from automl_gui import cli

    monkeypatch.delenv("TF_CONFIG", raising=False)
    monkeypatch.setenv("KERASTUNER_TUNER_ID", "tuner0")
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "10.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", "8000")
    assert cli.main(["info"]) == 0
    out = capsys.readouterr().out
    assert "search (KERASTUNER_*): this process: search worker tuner0" in out


def test_while_tensorflow_forms_the_cluster_a_stop_signal_ends_the_process():
    import signal

    from automl_gui.cli._workers import _bounded_native_wait

    cluster = parse_tf_config(tf_config(["127.0.0.1:1", "127.0.0.1:2"], 1))
    before = signal.getsignal(signal.SIGTERM)
    with _bounded_native_wait(cluster, 60):
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # Python's cannot run there
        assert signal.getsignal(signal.SIGINT) is signal.SIG_DFL
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_missing_data_file_is_said_before_waiting_for_the_other_workers(
    tmp_path, monkeypatch, capsys
):
    from local_ports import free_ports

    from automl_gui import cli

    addresses = [f"127.0.0.1:{p}" for p in free_ports(2)]
    monkeypatch.setenv("TF_CONFIG", tf_config(addresses, 0))
    monkeypatch.setenv("AUTOML_CLUSTER_START_TIMEOUT", "3")  # the wait, were it reached
    code = cli.main(["train", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 1 and "does not exist" in err and "waiting" not in err.lower()
