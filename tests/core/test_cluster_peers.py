"""Before the strategy forms: a process says which workers it waits for, stops waiting after a
bound with a message naming the missing ones, and Ctrl+C/SIGTERM end the wait (issue 19
review: a worker whose peers never started sat silent and ignored SIGTERM)."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time

import pytest
from local_ports import free_ports

from automl_gui import cli
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.cluster.peers import START_TIMEOUT_ENV, start_timeout, wait_for_peers
from automl_gui.core.cluster.tf_config import parse_tf_config, tf_config


def _cluster(index: int, ports: list[int]):
    return parse_tf_config(tf_config([f"127.0.0.1:{p}" for p in ports], index))


def test_processes_that_wait_for_each_other_all_go_on():
    ports = free_ports(3)
    said: list[str] = []
    done: list[int] = []
    servers = []  # what TensorFlow's server does next: listen on the same port again

    def one(i: int) -> None:
        wait_for_peers(_cluster(i, ports), timeout=20, say=said.append, poll=0.05)
        servers.append(socket.create_server(("", ports[i])))
        done.append(i)

    threads = [threading.Thread(target=one, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    one(0)
    for t in threads:
        t.join(20)
    for server in servers:
        server.close()
    assert sorted(done) == [0, 1, 2]
    assert any(f"waiting for the other workers: 127.0.0.1:{ports[1]}" in s for s in said)


def test_a_worker_that_never_starts_ends_the_wait_with_its_address():
    ports = free_ports(3)
    said: list[str] = []
    started = time.monotonic()
    with pytest.raises(ConfigError) as info:
        wait_for_peers(_cluster(0, ports), timeout=0.5, say=said.append, poll=0.05)
    assert time.monotonic() - started < 10
    assert said and "(TF_CONFIG)" in said[0]  # said before waiting
    message = str(info.value)
    assert f"127.0.0.1:{ports[1]}, 127.0.0.1:{ports[2]} cannot be reached" in message
    assert START_TIMEOUT_ENV in message


def test_its_own_port_taken_is_said():
    ports = free_ports(2)
    with socket.create_server(("", ports[0])), pytest.raises(ConfigError, match="in use"):
        wait_for_peers(_cluster(0, ports), timeout=0.5, say=lambda _: None, poll=0.05)


def test_the_bound_comes_from_the_environment():
    assert start_timeout({}) == 600
    assert start_timeout({START_TIMEOUT_ENV: "2.5"}) == 2.5
    with pytest.raises(ConfigError, match="above 0"):
        start_timeout({START_TIMEOUT_ENV: "soon"})


def _train_cli(tmp_path, monkeypatch, seconds: str) -> list[str]:
    ports = free_ports(2)
    monkeypatch.setenv("TF_CONFIG", tf_config([f"127.0.0.1:{p}" for p in ports], 1))
    monkeypatch.setenv(START_TIMEOUT_ENV, seconds)
    table = tmp_path / "t.csv"
    table.write_text("a,y\n1,p\n2,n\n")
    return ["train", str(table), "--target", "y", "--out", str(tmp_path / "o"), "-q"]


def test_the_command_line_says_who_is_missing_and_exits_1(tmp_path, monkeypatch, capsys):
    assert cli.main(_train_cli(tmp_path, monkeypatch, "0.5")) == 1
    out, err = capsys.readouterr()
    assert "worker 1, process 2 of 2" in out and "waiting for the other workers" in out
    assert "error:" in err and "did not start within" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_sigterm_ends_the_wait(tmp_path, monkeypatch, capsys):
    argv = _train_cli(tmp_path, monkeypatch, "60")
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    started = time.monotonic()
    try:
        code = cli.main(argv)
    finally:
        timer.cancel()
    assert code == 130 and time.monotonic() - started < 20
    assert "SIGTERM" in capsys.readouterr().err


def test_a_stopped_chief_is_said_on_the_worker_not_called_a_bug():
    from automl_gui.cli._workers import cluster_errors
    from automl_gui.core.base.errors import ModelError
    from automl_gui.core.hardware import Device, plan_for

    gone = type("UnavailableError", (Exception,), {"__module__": "tensorflow.errors"})
    plan = plan_for([Device("cpu", "CPU")], cluster=_cluster(1, [1111, 2222]))
    with pytest.raises(ModelError) as info, cluster_errors(plan):
        raise gone(
            "{{function_node CollectiveBcastRecv}} Collective ops is aborted by: Socket closed"
        )
    message = str(info.value)
    assert "the chief (127.0.0.1:1111) or another worker stopped" in message
    assert "Socket closed" in message and "chief's output" in message
    with pytest.raises(ValueError), cluster_errors(plan):  # anything else goes through
        raise ValueError("x")
    with pytest.raises(gone), cluster_errors(None):  # one machine: untouched
        raise gone("y")
