"""A project: a folder with a versioned JSON file and one sub-folder per kept training run.

Layout of a project folder::

    project.automl.json     the project file (PROJECT_FILE): settings, dataset reference, runs
    runs/<run id>/          one per run: model.keras, metadata.json, report.json, run.json,
                            test_predictions.parquet (and samples.npy for image/audio runs)
    search/                 the AutoML search of this project (resumable)
    checkpoints/            per-epoch checkpoints of the training in progress (crash resume)

This module is TensorFlow-free and Qt-free: the window and the command line use it. The
data classes are the seam between the engine and the window; the functions that read and
write them are below them.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import asdict, dataclass, field
from typing import Any

PROJECT_FILE = "project.automl.json"
PROJECT_SUFFIX = ".automl.json"
FORMAT_VERSION = 3
RUNS_DIR = "runs"
SEARCH_DIR = "search"
CHECKPOINTS_DIR = "checkpoints"


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
            batch_size).
        phases: [[phase name, first epoch index], ...] (image/audio fine-tuning).
        folder: the run's folder relative to the project ("runs/run-003"), None until saved.
        note: free text the user typed.
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class ProjectData:
    """Everything a project file holds (the window's state, as plain JSON values).

    Args:
        name: the project's name (the folder's name by default).
        kind: "tabular", "images" or "audio"; None for an empty project.
        dataset: {"path": absolute path, "kind": ..., plus for tables "sheet"/"options" the
            loader needs} or None.
        target, task: the table's target column and task (tables), None otherwise.
        preprocess: PreprocessConfig as a dict (tables) or None.
        mlp, training: MLPConfig and TrainConfig dicts.
        image_preprocess, image_model, audio_preprocess, audio_model: the media configs.
        search: SearchConfig dict, or None when "train one model" is chosen.
        runs: every kept run, oldest first.
        current_run: the id of the run Evaluate/Predict/Export use, or None.
        ui: {"page": step name, ...} what the window showed.
        created, saved: ISO times.
        version: the format version this data is in (FORMAT_VERSION after loading).
    """

    name: str = ""
    kind: str | None = None
    dataset: dict[str, Any] | None = None
    target: str | None = None
    task: str | None = None
    preprocess: dict[str, Any] | None = None
    mlp: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    image_preprocess: dict[str, Any] = field(default_factory=dict)
    image_model: dict[str, Any] = field(default_factory=dict)
    audio_preprocess: dict[str, Any] = field(default_factory=dict)
    audio_model: dict[str, Any] = field(default_factory=dict)
    search: dict[str, Any] | None = None
    runs: list[RunRecord] = field(default_factory=list)
    current_run: str | None = None
    ui: dict[str, Any] = field(default_factory=dict)
    created: str = ""
    saved: str = ""
    version: int = FORMAT_VERSION

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["runs"] = [r.to_dict() for r in self.runs]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectData:
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        values["runs"] = [RunRecord.from_dict(r) for r in data.get("runs") or []]
        return cls(**values)

    def run(self, run_id: str | None) -> RunRecord | None:
        """The record with ``run_id`` (None when absent)."""
        return next((r for r in self.runs if r.id == run_id), None)


def _model_words(metadata: dict[str, Any]) -> str:
    """A few words naming the model of a run's metadata ("MLP 2×64", "Compact CNN")."""
    kind = metadata.get("kind", "tabular")
    if kind in ("images", "audio"):
        names = {"cnn": "Compact CNN", "resnet50": "ResNet50", "inceptionv3": "InceptionV3"}
        arch = str(metadata.get("architecture") or "")
        return names.get(arch, arch or "model")
    model = metadata.get("model") or {}
    units = [int(u) for u in (model.get("hidden_units") or []) if u]
    if model.get("auto"):
        return "MLP (auto-sized)"
    if not units:
        return "linear model" if model else "MLP"
    if len(set(units)) == 1:
        return f"MLP {len(units)}×{units[0]}"
    return "MLP " + "-".join(str(u) for u in units)


def record_for_run(
    run: Any, run_id: str, *, number: int | None = None, dataset: str = "", search: Any = None
) -> RunRecord:
    """A :class:`RunRecord` describing a finished run (a TabularRun or an image/audio run).

    Args:
        run: the finished run (``metadata``, ``report``, ``history``, ``result``, ``phases``).
        run_id: its id in the project.
        number: shown in the default name ("Run 3 · MLP 2×64"); None: taken from ``run_id``.
        dataset: the dataset's name.
        search: the SearchConfig (or dict) the run came from, if a search chose it.
    """
    meta = dict(getattr(run, "metadata", None) or {})
    report = getattr(run, "report", None) or {}
    result = getattr(run, "result", None)
    summary = result.summary() if hasattr(result, "summary") else dict(result or {})
    if not summary:
        summary = dict(meta.get("training_result") or {})
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
            "training": meta.get("training"),
            "search": search_dict,
        },
        history={k: [float(x) for x in v] for k, v in (getattr(run, "history", None) or {}).items()},
        metrics=dict(report.get("metrics") or meta.get("metrics") or {}),
        summary=summary,
        phases=[list(p) for p in (getattr(run, "phases", None) or meta.get("phases") or [])],
    )


def next_run_id(existing: list[str]) -> str:
    """The next free id "run-001", "run-002", ... after the highest in ``existing``."""
    numbers = [int(x[4:]) for x in existing if x.startswith("run-") and x[4:].isdigit()]
    return f"run-{(max(numbers) if numbers else 0) + 1:03d}"
