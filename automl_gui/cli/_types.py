"""The command line's argument types: positive numbers, ranges, ``auto`` or a count, with
a plain message for a bad value (argparse prints it with the usage line)."""

from __future__ import annotations

import argparse


def positive(cast: type, noun: str):
    """An argparse type: a positive ``cast`` (int or float) with a plain message otherwise."""

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {noun}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {value}")
        return value

    return parse


positive_int = positive(int, "a whole number")
positive_float = positive(float, "a number")


def epochs(text: str) -> int:
    """``auto`` or 0 (0: the kind's Auto, from the data's size) or a positive whole number."""
    if text.strip().lower() == "auto":
        return 0
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number or 'auto'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 'auto' (or 0) or a positive number, got {value}")
    return value


def zero_or_int(text: str) -> int:
    """A whole number ≥ 0 (0: automatic)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (auto) or more, got {value}")
    return value


def fine_tune_layers(text: str) -> int:
    """``auto`` (-1) or a whole number ≥ 0."""
    if text.strip().lower() == "auto":
        return -1
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number or 'auto'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def ranged(cast: type, noun: str, low: float, high: float, unit: str = ""):
    """An argparse type: ``cast`` between ``low`` and ``high`` (inclusive)."""

    def parse(text: str):
        try:
            value = cast(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {noun}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be between {low:g}{unit} and {high:g}{unit}, got {value:g}{unit}"
            )
        return value

    return parse


def sample_rate(text: str) -> int:
    from automl_gui.core.preprocess.audio_config import MAX_SAMPLE_RATE, MIN_SAMPLE_RATE

    return ranged(int, "a whole number of Hz", MIN_SAMPLE_RATE, MAX_SAMPLE_RATE, " Hz")(text)


def clip_seconds(text: str) -> float:
    from automl_gui.core.preprocess.audio_config import MAX_CLIP_SECONDS

    return ranged(float, "a number of seconds", 0, MAX_CLIP_SECONDS, " s")(text)


n_mels = ranged(int, "a whole number", 8, 256)


def image_size(text: str) -> int:
    from automl_gui.core.preprocess.image_config import MAX_IMAGE_SIZE, MIN_IMAGE_SIZE

    return ranged(int, "a whole number", MIN_IMAGE_SIZE, MAX_IMAGE_SIZE)(text)


def listed(cast: type, noun: str):
    """An argparse type: a comma-separated list of ``cast`` values."""

    def parse(text: str) -> tuple:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            raise argparse.ArgumentTypeError(f"give at least one {noun}")
        try:
            return tuple(cast(p) for p in parts)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a list of {noun}s") from None

    return parse


def auto_or_count(low: int, high: int):
    """An argparse type: ``auto`` (0) or a whole number from ``low`` to ``high``."""

    def parse(text: str) -> int:
        if text.strip().lower() == "auto":
            return 0
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not 'auto' or a whole number") from None
        if value == 0:
            return 0  # the config's own "auto"
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be 'auto' or from {low} to {high}, got {value}")
        return value

    return parse


def ensemble_size(text: str) -> int:
    from automl_gui.core.models.config import MAX_ENSEMBLE

    return auto_or_count(1, MAX_ENSEMBLE)(text)


def n_bins(text: str) -> int:
    from automl_gui.core.models.config import MAX_BINS

    return auto_or_count(1, MAX_BINS)(text)


weight_decay = ranged(float, "a number", 0.0, 1.0)
