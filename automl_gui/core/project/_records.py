"""What a project records of each run (:class:`RunRecord`, JSON-ready) and how a finished run
becomes one (:func:`record_for_run`)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any

from automl_gui.core.jobs._files_media import NAMES
from automl_gui.core.kinds import kind_named

#: the run's metadata and report keys that may change after training (a threshold chosen on
#: Evaluate, subgroup slices computed there): a project keeps them in ``RunRecord.edits``
EDITABLE: dict[str, tuple[str, ...]] = {"metadata": ("threshold",), "report": ("slices",)}


def now_iso() -> str:
    """The current UTC time as ISO text (seconds)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class RunRecord:
    """One training run as the project and the Runs view know it (JSON-ready).

    Args:
        id: unique in the project, e.g. "run-003"; also its folder name under ``runs/``.
        name: what the user sees (editable), e.g. "Run 3 · MLP 2×64".
        created: ISO time the run finished.
        kind: "tabular", "images" or "audio".
        task: "binary", "multiclass" or "regression".
        dataset: the dataset's name when it was trained.
        settings: {"preprocess": ..., "model": ..., "training": ..., "search": ... or None}
            as plain dicts (the configs' ``asdict``).
        history: per-epoch values, one list per key ("loss", "val_loss", "accuracy", "lr" ...).
        metrics: headline test metrics (the report's ``metrics``).
        summary: the TrainResult summary (best_epoch, epochs_run, stopped_reason, seconds,
            batch_size), and the metadata's ``distribution`` (strategy, replicas, workers,
            global_batch_size) when recorded.
        phases: [[phase name, first epoch index], ...] (image/audio fine-tuning).
        folder: the run's folder relative to the project ("runs/run-003"), None until saved.
        note: free text the user typed.
        edits: what was decided or computed for the run after training, which its folder
            (written once) does not hold: ``{"metadata": {key: value}, "report": {key:
            value}}`` for the keys in :data:`EDITABLE` (a chosen threshold, subgroup
            slices); a None value removes the key. :func:`sync_edits` fills it from the run
            object when the project is saved; ``load_run`` lays it over the folder's files.
    """

    id: str
    name: str
    created: str
    kind: str
    task: str
    dataset: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    phases: list[list[Any]] = field(default_factory=list)
    folder: str | None = None
    note: str = ""
    edits: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def mlp_words(holder: dict[str, Any]) -> str:
    """A table model in a few words ("MLP 2×64", "MLP 32-16 (auto)") from a run's metadata or
    its record's settings (both hold "model" and "auto_chose"); "MLP (auto-sized)" for an
    Auto model whose sizes were not recorded (metadata written before "auto_chose")."""
    model = holder.get("model") or {}
    auto = bool(model.get("auto"))
    if auto and holder.get("auto_chose") is None:
        return "MLP (auto-sized)"
    units = [int(u) for u in (model.get("hidden_units") or []) if u]
    if not units:
        words = "linear model" if model else "MLP"
    elif len(set(units)) == 1:
        words = f"MLP {len(units)}×{units[0]}"
    else:
        words = "MLP " + "-".join(str(u) for u in units)
    return words + (" (auto)" if auto else "")


def network_words(model: dict[str, Any]) -> str:
    """A table network's numeric embedding and efficient-ensemble members as built, from a
    run's metadata "model": "piecewise-linear 24 bins, 8 members"; "" for scaled numbers
    and one network, and for settings not resolved ("auto"). Said beside
    :func:`mlp_words` where there is room (the Evaluate page), not in run names."""
    extras = []
    embedding, bins = model.get("numeric_embedding"), model.get("n_bins")
    if embedding == "piecewise":
        extras.append(
            "piecewise-linear" + (f" {bins} bins" if isinstance(bins, int) and bins > 0 else "")
        )
    elif embedding == "periodic":
        extras.append("periodic embedding")
    members = model.get("ensemble_size")
    if isinstance(members, int) and members > 1:
        extras.append(f"{members} members")
    return ", ".join(extras)


def _model_words(metadata: dict[str, Any]) -> str:
    """A few words naming the model of a run's metadata ("MLP 2×64", "Compact CNN")."""
    if kind_named(str(metadata.get("kind") or "tabular")).file_based:
        arch = str(metadata.get("architecture") or "")
        return NAMES.get(arch, arch or "model")
    return mlp_words(metadata)


def _summary_of(result: Any) -> dict[str, Any]:
    """A TrainResult's summary (its ``summary()``, a dict as is, or its attributes)."""
    if callable(getattr(result, "summary", None)):
        return dict(result.summary())
    if isinstance(result, dict):
        return dict(result)
    keys = ("best_epoch", "epochs_run", "stopped_reason", "seconds", "batch_size")
    return {k: getattr(result, k) for k in keys if hasattr(result, k)}


def record_for_run(
    run: Any, run_id: str, *, number: int | None = None, dataset: str = "", search: Any = None
) -> RunRecord:
    """A :class:`RunRecord` describing a finished run (a :class:`~automl_gui.core.jobs.run.Run`).

    Args:
        run: the finished run (``metadata``, ``report``, ``history``, ``result``, ``phases``).
        run_id: its id in the project.
        number: shown in the default name ("Run 3 · MLP 2×64"); None: taken from ``run_id``.
        dataset: the dataset's name.
        search: the SearchConfig (or dict) the run came from, if a search chose it.
    """
    meta = dict(getattr(run, "metadata", None) or {})
    report = getattr(run, "report", None)
    report = report if isinstance(report, dict) else {}
    result = getattr(run, "result", None)
    summary = _summary_of(result)
    if not summary:
        summary = dict(meta.get("training_result") or {})
    if isinstance(meta.get("distribution"), dict):  # how many workers and replicas trained it
        summary["distribution"] = dict(meta["distribution"])
    if number is None:
        digits = "".join(ch for ch in run_id if ch.isdigit())
        number = int(digits) if digits else 0
    search_dict = asdict(search) if hasattr(search, "__dataclass_fields__") else search
    words = _model_words(meta)
    return RunRecord(
        id=run_id,
        name=f"Run {number} · {words}" + (" (search)" if search_dict else ""),
        created=now_iso(),
        kind=str(meta.get("kind", "tabular")),
        task=str(meta.get("task", "")),
        dataset=dataset,
        settings={
            "preprocess": meta.get("preprocess"),
            "model": meta.get("model"),
            "auto_chose": meta.get("auto_chose"),  # what Auto decided (None: not recorded)
            "training": meta.get("training"),
            "search": search_dict,
        },
        history={
            str(k): [float("nan") if x is None else float(x) for x in v]
            for k, v in (getattr(run, "history", None) or {}).items()
        },
        metrics=dict(report.get("metrics") or meta.get("metrics") or {}),
        summary=summary,
        phases=[list(p) for p in (getattr(run, "phases", None) or meta.get("phases") or [])],
    )


def sync_edits(record: RunRecord, run: Any) -> None:
    """Copy the :data:`EDITABLE` keys of ``run``'s metadata and report into
    ``record.edits``: the value when the run has the key, None when it no longer has a key
    the record held (a cleared threshold), nothing when neither has it."""
    import copy

    edits = {part: dict(values) for part, values in (record.edits or {}).items()}
    for part, keys in EDITABLE.items():
        source = getattr(run, part, None)
        source = source if isinstance(source, dict) else {}
        held = edits.setdefault(part, {})
        for key in keys:
            if source.get(key) is not None:
                held[key] = copy.deepcopy(source[key])
            elif key in held:
                held[key] = None
        if not held:
            edits.pop(part)
    record.edits = edits


def apply_edits(edits: Any, metadata: dict[str, Any], report: dict[str, Any]) -> None:
    """Lay a record's ``edits`` over a run's ``metadata`` and ``report`` (in place): only
    the :data:`EDITABLE` keys, a None value removing the key."""
    targets = {"metadata": metadata, "report": report}
    for part, values in (edits or {}).items():
        if part not in targets or not isinstance(values, dict):
            continue
        for key, value in values.items():
            if key not in EDITABLE[part]:
                continue
            if value is None:
                targets[part].pop(key, None)
            else:
                targets[part][key] = value
