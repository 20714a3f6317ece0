"""Native stderr chatter is hidden while TensorFlow loads, but shown when loading fails."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import os, sys
from automl_gui.core.base.lazy import quiet_native_stderr
with quiet_native_stderr():
    os.write(2, b"chatter from C++\\n")
print("after", flush=True)
try:
    with quiet_native_stderr():
        os.write(2, b"the real reason\\n")
        raise ImportError("boom")
except ImportError:
    pass
"""


def test_chatter_is_hidden_and_replayed_on_failure():
    proc = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert proc.returncode == 0
    assert "after" in proc.stdout
    assert "chatter from C++" not in proc.stderr
    assert "the real reason" in proc.stderr
