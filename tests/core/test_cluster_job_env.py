"""A scheduler's variables as the app's: Slurm's compressed host lists and task ranks, an
Indexed Job's completion index, a TFJob's TF_CONFIG → TF_CONFIG (training) or Keras Tuner's
KERASTUNER_* (search); a clear message for each variable missing."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from automl_gui.core.base.errors import ConfigError
from automl_gui.core.cluster.environment import (
    cluster_variables,
    expand_hostlist,
    export_lines,
    kubernetes_addresses,
    slurm_addresses,
)
from automl_gui.core.cluster.tf_config import parse_tf_config, tf_config


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("node[01-03,07],gpu5", ["node01", "node02", "node03", "node07", "gpu5"]),
        ("a,b", ["a", "b"]),
        ("n[9-11]", ["n9", "n10", "n11"]),
        ("r[1-2]n[1-2]", ["r1n1", "r1n2", "r2n1", "r2n2"]),
        ("gpu-[008-009].cluster.org", ["gpu-008.cluster.org", "gpu-009.cluster.org"]),
        ("solo", ["solo"]),
    ],
)
def test_slurm_host_lists_expand_in_order(text, hosts):
    assert expand_hostlist(text) == hosts


@pytest.mark.parametrize("text", ["n[1-", "n[3-1]", "", "n[a]", "n]1["])
def test_bad_host_lists_are_named(text):
    with pytest.raises(ConfigError, match="host list"):
        expand_hostlist(text)


def slurm(procid: int, ntasks: int = 3, nodes: str = "node[01-02],gpu5", **more) -> dict:
    return {
        "SLURM_STEP_NODELIST": nodes,
        "SLURM_PROCID": str(procid),
        "SLURM_NTASKS": str(ntasks),
        **more,
    }


def test_slurm_tasks_train_with_task_zero_leading():
    infos = [
        parse_tf_config(cluster_variables("slurm", slurm(i), port=2222)["TF_CONFIG"])
        for i in range(3)
    ]
    assert [i.is_chief for i in infos] == [True, False, False]
    assert [i.address for i in infos] == ["node01:2222", "node02:2222", "gpu5:2222"]
    assert {i.size for i in infos} == {3}


def test_slurm_tasks_search_with_task_zero_as_the_oracle():
    got = [cluster_variables("slurm", slurm(i), mode="search", port=9000) for i in range(3)]
    assert [g["KERASTUNER_TUNER_ID"] for g in got] == ["chief", "tuner0", "tuner1"]
    assert {(g["KERASTUNER_ORACLE_IP"], g["KERASTUNER_ORACLE_PORT"]) for g in got} == {
        ("node01", "9000")
    }


def test_slurm_step_variables_win_and_tasks_sharing_a_node_take_the_next_ports():
    env = slurm(3, 4, nodes="a,b", SLURM_JOB_NODELIST="x[1-9]", SLURM_STEP_TASKS_PER_NODE="2(x2)")
    addresses, rank = slurm_addresses(env, 100)
    assert (addresses, rank) == (["a:100", "a:101", "b:100", "b:101"], 3)
    with pytest.raises(ConfigError, match="one task per node"):
        slurm_addresses(slurm(0, 4, nodes="a,b"), 100)


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"SLURM_PROCID": "0", "SLURM_NTASKS": "1"}, "SLURM_STEP_NODELIST or"),
        ({"SLURM_JOB_NODELIST": "a", "SLURM_NTASKS": "1"}, "SLURM_PROCID is not set"),
        ({"SLURM_JOB_NODELIST": "a", "SLURM_PROCID": "0"}, "SLURM_STEP_NUM_TASKS or"),
        (slurm(5), "SLURM_PROCID 5 is outside 0-2"),
        (slurm(0, ntasks="x"), "not a whole number"),
    ],
)
def test_slurm_variables_missing_or_wrong_are_named(env, words):
    with pytest.raises(ConfigError, match=words) as caught:
        cluster_variables("slurm", env)
    assert "srun" in caught.value.hint or "Slurm" in caught.value.hint


def kube(index: int, pods: int = 3) -> dict:
    return {
        "JOB_COMPLETION_INDEX": str(index),
        "AUTOML_GUI_PODS": str(pods),
        "AUTOML_GUI_JOB": "night",
        "AUTOML_GUI_SERVICE": "night",
    }


def test_kubernetes_pods_address_each_other_through_the_headless_service():
    addresses, index = kubernetes_addresses(kube(2), 12345)
    assert addresses == [f"night-{i}.night:12345" for i in range(3)] and index == 2
    info = parse_tf_config(cluster_variables("kubernetes", kube(1))["TF_CONFIG"])
    assert (info.rank, info.is_chief, info.address) == (1, False, "night-1.night:12345")
    search = cluster_variables("kubernetes", kube(0), mode="search")
    assert search["KERASTUNER_TUNER_ID"] == "chief"
    assert search["KERASTUNER_ORACLE_IP"] == "night-0.night"
    with pytest.raises(ConfigError, match="JOB_COMPLETION_INDEX is not set"):
        cluster_variables("kubernetes", {"AUTOML_GUI_PODS": "2"})
    with pytest.raises(ConfigError, match="outside 0-2"):
        cluster_variables("kubernetes", kube(3))


def test_a_tfjob_tf_config_becomes_keras_tuner_variables():
    workers = ["job-worker-0.ns.svc:2222", "job-worker-1.ns.svc:2222"]
    env = {"TF_CONFIG": tf_config(workers, 1, chief="job-chief-0.ns.svc:2222")}
    got = cluster_variables("tf-config", env, mode="search")
    assert got == {
        "KERASTUNER_TUNER_ID": "tuner1",
        "KERASTUNER_ORACLE_IP": "job-chief-0.ns.svc",
        "KERASTUNER_ORACLE_PORT": "2222",
    }
    with pytest.raises(ConfigError, match="TF_CONFIG is not set"):
        cluster_variables("tf-config", {}, mode="search")


def test_unknown_source_mode_or_port_are_refused():
    for kwargs, words in [
        ({"source": "pbs"}, "Unknown cluster"),
        ({"mode": "x"}, "mode"),
        ({"port": 0}, "out of range"),
    ]:
        with pytest.raises(ConfigError, match=words):
            cluster_variables(kwargs.pop("source", "slurm"), slurm(0), **kwargs)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_export_lines_survive_a_shell():
    value = tf_config(["it's:1", "b:2"], 0)
    script = export_lines({"TF_CONFIG": value}, unset=("GONE",))
    done = subprocess.run(
        ["bash", "-c", script + 'printf %s "$TF_CONFIG"; echo "${GONE-unset}"'],
        capture_output=True,
        text=True,
        timeout=30,
        env={"GONE": "x"},
    )
    assert done.stdout == value + "unset\n"
    assert json.loads(done.stdout[: len(value)]) == json.loads(value)
