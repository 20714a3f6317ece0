"""Wide and odd tables through the real window: how long the UI thread is blocked per step.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_wide_ui.py            # all
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_wide_ui.py wide mixed  # some
    BENCH_STACKS=1 ... bench_wide_ui.py wide      # also print where the UI thread stalled

Cases (generated into ``benchmarks/.cache/wide_ui/``):

- ``wide``: 500 rows × 20,000 numeric columns and a binary ``target``;
- ``mixed``: 500 rows × 1,950 numeric and 50 category columns and a binary ``target``;
- ``labels``: a Parquet table whose text ``label`` target holds '1', '1.0', ' 1 ' and '2'
  (the label-merge warning; a CSV reader would parse them as numbers);
- ``bigcell``: a CSV with one 2 MB cell (refused by ``read_table``; the message must show);
- ``fifo``: a named pipe called ``x.csv`` (refused at once, nothing waits on it).

Each case goes through the window as a user would: ``MainWindow.open_path`` (File → Open and
drops end there), then Data → Preprocess → Model → Train (2 epochs, ``start_training``) →
Evaluate → Predict (``PredictPage.predict_file`` on the same file). A precise 20 ms
``QTimer`` heartbeat records its ticks; each step reports the longest the UI thread went
without a tick (the gap minus 20 ms) and how long the step's own synchronous calls took.
A watchdog thread samples the UI thread's Python stack whenever a tick is over 150 ms late
(``BENCH_STACKS=1`` prints the samples): that is how the stalls are traced to their code.
Collections over 50 ms are listed per step (a full collection holds the GIL: the UI thread
waits for it whichever thread runs it). ``--until STEP`` stops each case after that step.

Target: on the 20,000-column table, no step blocks the UI thread longer than 200 ms.
"""

from __future__ import annotations

import faulthandler
import gc
import json
import os
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from _common import CACHE, Unavailable, result, run_main

NAME = "wide_ui"
INTERVAL_MS = 20
STALL_MS = 150  # a tick this late gets its UI-thread stack sampled
TARGET_MS = 200.0
CASES = ("wide", "mixed", "labels", "bigcell", "fifo")
STEPS = ("open", "data", "preprocess", "model", "train", "evaluate", "predict")


# -- data ------------------------------------------------------------------------------------
def make_wide(path: Path, width: int = 20_000, rows: int = 500) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    x = np.round(rng.normal(size=(rows, width)), 3)
    df = pd.DataFrame(x, columns=[f"g{i:05d}" for i in range(width)])
    df["target"] = np.where(x[:, :10].sum(axis=1) > 0, "yes", "no")
    df.to_csv(path, index=False)
    return path


def make_mixed(path: Path, numeric: int = 1_950, categories: int = 50, rows: int = 500) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(1)
    x = np.round(rng.normal(size=(rows, numeric)), 3)
    cols: dict[str, object] = {f"n{i:04d}": x[:, i] for i in range(numeric)}
    for j in range(categories):
        values = [f"v{j}_{k}" for k in range(3 + j % 8)]
        cols[f"cat{j:02d}"] = rng.choice(values, rows)
    df = pd.DataFrame(cols)
    df["target"] = np.where(x[:, :5].sum(axis=1) > 0, "yes", "no")
    df.to_csv(path, index=False)
    return path


def make_labels(path: Path, rows: int = 240) -> Path:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2)
    x = rng.normal(size=(rows, 3))
    one = np.array(["1", "1.0", " 1 "])[rng.integers(0, 3, rows)]
    label = np.where(x[:, 0] > 0, "2", one)
    df = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "label": label})
    df.to_parquet(path, index=False)  # a CSV reader would parse the labels as numbers
    return path


def make_bigcell(path: Path, rows: int = 50) -> Path:
    lines = ["x,y,label"] + [f"{i},{i % 7},{'yes' if i % 2 else 'no'}" for i in range(rows)]
    lines[5] = f"4,{'z' * (2 * 1024 * 1024)},no"
    path.write_text("\n".join(lines) + "\n")
    return path


def make_fifo(path: Path) -> Path:
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)
    return path


def dataset(case: str, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    makers = {
        "wide": ("wide_20000.csv", make_wide),
        "mixed": ("mixed_2000.csv", make_mixed),
        "labels": ("labels.parquet", make_labels),
        "bigcell": ("bigcell.csv", make_bigcell),
    }
    if case == "fifo":
        return make_fifo(Path(tempfile.mkdtemp(prefix="automl-fifo-")) / "x.csv")
    name, make = makers[case]
    path = folder / name
    if not path.exists():
        part = path.with_name(path.name + ".part")
        make(part)
        part.rename(path)
    return path


# -- measuring -------------------------------------------------------------------------------
class Heartbeat:
    """A precise 20 ms timer; a watchdog thread samples the UI thread's stack in a stall."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.last = time.perf_counter()
        self.step = ""
        self.worst: dict[str, float] = {}
        self.stacks: list[tuple[str, float, str]] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self._tick)
        self.gc_ms: dict[str, list[str]] = {}  # collections over 50 ms, per step
        self._gc_start = 0.0
        self._gc_count = (0, 0, 0)
        self._gc_cpu = 0.0
        gc.callbacks.append(self._on_gc)
        self._main = threading.main_thread().ident
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._watchdog, daemon=True)

    def _on_gc(self, phase: str, info: dict) -> None:
        """Full collections hold the GIL: the UI thread waits for them too."""
        if phase == "start":
            self._gc_start = time.perf_counter()
            self._gc_cpu = time.thread_time()
            self._gc_count = gc.get_count()
            return
        ms = round((time.perf_counter() - self._gc_start) * 1000)
        if ms >= 50 and self.step:
            cpu = round((time.thread_time() - self._gc_cpu) * 1000)
            what = (
                f"{ms} ms, {cpu} ms CPU (generation {info['generation']}, "
                f"objects {self._gc_count[0]:,}, collected {info['collected']:,})"
            )
            self.gc_ms.setdefault(self.step, []).append(what)

    def start(self) -> None:
        self.last = time.perf_counter()
        self.timer.start()
        self._watch.start()

    def stop(self) -> None:
        self.timer.stop()
        gc.callbacks.remove(self._on_gc)
        self._stop.set()

    def begin(self, step: str) -> None:
        self._tick()
        self.step = step
        self.worst.setdefault(step, 0.0)

    def _tick(self) -> None:
        now = time.perf_counter()
        late = (now - self.last) * 1000 - INTERVAL_MS
        if self.step:
            self.worst[self.step] = max(self.worst.get(self.step, 0.0), late)
        self.last = now

    def _watchdog(self) -> None:
        """While the UI thread is late, sample every thread's stack every 50 ms."""
        stall: dict | None = None
        while not self._stop.wait(0.05):
            last = self.last
            late = (time.perf_counter() - last) * 1000 - INTERVAL_MS
            if stall is not None and stall["last"] != last:  # it ticked again: stall over
                self.stacks.append((stall["step"], stall["late"], _summary(stall["samples"])))
                stall = None
            if late < STALL_MS:
                continue
            if stall is None:
                stall = {"last": last, "step": self.step, "late": 0, "samples": []}
            stall["late"] = round(late)
            stall["samples"].append(_sample(self._main))


def _where(frame, ours_only: bool) -> str:
    """The innermost frames of a stack, ours first (file:line function)."""
    lines = []
    for f, lineno in traceback.walk_stack(frame):
        name = f.f_code.co_filename
        if ours_only and "automl_gui" not in name:
            continue
        lines.append(f"{Path(name).name}:{lineno} {f.f_code.co_name}")
        if len(lines) == 3:
            break
    return " < ".join(lines) or "(Qt, no Python frame of ours)"


def _sample(main: int | None) -> str:
    frames = sys._current_frames()
    try:
        here = threading.get_ident()
        ui = _where(frames[main], True) if main in frames else "?"
        others = [_where(f, False) for ident, f in frames.items() if ident not in (main, here)]
    finally:
        # this frame is in the dict it holds: a cycle that kept the other threads' frames
        # (and all their locals) alive until a collection, and made that collection slow
        frames.clear()
    busy = [o for o in others if "wait" not in o and "_bootstrap" not in o.split(" < ")[0]]
    return f"UI: {ui}" + (f"\n      other: {busy[0]}" if busy else "")


def _summary(samples: list[str]) -> str:
    from collections import Counter

    counts = Counter(samples).most_common(4)
    return "\n".join(f"  {n}× {text}" for n, text in counts)


def run_loop(condition, timeout: float) -> bool:
    """Run the event loop until ``condition()`` or ``timeout`` seconds; whether it held."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return True
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: condition() and loop.quit())
    QTimer.singleShot(int(timeout * 1000), loop.quit)
    poll.start()
    loop.exec()
    poll.stop()
    return bool(condition())


def idle(seconds: float = 0.4) -> None:
    run_loop(lambda: False, seconds)


def walk(window, case: str, path: Path, beat: Heartbeat, shown: list, until: str) -> dict:
    """Open ``path`` through the window and go through the steps up to ``until``."""
    state = window.state
    out: dict = {"calls_ms": {}, "outcome": ""}
    failed: list[str] = []
    window.data_page.load_failed.connect(lambda m, h: failed.append(f"{m} {h}".strip()))

    def timed(step: str, fn, *args):
        t0 = time.perf_counter()
        value = fn(*args)
        ms = (time.perf_counter() - t0) * 1000
        out["calls_ms"][step] = round(out["calls_ms"].get(step, 0.0) + ms, 1)
        return value

    beat.begin(f"{case}:open")
    opened = timed("open", window.open_path, str(path))
    if opened:
        run_loop(
            lambda: (
                bool(failed)
                or (state.settings().preprocess is not None and not window.data_page.is_busy)
            ),
            600,
        )
    idle()
    if not opened or failed:
        out["outcome"] = "refused: " + (failed[0] if failed else " / ".join(shown[-1:]))
        out["banner"] = window.data_page.banner.text if failed else window.banner.text
        return out
    out["columns"] = len(state.dataset.df.columns)
    out["warnings"] = len(state.warnings)
    out["label_merge"] = any(w.code == "label_merge" for w in state.warnings)
    last = STEPS.index(until)
    for step in ("data", "preprocess", "model"):
        if STEPS.index(step) > last:
            out["outcome"] = f"stopped after {until}"
            return out
        beat.begin(f"{case}:{step}")
        timed(step, window.go_to, step)
        timed(step, window.grab)  # paint it, as the screen would
        idle()
    if last < STEPS.index("train"):
        out["outcome"] = f"stopped after {until}"
        return out
    state.training.epochs = 2
    state.training.early_stopping = False
    state.notify_model_changed()
    beat.begin(f"{case}:train")
    timed("train", window.go_to, "train")
    page = window.train_page
    timed("train", page.start_training)
    if not page.is_training():
        out["outcome"] = f"training did not start: {page.start_blocker()}"
        return out
    run_loop(lambda: not page.is_training(), 900)
    idle()
    if state.run is None:
        out["outcome"] = "training ended without a run"
        return out
    if last < STEPS.index("evaluate"):
        out["outcome"] = f"stopped after {until}"
        return out
    beat.begin(f"{case}:evaluate")
    timed("evaluate", window.go_to, "evaluate")
    timed("evaluate", window.grab)
    idle()
    if last < STEPS.index("predict"):
        out["outcome"] = f"stopped after {until}"
        return out
    beat.begin(f"{case}:predict")
    predict = window.pages["predict"]
    answers: list = []
    predict.predictions_ready.connect(answers.append)
    predict.prediction_failed.connect(lambda m, h: answers.append(m))
    timed("predict", predict.predict_file, str(path))
    run_loop(lambda: bool(answers), 600)
    timed("predict", window.go_to, "predict")
    timed("predict", window.grab)
    idle()
    out["outcome"] = "ok" if answers and not isinstance(answers[0], str) else f"{answers[:1]}"
    return out


def body() -> dict:
    faulthandler.dump_traceback_later(1700, exit=True)
    args = sys.argv[1:]
    cases = [a for a in args if a in CASES] or list(CASES)
    until = args[args.index("--until") + 1] if "--until" in args else STEPS[-1]
    from PySide6.QtCore import QSettings

    from automl_gui.gui.app import create_application
    from automl_gui.gui.dialogs import messages
    from automl_gui.gui.main_window import MainWindow

    shown: list[str] = []
    messages.show_error = lambda _p, _t, m, h="": shown.append(f"{m} {h}".strip())
    _app = create_application([])  # noqa: F841 - kept alive for the run
    tmp = Path(tempfile.mkdtemp(prefix="automl-bench-wide-ui-"))
    os.environ.setdefault("AUTOML_GUI_DATA_DIR", str(tmp / "data"))
    paths = {case: dataset(case, CACHE / "wide_ui") for case in cases}
    settings = QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, load_engine=True)
    window.resize(1400, 900)
    window.show()
    if not run_loop(lambda: window.state.engine_ready, 300):
        raise Unavailable("the engine (TensorFlow) did not load in 300 s")
    idle(1.0)
    beat = Heartbeat()
    beat.start()
    details: dict = {}
    for case in cases:
        t0 = time.perf_counter()
        details[case] = walk(window, case, paths[case], beat, shown, until)
        details[case]["seconds"] = round(time.perf_counter() - t0, 1)
        details[case]["worst_ms"] = {
            k.split(":")[1]: round(v) for k, v in beat.worst.items() if k.startswith(case + ":")
        }
        details[case]["gc_over_50ms"] = {
            k.split(":")[1]: v for k, v in beat.gc_ms.items() if k.startswith(case + ":")
        }
        print(case, json.dumps(details[case]), file=sys.stderr, flush=True)
    beat.stop()
    for page in (window.train_page, window.pages["predict"]):
        page.wait_idle(60000)
    window.close()
    if os.environ.get("BENCH_STACKS"):
        for step, late, stack in beat.stacks:
            if late >= TARGET_MS:
                print(f"--- {step}: {late} ms late, sampled every 50 ms:\n{stack}", file=sys.stderr)
    wide = details.get("wide", {}).get("worst_ms", {})
    worst = (
        max(wide.values())
        if wide
        else max((max(d["worst_ms"].values(), default=0) for d in details.values()), default=0)
    )
    summary = ", ".join(
        f"{case} {max(d['worst_ms'].values(), default=0)} ms" for case, d in details.items()
    )
    return result(
        NAME,
        "worst UI block (20,000 columns)" if wide else "worst UI block",
        float(worst),
        "ms",
        f"<= {TARGET_MS:.0f} ms per step",
        worst <= TARGET_MS and all(d["outcome"] for d in details.values()),
        summary=f"worst per case: {summary}",
        cases=details,
        stalls=len(beat.stacks),
        frozen_objects=gc.get_freeze_count(),
    )


def main() -> int:
    return run_main(NAME, body)


if __name__ == "__main__":
    raise SystemExit(main())
