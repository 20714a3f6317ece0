"""Folders the app writes (run folders, exports) get a new folder's usual permissions, the
umask's, not the owner-only 0700 of a temporary folder (issue 19 review: a run folder a
container's root or a batch account wrote could not be opened by anyone else)."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from automl_gui.core.export.outputs import commit_dir, temp_dir_beside


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_a_written_folder_follows_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        out = tmp_path / "run"
        tmp = temp_dir_beside(out)
        (tmp / "model.keras").write_text("x")
        commit_dir(tmp, out, overwrite=False)
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~umask
    assert list(tmp_path.iterdir()) == [out]
