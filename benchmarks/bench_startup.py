"""Startup: from process start to the main window shown, in a fresh interpreter.

The child runs the real entry point (``automl_gui.__main__.main([])``, what ``automl-gui``
runs) with one hook: ``QWidget.show`` is wrapped so that, once the main window's ``show()``
has returned, a zero-delay timer records the moment the event loop has processed the show
(and the first paint), then exits at once. Two clocks: from the first line of the ``-c``
code (``time.perf_counter``), and from just before the parent spawns ``python`` (wall clock,
so interpreter start-up counts too). Each run uses a fresh, empty settings folder (first
launch). Median of 5 runs after one warm-up run; target ≤ 1.5 s. Also reports whether
TensorFlow had been imported when ``show()`` returned (it must not have been; the engine
starts loading in the background only after that).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

from _common import REPO, Unavailable, result, run_main

NAME = "startup"
TARGET = 1.5
RUNS = 5

CHILD = r"""
import time
_t0 = time.perf_counter()
import json, os, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMainWindow, QWidget

_orig_show = QWidget.show
_done = []
_tf_at_show = []

def _report():
    print("BENCH_STARTUP " + json.dumps({
        "in_process_s": time.perf_counter() - _t0,
        "wall_end": time.time(),
        "tensorflow_imported": _tf_at_show[0],
        "tensorflow_imported_at_report": "tensorflow" in sys.modules,
        "window": type(_done[0]).__name__,
    }), flush=True)
    os._exit(0)

def _show(self):
    _orig_show(self)
    if isinstance(self, QMainWindow) and not _done:
        _done.append(self)
        _tf_at_show.append("tensorflow" in sys.modules)
        QTimer.singleShot(0, _report)

QWidget.show = _show
from automl_gui.__main__ import main
main([])
print("BENCH_STARTUP_NO_WINDOW", flush=True)
"""


def _one_run(env: dict[str, str]) -> dict:
    wall_start = time.time()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=REPO,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_STARTUP "):
            data = json.loads(line.split(" ", 1)[1])
            data["spawn_to_shown_s"] = data.pop("wall_end") - wall_start
            return data
    tail = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
    raise Unavailable(f"the window never showed: {tail[:200]}")


def body() -> dict:
    runs = []
    with tempfile.TemporaryDirectory(prefix="automl-bench-startup-") as tmp:
        for i in range(RUNS + 1):
            home = os.path.join(tmp, f"run{i}")
            os.makedirs(home)
            env = dict(os.environ, XDG_CONFIG_HOME=home, XDG_CACHE_HOME=home)
            env.setdefault("QT_QPA_PLATFORM", "offscreen")
            runs.append(_one_run(env))
    runs = runs[1:]  # the first run warms the disk cache
    spawn = [r["spawn_to_shown_s"] for r in runs]
    inproc = [r["in_process_s"] for r in runs]
    tf_loaded = any(r["tensorflow_imported"] for r in runs)
    value = statistics.median(spawn)
    return result(
        NAME,
        "spawn→shown median",
        round(value, 3),
        "s",
        f"<= {TARGET} s, no TensorFlow",
        value <= TARGET and not tf_loaded,
        summary=(
            f"{value:.2f} s from spawn ({statistics.median(inproc):.2f} s in process), "
            f"TensorFlow {'imported' if tf_loaded else 'not imported'}"
        ),
        spawn_to_shown_s=[round(x, 3) for x in spawn],
        in_process_s=[round(x, 3) for x in inproc],
        in_process_median_s=round(statistics.median(inproc), 3),
        tensorflow_imported=tf_loaded,
        window=runs[0]["window"],
    )


def main() -> int:
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())
