"""``automl-gui info``: versions, compute devices, the training plan and the weights folders."""

from __future__ import annotations

import argparse
from typing import Any

from automl_gui.cli._common import EXIT_OK


def add_info_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``info`` subcommand on ``sub`` (argparse subparsers)."""
    return sub.add_parser("info", help="versions, compute devices and weights folders")


def info_command(args: argparse.Namespace) -> int:
    """``info``: versions, compute devices, the training plan and the weights folders."""
    from automl_gui.core.hardware import list_devices, plan_for, versions

    for name, version in versions().items():
        print(f"{name:<14} {version}")
    devices = list_devices()
    print("devices:")
    for device in devices:
        memory = f", {device.memory_bytes / 2**30:.1f} GiB" if device.memory_bytes else ""
        cc = (
            f", compute {device.compute_capability[0]}.{device.compute_capability[1]}"
            if device.compute_capability
            else ""
        )
        print(f"  {device.kind}: {device.name}{memory}{cc}")
    plan = plan_for(devices, cluster=_cluster())
    print(f"training plan: {plan.device_label} ({plan.reason})")
    if plan.cluster is not None:
        cluster = plan.cluster
        print(f"cluster (TF_CONFIG): this process: {cluster.describe()}")
        if cluster.chief:
            print(f"  chief: {cluster.chief}")
        print(f"  workers: {', '.join(cluster.workers)}")
        print(
            f"  {plan.strategy_name}: {plan.replicas} replicas; --batch-size (or the automatic "
            f"one, at most {plan.per_replica_batch} × {plan.replicas} = {plan.batch_size}) is "
            f"the global batch, split equally across the replicas"
        )
    _search_role()
    from automl_gui.core.models.weights import DISPLAY_NAMES, find_weights, search_folders

    print("weights folders (searched in this order):")
    for folder in search_folders():
        print(f"  {folder}{'' if folder.exists() else '  (missing)'}")
    for arch in DISPLAY_NAMES:  # the pretrained backbones
        try:
            found = find_weights(arch)
        except Exception:  # noqa: BLE001 - info never fails on a bad file
            found = None
        print(f"  {arch}: {found if found else 'not found (downloaded when first used)'}")
    return EXIT_OK


def _cluster() -> Any:
    """The ``TF_CONFIG`` cluster (None: one machine); a bad one is said, not raised: ``info``
    never fails."""
    import os

    from automl_gui.core.base.errors import ConfigError
    from automl_gui.core.cluster.tf_config import cluster_from_env

    try:
        return cluster_from_env(os.environ)
    except ConfigError as exc:
        print(f"cluster (TF_CONFIG): not usable: {exc.message} {exc.hint}")
        return None


def _search_role() -> None:
    """The Keras Tuner role (KERASTUNER_*) of a search across processes, if set; a bad one
    is said, not raised."""
    import os

    from automl_gui.core.base.errors import ConfigError
    from automl_gui.core.cluster.search_role import search_role

    try:
        role = search_role(os.environ)
    except ConfigError as exc:
        print(f"search (KERASTUNER_*): not usable: {exc.message} {exc.hint}")
        return
    if role is not None:
        print(f"search (KERASTUNER_*): this process: {role.describe()}")
