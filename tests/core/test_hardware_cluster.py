"""The plan across workers (issue 19) is a pure function of the devices and TF_CONFIG's
cluster: every branch checked with fake device lists and cluster descriptions."""

from __future__ import annotations

import pytest

from automl_gui.core.cluster.tf_config import parse_tf_config, tf_config
from automl_gui.core.hardware import (
    BATCH_CPU,
    COLLECTIVE_TIMEOUT_ENV,
    COLLECTIVE_TIMEOUT_S,
    GIB,
    LR_RULE,
    Device,
    collective_timeout,
    plan_for,
)

CPU = Device("x86_64", "CPU")
H100 = Device("NVIDIA H100 80GB HBM3", "GPU", 80 * GIB, (9, 0))
K80 = Device("Tesla K80", "GPU", 12 * GIB, (3, 7))
HOSTS = ["10.0.0.1:12345", "10.0.0.2:12345", "10.0.0.3:12345"]


def cluster(workers: int = 2, index: int = 0, chief: str = ""):
    return parse_tf_config(tf_config(HOSTS[:workers], index, chief=chief))


def test_one_machine_plans_name_their_strategy_and_replicas():
    cpu = plan_for([CPU], cpu_count=4)
    assert (cpu.strategy, cpu.strategy_name, cpu.replicas, cpu.workers) == ("default", "", 1, 1)
    assert cpu.per_replica_batch == cpu.batch_size == BATCH_CPU
    assert cpu.distribution() == {
        "strategy": "none",
        "replicas": 1,
        "workers": 1,
        "global_batch_size": BATCH_CPU,
    }
    one = plan_for([H100, CPU])
    assert (one.strategy_name, one.replicas, one.per_replica_batch) == ("", 1, 256)
    four = plan_for([H100] * 4 + [CPU])
    assert (four.strategy, four.strategy_name) == ("mirrored", "MirroredStrategy")
    assert (four.replicas, four.workers, four.per_replica_batch) == (4, 1, 256)
    assert four.batch_size == four.per_replica_batch * four.replicas
    assert LR_RULE in four.reason


def test_cpu_workers_train_multi_worker_with_a_global_batch():
    plan = plan_for([CPU], cpu_count=2, cluster=cluster(2, 1))
    assert (plan.strategy, plan.strategy_name) == ("multi_worker", "MultiWorkerMirroredStrategy")
    assert (plan.replicas, plan.workers) == (2, 2)
    assert plan.batch_size == BATCH_CPU * 2 == plan.per_replica_batch * plan.replicas
    assert not plan.uses_gpu and not plan.mixed_precision
    assert "2 workers" in plan.reason and "worker 1" in plan.reason
    assert "global batch" in plan.reason and "learning rate is not scaled" in plan.reason
    assert plan.distribution(64) == {
        "strategy": "MultiWorkerMirroredStrategy",
        "replicas": 2,
        "workers": 2,
        "global_batch_size": 64,
    }


def test_gpu_workers_mirror_every_local_gpu_across_the_cluster():
    # a chief and two workers, each with 4 H100s: 12 replicas in float16
    plan = plan_for([H100] * 4 + [CPU], cluster=cluster(2, -1, chief="10.0.0.9:12345"))
    assert plan.strategy == "multi_worker" and plan.uses_gpu and plan.mixed_precision
    assert (plan.replicas, plan.workers, plan.per_replica_batch) == (12, 3, 256)
    assert plan.batch_size == 12 * 256
    assert "chief" in plan.reason and "4 GPUs mirrored" in plan.reason
    assert plan.cluster is not None and plan.cluster.is_chief


def test_one_old_gpu_per_worker_stays_in_float32():
    plan = plan_for([K80, CPU], cluster=cluster(3, 2))
    assert (plan.replicas, plan.workers, plan.per_replica_batch) == (3, 3, 128)
    assert not plan.mixed_precision and "float32" in plan.reason


def test_force_cpu_on_a_gpu_worker_trains_on_its_cpu():
    plan = plan_for([H100, CPU], force_cpu=True, cluster=cluster(2, 0))
    assert plan.strategy == "multi_worker" and not plan.uses_gpu
    assert (plan.replicas, plan.per_replica_batch) == (2, BATCH_CPU)
    assert "GPU use turned off" in plan.reason


def test_a_one_process_cluster_is_one_machine():
    plan = plan_for([CPU], cluster=None)
    assert plan.strategy == "default" and plan.cluster is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", COLLECTIVE_TIMEOUT_S), ("30", 30.0), ("-1", COLLECTIVE_TIMEOUT_S), ("x", 600.0)],
)
def test_collective_timeout_reads_the_environment(value, expected):
    assert collective_timeout({COLLECTIVE_TIMEOUT_ENV: value}) == expected
