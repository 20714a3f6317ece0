"""Devices (and a cluster) → a training plan (strategy, mixed precision, batch size).

:func:`plan_for` is a pure function of a device list and the ``TF_CONFIG`` cluster, so the GPU
and multi-worker logic is tested on machines without either. :func:`list_devices` asks TensorFlow and :func:`apply_plan` configures it; both
import TensorFlow inside the function, so importing this module stays cheap.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl_gui.core.cluster.tf_config import ClusterInfo

GIB = 2**30
MIXED_PRECISION_MIN_CC = (7, 0)  # Volta and newer have tensor cores: float16 pays off
LARGE_GPU_BYTES = 16 * GIB
BATCH_LARGE_GPU = 256
BATCH_SMALL_GPU = 128
BATCH_CPU = 128
GPU, CPU = "GPU", "CPU"  # device types, as TensorFlow names them
#: seconds a collective (an all-reduce between workers) may wait before it fails: a worker
#: that died is then reported instead of the others waiting forever. Generous, because a
#: worker may legitimately lag by a validation pass or the chief's checkpoint write.
COLLECTIVE_TIMEOUT_S = 600.0
#: the environment variable that overrides it (seconds), e.g. for tests or slow file systems
COLLECTIVE_TIMEOUT_ENV = "AUTOML_GUI_COLLECTIVE_TIMEOUT"
#: ``HardwarePlan.strategy`` → TensorFlow's strategy class ("" = none: default placement)
STRATEGY_NAMES = {"multi_worker": "MultiWorkerMirroredStrategy", "mirrored": "MirroredStrategy"}
#: the learning-rate rule, stated in every plan that trains on several replicas
LR_RULE = (
    "the batch size (given or automatic) is the global batch, the examples of one step over "
    "all replicas, each replica taking an equal share; the learning rate is not scaled"
)


@dataclass(frozen=True)
class Device:
    """One compute device as TensorFlow sees it."""

    name: str
    kind: str  # "GPU" | "CPU", as TensorFlow names device types
    memory_bytes: int | None = None
    compute_capability: tuple[int, int] | None = None

    @property
    def is_gpu(self) -> bool:
        """A GPU (else the CPU): what plans, studies and placement ask of a device."""
        return self.kind == GPU


@dataclass(frozen=True)
class HardwarePlan:
    """How to train on the devices found.

    Args:
        device_label: short text for the status bar ("GPU: NVIDIA H100", "CPU (8 threads)").
        reason: why this plan, in a sentence fragment the UI can show.
        strategy: "default" (CPU), "one_device" (one GPU), "mirrored" (several GPUs) or
            "multi_worker" (several processes of a ``TF_CONFIG`` cluster).
        mixed_precision: train with the ``mixed_float16`` policy.
        batch_size: suggested global batch size (used when the user leaves it on auto):
            ``per_replica_batch × replicas``.
        devices: the devices the plan uses.
        cpu_threads: CPU threads available (None when unknown).
        intra_op_threads: threads one operation may use (0 = TensorFlow's default).
        inter_op_threads: operations run at once (0 = TensorFlow's default).
        replicas: copies of the model that train together, on all workers.
        workers: processes of the cluster (1 on one machine).
        per_replica_batch: the batch each replica takes of a suggested global batch.
        cluster: this process's view of the cluster (None on one machine).
    """

    device_label: str
    reason: str
    strategy: str
    mixed_precision: bool
    batch_size: int
    devices: tuple[Device, ...]
    cpu_threads: int | None = None
    intra_op_threads: int = 0
    inter_op_threads: int = 0
    replicas: int = 1
    workers: int = 1
    per_replica_batch: int = 0
    cluster: ClusterInfo | None = None

    @property
    def uses_gpu(self) -> bool:
        return any(d.is_gpu for d in self.devices)

    @property
    def strategy_name(self) -> str:
        """TensorFlow's class for the strategy ("" when none is needed)."""
        return STRATEGY_NAMES.get(self.strategy, "")

    def distribution(self, global_batch_size: int | None = None) -> dict[str, Any]:
        """What a run's ``metadata["distribution"]`` records: the strategy ("none" without
        one), replicas, workers and the global batch size (the batch actually used, else the
        plan's)."""
        batch = int(global_batch_size) if global_batch_size else self.batch_size
        return {
            "strategy": self.strategy_name or "none",
            "replicas": self.replicas,
            "workers": self.workers,
            "global_batch_size": batch,
        }


def _gpu_batch(device: Device) -> int:
    if device.memory_bytes is not None and device.memory_bytes >= LARGE_GPU_BYTES:
        return BATCH_LARGE_GPU
    return BATCH_SMALL_GPU


def _supports_mixed(device: Device) -> bool:
    return device.compute_capability is not None and (
        tuple(device.compute_capability) >= MIXED_PRECISION_MIN_CC
    )


def _cc_text(device: Device) -> str:
    cc = device.compute_capability
    return f" (compute {cc[0]}.{cc[1]})" if cc else ""


def plan_for(
    devices: list[Device] | tuple[Device, ...],
    *,
    force_cpu: bool = False,
    cpu_count: int | None = None,
    cluster: ClusterInfo | None = None,
) -> HardwarePlan:
    """Choose a training plan for ``devices`` (pure: no TensorFlow).

    On one machine: the CPU, one GPU, or several GPUs mirrored (``MirroredStrategy``). With a
    ``cluster`` (``TF_CONFIG`` naming several processes): ``MultiWorkerMirroredStrategy`` over
    every worker's devices, assuming each worker has this one's (the usual cluster of alike
    nodes); replicas = local replicas × workers and the suggested global batch =
    per-replica batch × replicas. The learning rate is not scaled with the replicas
    (:data:`LR_RULE`): the trainer's batch size, automatic or given, is the global batch, the
    same one a single process would take, so the same rate applies (no linear-scaling rule,
    Goyal et al. 2017, is needed for a batch that did not grow).

    Args:
        devices: what :func:`list_devices` returned (or a fake list in tests).
        force_cpu: the user turned GPU use off in the settings.
        cpu_count: CPU threads (default ``os.cpu_count()``).
        cluster: ``core.cluster.tf_config.cluster_from_env``'s answer (None: one machine).
    """
    local = _local_plan(devices, force_cpu=force_cpu, cpu_count=cpu_count)
    if cluster is None or cluster.size < 2:
        return local
    import dataclasses

    replicas = local.replicas * cluster.size
    where = f"{cluster.size} workers × {local.device_label}"
    return dataclasses.replace(
        local,
        device_label=f"{where}",
        reason=(
            f"{replicas} replicas over {cluster.size} workers, each worker as this one: "
            f"{local.reason}; this process is {cluster.describe()}; {LR_RULE}"
        ),
        strategy="multi_worker",
        batch_size=local.per_replica_batch * replicas,
        replicas=replicas,
        workers=cluster.size,
        cluster=cluster,
    )


def _local_plan(
    devices: list[Device] | tuple[Device, ...], *, force_cpu: bool, cpu_count: int | None
) -> HardwarePlan:
    """One machine's plan (what :func:`plan_for` gives without a cluster)."""
    threads = cpu_count if cpu_count is not None else os.cpu_count()
    gpus = tuple(d for d in devices if d.is_gpu)
    cpus = tuple(d for d in devices if not d.is_gpu) or (Device(CPU, CPU),)

    if force_cpu or not gpus:
        why = "GPU use turned off in settings" if force_cpu else "no GPU visible to TensorFlow"
        label = f"CPU ({threads} threads)" if threads else "CPU"
        # every core for the math inside an op; few ops at once, so they do not fight over
        # the cores (the input pipeline has its own tf.data threads)
        intra = threads or 0
        inter = min(2, threads) if threads else 0
        return HardwarePlan(
            device_label=label,
            reason=f"CPU: {why}",
            strategy="default",
            mixed_precision=False,
            batch_size=BATCH_CPU,
            devices=cpus[:1],
            cpu_threads=threads,
            intra_op_threads=intra,
            inter_op_threads=inter,
            per_replica_batch=BATCH_CPU,
        )

    mixed = all(_supports_mixed(g) for g in gpus)
    per_gpu = min(_gpu_batch(g) for g in gpus)
    if len(gpus) == 1:
        gpu = gpus[0]
        label = f"GPU: {gpu.name}"
        if mixed:
            reason = f"GPU: {gpu.name}{_cc_text(gpu)} with mixed precision"
        elif gpu.compute_capability is None:
            reason = f"GPU: {gpu.name} in float32 (compute capability unknown)"
        else:
            reason = (
                f"GPU: {gpu.name}{_cc_text(gpu)} in float32 "
                "(mixed precision needs compute 7.0 or newer)"
            )
        strategy = "one_device"
    else:
        names = sorted({g.name for g in gpus})
        label = f"{len(gpus)} GPUs: {', '.join(names)}"
        precision = (
            "with mixed precision" if mixed else "in float32 (not every GPU has compute ≥ 7.0)"
        )
        reason = f"{len(gpus)} GPUs mirrored {precision}; {LR_RULE}"
        strategy = "mirrored"
    return HardwarePlan(
        device_label=label,
        reason=reason,
        strategy=strategy,
        mixed_precision=mixed,
        batch_size=per_gpu * len(gpus),
        devices=gpus,
        cpu_threads=threads,
        replicas=len(gpus),
        per_replica_batch=per_gpu,
    )


def _parse_cc(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    try:
        if isinstance(value, str):
            major, minor = value.split(".")[:2]
            return int(major), int(minor)
        major, minor = tuple(value)[:2]
        return int(major), int(minor)
    except (TypeError, ValueError):
        return None


def _gpu_memory(index: int, details: dict[str, Any]) -> int | None:
    for key in ("memory_limit", "memory_size", "total_memory"):
        if details.get(key):
            return int(details[key])
    try:  # TensorFlow does not report total memory before the device is initialized
        import subprocess

        out = subprocess.run(
            [
                "nvidia-smi",
                "--query-gpu=memory.total",
                "--format=csv,noheader,nounits",
                "-i",
                str(index),
            ],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
        return int(float(out.stdout.strip().splitlines()[0]) * 2**20)
    except Exception:
        return None


def list_devices() -> list[Device]:
    """Devices TensorFlow can use: the GPUs (with name, memory, compute capability) and a CPU.

    Never raises: anything odd in the driver stack degrades to "CPU only".
    """
    devices: list[Device] = []
    try:
        from automl_gui.core.base import lazy

        tf = lazy.tf()
        with lazy.quiet_native_stderr():  # "failed call to cuInit" on machines without CUDA
            gpus = tf.config.list_physical_devices("GPU")
        for index, gpu in enumerate(gpus):
            try:
                details = tf.config.experimental.get_device_details(gpu) or {}
            except Exception:
                details = {}
            devices.append(
                Device(
                    name=str(details.get("device_name") or gpu.name),
                    kind=GPU,
                    memory_bytes=_gpu_memory(index, details),
                    compute_capability=_parse_cc(details.get("compute_capability")),
                )
            )
    except Exception:
        devices = []
    cpu_name = platform.processor() or platform.machine() or "CPU"
    devices.append(Device(name=cpu_name, kind=CPU))
    return devices


_MULTI_WORKER: list[Any] = []  # the process's one MultiWorkerMirroredStrategy, once made


def collective_timeout(env: dict[str, str] | None = None) -> float:
    """Seconds a collective may wait (:data:`COLLECTIVE_TIMEOUT_S`, or the environment's
    :data:`COLLECTIVE_TIMEOUT_ENV` when it holds a positive number)."""
    value = (os.environ if env is None else env).get(COLLECTIVE_TIMEOUT_ENV, "")
    try:
        seconds = float(value)
    except ValueError:
        return COLLECTIVE_TIMEOUT_S
    return seconds if seconds > 0 else COLLECTIVE_TIMEOUT_S


def _multi_worker_strategy(tf: Any) -> Any:
    """``MultiWorkerMirroredStrategy`` from ``TF_CONFIG``, made once per process (TensorFlow
    allows one: it configures the process's collectives), with a collective timeout so that
    a dead worker ends the others' wait with an error."""
    if not _MULTI_WORKER:
        options = tf.distribute.experimental.CommunicationOptions(
            timeout_seconds=collective_timeout()
        )
        _MULTI_WORKER.append(
            tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)
        )
    return _MULTI_WORKER[0]


def apply_plan(plan: HardwarePlan) -> Any:
    """Configure TensorFlow for ``plan``; return the ``tf.distribute`` strategy or None.

    A "multi_worker" plan gets ``MultiWorkerMirroredStrategy`` (from ``TF_CONFIG``): call this
    before any other TensorFlow operation runs in the process, as that strategy requires (the
    CLI does so first thing); later calls return the same strategy.

    Sets memory growth on GPUs (so the app does not grab all GPU memory), the Keras mixed
    precision policy (``mixed_float16`` or ``float32``), and hides the GPUs when the plan is
    CPU-only although GPUs exist. Call it before building the model; build the model inside
    ``strategy.scope()`` when a strategy is returned.
    """
    from automl_gui.core.base import lazy

    tf = lazy.tf()
    keras = lazy.keras()
    try:
        gpus = tf.config.list_physical_devices("GPU")
    except Exception:
        gpus = []
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except (RuntimeError, ValueError):
            pass  # already initialized: the setting can no longer change
    if not plan.uses_gpu and gpus:
        try:
            tf.config.set_visible_devices([], "GPU")
        except (RuntimeError, ValueError):
            pass  # runtime already started: this process keeps the devices it began with
    threading = tf.config.threading
    for wanted, getter, setter in (
        (
            plan.intra_op_threads,
            threading.get_intra_op_parallelism_threads,
            threading.set_intra_op_parallelism_threads,
        ),
        (
            plan.inter_op_threads,
            threading.get_inter_op_parallelism_threads,
            threading.set_inter_op_parallelism_threads,
        ),
    ):
        if wanted and getter() != wanted:
            try:
                setter(wanted)
            except RuntimeError:
                pass  # runtime already started: it keeps its thread pools
    keras.mixed_precision.set_global_policy("mixed_float16" if plan.mixed_precision else "float32")
    if plan.strategy == "multi_worker":
        return _multi_worker_strategy(tf)
    if plan.strategy == "mirrored":
        return tf.distribute.MirroredStrategy()
    # One GPU: TensorFlow already places everything on GPU:0; a OneDeviceStrategy would only
    # add a distributed-dataset layer (and cost throughput) for the same placement.
    return None


_DISTRIBUTIONS = (
    ("tensorflow", "tensorflow"),
    ("keras", "keras"),
    ("numpy", "numpy"),
    ("pandas", "pandas"),
    ("scikit-learn", "scikit-learn"),
    ("pyarrow", "pyarrow"),
    ("PySide6", "PySide6"),
    ("pyqtgraph", "pyqtgraph"),
)


def versions() -> dict[str, str]:
    """Versions of Python, this app and its main libraries, without importing them."""
    from importlib import metadata

    from automl_gui import __version__

    out = {"python": platform.python_version(), "automl-gui": __version__}
    for label, dist in _DISTRIBUTIONS:
        try:
            out[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            if label in ("tensorflow", "keras", "numpy", "pandas", "scikit-learn"):
                out[label] = "not installed"
    if "tensorflow" not in out or out["tensorflow"] == "not installed":
        for alt in ("tensorflow-cpu", "tf-nightly"):
            try:
                out["tensorflow"] = metadata.version(alt)
                break
            except metadata.PackageNotFoundError:
                continue
    return out
