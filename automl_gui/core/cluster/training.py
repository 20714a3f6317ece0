"""Training on several workers: each worker's share of the data and what a run records.

Pure (no TensorFlow): the strategy and the loop live in ``core.hardware`` and
``core.train._distributed``. Tables are sharded by rows inside the ``tf.data`` pipeline (every
worker builds the same shuffled global batches, ``AutoShardPolicy.DATA`` keeps its slice);
image/audio/text folders are sharded here, by path, before anything is decoded, so each
worker reads and decodes only its own files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from automl_gui.core.base.errors import DataError


def worker_share(plan: Any) -> tuple[int, int]:
    """``(rank, workers)``: which share of the data this process reads (``(0, 1)`` on one
    machine). ``plan`` is a ``hardware.HardwarePlan`` or None."""
    cluster = getattr(plan, "cluster", None)
    if cluster is None:
        return 0, 1
    return cluster.rank, cluster.size


def shard_paths(
    paths: Sequence[Any], labels: Any, rank: int, workers: int, *, training: bool = True
) -> tuple[list, Any]:
    """Worker ``rank``'s share of ``paths`` (and the labels that go with them): every
    ``workers``-th file from position ``rank``, so the shares are disjoint, together hold
    every file and differ in size by at most one (class order is mixed in each).

    Raises:
        DataError: fewer training files than workers (a worker would have nothing to train
            on; validation shares may be empty: their sums are added across workers).
    """
    if workers <= 1:
        return list(paths), labels
    if not 0 <= rank < workers:
        raise ValueError(f"rank {rank} is not among {workers} workers")
    if training and len(paths) < workers:
        raise DataError(
            f"There are {len(paths)} training files for {workers} workers: each worker needs "
            "at least one.",
            "Use more data or fewer workers (TF_CONFIG).",
        )
    return list(paths[rank::workers]), labels[rank::workers]


def distribution(plan: Any, global_batch_size: int) -> dict[str, Any]:
    """``metadata["distribution"]`` of a run trained under ``plan`` (None: one device) with
    ``global_batch_size`` (the batch all replicas took together per step)."""
    if plan is None:
        return {
            "strategy": "none",
            "replicas": 1,
            "workers": 1,
            "global_batch_size": int(global_batch_size),
        }
    return plan.distribution(global_batch_size)


def worker_files(
    plan: Any, paths: Sequence[Any], labels: Any, *, training: bool = True
) -> tuple[list, Any]:
    """This worker's share of ``paths`` and their ``labels`` under ``plan`` (all of them on
    one machine): :func:`shard_paths` at :func:`worker_share`."""
    rank, workers = worker_share(plan)
    return shard_paths(paths, labels, rank, workers, training=training)


def mark_sharded(dataset: Any, plan: Any) -> Any:
    """``dataset`` built from :func:`worker_files` declares it is this worker's share:
    ``AutoShardPolicy.OFF``, so ``tf.distribute`` neither shards it again (FILE or DATA would
    split a share that is already split) nor expects the other workers' files. On one machine
    it is returned as is."""
    if worker_share(plan)[1] <= 1:
        return dataset
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
    return dataset.with_options(options)
