"""``automl-gui train FOLDER``: what the options make of an image, audio or text dataset (a
folder, a CSV of files, a table or JSON Lines file of texts): the checks, the scan with its
summary, the kind's settings; the training and the search are ``train`` and
``_search.run_search``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from automl_gui.cli._common import KIND_OPTIONS, TrainSetup, printer, say
from automl_gui.cli._signals import interruptible
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken
from automl_gui.core.kinds import DataKind, all_kinds

#: a preprocessing field set by an option of another name (argparse destination → field)
FIELD_OF = {"token_split": "split"}
#: ``kind.load_options`` → the argparse destination that gives it
LOAD_OPTIONS = {"text_column": "text_column", "label_column": "target"}


def a_folder(kind: DataKind) -> str:
    """``an image folder``, ``an audio folder``."""
    noun = kind.dataset_noun
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def refuse_target(args: argparse.Namespace, kind: DataKind) -> None:
    """ConfigError for --target (--text-column) where ``kind`` has no label (text) column
    to choose: a folder's classes are its subfolders."""
    for option, dest in LOAD_OPTIONS.items():
        if getattr(args, dest, None) and option not in kind.load_options:
            flag = "--" + dest.replace("_", "-")
            raise ConfigError(
                f"{flag} is for tables; {a_folder(kind)}'s classes are its subfolders.",
                f"Leave out {flag}.",
            )


def kind_for_data(args: argparse.Namespace) -> DataKind:
    """The kind ``args.data`` holds, or the kind whose load options were given: a table with
    two text columns is a table until ``--text-column`` names the text (``--target`` names a
    table's target as well, so it decides nothing)."""
    from automl_gui.core.kinds import kind_for_path

    kind = kind_for_path(args.data)
    wanted = {
        option
        for option, dest in LOAD_OPTIONS.items()
        if dest != "target" and getattr(args, dest, None)
    }
    if wanted <= set(kind.load_options) or not Path(args.data).is_file():
        return kind  # (columns are a file's: a folder stays what it holds)
    taking = [k for k in all_kinds() if wanted <= set(k.load_options)]
    return taking[0] if taking else kind


def load_options(args: argparse.Namespace, kind: DataKind) -> dict[str, Any]:
    """The keyword choices ``kind.load`` takes from the options (a text table's columns)."""
    given = {o: getattr(args, LOAD_OPTIONS[o], None) for o in kind.load_options}
    return {option: value for option, value in given.items() if value}


def check_kind_options(args: argparse.Namespace, kind: DataKind) -> None:
    """ConfigError for an option of another kind's data (``--image-size`` for a table,
    ``--numeric-embedding`` for an image folder)."""
    for other in all_kinds():
        names = () if other is kind else KIND_OPTIONS.get(other.name, ())
        given = [n for n in names if getattr(args, n, None) is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise ConfigError(
                f"{flag} is for {a_folder(other)}, but {args.data} is {a_folder(kind)}.",
                f"Leave out {flag}.",
            )


def check_file_options(args: argparse.Namespace, kind: DataKind, arch: str) -> None:
    """ConfigError for options that do not fit this folder or the model chosen."""
    refuse_target(args, kind)
    check_kind_options(args, kind)
    if args.weights:
        check_weights_option(args.weights, kind, arch)


def check_weights_option(weights: str, kind: DataKind, arch: str) -> None:
    """ConfigError unless --weights fits ``arch``: a file for an image backbone, a folder for
    the pretrained text model (a KerasHub preset: ``spec.folder``)."""
    from automl_gui.core.models.weights import manifest

    specs = manifest()
    takes = [a for a in kind.model_families if a in specs]
    if arch not in takes:
        models = " or ".join(f"--model {a}" for a in takes) or "a pretrained model"
        raise ConfigError(
            f"--weights needs {models}." if takes else f"--weights is not for {kind.items}.",
            "Add the model the weights belong to." if takes else "Leave out --weights.",
        )
    path = Path(weights).expanduser()
    if specs[arch].folder and not path.is_dir():
        raise ConfigError(
            f"The pretrained model folder {weights} does not exist.",
            "Give the KerasHub preset folder (config.json, tokenizer.json, … inside).",
        )
    if not specs[arch].folder and not path.is_file():
        raise ConfigError(f"The weights file {weights} does not exist.", "Check the path.")


def folder_preprocess(args: argparse.Namespace, kind: DataKind, seed: int) -> Any:
    """The kind's default preprocessing settings with the options given (``--image-size``,
    ``--sample-rate`` …, ``--cache``) and ``seed``."""
    preprocess = kind.default_preprocess(None)
    preprocess.seed = seed
    preprocess.cache = bool(getattr(args, "cache", False))
    for name in KIND_OPTIONS.get(kind.name, ()):
        value = getattr(args, name, None)
        if value is not None:
            setattr(preprocess, FIELD_OF.get(name, name), value)
    validate = getattr(preprocess, "validate", None)
    if validate is not None:  # a value out of range is said now, not after the scan
        validate()
    return preprocess


def scan_folder(args: argparse.Namespace, kind: DataKind, cancel: CancelToken) -> Any:
    """Scan ``args.data`` (Ctrl+C stops it) and say what it holds."""
    options = load_options(args, kind)
    dataset = interruptible(cancel, kind.load, args.data, on_event=printer(args), **options)
    counts = dataset.class_counts()
    say(
        args,
        f"Data: {len(dataset):,} {kind.items} in {len(counts)} classes ("
        + ", ".join(f"{k} {v:,}" for k, v in list(counts.items())[:8])
        + (" …" if len(counts) > 8 else "")
        + ").",
    )
    return dataset


def folder_setup(
    args: argparse.Namespace, kind: DataKind, arch: str, seed: int, cancel: CancelToken
) -> TrainSetup:
    """Check the options, scan the folder and make the settings ``train`` uses."""
    check_file_options(args, kind, arch)
    dataset = scan_folder(args, kind, cancel)
    for notice in dataset.notices:
        say(args, f"note: {notice}")
    for bad in dataset.bad_files[:10]:
        say(args, f"warning: skipped {bad.path}: {bad.reason}")
    if len(dataset.bad_files) > 10:
        say(args, f"warning: … and {len(dataset.bad_files) - 10} more broken files skipped")

    preprocess = folder_preprocess(args, kind, seed)
    if args.augment is not None:  # else the kind's default
        kind.set_augment(preprocess, args.augment)
    options = {
        "architecture": arch,
        "weights_path": args.weights or "",
        "weights_folder": args.weights_folder or "",
        "allow_download": not args.no_download,
        "fine_tune_layers": args.fine_tune_layers,
    }
    if args.fine_tune_epochs:
        options["fine_tune_epochs"] = args.fine_tune_epochs
    model = kind.model_from_dict(options)  # the rest as --help says (fine-tune: 10 epochs)
    training = kind.default_training()  # its epochs: a search's largest round too
    default_epochs = training.epochs
    training.seed = seed
    training.epochs = args.epochs or default_epochs
    return TrainSetup(dataset, preprocess, model, training, search_epochs=kind.search_epochs())
