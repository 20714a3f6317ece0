"""The trainings a study plans: one :class:`Spec` each, with the nested, stratified subsets of
the learning curve and the devices of the devices study.

Private to :mod:`automl_gui.core.tune.study`; each study type (``studies.STUDY_TYPES``) plans
its rows with these.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy loads when a study plans, not when the command line starts
    import numpy as np


@dataclass
class Spec:
    """One planned training: its label, plot value and settings (or why it is skipped)."""

    label: str
    x: float
    training: Any  # TrainConfig
    subset: np.ndarray | None = None  # indices of the training items kept (learning curve)
    device: Any = None  # hardware.Device (devices study)
    gpu_index: int | None = None
    skip: str = ""


@dataclass
class TrainingFacts:
    """What the planning needs to know of the split: ``n_train`` training items (``noun``:
    "rows", "images", "clips"), their ``labels`` (classification; None for regression) and
    ``n_classes`` (0 for regression), and the ``devices`` to time (None: detect)."""

    n_train: int
    labels: np.ndarray | None
    n_classes: int
    noun: str
    devices: Any = None


def nested_order(labels: np.ndarray | None, n: int, seed: int) -> np.ndarray:
    """A seeded order of ``n`` training items whose every prefix keeps the class proportions
    (each item ranked by its position within its class): the learning curve's subsets are
    nested and stratified."""
    import numpy as np

    perm = np.random.default_rng(seed).permutation(n)
    if labels is None:
        return perm
    shuffled = np.asarray(labels)[perm]
    key = np.empty(n, dtype="float64")
    for cls in np.unique(shuffled):
        where = np.flatnonzero(shuffled == cls)
        key[where] = (np.arange(len(where)) + 0.5) / len(where)
    return perm[np.argsort(key, kind="stable")]


def size_specs(
    sizes: tuple[float, ...], base: Any, facts: TrainingFacts, notes: list[str]
) -> list[Spec]:
    """The learning curve's trainings: each size a stratified part of the same training
    items (fractions up to 1, counts above), smaller parts inside larger ones."""
    import numpy as np

    n_train, labels, n_classes, noun = facts.n_train, facts.labels, facts.n_classes, facts.noun
    order = nested_order(labels, n_train, base.seed)
    notes.append(
        f"Each size is a stratified part of the same {n_train:,} training {noun} (smaller "
        "parts are inside larger ones); validation and test are unchanged."
    )
    specs = []
    for size in sizes:
        n = max(1, int(round(size * n_train))) if size <= 1 else int(size)
        label = f"{size * 100:g} % ({n:,} {noun})" if size <= 1 else f"{n:,} {noun}"
        spec = Spec(label, float(n), base)
        if n > n_train:
            spec.skip = f"Only {n_train:,} training {noun} are available."
        elif n_classes and n < n_classes:
            spec.skip = f"{n:,} {noun} are fewer than the {n_classes} classes."
        elif n < 2:
            spec.skip = f"At least 2 training {noun} are needed."
        else:
            spec.subset = np.sort(order[:n])
            if labels is not None:
                missing = n_classes - len(np.unique(np.asarray(labels)[spec.subset]))
                if missing > 0:
                    notes.append(f"At {label}, {missing} class(es) had no training {noun}.")
        specs.append(spec)
    return specs


def device_specs(base: Any, devices: Any, notes: list[str]) -> list[Spec]:
    """The devices study's trainings: the CPU once and each GPU (a GPU TensorFlow cannot use
    here is skipped with the reason, never timed on the CPU instead)."""
    from automl_gui.core.base import lazy
    from automl_gui.core.hardware import list_devices

    devices = list(devices) if devices is not None else list_devices()
    gpus = [d for d in devices if d.is_gpu]
    usable = 0
    if gpus:
        try:
            # visible ones only: a GPU hidden by a CPU plan would silently run on the CPU
            # (soft placement) and time the CPU twice; this does not start the runtime
            usable = len(lazy.tf().config.get_visible_devices("GPU"))
        except Exception:  # noqa: BLE001 - a broken driver stack means no usable GPU
            usable = 0
    else:
        notes.append("No GPU on this computer: only the CPU was timed.")
    notes.append(
        "seconds_per_epoch is the median epoch after the first (the first also builds the "
        "graph); seconds is the whole training."
    )
    specs: list[Spec] = []
    cpu_seen = False
    for device in devices:
        if device.is_gpu:
            index = gpus.index(device)
            spec = Spec(f"GPU {index}", float(len(specs)), base, device=device, gpu_index=index)
            if index >= usable:
                spec.skip = (
                    f"TensorFlow cannot use {device.name} here (it sees {usable} GPU(s)). "
                    "Check the CUDA drivers and CUDA_VISIBLE_DEVICES."
                )
            specs.append(spec)
        elif not cpu_seen:
            cpu_seen = True
            specs.append(Spec("CPU", float(len(specs)), base, device=device))
    return specs
