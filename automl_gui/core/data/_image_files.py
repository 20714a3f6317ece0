"""Image files in bulk: the shared listing and parallel checking (``_media_files``) bound to
images (their extensions, ``check_image``, "images" in progress messages)."""

from __future__ import annotations

import os

from automl_gui.core.base.events import CancelToken, EventCallback
from automl_gui.core.data._image_check import BadImageError, check_image
from automl_gui.core.data._media_csv import IMAGE_EXTENSIONS
from automl_gui.core.data._media_files import PROGRESS_INTERVAL, count_files
from automl_gui.core.data._media_files import Walker as MediaWalker
from automl_gui.core.data._media_files import check_files as check_media_files

__all__ = ["PROGRESS_INTERVAL", "CheckResult", "Walker", "check_files", "check_one", "count_files"]

CheckResult = tuple[int, int, str, str] | str  # (width, height, mode, format) or a bad reason


class Walker(MediaWalker):
    """Lists image files under folders, counting hidden and non-image files on the way."""

    def __init__(self, on_event: EventCallback | None, cancel: CancelToken | None) -> None:
        super().__init__(on_event, cancel, extensions=IMAGE_EXTENSIONS, plural="images")

    def images_under(self, folder: str) -> list[str]:
        """All image files under ``folder``, nested subfolders included."""
        return self.files_under(folder)


def check_files(
    paths: list[str], on_event: EventCallback | None, cancel: CancelToken | None
) -> list[CheckResult]:
    """``check_image`` on every path, in parallel (I/O bound), results in the paths' order."""
    return check_media_files(paths, on_event, cancel, check=check_one, plural="images")


def check_one(path: str) -> CheckResult:
    """``check_image``'s answer, or its reason as a string."""
    try:
        return check_image(os.fspath(path))
    except BadImageError as exc:
        return str(exc)
