"""Each worker's share of a folder's files (issue 19): by path, before decoding; disjoint,
complete, balanced; and a run's distribution record."""

from __future__ import annotations

import numpy as np
import pytest

from automl_gui.core.base.errors import DataError
from automl_gui.core.cluster.tf_config import parse_tf_config, tf_config
from automl_gui.core.cluster.training import (
    distribution,
    shard_paths,
    worker_files,
    worker_share,
)
from automl_gui.core.hardware import Device, plan_for

PATHS = [f"img/{c}/{i}.png" for c in ("cat", "dog") for i in range(5)]
LABELS = np.array([0] * 5 + [1] * 5)


@pytest.mark.parametrize("workers", [1, 2, 3, 4])
def test_shares_are_disjoint_complete_and_balanced(workers):
    shares = [shard_paths(PATHS, LABELS, r, workers) for r in range(workers)]
    together = sorted(p for paths, _ in shares for p in paths)
    assert together == sorted(PATHS)  # every file once
    sizes = [len(paths) for paths, _ in shares]
    assert max(sizes) - min(sizes) <= 1
    for paths, labels in shares:  # labels travel with their files
        assert [int(p.startswith("img/dog")) for p in paths] == list(labels)


def test_too_few_training_files_is_a_data_error_but_validation_may_be_empty():
    with pytest.raises(DataError, match="3 training files for 4 workers"):
        shard_paths(PATHS[:3], LABELS[:3], 0, 4)
    paths, labels = shard_paths(PATHS[:3], LABELS[:3], 3, 4, training=False)
    assert paths == [] and len(labels) == 0


def test_a_plan_gives_the_worker_its_share_and_the_run_its_record():
    cpu = [Device("cpu", "CPU")]
    one = plan_for(cpu)
    assert worker_share(one) == (0, 1) and worker_share(None) == (0, 1)
    assert worker_files(one, PATHS, LABELS)[0] == PATHS
    chief_plus_two = parse_tf_config(tf_config(["h1:1", "h2:1"], 1, chief="h0:1"))
    plan = plan_for(cpu, cluster=chief_plus_two)
    assert worker_share(plan) == (2, 3)  # the chief is rank 0
    assert worker_files(plan, PATHS, LABELS)[0] == PATHS[2::3]
    assert distribution(None, 32) == {
        "strategy": "none",
        "replicas": 1,
        "workers": 1,
        "global_batch_size": 32,
    }
    assert distribution(plan, 96)["replicas"] == 3
