"""The hardware plan is a pure function of the device list: GPU logic tested without a GPU."""

from __future__ import annotations

import subprocess
import sys

from automl_gui.core.hardware import (
    GIB,
    Device,
    HardwarePlan,
    list_devices,
    plan_for,
    versions,
)

CPU = Device("x86_64", "CPU")
H100 = Device("NVIDIA H100 80GB HBM3", "GPU", 80 * GIB, (9, 0))
K80 = Device("Tesla K80", "GPU", 12 * GIB, (3, 7))
T4 = Device("Tesla T4", "GPU", 15 * GIB, (7, 5))


def test_no_gpu_gives_a_cpu_plan():
    plan = plan_for([CPU], cpu_count=8)
    assert plan.strategy == "default"
    assert not plan.mixed_precision
    assert plan.reason == "CPU: no GPU visible to TensorFlow"
    assert plan.batch_size == 128
    assert plan.cpu_threads == 8
    assert plan.device_label.startswith("CPU")
    assert not plan.uses_gpu


def test_empty_device_list_still_plans_for_a_cpu():
    plan = plan_for([], cpu_count=2)
    assert plan.strategy == "default"
    assert plan.devices and plan.devices[0].kind == "CPU"


def test_force_cpu_ignores_gpus_and_says_why():
    plan = plan_for([H100, CPU], force_cpu=True)
    assert plan.strategy == "default"
    assert not plan.mixed_precision
    assert plan.reason == "CPU: GPU use turned off in settings"
    assert all(d.kind == "CPU" for d in plan.devices)


def test_one_old_gpu_trains_in_float32():
    plan = plan_for([K80, CPU])
    assert plan.strategy == "one_device"
    assert not plan.mixed_precision
    assert plan.batch_size == 128  # under 16 GB
    assert "compute 3.7" in plan.reason and "float32" in plan.reason
    assert plan.devices == (K80,)


def test_one_new_gpu_uses_mixed_precision_and_a_larger_batch():
    plan = plan_for([H100, CPU])
    assert plan.strategy == "one_device"
    assert plan.mixed_precision
    assert plan.reason == "GPU: NVIDIA H100 80GB HBM3 (compute 9.0) with mixed precision"
    assert plan.batch_size == 256
    assert plan.device_label == "GPU: NVIDIA H100 80GB HBM3"
    assert plan.uses_gpu


def test_gpu_with_unknown_capability_stays_in_float32():
    plan = plan_for([Device("Mystery GPU", "GPU", None, None)])
    assert not plan.mixed_precision
    assert plan.batch_size == 128


def test_four_gpus_are_mirrored_with_a_global_batch():
    plan = plan_for([H100] * 4 + [CPU])
    assert plan.strategy == "mirrored"
    assert plan.mixed_precision
    assert plan.batch_size == 4 * 256
    assert len(plan.devices) == 4
    assert "4 GPUs" in plan.reason


def test_mixed_gpus_use_mixed_precision_only_if_all_support_it():
    plan = plan_for([H100, K80])
    assert plan.strategy == "mirrored"
    assert not plan.mixed_precision
    assert plan.batch_size == 2 * 128


def test_plan_is_frozen():
    plan = plan_for([T4])
    assert isinstance(plan, HardwarePlan)
    assert plan.mixed_precision  # compute 7.5
    try:
        plan.batch_size = 1  # type: ignore[misc]
    except AttributeError:
        pass
    else:
        raise AssertionError("HardwarePlan should be immutable")


def test_versions_lists_the_stack_without_importing_it():
    code = (
        "import sys\n"
        "from automl_gui.core.hardware import versions\n"
        "v = versions()\n"
        "print(sorted(k for k in ('tensorflow','keras','PySide6') if k in sys.modules))\n"
        "print(v['python'], v['automl-gui'], v['numpy'], v['scikit-learn'], v['tensorflow'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported, values = out.stdout.strip().splitlines()
    assert imported == "[]"
    assert "not installed" not in values
    v = versions()
    for key in ("python", "automl-gui", "tensorflow", "keras", "numpy", "pandas", "scikit-learn"):
        assert v[key], key


def test_list_devices_always_includes_a_cpu():
    devices = list_devices()
    assert devices[-1].kind == "CPU"
    assert all(d.kind in ("CPU", "GPU") for d in devices)
    plan = plan_for(devices)
    assert plan.batch_size > 0


def test_cpu_plan_sets_thread_pools_from_the_core_count():
    plan = plan_for([Device("CPU", "CPU")], cpu_count=16)
    assert plan.intra_op_threads == 16
    assert plan.inter_op_threads == 2
    one = plan_for([Device("CPU", "CPU")], cpu_count=1)
    assert (one.intra_op_threads, one.inter_op_threads) == (1, 1)


def test_gpu_plan_leaves_thread_pools_to_tensorflow():
    gpu = Device("NVIDIA H100", "GPU", 80 * 2**30, (9, 0))
    plan = plan_for([gpu, Device("CPU", "CPU")], cpu_count=16)
    assert (plan.intra_op_threads, plan.inter_op_threads) == (0, 0)
