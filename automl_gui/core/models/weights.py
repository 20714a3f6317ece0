"""Pretrained weights: find them on this computer, or download, verify and cache them.

Lookup order for a backbone's weights file (names and checksums in
``models/pretrained/manifest.json``): the configured folder (or ``$AUTOML_GUI_WEIGHTS``), then
``models/pretrained/`` beside the package, then the Keras cache (``$KERAS_HOME/models`` or
``~/.keras/models``). Missing everywhere: download it (progress events, cancel, checksum) into
the Keras cache. Offline or failed: :class:`WeightsMissingError` says which file, where it
comes from and where to put it. A pretrained text model is a KerasHub preset folder, not a
file (the manifest's ``presets``; ``_presets``): looked for in the same folders, never
downloaded.

Checksums: the manifest's ``sha256`` when it has one, else the MD5 Keras itself checks
(``keras_md5``). A file with the right name but the wrong checksum (a damaged or partial
copy) is skipped with a warning ``Log`` event, not an error: a later folder or a fresh
download can still provide a good copy. Verifications are remembered in-process by
(path, size, modification time), so a 90 MB file is hashed once, not at every lookup.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import automl_gui
from automl_gui.core.base.errors import CancelledError, ConfigError, ModelError
from automl_gui.core.base.events import CancelToken, EventCallback, Log, Progress, emit
from automl_gui.core.base.files import atomic_write

#: The repository (or source tree) root: ``models/pretrained`` lives beside the package.
REPO_ROOT = Path(automl_gui.__file__).resolve().parents[1]
PRETRAINED_DIR = REPO_ROOT / "models" / "pretrained"
MANIFEST_PATH = PRETRAINED_DIR / "manifest.json"
ENV_FOLDER = "AUTOML_GUI_WEIGHTS"
CHUNK_BYTES = 256 * 1024
PROGRESS_INTERVAL_S = 0.1  # at most 10 progress events a second
MB = 2**20
DISPLAY_NAMES = {"resnet50": "ResNet50", "inceptionv3": "InceptionV3"}


@dataclass(frozen=True)
class WeightsSpec:
    """One manifest entry: the file a backbone needs."""

    architecture: str
    file_name: str
    url: str
    hash: str | None  # hex digest, None = not verified
    hash_algorithm: str = "sha256"  # "sha256" or "md5" (Keras publishes md5 for these files)
    size_bytes: int | None = None
    folder: bool = False  # a KerasHub preset folder (``_presets``) named file_name, not a file


class WeightsMissingError(ModelError):
    """Pretrained weights could not be found or downloaded.

    Attributes (besides message and hint): ``spec`` (the WeightsSpec), ``folders`` (where we
    looked, in order) and ``destination`` (the folder to put the file in).
    """

    def __init__(
        self,
        message: str,
        hint: str = "",
        spec: WeightsSpec | None = None,
        folders: list[Path] | None = None,
        destination: Path | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.spec = spec
        self.folders = list(folders or [])
        self.destination = destination


def display_name(architecture: str) -> str:
    """ "ResNet50" / "InceptionV3" for messages."""
    return DISPLAY_NAMES.get(architecture, architecture)


def manifest(path: Path | None = None) -> dict[str, WeightsSpec]:
    """The manifest's entries by architecture ("resnet50", "inceptionv3"; "pretrained", the
    text model's KerasHub preset folder).

    The checksum is the entry's ``sha256`` when set, else its ``keras_md5`` (what
    ``keras.utils.get_file`` checks), else None (not verified).

    Raises:
        ModelError: the manifest is missing or damaged.
    """
    path = Path(path or MANIFEST_PATH)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["weights"]
        folders = data.get("presets", [])  # KerasHub preset folders, by architecture
        specs = {
            str(e["architecture"]): WeightsSpec(
                str(e["architecture"]), str(e["folder_name"]), str(e["origin"]), None, folder=True
            )
            for e in folders
        }
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ModelError(
            f"Cannot read the weights manifest {path}: {exc}.",
            "Reinstall the app or restore models/pretrained/manifest.json.",
        ) from None
    for entry in entries:
        architecture = str(entry["backbone"]).lower()
        if entry.get("sha256"):
            digest, algorithm = str(entry["sha256"]).lower(), "sha256"
        elif entry.get("keras_md5"):
            digest, algorithm = str(entry["keras_md5"]).lower(), "md5"
        else:
            digest, algorithm = None, "sha256"
        size = entry.get("size_bytes")
        specs[architecture] = WeightsSpec(
            architecture=architecture,
            file_name=str(entry["file_name"]),
            url=str(entry["origin"]),
            hash=digest,
            hash_algorithm=algorithm,
            size_bytes=int(size) if size else None,
        )
    return specs


def weights_spec(architecture: str) -> WeightsSpec:
    """The manifest entry of ``architecture``.

    Raises:
        ConfigError: no pretrained weights exist for it (e.g. "cnn").
    """
    specs = manifest()
    if architecture not in specs:
        raise ConfigError(
            f"There are no pretrained weights for '{architecture}'.",
            f"Pretrained weights exist for {', '.join(display_name(a) for a in specs)}.",
        )
    return specs[architecture]


def keras_cache_folder() -> Path:
    """Where Keras caches downloaded weights: ``$KERAS_HOME/models`` or ``~/.keras/models``."""
    home = os.environ.get("KERAS_HOME")
    return (Path(home).expanduser() if home else Path.home() / ".keras") / "models"


def search_folders(configured: str | None = None) -> list[Path]:
    """Where weights are looked for, in order: ``configured`` (else ``$AUTOML_GUI_WEIGHTS``),
    ``models/pretrained``, the Keras cache. Duplicates are dropped; folders may not exist."""
    first = configured or os.environ.get(ENV_FOLDER)
    folders = ([Path(first).expanduser()] if first else []) + [PRETRAINED_DIR, keras_cache_folder()]
    unique: list[Path] = []
    for folder in folders:
        if all(os.path.abspath(folder) != os.path.abspath(seen) for seen in unique):
            unique.append(folder)
    return unique


# -- checksums --------------------------------------------------------------------------------
_digests: dict[tuple[str, int, int, str], str] = {}
_digests_lock = threading.Lock()


def _stat_key(path: Path, algorithm: str) -> tuple[str, int, int, str]:
    st = path.stat()
    return (os.path.abspath(path), st.st_size, st.st_mtime_ns, algorithm)


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of ``path``, remembered by (path, size, mtime) so it is computed once."""
    key = _stat_key(path, algorithm)
    with _digests_lock:
        if key in _digests:
            return _digests[key]
    hasher = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(4 * MB), b""):
            hasher.update(chunk)
    digest = hasher.hexdigest()
    with _digests_lock:
        _digests[key] = digest
    return digest


def verify_file(path: Path, spec: WeightsSpec) -> bool:
    """True when ``path`` has ``spec``'s checksum (always True when the spec has none)."""
    if spec.hash is None:
        return True
    return file_digest(path, spec.hash_algorithm) == spec.hash.lower()


def find_weights(
    architecture: str,
    configured: str | None = None,
    *,
    spec: WeightsSpec | None = None,
    on_event: EventCallback | None = None,
) -> Path | None:
    """The first matching file in :func:`search_folders` (checksum verified), or None.

    A file with the exact name but a wrong checksum is skipped with a warning ``Log`` event
    (the next folder, or a download, may have a good copy). ``spec`` overrides the manifest.
    A KerasHub preset folder (``spec.folder``) is found by ``_presets.find_preset``.
    """
    spec = spec or weights_spec(architecture)
    if spec.folder:
        from automl_gui.core.models._presets import find_preset

        found, skipped = find_preset(search_folders(configured), spec.file_name)
        for message in skipped:
            emit(on_event, Log(message, "warning"))
        return found
    for folder in search_folders(configured):
        candidate = folder / spec.file_name
        try:
            if not candidate.is_file():
                continue
            if verify_file(candidate, spec):
                return candidate
        except OSError as exc:
            emit(on_event, Log(f"Skipped {candidate}: cannot read it ({exc}).", "warning"))
            continue
        emit(
            on_event,
            Log(
                f"Skipped {candidate}: its {spec.hash_algorithm.upper()} checksum does not match "
                "the expected one (damaged or incomplete copy?).",
                "warning",
            ),
        )
    return None


# -- download ---------------------------------------------------------------------------------
def _where_hint(spec: WeightsSpec, folders: list[Path]) -> str:
    places = ", ".join(str(f) for f in folders)
    return (
        f"Download {spec.file_name} from {spec.url} on a computer with network access and put "
        f"it in one of these folders (searched in this order): {places}; or choose the file, "
        "or train from scratch."
    )


def _missing(
    message: str, spec: WeightsSpec, configured: str | None, destination: Path
) -> WeightsMissingError:
    folders = search_folders(configured)
    return WeightsMissingError(
        message, _where_hint(spec, folders), spec=spec, folders=folders, destination=destination
    )


def download_weights(
    architecture: str,
    *,
    url: str | None = None,
    destination: Path | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    timeout: float = 30.0,
    spec: WeightsSpec | None = None,
    configured: str | None = None,
) -> Path:
    """Download the weights (``url`` overrides the manifest's, for tests), verify, cache.

    Emits ``Progress("download", fraction, "Downloading ResNet50 weights… 12.3 / 90.4 MB")``
    at most 10 times a second (sizes in MiB). Writes to a temporary file beside the
    destination (the Keras cache folder unless ``destination``, created if missing) and
    renames it only after the checksum matched. ``spec`` overrides the manifest entry;
    ``configured`` is named in error hints as the first folder searched.

    Raises:
        WeightsMissingError: offline, HTTP error, timeout, incomplete download, checksum
            mismatch (file removed), destination not writable.
        CancelledError: cancelled (partial file removed).
    """
    spec = spec or weights_spec(architecture)
    url = url or spec.url
    folder = Path(destination) if destination is not None else keras_cache_folder()
    name = display_name(architecture)
    source = f"{spec.file_name} from {url}"
    target = folder / spec.file_name
    hasher = hashlib.new(spec.hash_algorithm) if spec.hash else None

    def cannot_save(exc: OSError) -> WeightsMissingError:
        return _missing(
            f"Cannot save {name} weights into {folder}: {exc.strerror or exc}.",
            spec,
            configured,
            folder,
        )

    def fetch(part: Path) -> None:
        try:
            handle = open(part, "wb")  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            raise cannot_save(exc) from None
        done = 0
        with handle:
            request = urllib.request.Request(url, headers={"User-Agent": "automl-gui"})
            with urllib.request.urlopen(request, timeout=timeout) as response:
                length = int(response.headers.get("Content-Length") or 0)
                total = length or spec.size_bytes or 0
                last = 0.0
                while True:
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    chunk = response.read(CHUNK_BYTES)
                    if not chunk:
                        break
                    handle.write(chunk)
                    if hasher is not None:
                        hasher.update(chunk)
                    done += len(chunk)
                    now = time.monotonic()
                    if now - last >= PROGRESS_INTERVAL_S:
                        last = now
                        emit(on_event, _progress(name, done, total))
        if length and done != length:
            raise _missing(
                f"The download of {source} stopped early ({done:,} of {length:,} bytes).",
                spec,
                configured,
                folder,
            )
        emit(on_event, _progress(name, done, total or done))
        if hasher is not None and hasher.hexdigest() != str(spec.hash).lower():
            raise _missing(
                f"The downloaded {source} has the wrong {spec.hash_algorithm.upper()} checksum "
                "(damaged download or a changed file); it was deleted.",
                spec,
                configured,
                folder,
            )

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise cannot_save(exc) from None
    try:  # renamed into place only once complete and its checksum matched
        atomic_write(target, fetch)
    except (CancelledError, WeightsMissingError):
        raise
    except urllib.error.HTTPError as exc:
        raise _missing(
            f"Could not download {source}: HTTP {exc.code} {exc.reason}.",
            spec,
            configured,
            folder,
        ) from None
    except (OSError, http.client.HTTPException, ValueError) as exc:  # offline, timeout, bad URL
        reason = getattr(exc, "reason", None) or exc
        raise _missing(
            f"Could not download {source}: {reason}.", spec, configured, folder
        ) from None
    if hasher is not None:
        with _digests_lock:
            _digests[_stat_key(target, spec.hash_algorithm)] = hasher.hexdigest()
    emit(on_event, Log(f"Saved {name} weights to {target}."))
    return target


def _progress(name: str, done: int, total: int) -> Progress:
    if total:
        fraction = min(1.0, done / total)
        text = f"Downloading {name} weights… {done / MB:.1f} / {total / MB:.1f} MB"
        return Progress("download", fraction, text)
    return Progress("download", None, f"Downloading {name} weights… {done / MB:.1f} MB")


def resolve_weights(
    architecture: str,
    *,
    weights_path: str = "",
    configured: str | None = None,
    allow_download: bool = True,
    url: str | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    spec: WeightsSpec | None = None,
    destination: Path | None = None,
    timeout: float = 30.0,
) -> Path:
    """The weights file to load, in this order:

    1. ``weights_path``, the user's own file (used as is: not checksummed, since it may be
       a file of their own; the model builder says if it does not fit);
    2. :func:`find_weights`: ``configured`` (else ``$AUTOML_GUI_WEIGHTS``),
       ``models/pretrained``, the Keras cache, checksum verified;
    3. :func:`download_weights` into the Keras cache (or ``destination``) when
       ``allow_download``.

    ``spec`` overrides the manifest entry and ``url`` its origin (tests).

    Raises:
        WeightsMissingError: not found and not downloadable (or ``allow_download`` off).
        ModelError: ``weights_path`` given but missing/unreadable.
        CancelledError: the download was cancelled.
    """
    if weights_path:
        path = Path(weights_path).expanduser()
        if (spec or weights_spec(architecture)).folder:  # the user's own preset folder
            from automl_gui.core.models._presets import check_preset

            return check_preset(path)
        if not path.is_file():
            raise ModelError(
                f"Weights file not found: {path}.",
                "Choose the file again, or leave the weights file empty to look it up.",
            )
        try:
            with open(path, "rb") as f:
                f.read(8)
        except OSError as exc:
            raise ModelError(
                f"Cannot read the weights file {path}: {exc.strerror or exc}.",
                "Check its permissions, or choose another file.",
            ) from None
        return path
    spec = spec or weights_spec(architecture)
    found = find_weights(architecture, configured, spec=spec, on_event=on_event)
    if found is not None:
        emit(on_event, Log(f"Using {display_name(architecture)} weights from {found}."))
        return found
    if spec.folder:  # a preset folder is never downloaded
        from automl_gui.core.models._presets import missing_text

        folders = search_folders(configured)
        message, hint = missing_text(folders, spec.file_name)
        raise WeightsMissingError(message, hint, spec, folders, destination=folders[0])
    folder = Path(destination) if destination is not None else keras_cache_folder()
    if not allow_download:
        raise _missing(
            f"{display_name(architecture)} weights not found: {spec.file_name} "
            "(downloading is turned off).",
            spec,
            configured,
            folder,
        )
    return download_weights(
        architecture,
        url=url,
        destination=folder,
        on_event=on_event,
        cancel=cancel,
        timeout=timeout,
        spec=spec,
        configured=configured,
    )


__all__ = [
    "WeightsMissingError",
    "WeightsSpec",
    "download_weights",
    "find_weights",
    "keras_cache_folder",
    "manifest",
    "resolve_weights",
    "search_folders",
    "weights_spec",
]
