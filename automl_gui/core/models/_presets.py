"""KerasHub preset folders on this computer: what one holds and where the weights lookup
finds one. TensorFlow-free (nothing is loaded here; ``_text_pretrained`` loads the preset).

A preset folder is what ``keras_hub.models.Backbone.save_to_preset`` (plus the tokenizer's
``save_to_preset``) writes and what a KerasHub preset download unpacks to, for example
``bert_tiny_en_uncased/``: ``config.json`` (the backbone), ``model.weights.h5`` (or a
sharded ``model.weights.json`` index with its shards), ``tokenizer.json`` and
``assets/tokenizer/`` (the vocabulary). ``metadata.json`` and ``preprocessor.json`` may be
there too; they are not needed.

``weights.find_weights`` / ``resolve_weights`` look for one in the same folders as the image
backbones' files (the configured folder or ``$AUTOML_GUI_WEIGHTS``, ``models/pretrained/``,
the Keras cache): a folder that is itself a preset, then its subfolder named as in the
manifest (``text_model``), then its other subfolders by name. Nothing is ever downloaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from automl_gui.core.base.errors import ModelError

CONFIG = "config.json"
TOKENIZER = "tokenizer.json"
#: one of these holds the weights: a single file, or the index of a sharded save
WEIGHTS = ("model.weights.h5", "model.weights.json")
ASSETS = Path("assets") / "tokenizer"
#: config files larger than this are not a preset's (they are read whole)
MAX_CONFIG_BYTES = 4 * 2**20
#: subfolders of one search folder looked at, at most (a configured folder may be large)
MAX_SUBFOLDERS = 200

LAYOUT = (
    "a KerasHub preset folder (for example bert_tiny_en_uncased/) holding config.json, "
    "model.weights.h5, tokenizer.json and assets/tokenizer/ (its vocabulary), as "
    "keras_hub's save_to_preset writes it"
)


def _registered(path: Path) -> str:
    """The ``registered_name`` of a KerasHub config file ("" when it has none).

    Raises:
        ValueError: unreadable, too large or not JSON (the message says which).
    """
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ValueError(f"{path.name} is too large for a preset's config")
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path.name} cannot be read ({exc})") from None
    name = data.get("registered_name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


def preset_problem(folder: Path) -> str | None:
    """What keeps ``folder`` from being a KerasHub text preset (a phrase), or None."""
    folder = Path(folder)
    if not folder.is_dir():
        return "is not a folder" if folder.exists() else "does not exist"
    if not (folder / CONFIG).is_file():
        return f"has no {CONFIG} (the backbone's settings)"
    try:
        backbone = _registered(folder / CONFIG)
        if not backbone.startswith("keras_hub>"):
            return f"holds a {CONFIG} that is not a KerasHub model's"
        if not any((folder / name).is_file() for name in WEIGHTS):
            return f"has no {' or '.join(WEIGHTS)} (the weights)"
        if not (folder / TOKENIZER).is_file():
            return f"has no {TOKENIZER} (a text model needs its tokenizer)"
        if not _registered(folder / TOKENIZER).startswith("keras_hub>"):
            return f"holds a {TOKENIZER} that is not a KerasHub tokenizer's"
    except ValueError as exc:
        return f"holds a damaged file: {exc}"
    assets = folder / ASSETS
    if not assets.is_dir() or not any(assets.iterdir()):
        return f"has no {ASSETS.as_posix()}/ (the tokenizer's vocabulary)"
    return None


def check_preset(folder: str | Path) -> Path:
    """``folder`` as a Path once it is a KerasHub text preset.

    Raises:
        ModelError: it is not one; the message says what is missing, the hint the layout.
    """
    path = Path(folder).expanduser()
    problem = preset_problem(path)
    if problem is not None:
        raise ModelError(
            f"The pretrained text model folder {path} {problem}.",
            f"Choose {LAYOUT}.",
        )
    return path


def _candidates(folder: Path, name: str) -> list[Path]:
    """``folder`` itself, ``folder/name``, then ``folder``'s other subfolders by name."""
    out = [folder, folder / name]
    try:
        with os.scandir(folder) as entries:
            subfolders = sorted(e.name for e in entries if e.is_dir() and e.name != name)
    except OSError:
        subfolders = []
    return out + [folder / sub for sub in subfolders[:MAX_SUBFOLDERS]]


def find_preset(folders: list[Path], name: str) -> tuple[Path | None, list[str]]:
    """The first KerasHub text preset in ``folders`` (see the module's docstring), and a
    sentence for each folder that looked like a preset (it has a ``config.json``) but is not
    one, so the log can say why it was skipped."""
    skipped: list[str] = []
    for folder in folders:
        for candidate in _candidates(Path(folder), name):
            if not (candidate / CONFIG).is_file():
                continue
            problem = preset_problem(candidate)
            if problem is None:
                return candidate, skipped
            skipped.append(f"Skipped {candidate}: it {problem}.")
    return None, skipped


def missing_text(folders: list[Path], name: str) -> tuple[str, str]:
    """(message, hint) when no preset was found in ``folders``: short, naming the ways to
    give one (the folder itself: ``--weights`` or the Model page's Folder; else a folder
    searched, with the subfolder name the lookup tries first)."""
    places = ", ".join(str(f) for f in folders)
    into = f"{folders[0] / name}/" if folders else f"{name}/"
    return (
        "No pretrained text model found: no KerasHub preset folder (config.json, "
        f"model.weights.h5, tokenizer.json, assets/tokenizer/) in {places}.",
        "Choose the preset folder itself (--weights FOLDER, or Folder on the Model page), "
        f"or copy it to {into}",
    )


__all__ = ["LAYOUT", "check_preset", "find_preset", "missing_text", "preset_problem"]
