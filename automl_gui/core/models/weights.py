"""Pretrained weights: find them on this computer, or download, verify and cache them.

Lookup order for a backbone's weights file (names and checksums in
``models/pretrained/manifest.json``): the configured folder, then ``models/pretrained/``
beside the package, then the Keras cache (``$KERAS_HOME/models`` or ``~/.keras/models``).
Missing everywhere: download it (progress events, cancel, checksum) into the Keras cache.
Offline or failed: :class:`WeightsMissingError` says which file, where it comes from and
where to put it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from automl_gui.core.errors import ModelError
from automl_gui.core.events import CancelToken, EventCallback


@dataclass(frozen=True)
class WeightsSpec:
    """One manifest entry: the file a backbone needs."""

    architecture: str
    file_name: str
    url: str
    hash: str | None  # hex digest, None = not verified
    hash_algorithm: str = "sha256"  # "sha256" or "md5" (Keras publishes md5 for these files)
    size_bytes: int | None = None


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


def manifest() -> dict[str, WeightsSpec]:
    """The manifest's entries by architecture."""
    raise NotImplementedError


def search_folders(configured: str | None = None) -> list[Path]:
    """Where weights are looked for, in order (configured folder, models/pretrained, cache)."""
    raise NotImplementedError


def find_weights(architecture: str, configured: str | None = None) -> Path | None:
    """The first matching file in :func:`search_folders` (checksum verified), or None."""
    raise NotImplementedError


def download_weights(
    architecture: str,
    *,
    url: str | None = None,
    destination: Path | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download the weights (``url`` overrides the manifest's, for tests), verify, cache.

    Emits ``Progress("download", fraction, "Downloading resnet50 weights… 12.3 / 94.7 MB")``.
    Writes to a temporary file and renames it only after the checksum matched.

    Raises:
        WeightsMissingError: offline, HTTP error, checksum mismatch (file removed).
        CancelledError: cancelled (partial file removed).
    """
    raise NotImplementedError


def resolve_weights(
    architecture: str,
    *,
    weights_path: str = "",
    configured: str | None = None,
    allow_download: bool = True,
    url: str | None = None,
    on_event: EventCallback | None = None,
    cancel: CancelToken | None = None,
) -> Path:
    """The weights file to load: the user's file, else :func:`find_weights`, else download.

    Raises:
        WeightsMissingError: not found and not downloadable (or ``allow_download`` off).
        ModelError: ``weights_path`` given but missing/unreadable.
    """
    raise NotImplementedError
