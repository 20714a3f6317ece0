"""``automl-gui train DATA``: one model, or an AutoML search (``--model auto`` with
``--time-budget`` or ``--trials``), on a table or an image or audio folder.

One way for every kind (``train_command``): the kind found for the path, the options checked,
``--out`` checked, the data read (``_tables.table_setup`` / ``_folders.folder_setup``), then
``core.jobs.train`` or the search (``_search``), then the model saved (``_save``).
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automl_gui.cli._checkpoint import check_checkpoint_options, checkpoint_options
from automl_gui.cli._common import (
    EXIT_OK,
    default_run_dir,
    device_plan,
    prepare_out,
    printer,
    say,
    train_inputs,
)
from automl_gui.cli._continue import add_continue_options, continue_command
from automl_gui.cli._folders import (
    check_file_options,
    check_kind_options,
    folder_setup,
    kind_for_data,
)
from automl_gui.cli._save import save_run
from automl_gui.cli._search import (
    check_search_options,
    check_search_role,
    run_search,
    wants_search,
)
from automl_gui.cli._signals import interruptible, stopped_by
from automl_gui.cli._tables import check_table_options, table_setup
from automl_gui.cli._types import (
    clip_seconds,
    ensemble_size,
    epochs,
    fine_tune_layers,
    image_size,
    n_bins,
    n_mels,
    positive_float,
    positive_int,
    sample_rate,
    weight_decay,
    zero_or_int,
)
from automl_gui.cli._workers import cluster_errors, finish_worker, start_cluster, worker_scratch
from automl_gui.core.base.events import CancelToken
from automl_gui.core.preprocess import text_config as tc

if TYPE_CHECKING:
    from automl_gui.core.kinds import DataKind


def kind_defaults(value: Callable[[DataKind], object]) -> str:
    """A setting's default for each kind: "table 100, images auto, …", or the one value
    they share."""
    from automl_gui.core.kinds import all_kinds

    said = [(k.title.lower(), str(value(k))) for k in all_kinds()]
    if len({v for _, v in said}) == 1:
        return said[0][1]
    return ", ".join(f"{kind} {v}" for kind, v in said)


def epochs_help() -> str:
    """--epochs' help with each kind's own default (``kind.default_training``; 0: auto, from
    the data's size) and a search trial's (``kind.search_epochs``, else the search's own)."""
    from automl_gui.core.tune.search.space import SearchConfig

    trial = SearchConfig().max_epochs
    training = kind_defaults(lambda k: k.default_training().epochs or "auto")
    searched = kind_defaults(lambda k: k.search_epochs() or trial)
    return (
        f"maximum epochs: a number, or auto (0) to size them from the data (default: "
        f"{training}); with --model "
        f"auto, a trial's most (default: {searched})"
    )


def add_train_parser(sub: Any) -> argparse.ArgumentParser:
    """Register the ``train`` subcommand on ``sub`` (argparse subparsers)."""
    train = sub.add_parser(
        "train",
        help="train a model on a table (CSV/TSV/Parquet), a folder of images or audio clips, "
        "or texts",
        description="Train on a table, or on images or audio clips (WAV, FLAC, OGG, MP3): a "
        "folder with one subfolder per class, a folder split into train/ val/ test/, or a CSV "
        "of file paths and labels; or on texts: a CSV/TSV/Parquet or JSON Lines file with a "
        "text and a label column, or a folder of .txt files per class (or split folders).",
    )
    train.add_argument(
        "data", help="the table file, the image/audio folder or CSV, or the text dataset"
    )
    train.add_argument(
        "--target",
        help="target column of a table, label column of a text table (default: a good guess)",
    )
    train.add_argument(
        "--task",
        choices=["auto", "binary", "multiclass", "regression"],
        default="auto",
        help="learning task (default: detected from the target)",
    )
    train.add_argument("--out", help="output folder (default: runs/<data>-<time>)")
    train.add_argument(
        "--model",
        default="auto",
        help="model: auto or mlp (tables); auto, cnn, resnet50 or inceptionv3 (images, "
        "audio: on spectrograms); auto, ngram_mlp, sepcnn, transformer or pretrained (text)",
    )
    train.add_argument("--epochs", type=epochs, metavar="N", help=epochs_help())
    train.add_argument(
        "--batch-size",
        type=positive_int,
        help="batch size (default: auto); across workers (TF_CONFIG) "
        "or GPUs the global batch: the examples of one step over all replicas, split equally",
    )
    train.add_argument(
        "--time-budget",
        type=positive_float,
        help="stop training after this many seconds; with --model auto, the time for the "
        "whole AutoML search",
    )
    train.add_argument("--seed", type=int, default=None, help="random seed (default 42)")
    train.add_argument(
        "--class-weights",
        choices=["auto", "none", "balanced"],
        help="weigh classes by n / (classes × count): auto (default) does when the classes "
        "are imbalanced (largest ≥ 3× smallest) and says so",
    )
    train.add_argument(
        "--weight-decay",
        type=weight_decay,
        metavar="X",
        help="decoupled weight decay (0-1): each update shrinks the weights by learning rate "
        "× X (AdamW is Adam with it; the other optimizers apply it too; default: "
        f"{kind_defaults(lambda k: f'{k.default_training().weight_decay:g}')}); with --model "
        "auto, where a table search's trials start",
    )
    train.add_argument(
        "--refit",
        action="store_true",
        help="after training and the test evaluation, train the same settings again from "
        "scratch on the training and validation data together for the epochs validation "
        "chose, and keep that model (its test score is reported beside the first one's)",
    )
    train.add_argument("--cpu", action="store_true", help="train on the CPU even with a GPU")
    train.add_argument(
        "--overwrite", action="store_true", help="replace the output folder if it exists"
    )
    train.add_argument("-q", "--quiet", action="store_true", help="print only the result")
    train.add_argument(
        "--checkpoint-dir",
        metavar="DIR",
        help="save a checkpoint there after every epoch, so a training that is killed can "
        "continue with --resume (not for an AutoML search: it keeps its state in --search-dir)",
    )
    tune = train.add_argument_group(
        "AutoML search",
        "--model auto with --time-budget or --trials searches network shapes and training "
        "settings with Keras Tuner and keeps the best (tables: MLPs; images: the CNN or a "
        "backbone whose weights are here; audio: spectrogram settings and the CNN; text: the "
        "vectorization and the network); the "
        "output folder gains leaderboard.csv; --epochs is a trial's most epochs",
    )
    tune.add_argument("--trials", type=positive_int, help="trials to run at most")
    tune.add_argument(
        "--search",
        choices=["hyperband", "bayesian", "random"],
        help="search algorithm (default hyperband)",
    )
    tune.add_argument(
        "--search-dir", help="folder keeping the search state, so --resume can continue it"
    )
    tune.add_argument(
        "--resume",
        action="store_true",
        help="continue the search saved in --search-dir, or the training checkpointed in "
        "--checkpoint-dir from its last epoch (same data and settings)",
    )
    tune.add_argument(
        "--cross-validation",
        choices=["auto", "on", "off"],
        help="score each trial by k-fold cross-validation (tables; auto: on small tables)",
    )
    tune.add_argument(
        "--folds", type=positive_int, help="folds of the cross-validation (default: automatic)"
    )
    add_table_options(train)
    files = train.add_argument_group("images and audio")
    files.add_argument(
        "--weights",
        help="pretrained weights: a file for resnet50/inceptionv3, a KerasHub preset folder "
        "for a text model's --model pretrained",
    )
    files.add_argument(
        "--weights-folder", help="folder searched first for pretrained weights files"
    )
    files.add_argument(
        "--no-download", action="store_true", help="never download missing pretrained weights"
    )
    files.add_argument(
        "--fine-tune-layers",
        type=fine_tune_layers,
        default=-1,
        help="backbone layers to fine-tune after the head: N, 0 (head only) or auto (default)",
    )
    files.add_argument(
        "--fine-tune-epochs", type=positive_int, help="epochs of fine-tuning (default 10)"
    )
    files.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="random changes while training: flips, rotation, zoom, shifts, contrast, "
        "brightness (images); noise, gain, time shift, time/frequency masks (audio); word "
        "dropout (text). Default on for images and audio, off for text; off lets backbones "
        "train the head on cached features, much faster",
    )
    files.add_argument(
        "--cache",
        action="store_true",
        help="keep decoded images (clips) in memory after one epoch",
    )
    images = train.add_argument_group("images")
    images.add_argument(
        "--image-size", type=image_size, help="square input size (default: from the model)"
    )
    images.add_argument(
        "--color-mode",
        choices=["auto", "rgb", "grayscale"],
        help="default auto: grayscale when every image is stored gray, else rgb",
    )
    audio = train.add_argument_group("audio")
    audio.add_argument(
        "--sample-rate",
        type=sample_rate,
        metavar="HZ",
        help="clips are mixed to mono and resampled to this rate in Hz (default: the "
        "recordings' own rate, at most 16000); the model then takes waveforms at this rate",
    )
    audio.add_argument(
        "--clip-seconds",
        type=clip_seconds,
        metavar="SECONDS",
        help="the model's window: shorter clips are padded, longer ones train on random "
        "windows and are answered from all their windows (default 0 = auto, the 75th "
        "percentile of the durations)",
    )
    audio.add_argument(
        "--features", choices=["log-mel", "mfcc"], help="spectrogram features (default log-mel)"
    )
    audio.add_argument("--n-mels", type=n_mels, metavar="N", help="mel bands (default 64)")
    add_text_options(train)
    add_continue_options(train)  # --continue-from RUN: train a saved model further
    return train


def add_table_options(train: argparse.ArgumentParser) -> None:
    """A table network's options (``MLPConfig``): its numeric embedding and its efficient
    ensemble; auto: chosen from the table, as the log then says."""
    from automl_gui.core.models.config import MAX_BINS, MAX_ENSEMBLE, NUMERIC_EMBEDDINGS

    table = train.add_argument_group(
        "tables", "the network's numeric inputs and ensemble (an AutoML search chooses these)"
    )
    table.add_argument(
        "--numeric-embedding",
        choices=NUMERIC_EMBEDDINGS,
        help="how numeric columns enter the network: none (scaled numbers), piecewise "
        "(piecewise-linear encoding on quantile bins) or periodic (sin/cos of learned "
        "frequencies), Gorishniy et al. 2022 (default auto)",
    )
    table.add_argument(
        "--n-bins",
        type=n_bins,
        metavar="N",
        help=f"quantile bins per numeric column for the piecewise embedding: 1-{MAX_BINS} or "
        "auto (default)",
    )
    table.add_argument(
        "--ensemble-size",
        type=ensemble_size,
        metavar="N",
        help=f"efficient-ensemble members sharing the network's weights (TabM, Gorishniy et "
        f"al. 2024): 1 (one network) to {MAX_ENSEMBLE}, or auto (default)",
    )


def add_text_options(train: argparse.ArgumentParser) -> None:
    """The text dataset's options: its columns and how texts are vectorized (0 / auto: decided
    from the network and the training texts, as the log then says)."""
    text = train.add_argument_group("text")
    text.add_argument(
        "--text-column",
        metavar="COL",
        help="the column (JSON Lines: field) holding the texts (default: the wordiest one)",
    )
    text.add_argument(
        "--standardize",
        choices=["lower_and_strip_punctuation", "lower", "strip_punctuation", "none"],
        help="how texts are standardized before splitting (default lower_and_strip_punctuation)",
    )
    text.add_argument(
        "--token-split",
        choices=["whitespace", "character"],
        help="tokens are words (whitespace, default) or characters (languages without spaces)",
    )
    text.add_argument(
        "--max-tokens",
        type=zero_or_int,
        metavar="N",
        help="vocabulary size: the N most frequent tokens/n-grams (0 = auto: "
        f"{tc.AUTO_MAX_TOKENS_BAG:,} for the n-gram MLP, {tc.AUTO_MAX_TOKENS:,} for sequence models)",
    )
    text.add_argument(
        "--ngrams",
        type=zero_or_int,
        metavar="N",
        help=f"n-grams up to N tokens (0 = auto: {tc.AUTO_NGRAMS_BAG} words or "
        f"{tc.AUTO_NGRAMS_CHARACTER} characters for the n-gram MLP, {tc.AUTO_NGRAMS_SEQUENCE} for "
        "sequence models)",
    )
    text.add_argument(
        "--output-mode",
        choices=["auto", "tf_idf", "multi_hot", "count", "int"],
        help=f"what the vectorizer gives the network (auto: {tc.AUTO_OUTPUT_MODE_BAG} for the n-gram MLP, int "
        "token ids for the sepCNN and Transformer)",
    )
    text.add_argument(
        "--sequence-length",
        type=zero_or_int,
        metavar="N",
        help="tokens per text for sequence models (0 = auto: the 95th percentile of the "
        "training texts' lengths, within 16-500)",
    )
    text.add_argument(
        "--word-dropout",
        type=float,
        metavar="RATE",
        help="augmentation: drop this fraction of words at random while training (0-0.5; "
        "default 0 = off, or 0.1 with --augment)",
    )


def train_command(args: argparse.Namespace) -> int:
    """Train one model on ``args.data``, or search models for it (``--model auto`` with
    ``--time-budget`` or ``--trials``): the same steps for every kind of data; what the
    options make of a table or a folder is ``_tables`` or ``_folders``. Returns the exit
    status."""
    from automl_gui.core.models.registry import resolve

    # --text-column: texts, though a table at first sight. Found before the cluster forms
    # (no TensorFlow: a missing or unreadable DATA is said at once, not after the wait for
    # the other workers)
    kind = None if args.continue_from else kind_for_data(args)
    # TF_CONFIG: the strategy is made first, before any other TensorFlow op (_workers.py)
    cluster_plan = start_cluster(args, search=wants_search(args))
    if kind is None:
        return continue_command(args)
    check_checkpoint_options(args)  # takes --resume for the training with --checkpoint-dir
    _check_state_folders(args)
    check_search_options(args, k_fold=not kind.file_based)  # k-fold trials: tables only
    arch = resolve(args.model, kind.name)
    if kind.file_based:
        check_file_options(args, kind, arch)
    else:
        check_kind_options(args, kind)
        check_table_options(args)
    scratch = worker_scratch(args, cluster_plan)  # not the chief: writes to a temporary folder
    try:
        with cluster_errors(cluster_plan):  # another process stopped: say so, not a bug
            return _train(args, kind, arch, cluster_plan, scratch)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _train(
    args: argparse.Namespace, kind: DataKind, arch: Any, cluster_plan: Any, scratch: Any
) -> int:
    """The rest of :func:`train_command`, after the options are checked."""
    from automl_gui.core.jobs import TrainRequest, train

    out = Path(args.out) if args.out else default_run_dir(args.data)
    role = check_search_role(args) if wants_search(args) else None
    if role is None or role.is_chief:  # a search worker never writes --out: its chief does
        out = prepare_out(out, args, train_inputs(args))
    seed = 42 if args.seed is None else args.seed
    cancel = CancelToken()
    make_setup = folder_setup if kind.file_based else table_setup
    setup = make_setup(args, kind, arch, seed, cancel)

    training = setup.training
    if args.batch_size:
        training.batch_size = args.batch_size
    if args.time_budget:
        training.time_budget = args.time_budget
    if args.class_weights:
        training.class_weights = args.class_weights
    if args.weight_decay is not None:
        training.weight_decay = args.weight_decay
    training.refit = training.refit or args.refit
    plan = cluster_plan or device_plan(force_cpu=args.cpu)
    if wants_search(args):
        say(args, f"Device: {plan.device_label} ({plan.reason}). Model: AutoML search.")
        return run_search(args, kind, setup, training, plan, out)
    say(args, f"Device: {plan.device_label} ({plan.reason}).{setup.model_note}")

    request = TrainRequest(
        kind,
        setup.dataset,
        setup.preprocess,
        setup.model,
        training,
        plan=plan,
        **checkpoint_options(args),  # --checkpoint-dir, --resume
    )
    run = interruptible(cancel, train, request, on_event=printer(args))
    if run.result.stopped_reason == "cancelled":
        say(args, f"Stopped by {stopped_by()}: keeping the best weights so far.")
    if scratch is not None:  # not the chief: the chief saves the same model
        return finish_worker(cluster_plan, scratch)
    # a file run's test predictions name the files; a table's are its own rows again
    save_run(
        run,
        out,
        overwrite=args.overwrite,
        inputs=train_inputs(args),
        test_predictions=kind.file_based,
        data=args.data,
    )
    return EXIT_OK


def _check_state_folders(args: argparse.Namespace) -> None:
    """--checkpoint-dir and --search-dir are written during the work: a read-only or full
    disk there is found now, not after the first epoch or trial."""
    from automl_gui.core.export.outputs import check_writable

    for folder in (getattr(args, "checkpoint_dir", None), getattr(args, "search_dir", None)):
        if folder:
            check_writable(Path(folder).expanduser() / "state")
