"""TF_CONFIG read and written: who leads, which share each process reads, and a clear
message for every malformed description."""

from __future__ import annotations

import json

import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.cluster.tf_config import cluster_from_env, parse_tf_config, tf_config

HOSTS = ["127.0.0.1:20001", "127.0.0.1:20002", "127.0.0.1:20003"]


def test_worker_zero_leads_without_a_chief_and_ranks_follow_indexes():
    infos = [parse_tf_config(tf_config(HOSTS, i)) for i in range(3)]
    assert [i.is_chief for i in infos] == [True, False, False]
    assert [i.rank for i in infos] == [0, 1, 2]
    assert {i.size for i in infos} == {3}
    assert infos[2].address == HOSTS[2]


def test_a_chief_task_leads_and_counts_as_a_worker():
    chief = parse_tf_config(tf_config(HOSTS[:2], -1, chief="127.0.0.1:20000"))
    worker = parse_tf_config(tf_config(HOSTS[:2], 0, chief="127.0.0.1:20000"))
    assert chief.is_chief and not worker.is_chief
    assert (chief.size, chief.rank, worker.rank) == (3, 0, 1)


def test_unset_empty_or_single_process_means_this_machine():
    assert cluster_from_env({}) is None
    assert parse_tf_config("  ") is None
    assert parse_tf_config(tf_config(HOSTS[:1], 0)) is None


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("{not json", "not valid JSON"),
        ("[1]", "JSON object"),
        (json.dumps({"cluster": {"ps": ["a:1"], "worker": ["b:2"]}}), "ps"),
        (json.dumps({"cluster": {"worker": ["a"]}, "task": {}}), "not host:port"),
        (
            json.dumps({"cluster": {"worker": HOSTS}, "task": {"type": "worker", "index": 3}}),
            "lists 3",
        ),
        (json.dumps({"cluster": {"worker": HOSTS}}), 'no "task"'),
        (json.dumps({"cluster": {"worker": HOSTS}, "task": {"index": 1}}), '"type" and "index"'),
        (
            json.dumps({"cluster": {"worker": HOSTS}, "task": {"type": "evaluator", "index": 0}}),
            "evaluator",
        ),
        (json.dumps({"cluster": {}, "task": {"type": "worker", "index": 0}}), "no cluster"),
    ],
)
def test_malformed_descriptions_say_what_is_wrong(raw, words):
    with pytest.raises(ConfigError, match=words) as info:
        parse_tf_config(raw)
    assert "TF_CONFIG" in str(info.value) or "tasks" in str(info.value)
