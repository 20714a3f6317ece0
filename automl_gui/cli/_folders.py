"""``automl-gui train FOLDER``: training on an image or audio folder (or a CSV of files); the
folder search itself is ``_search.search_folder``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from automl_gui.cli._checkpoint import checkpoint_options
from automl_gui.cli._common import (
    EXIT_OK,
    default_run_dir,
    device_plan,
    prepare_out,
    printer,
    say,
    train_inputs,
)
from automl_gui.cli._save import save_run
from automl_gui.cli._search import search_folder, wants_search
from automl_gui.cli._signals import interruptible, stopped_by
from automl_gui.core.base.errors import ConfigError
from automl_gui.core.base.events import CancelToken

#: options that only fit one kind of folder (argparse destinations)
FILE_OPTIONS = {
    "images": ("image_size", "color_mode"),
    "audio": ("sample_rate", "clip_seconds", "features", "n_mels"),
}
FOLDER_WORDS = {"images": ("an image", "images"), "audio": ("an audio", "clips")}


def check_file_options(args: argparse.Namespace, kind: str, arch: str) -> None:
    """ConfigError for options that do not fit an image/audio folder or the model chosen."""
    folder = FOLDER_WORDS[kind][0]
    if args.target:
        raise ConfigError(
            f"--target is for tables; {folder} folder's classes are its subfolders.",
            "Leave out --target.",
        )
    for other, names in FILE_OPTIONS.items():
        given = [n for n in names if other != kind and getattr(args, n, None) is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise ConfigError(
                f"{flag} is for {FOLDER_WORDS[other][0]} folder, but {args.data} is "
                f"{folder} folder.",
                f"Leave out {flag}.",
            )
    if args.weights and arch not in ("resnet50", "inceptionv3"):
        raise ConfigError(
            "--weights needs --model resnet50 or --model inceptionv3.",
            "Add the model the weights file belongs to.",
        )
    if args.weights and not Path(args.weights).expanduser().is_file():
        raise ConfigError(f"The weights file {args.weights} does not exist.", "Check the path.")


def file_job(args: argparse.Namespace, kind: str, seed: int) -> tuple[Any, Any, Any]:
    """(scan function, preprocessing settings from the options, train function)."""
    if kind == "images":
        from automl_gui.core.data.images import scan_images
        from automl_gui.core.kinds._image_media import train_images
        from automl_gui.core.preprocess.image_config import ImagePreprocessConfig

        pre = ImagePreprocessConfig(
            image_size=args.image_size or 0,
            color_mode=args.color_mode or "rgb",
            seed=seed,
            cache=args.cache,
        )
        return scan_images, pre, train_images
    from automl_gui.core.kinds._audio_media import train_audio
    from automl_gui.core.data.audio import scan_audio
    from automl_gui.core.preprocess.audio_config import AudioPreprocessConfig

    pre = AudioPreprocessConfig(seed=seed, cache=args.cache)
    for name in FILE_OPTIONS["audio"]:
        if getattr(args, name) is not None:
            setattr(pre, name, getattr(args, name))
    return scan_audio, pre, train_audio


def train_folder(args: argparse.Namespace, kind: str) -> int:
    """Train on an image or audio folder (or CSV), or search models for it (--model auto with
    --time-budget or --trials); writes the bundle and test predictions."""
    from automl_gui.core.models.image_config import ImageModelConfig
    from automl_gui.core.models.registry import resolve
    from automl_gui.core.train.config import TrainConfig

    arch = resolve(args.model, kind)
    check_file_options(args, kind, arch)
    out = Path(args.out) if args.out else default_run_dir(args.data)
    out = prepare_out(out, args, train_inputs(args))
    seed = 42 if args.seed is None else args.seed
    scan, preprocess, train = file_job(args, kind, seed)

    cancel = CancelToken()
    dataset = interruptible(cancel, scan, args.data, on_event=printer(args))
    counts = dataset.class_counts()
    say(
        args,
        f"Data: {len(dataset):,} {FOLDER_WORDS[kind][1]} in {len(counts)} classes ("
        + ", ".join(f"{k} {v:,}" for k, v in list(counts.items())[:8])
        + (" …" if len(counts) > 8 else "")
        + ").",
    )
    for notice in dataset.notices:
        say(args, f"note: {notice}")
    for bad in dataset.bad_files[:10]:
        say(args, f"warning: skipped {bad.path}: {bad.reason}")
    if len(dataset.bad_files) > 10:
        say(args, f"warning: … and {len(dataset.bad_files) - 10} more broken files skipped")

    preprocess.augment.enabled = bool(args.augment)
    model_config = ImageModelConfig(
        architecture=arch,
        weights_path=args.weights or "",
        weights_folder=args.weights_folder or "",
        allow_download=not args.no_download,
        fine_tune_layers=args.fine_tune_layers,
    )
    if args.fine_tune_epochs:
        model_config.fine_tune_epochs = args.fine_tune_epochs
    training = TrainConfig(seed=seed, epochs=args.epochs or 30)
    if args.batch_size:
        training.batch_size = args.batch_size
    if args.time_budget:
        training.time_budget = args.time_budget
    plan = device_plan(force_cpu=args.cpu)
    if wants_search(args):
        say(args, f"Device: {plan.device_label} ({plan.reason}). Model: AutoML search.")
        return search_folder(args, kind, dataset, preprocess, model_config, training, plan, out)
    say(args, f"Device: {plan.device_label} ({plan.reason}).")

    run = interruptible(
        cancel,
        train,
        dataset,
        preprocess,
        model_config,
        training,
        plan=plan,
        on_event=printer(args),
        **checkpoint_options(args),  # --checkpoint-dir, --resume
    )
    if run.result.stopped_reason == "cancelled":
        say(args, f"Stopped by {stopped_by()}: keeping the best weights so far.")
    save_run(run, out, overwrite=args.overwrite, inputs=train_inputs(args), test_predictions=True)
    return EXIT_OK
