"""Keras Tuner's KERASTUNER_* variables read into a SearchRole, and the leaderboard's worker
column (issue 19); the multi-process search is tests/e2e/test_cluster_search.py."""

from __future__ import annotations

import os

import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.cluster.search_role import SearchRole, search_role
from automl_gui.core.tune.search.space import TrialRecord, leaderboard_rows

IP, PORT, ID = "KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID"


def test_no_variables_is_one_machine_and_full_sets_give_the_role():
    assert search_role({}) is None
    assert search_role({ID: " ", IP: ""}) is None  # empty counts as unset
    chief = search_role({ID: "chief", IP: "10.0.0.5", PORT: "8000"})
    assert chief == SearchRole("chief", "10.0.0.5", 8000) and chief.is_chief
    assert chief.address == "10.0.0.5:8000"
    assert chief.describe() == "search chief serving the oracle on 10.0.0.5:8000"
    worker = search_role({ID: "tuner1", IP: "[::1]", PORT: "8000"})
    assert not worker.is_chief and worker.address == "[::1]:8000"
    assert worker.environment() == {ID: "tuner1", IP: "::1", PORT: "8000"}


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({IP: "127.0.0.1"}, "KERASTUNER_ORACLE_IP is set but KERASTUNER_TUNER_ID, "),
        ({ID: "tuner0", IP: "127.0.0.1"}, "KERASTUNER_ORACLE_PORT is not"),
        ({ID: "tuner0", IP: "127.0.0.1", PORT: "http"}, "'http' is not a port"),
        ({ID: "tuner0", IP: "127.0.0.1", PORT: "70000"}, "is not a port (1-65535)"),
        ({ID: "tuner 0", IP: "127.0.0.1", PORT: "8000"}, "is not a tuner id"),
        ({ID: "chief2", IP: "127.0.0.1", PORT: "8000"}, "would take it for the chief"),
        ({ID: "tuner0", IP: "a host", PORT: "8000"}, "is not a host name"),
    ],
)
def test_half_set_or_malformed_variables_say_what_is_wrong(env, words):
    with pytest.raises(ConfigError) as info:
        search_role(env)
    assert words in str(info.value) and "\n" not in str(info.value)
    assert "chief" in info.value.hint  # what to set instead


def test_tuner_environment_sets_the_role_and_removes_stray_variables(monkeypatch):
    from automl_gui.core.tune.search._shared import tuner_environment

    monkeypatch.setenv(IP, "10.9.9.9")  # a stray variable must not make a local search a client
    with tuner_environment(None):
        assert IP not in os.environ
    with tuner_environment(SearchRole("tuner0", "127.0.0.1", 1234)):
        assert (os.environ[ID], os.environ[IP], os.environ[PORT]) == ("tuner0", "127.0.0.1", "1234")
    assert os.environ[IP] == "10.9.9.9" and ID not in os.environ


def test_worker_column_in_rows_csv_and_text_and_old_rows_load():
    from automl_gui.cli._search import format_leaderboard, trial_line

    old = TrialRecord.from_dict({"trial_id": "0000", "value": 0.5, "status": "completed"})
    assert old.worker == ""  # a leaderboard saved before this column
    assert leaderboard_rows([old])[0]["worker"] == ""
    local = format_leaderboard([old], old)
    assert "worker" not in local and "worker" not in trial_line(old)
    other = TrialRecord("0001", {}, value=0.4, status="completed", worker="tuner1")
    text = format_leaderboard([old, other], other)
    assert "worker" in text.splitlines()[2]
    assert any(line.startswith("* 0001") and " tuner1 " in line for line in text.splitlines())
    assert " on tuner1 " in trial_line(other)
    assert [r["worker"] for r in leaderboard_rows([old, other])] == ["", "tuner1"]


def test_record_files_are_read_again_only_when_changed(tmp_path):
    from automl_gui.core.tune.search import _shared

    rows = _shared.RecordFiles(tmp_path)
    assert rows.changed() == []
    record = TrialRecord("0003", {"units": 8}, worker="tuner0")
    _shared.write_record(tmp_path, record)
    assert [r.trial_id for r in rows.changed()] == ["0003"]
    assert rows.changed() == []
    record.status, record.value = "completed", 0.25
    _shared.write_record(tmp_path, record)
    (changed,) = rows.changed()
    assert changed.status == "completed" and changed.worker == "tuner0"
    silence = _shared.Silence()
    silence.seen("tuner0", 1, now=10.0)
    silence.seen("tuner0", 1, now=14.0)  # the same beat: silent since 10
    assert silence.quiet_for("tuner0", 15.0) == 5.0 and silence.quiet_for("x", 1.0) is None


def test_a_search_worker_leaves_out_to_its_chief(tmp_path, monkeypatch, capsys):
    """A worker never writes --out (its chief does), so an --out the chief already wrote, or
    a user's folder there, does not stop a worker from joining (a late or restarted worker)."""
    import pandas as pd

    from automl_gui import cli
    from automl_gui.cli import train as train_cli

    csv = tmp_path / "t.csv"
    pd.DataFrame({"a": range(40), "y": ["p", "n"] * 20}).to_csv(csv, index=False)
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("the user's")
    seen = {}

    def searched(args, kind, setup, training, plan, where):
        seen["out"] = where
        return 0

    monkeypatch.setattr(train_cli, "run_search", searched)
    monkeypatch.setenv(ID, "tuner0")
    monkeypatch.setenv(IP, "127.0.0.1")
    monkeypatch.setenv(PORT, "45678")
    args = ["train", str(csv), "--target", "y", "--model", "auto", "--trials", "2"]
    args += ["--search-dir", str(tmp_path / "s"), "--out", str(out)]
    assert cli.main(args) == 0, capsys.readouterr().err
    assert seen["out"] == out and (out / "notes.txt").read_text() == "the user's"
    monkeypatch.setenv(ID, "chief")  # the chief writes it: a user's folder there is refused
    assert cli.main(args) == 1
    assert "run" in capsys.readouterr().err
