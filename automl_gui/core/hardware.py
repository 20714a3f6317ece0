"""Devices → a training plan (strategy, mixed precision, batch size).

:func:`plan_for` is a pure function of a device list, so the GPU logic is tested on machines
without one. :func:`list_devices` asks TensorFlow and :func:`apply_plan` configures it; both
import TensorFlow inside the function, so importing this module stays cheap.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from typing import Any

GIB = 2**30
MIXED_PRECISION_MIN_CC = (7, 0)  # Volta and newer have tensor cores: float16 pays off
LARGE_GPU_BYTES = 16 * GIB
BATCH_LARGE_GPU = 256
BATCH_SMALL_GPU = 128
BATCH_CPU = 128
GPU, CPU = "GPU", "CPU"  # device types, as TensorFlow names them


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
        strategy: "default" (CPU), "one_device" (one GPU) or "mirrored" (several GPUs).
        mixed_precision: train with the ``mixed_float16`` policy.
        batch_size: suggested global batch size (used when the user leaves it on auto).
        devices: the devices the plan uses.
        cpu_threads: CPU threads available (None when unknown).
        intra_op_threads: threads one operation may use (0 = TensorFlow's default).
        inter_op_threads: operations run at once (0 = TensorFlow's default).
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

    @property
    def uses_gpu(self) -> bool:
        return self.strategy in ("one_device", "mirrored")


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
) -> HardwarePlan:
    """Choose a training plan for ``devices`` (pure: no TensorFlow).

    Args:
        devices: what :func:`list_devices` returned (or a fake list in tests).
        force_cpu: the user turned GPU use off in the settings.
        cpu_count: CPU threads (default ``os.cpu_count()``).
    """
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
        reason = f"{len(gpus)} GPUs mirrored {precision}"
        strategy = "mirrored"
    return HardwarePlan(
        device_label=label,
        reason=reason,
        strategy=strategy,
        mixed_precision=mixed,
        batch_size=per_gpu * len(gpus),
        devices=gpus,
        cpu_threads=threads,
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


def apply_plan(plan: HardwarePlan) -> Any:
    """Configure TensorFlow for ``plan``; return the ``tf.distribute`` strategy or None.

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
