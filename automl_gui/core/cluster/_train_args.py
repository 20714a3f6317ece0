"""The window's settings as ``automl-gui train`` options (``job_export.train_args_for``).

One table says which setting each option carries (``OPTIONS``); a setting equal to what the
command line does by itself (the kind's own defaults) is left out, so the command stays
short. A setting no option carries is named in ``left_out`` (the command line then uses
its own default), so the export can say what the job will not do as the window would.
Everything differing between kinds comes from the kind object's defaults.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from automl_gui.core.base.errors import ConfigError

#: (section, field, option). An option is given when the setting differs from the kind's
#: default (``_default``); how its value is written is ``_WRITE``'s.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("training", "epochs", "--epochs"),
    ("training", "batch_size", "--batch-size"),
    ("training", "time_budget", "--time-budget"),
    ("training", "seed", "--seed"),
    ("training", "class_weights", "--class-weights"),
    ("training", "weight_decay", "--weight-decay"),
    ("training", "refit", "--refit"),
    ("model", "numeric_embedding", "--numeric-embedding"),
    ("model", "n_bins", "--n-bins"),
    ("model", "ensemble_size", "--ensemble-size"),
    ("model", "weights_path", "--weights"),
    ("model", "weights_folder", "--weights-folder"),
    ("model", "allow_download", "--no-download"),
    ("model", "fine_tune_layers", "--fine-tune-layers"),
    ("model", "fine_tune_epochs", "--fine-tune-epochs"),
    ("preprocess", "image_size", "--image-size"),
    ("preprocess", "color_mode", "--color-mode"),
    ("preprocess", "sample_rate", "--sample-rate"),
    ("preprocess", "clip_seconds", "--clip-seconds"),
    ("preprocess", "features", "--features"),
    ("preprocess", "n_mels", "--n-mels"),
    ("preprocess", "standardize", "--standardize"),
    ("preprocess", "split", "--token-split"),  # a text setting's token split (a str)
    ("preprocess", "max_tokens", "--max-tokens"),
    ("preprocess", "ngrams", "--ngrams"),
    ("preprocess", "output_mode", "--output-mode"),
    ("preprocess", "sequence_length", "--sequence-length"),
    ("preprocess", "word_dropout", "--word-dropout"),
    ("preprocess", "cache", "--cache"),
    ("preprocess", "augment", "--augment"),
    ("search", "max_trials", "--trials"),
    ("search", "algorithm", "--search"),
    ("search", "max_epochs", "--epochs"),
    ("search", "cross_validation", "--cross-validation"),
    ("search", "folds", "--folds"),
)
#: settings a search decides itself: the command line refuses them beside ``--model auto``
#: with a budget (``cli._search.NOT_SEARCHED``), so a search's export leaves them out
SEARCH_DECIDES = {"numeric_embedding", "n_bins", "ensemble_size", "refit"}
#: settings that are not options but need no word: what the command line derives itself
#: (the split's seed is the training seed; a table's target and task are given apart)
SILENT = {"seed", "target", "task", "version", "time_budget", "architecture"}


def _flag_value(option: str, value: Any) -> list[str]:
    """The option as arguments: a switch on its own, a value after it."""
    if option == "--no-download":
        return [option] if value is False else []
    if option == "--augment":
        return ["--augment" if value else "--no-augment"]
    if isinstance(value, bool):
        return [option] if value else []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [option, str(value)]


def _augment_on(value: Any) -> Any:
    """Augmentation settings (a dict with ``enabled``) as their on/off switch."""
    return value.get("enabled") if isinstance(value, dict) else value


def _plain(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if hasattr(obj, "__dataclass_fields__"):
        return asdict(obj)
    if not isinstance(obj, dict):
        raise ConfigError(
            f"Training job settings must be dicts, not {type(obj).__name__}.",
            "Give each part as its settings object's to_dict().",
        )
    return dict(obj)


def _defaults(kind: Any, search: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What the command line uses for each setting it is not told: the kind's defaults
    (a table's preprocessing depends on the table: none known here)."""
    from automl_gui.core.tune.search.space import SearchConfig

    try:
        preprocess = _plain(kind.default_preprocess(None))
    except (AttributeError, TypeError):  # a table's, built from the table itself
        preprocess = {}
    searched = asdict(SearchConfig())
    searched["max_epochs"] = kind.search_epochs() or searched["max_epochs"]
    return {
        "preprocess": preprocess,
        "model": _plain(kind.default_model()),
        "training": _plain(kind.default_training()),
        "search": searched if search else {},
    }


def _words(field: str, value: Any) -> str:
    return f"{field.replace('_', ' ')} {value!r}"


def train_args(settings: dict[str, Any], left_out: list[str] | None = None) -> list[str]:
    """See :func:`automl_gui.core.cluster.job_export.train_args_for`."""
    from automl_gui.core.kinds import kind_named

    kind = kind_named(str(settings.get("kind") or "tabular"))
    parts = {p: _plain(settings.get(p)) for p in ("preprocess", "model", "training", "search")}
    search = parts["search"]
    defaults = _defaults(kind, search)
    notes: list[str] = []
    args = _head(settings, kind, parts, notes)
    carried: dict[tuple[str, str], str] = {(s, f): o for s, f, o in OPTIONS}
    for section, values in parts.items():
        default = defaults[section]
        for field, value in values.items():
            option = carried.get((section, field))
            if option == "--token-split" and not isinstance(value, str):
                option = None  # a table's split is its train/validation/test shares
            if option is None:
                if not (section == "model" and values.get("auto") is True):  # auto-sized
                    _note_left(section, field, value, default, notes)
                continue
            if field in SEARCH_DECIDES and search:
                continue
            if section == "training" and field in ("epochs", "time_budget") and search:
                continue  # a search's epochs and budget are its own
            if option == "--augment":
                _note_augment(value, default.get(field), notes)
                value, before = _augment_on(value), _augment_on(default.get(field))
            else:
                before = default.get(field, _NONE)
            if value == before and option != "--no-download":
                continue
            if option == "--time-budget" and _auto_model_budget(parts, kind, notes):
                continue
            args += _flag_value(option, value)
            if option in ("--weights", "--weights-folder") and value:
                notes.append(
                    f"{option} {value} is a path on this computer: put the file at that path "
                    "on the machines that run the job, or edit the path in the launch files"
                )
    if left_out is not None:
        left_out.extend(notes)
    return args


_NONE = object()


def _head(
    settings: dict[str, Any], kind: Any, parts: dict[str, dict[str, Any]], notes: list[str]
) -> list[str]:
    """``--target``/``--text-column``/``--task`` and ``--model`` (``auto`` with the search's
    budget for a search)."""
    preprocess = parts["preprocess"]
    args: list[str] = []
    # a column is named where the kind reads one (a table's target, a text table's label
    # and text columns); a folder's classes are its subfolders
    target = settings.get("target") or preprocess.get("target")
    if target and (not kind.file_based or "label_column" in kind.load_options):
        args += ["--target", str(target)]
    if settings.get("text_column") and "text_column" in kind.load_options:
        args += ["--text-column", str(settings["text_column"])]
    task = settings.get("task") or preprocess.get("task")
    if task and not kind.file_based:
        args += ["--task", str(task)]
    search = parts["search"]
    if search:
        args += ["--model", "auto"]
        budget = float(search.get("time_budget") or 0)
        if budget:
            args += _flag_value("--time-budget", budget)
        if not budget and not search.get("max_trials"):
            raise ConfigError(
                "The search has neither a time budget nor a number of trials.",
                "Set one on the Model page before exporting the job.",
            )
        return args
    architecture = parts["model"].get("architecture") or kind.auto_model
    args += ["--model", str(architecture)]
    if parts["model"].get("auto") is False:
        notes.append(
            "the network's hand-set size (hidden units, dropout, regularization): the "
            "command line sizes the network automatically"
        )
    return args


def _auto_model_budget(parts: dict[str, dict[str, Any]], kind: Any, notes: list[str]) -> bool:
    """True (and a note) when a time budget would turn one ``--model auto`` training into
    a search on the command line."""
    if (parts["model"].get("architecture") or kind.auto_model) != "auto":
        return False
    notes.append(
        "the time budget: with the model at Auto the command line would run a search; "
        "choose a network on the Model page to train one model within a budget"
    )
    return True


def _note_augment(value: Any, default: Any, notes: list[str]) -> None:
    """Augmentation strengths other than the defaults: only on/off is an option."""
    if not isinstance(value, dict) or not isinstance(default, dict):
        return
    changed = [
        _words(k, v) for k, v in value.items() if k != "enabled" and default.get(k, _NONE) != v
    ]
    if changed:
        notes.append("augmentation settings " + ", ".join(changed) + ": the defaults are used")


def _note_left(
    section: str, field: str, value: Any, default: dict[str, Any], notes: list[str]
) -> None:
    """Name a setting no option carries, unless it is what the command line uses anyway."""
    if field in SILENT or field == "auto":
        return
    if default and default.get(field, _NONE) == value:
        return
    if not default and section == "preprocess":
        if "the table's column settings" not in " ".join(notes):
            notes.append(
                "the table's column settings and split (types, missing values, scaling, "
                "encoding, shares): the command line chooses them itself as Auto does"
            )
        return
    if not default:
        return
    used = f"{default[field]!r}" if field in default else "its own default"
    notes.append(f"{section} {_words(field, value)}: the command line uses {used}")
