"""What the Runs window shows, worked out from RunRecords (no Qt here: plain values).

The runs list's words, the comparison table's rows (test metrics, settings that differ,
training figures; each metric's best marked) and the curves' quantities, from RunRecords.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from automl_gui.core.base.units import format_duration
from automl_gui.core.evaluate.labels import metric_label
from automl_gui.core.kinds import DataKind, kind_named, kind_names
from automl_gui.core.project._records import mlp_words
from automl_gui.gui.runs_groups import positions_by_group

MISSING = "—"

# test metrics in the order a reader expects them (others follow alphabetically)
CLASSIFICATION_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "f1_macro",
    "precision_macro",
    "recall_macro",
    "f1_weighted",
    "precision_weighted",
    "recall_weighted",
    "roc_auc",
    "top_k_accuracy",
    "log_loss",
)
REGRESSION_METRICS = ("r2", "mae", "rmse", "mse")
LOWER_IS_BETTER = ("loss", "mae", "mse", "rmse", "error")

ARCH_WORDS = {
    "cnn": "Compact CNN",
    "resnet50": "ResNet50",
    "inceptionv3": "InceptionV3",
    "auto": "auto model",
}
STOP_WORDS = {
    "completed": "ran all epochs",
    "early_stopping": "early stopping",
    "cancelled": "stopped by you",
    "time_budget": "time budget",
    "nan": "loss became NaN",
}
SECTION_WORDS = {"preprocess": "Preprocess", "model": "Model", "training": "Training"}
# settings keys that only explain or version a config: never compared
SKIP_SETTINGS = {"reason", "version", "auto_chose"}
SETTING_WORDS = {
    "lr": "learning rate",
    "l2": "L2",
    "n_mels": "mel bands",
    "n_mfcc": "MFCCs",
    "fmin": "lowest frequency",
    "fmax": "highest frequency",
    "hop_ms": "hop (ms)",
    "window_ms": "window (ms)",
    "snr_min_db": "lowest SNR (dB)",
    "snr_max_db": "highest SNR (dB)",
    "gain_db": "gain (dB)",
    "batch_norm": "batch normalization",
    "fine_tune_layers": "layers fine-tuned",
    "fine_tune_epochs": "fine-tuning epochs",
    "fine_tune_lr_factor": "fine-tuning lr factor",
    "auto": "auto-sized",
    "max_trials": "max trials",
    "time_budget": "time budget (s)",
}


# -- numbers and words ------------------------------------------------------------------------
def number(value: Any) -> float | None:
    """``value`` as a finite float (None for None, text, NaN, booleans)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def fmt(value: Any) -> str:
    """A setting or figure as short text: 0.001 → "0.001", 1e-05 → "1e-05", True → "yes"."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return MISSING
        if value.is_integer() and abs(value) < 1e6:
            return str(int(value))
        if abs(value) < 1e-3 or abs(value) >= 1e6:
            return f"{value:.3g}"
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value) if value else "none"
    return str(value)


def fmt_metric(value: Any) -> str:
    """A test metric with four decimals ("0.9123"), or "—"."""
    f = number(value)
    if f is None:
        return MISSING
    if f != 0 and (abs(f) < 1e-3 or abs(f) >= 1e5):
        return f"{f:.3g}"
    return f"{f:.4f}"


def lower_is_better(key: str) -> bool:
    """Whether a smaller value of metric ``key`` is better (losses and errors)."""
    name = key.lower()
    return name.endswith(LOWER_IS_BETTER)


def created_text(iso: str, short: bool = False) -> str:
    """ISO time → local time "2024-05-03 14:07", or with ``short`` "3 May 14:07" (the year
    only when it is not this year); the text itself when unreadable."""
    try:
        when = _dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso or MISSING)
    if when.tzinfo is not None:
        when = when.astimezone()
    if not short:
        return when.strftime("%Y-%m-%d %H:%M")
    year = "" if when.year == _dt.date.today().year else f" {when.year}"
    return f"{when.day} {when.strftime('%b')}{year} {when.strftime('%H:%M')}"


def _kind(name: Any) -> DataKind | None:
    """The kind a run record names (None: one this version does not know)."""
    if name not in kind_names():
        return None
    return kind_named(str(name))


def model_words(record: Any, with_kind: bool = True) -> str:
    """Kind and model in a few words: "Table · MLP 2×64", "Images · ResNet50" (without
    ``with_kind``: "MLP 2×64")."""
    known = _kind(record.kind)
    kind = known.title if known is not None else str(record.kind or "?").capitalize()
    model = (record.settings or {}).get("model") or {}
    if known is not None and known.file_based:
        arch = str(model.get("architecture") or "")
        words = ARCH_WORDS.get(arch, arch or "model")
    else:
        words = mlp_words(record.settings or {})
    if (record.settings or {}).get("search"):
        words += " (search)"
    return f"{kind} · {words}" if with_kind else words


def headline(record: Any) -> tuple[str, float | None]:
    """The run's headline test metric (key, value): classification accuracy (else macro F1),
    regression R² (else MAE); ("", None) when the run has none."""
    metrics = record.metrics or {}
    keys = ("r2", "mae", "rmse") if record.task == "regression" else ("accuracy", "f1_macro")
    for key in keys:
        value = number(metrics.get(key))
        if value is not None:
            return key, value
    return "", None


SHORT_METRIC = {"accuracy": "acc", "f1_macro": "F1", "r2": "R²", "mae": "MAE", "rmse": "RMSE"}


def headline_text(record: Any) -> str:
    """The headline test metric, short: "0.8740 acc", "0.7020 R²" (the comparison's precision,
    :func:`fmt_metric`); "—" when none."""
    key, value = headline(record)
    if not key or value is None:
        return MISSING
    return f"{fmt_metric(value)} {SHORT_METRIC.get(key, metric_label(key))}"


def epochs_run(record: Any) -> int | None:
    """Epochs the run trained (its summary, else the length of its loss history)."""
    value = number((record.summary or {}).get("epochs_run"))
    if value is not None and value > 0:
        return int(value)
    lengths = [len(v) for v in (record.history or {}).values() if v]
    return max(lengths) if lengths else None


def best_epoch(record: Any) -> int | None:
    """The best epoch, 1-based (None when unknown)."""
    value = number((record.summary or {}).get("best_epoch"))
    return int(value) + 1 if value is not None and value >= 0 else None


# -- curves -------------------------------------------------------------------------------------
def quantities(records: Sequence[Any]) -> list[tuple[str, str]]:
    """The curves the checked runs can show: (history key without "val_", label), loss first,
    then the metrics, the learning rate last."""
    keys: set[str] = set()
    for record in records:
        for key, values in (record.history or {}).items():
            if values:
                keys.add(key[4:] if key.startswith("val_") else key)
    rank = {"loss": 0, "lr": 2, "learning_rate": 2}
    ordered = sorted(keys, key=lambda k: (rank.get(k, 1), k))
    return [(k, metric_label(k)) for k in ordered]


def curves(record: Any, key: str) -> dict[str, list[float]]:
    """{"val": [...], "train": [...]} of ``key`` in the run's history (only those present)."""
    history = record.history or {}
    out: dict[str, list[float]] = {}
    for part, name in (("val", f"val_{key}"), ("train", key)):
        values = history.get(name)
        if values:
            out[part] = [float(v) if number(v) is not None else math.nan for v in values]
    return out


# -- settings -----------------------------------------------------------------------------------
def flatten_settings(settings: dict[str, Any] | None) -> dict[str, Any]:
    """Nested settings → {"training.learning_rate": 0.001, "model.hidden_units": [64, 32],
    "preprocess.columns.age.scaling": "standardize", "search": "on"/"off", ...}.

    A list of dicts with a "name" (the table's columns) is keyed by name; other lists stay
    values. Keys that only explain or version a config are left out.
    """
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if k not in SKIP_SETTINGS:
                    walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) and "name" in v for v in value)
        ):
            for item in value:
                rest = {k: v for k, v in item.items() if k != "name"}
                walk(f"{prefix}.{item['name']}", rest)
        else:
            flat[prefix] = value

    settings = dict(settings or {})
    model = settings.get("model")
    if isinstance(model, dict) and model.get("auto") and "auto_chose" not in settings:
        # saved before the sizes Auto chose were recorded: hidden_units is its placeholder
        settings["model"] = {k: v for k, v in model.items() if k != "hidden_units"}
    search = settings.pop("search", None)
    walk("", settings)
    flat["search"] = "on" if search else "off"
    if isinstance(search, dict):
        walk("search", search)
    return flat


def setting_label(key: str) -> str:
    """A readable label: "training.learning_rate" → "Training · learning rate",
    "preprocess.columns.age.scaling" → "Preprocess · column age · scaling"."""
    if key == "search":
        return "AutoML search"
    parts = key.split(".")
    head = SECTION_WORDS.get(parts[0], parts[0].replace("_", " ").capitalize())
    if parts[0] == "search":
        head = "Search"
    words: list[str] = []
    i = 1
    while i < len(parts):
        part = parts[i]
        if part == "columns" and i + 1 < len(parts) and parts[0] == "preprocess":
            words.append(f"column {parts[i + 1]}")
            i += 2
            continue
        words.append(SETTING_WORDS.get(part, part.replace("_", " ")))
        i += 1
    return " · ".join([head, *words])


# -- the comparison table -----------------------------------------------------------------------
@dataclass
class CompareRow:
    """One row of the comparison table.

    Args:
        section: "metrics", "settings" or "training".
        key: the metric key, the flattened setting key or the figure's name.
        label: what the row is called.
        values: the raw value per run (None where absent).
        texts: the shown text per run.
        best: indexes of the runs with the best value (metric rows; empty otherwise).
        differs: whether the runs' values differ.
        tooltip: what the row means.
    """

    section: str
    key: str
    label: str
    values: list[Any]
    texts: list[str]
    best: set[int] = field(default_factory=set)
    differs: bool = False
    tooltip: str = ""


def best_indexes(key: str, values: Sequence[Any]) -> set[int]:
    """The runs with the best value of metric ``key`` (ties all count); empty when fewer than
    two runs have a value, or when all values are equal (nothing to single out)."""
    nums = [(i, number(v)) for i, v in enumerate(values)]
    nums = [(i, v) for i, v in nums if v is not None]
    if len(nums) < 2:
        return set()
    target = min(v for _, v in nums) if lower_is_better(key) else max(v for _, v in nums)
    best = {i for i, v in nums if math.isclose(v, target, rel_tol=1e-9, abs_tol=1e-12)}
    return set() if len(best) == len(nums) else best


def best_within_groups(key: str, values: Sequence[Any], records: Sequence[Any]) -> set[int]:
    """The best runs of metric ``key``, each among runs of its own dataset and task only
    (:mod:`automl_gui.gui.runs_groups`; a group with one run has no best)."""
    best: set[int] = set()
    for positions in positions_by_group(records):
        found = best_indexes(key, [values[i] for i in positions])
        best |= {positions[i] for i in found}
    return best


def _differs(values: Sequence[Any]) -> bool:
    texts = {fmt(v) for v in values}
    return len(texts) > 1


def _metric_keys(records: Sequence[Any]) -> list[str]:
    present: set[str] = set()
    for record in records:
        present |= {k for k, v in (record.metrics or {}).items() if number(v) is not None}
    order = {k: i for i, k in enumerate(CLASSIFICATION_METRICS + REGRESSION_METRICS)}
    # the regression metrics go first when the first checked run is a regression
    if records and records[0].task == "regression":
        order = {k: i for i, k in enumerate(REGRESSION_METRICS + CLASSIFICATION_METRICS)}
    return sorted(present, key=lambda k: (order.get(k, len(order)), k))


def comparison_rows(records: Sequence[Any], show_all: bool = False) -> list[CompareRow]:
    """The comparison table of ``records`` (one column each): test metrics (each dataset's
    best marked), the settings that differ (all with ``show_all``), the training figures."""
    rows: list[CompareRow] = []
    for key in _metric_keys(records):
        values = [number((r.metrics or {}).get(key)) for r in records]
        better = "lower" if lower_is_better(key) else "higher"
        rows.append(
            CompareRow(
                "metrics",
                key,
                metric_label(key),
                values,
                [fmt_metric(v) for v in values],
                best_within_groups(key, values, records),
                _differs(values),
                f"Test {metric_label(key)} on the held-out data ({better} is better)",
            )
        )
    info = [
        ("dataset", "Dataset", [r.dataset or None for r in records], "The data it trained on"),
        ("task", "Task", [r.task or None for r in records], "Binary, multiclass or regression"),
    ]
    for key, label, values, tip in info:
        if show_all or _differs(values):
            texts = [fmt(v) for v in values]
            rows.append(CompareRow("settings", key, label, values, texts, set(), True, tip))
    flats = [flatten_settings(r.settings) for r in records]
    keys: list[str] = []
    for flat in flats:
        keys += [k for k in flat if k not in keys]
    for key in keys:
        values = [flat.get(key) for flat in flats]
        differs = _differs(values)
        if show_all or differs:
            rows.append(
                CompareRow(
                    "settings",
                    key,
                    setting_label(key),
                    values,
                    [fmt(v) for v in values],
                    set(),
                    differs,
                    f"Setting {key}",
                )
            )
    summaries = [r.summary or {} for r in records]
    figures = [
        ("epochs_run", "Epochs run", [epochs_run(r) for r in records], fmt, "Epochs trained"),
        (
            "best_epoch",
            "Best epoch",
            [best_epoch(r) for r in records],
            fmt,
            "The epoch with the lowest validation loss (its weights were kept)",
        ),
        (
            "stopped_reason",
            "Stopped because",
            [s.get("stopped_reason") for s in summaries],
            lambda v: MISSING if v is None else STOP_WORDS.get(str(v), str(v)),
            "Why training ended",
        ),
        (
            "seconds",
            "Training time",
            [number(s.get("seconds")) for s in summaries],
            format_duration,
            "Wall time of the training (minutes:seconds)",
        ),
        (
            "batch_size",
            "Batch size",
            [s.get("batch_size") or None for s in summaries],
            fmt,
            "The batch size used (after 'auto')",
        ),
    ]
    for key, label, values, to_text, tip in figures:
        rows.append(
            CompareRow(
                "training",
                key,
                label,
                list(values),
                [to_text(v) for v in values],
                set(),
                _differs(values),
                tip,
            )
        )
    return rows


SECTION_TITLES = {
    "metrics": "Test metrics",
    "settings": "Settings",
    "training": "Training",
}


def comparison_csv(records: Sequence[Any], rows: Sequence[CompareRow]) -> str:
    """The comparison as CSV text: section, row, then one column per run (its name); a
    last column names the best run(s) of each metric row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "row", *[r.name for r in records], "best"])
    for row in rows:
        best = "; ".join(records[i].name for i in sorted(row.best))
        if row.section == "metrics":  # full precision for whoever reads the file
            texts = ["" if v is None else repr(float(v)) for v in row.values]
        else:
            texts = ["" if t == MISSING else t for t in row.texts]
        writer.writerow([SECTION_TITLES.get(row.section, row.section), row.label, *texts, best])
    return buffer.getvalue()
